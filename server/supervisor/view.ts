// The supervisor's live view: the wallboard's snapshot (so both screens show the
// same figures) plus what only a supervisor sees — each queue's open state,
// callbacks and abandons of the last hour, each agent's call, pending state and
// figures of the day, and the alerts with their delivery state.
import type { Engine } from '../engine.ts';
import type { Settings } from '../config/types.ts';
import type { AlertView, Snapshot, SupervisorAgent, SupervisorQueue, SupervisorView } from '../contract.ts';
import type { AgentDay } from './agent-figures.ts';

export interface ViewSources {
  engine: Engine;
  settings: Settings;
  snapshot: Snapshot;
  alerts: AlertView[];
  today: Map<string, AgentDay>;
  abandonsLastHour: (queue: string) => number;
}

export function supervisorView(s: ViewSources): SupervisorView {
  const core = s.engine.core;
  const queues: SupervisorQueue[] = s.snapshot.queues.map((q) => ({
    id: q.id,
    // The snapshot's queue block says whether the queue is open (hours, holidays, a supervisor).
    state: q.open === false ? 'closed' : 'open',
    closedReason: q.open === false ? q.closedReason ?? null : null,
    callbacks: q.callbacksWaiting ?? 0,
    abandonsLastHour: s.abandonsLastHour(q.id),
  }));
  const agents: SupervisorAgent[] = core.agentList().map((a) => {
    const day = s.today.get(a.id);
    return {
      id: a.id,
      contact: a.contact ?? null,
      callId: a.callId,
      pending: a.pending ? { state: a.pending.state, reason: a.pending.reason ?? null } : null,
      callsToday: day?.calls ?? 0,
      tmaTodaySeconds: day?.tmaSeconds ?? null,
    };
  });
  return {
    type: 'supervisor',
    serverTime: s.snapshot.serverTime,
    snapshot: s.snapshot,
    queues,
    agents,
    alerts: s.alerts,
    pauseReasons: s.settings.pauseReasons,
    maxLevel: s.settings.maxLevel,
  };
}
