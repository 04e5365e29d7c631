// What the breach warning (breach.ts) needs, read from a live routing core: each queue's
// window facts by minute, recent arrivals, handle time, staffed and free agents, the
// callers waiting, and the patience the day has shown. Pure reads, no clock: `now` is the
// core's. A few hundred microseconds for a mid-size center (docs/planning.md).
import type { RoutingCore } from './core.ts';
import { isStaffed } from './state.ts';
import { DEFAULT_HORIZON_MINUTES, type BreachInput, type BreachQueueInput } from './breach.ts';

/** Arrivals are counted over this many recent minutes. */
const ARRIVAL_MINUTES = 15;
/** Handle time when nothing has been handled yet today. */
const DEFAULT_HANDLE_SECONDS = 180;

/**
 * Mean patience (s) the day has shown: the exponential estimate with censored waits,
 * (time answered callers waited + time abandoning callers waited) ÷ abandons. The abandon
 * waits are known for the last few abandons only (the core keeps 50), so their mean stands
 * for all. Null when nobody hung up today.
 */
export function dayPatienceSeconds(core: RoutingCore): number | null {
  const today = core.metrics.read({ kind: 'center' }, 'today');
  if (today.abandoned === 0) return null;
  const recent = core.recentAbandons(50);
  const meanAbandonS = recent.length ? recent.reduce((s, a) => s + a.waitMs, 0) / recent.length / 1000 : 0;
  const waited = today.answered * (today.asaSeconds ?? 0) + today.abandoned * meanAbandonS;
  return Math.max(10, waited / today.abandoned);
}

export function breachInputOf(core: RoutingCore, horizonMinutes = DEFAULT_HORIZON_MINUTES): BreachInput {
  const now = core.now;
  const metrics = core.metrics;
  const center = metrics.read({ kind: 'center' }, 'rolling');
  const centerToday = metrics.read({ kind: 'center' }, 'today');
  const queues = core.queueConfigs();

  const base = queues.map((q) => {
    const rolling = metrics.read({ kind: 'queue', id: q.id }, 'rolling');
    const today = metrics.read({ kind: 'queue', id: q.id }, 'today');
    const window = metrics.windowByMinute({ kind: 'queue', id: q.id });
    const slots = window.answered.length;
    let recent = 0;
    for (let k = Math.max(0, slots - ARRIVAL_MINUTES); k < slots; k++) recent += window.answered[k] + window.abandoned[k];
    const waiting = core.waitingSince(q.id);
    const waitingSeconds = waiting.map((at) => Math.max(0, (now - at) / 1000));
    const since = now - Math.min(ARRIVAL_MINUTES, slots) * 60_000;
    for (const at of waiting) if (at >= since) recent++;
    const handleSeconds = rolling.tmaSeconds ?? today.tmaSeconds ?? center.tmaSeconds ?? centerToday.tmaSeconds ?? DEFAULT_HANDLE_SECONDS;
    return {
      id: q.id, thresholdSeconds: rolling.thresholdSeconds, target: rolling.target, window,
      arrivalsPerMinute: recent / Math.max(1, Math.min(ARRIVAL_MINUTES, slots)), handleSeconds, waitingSeconds,
    };
  });

  // A busy multi-skilled agent counts in each of their queues in proportion to its load;
  // a free one wholly in each (it takes whichever of them calls next).
  const load = new Map(base.map((q) => [q.id, q.arrivalsPerMinute * q.handleSeconds]));
  const agents = new Map(base.map((q) => [q.id, { agents: 0, available: 0 }]));
  for (const a of core.agentList()) {
    if (!isStaffed(a.status)) continue;
    const skills = a.skills.filter((s) => agents.has(s));
    if (skills.length === 0) continue;
    const total = skills.reduce((s, q) => s + load.get(q)!, 0);
    for (const s of skills) {
      // A free agent takes whichever of its queues calls next: it counts wholly in each.
      const share = a.status === 'available' ? 1 : total > 0 ? load.get(s)! / total : 1 / skills.length;
      const slot = agents.get(s)!;
      slot.agents += share;
      if (a.status === 'available') slot.available += share;
    }
  }
  const queueInputs: BreachQueueInput[] = base.map((q) => ({ ...q, ...agents.get(q.id)! }));
  return {
    formula: center.formula,
    horizonMinutes,
    patienceSeconds: dayPatienceSeconds(core),
    center: { thresholdSeconds: center.thresholdSeconds, target: center.target, window: metrics.windowByMinute({ kind: 'center' }) },
    queues: queueInputs,
  };
}

/** Each queue's share of one agent (as breachInputOf counts it): what the agent's pause takes away. */
export function agentShares(core: RoutingCore, input: BreachInput, agentId: string): Record<string, number> {
  const a = core.agent(agentId);
  if (!a) return {};
  const skills = a.skills.filter((s) => input.queues.some((q) => q.id === s));
  const load = (id: string) => { const q = input.queues.find((x) => x.id === id)!; return q.arrivalsPerMinute * q.handleSeconds; };
  const total = skills.reduce((s, q) => s + load(q), 0);
  return Object.fromEntries(skills.map((s) => [s, a.status === 'available' ? 1 : total > 0 ? load(s) / total : 1 / skills.length]));
}
