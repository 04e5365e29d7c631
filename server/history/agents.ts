// Per-agent interval figures, derived from what the core decides. The core keeps no
// per-agent aggregates; it says `agent-status` (with the state and pause reason),
// `offer`, `offer-withdrawn` and `requeued`, and the caller knows when (the history
// tracker feeds one moment at a time). From those:
//   - time per state and per pause reason: the time between two status changes, cut at
//     interval ends;
//   - offered: `offer`; answered: ringing → on-call; missed: a ring that ended in a
//     `requeued` "ring-no-answer" (the core's missedBy; not a withdrawal, not an offer
//     the phone never got);
//   - talk, hold, wrap-up per handled call, mirrored from the core's own arithmetic
//     (talk = end − answer − hold; hold from the call's `call.hold` events; wrap = wrap-up
//     end − start) and counted when the wrap-up ends, as the center's TMA is.
import type { AgentStatus, AgentView, Decision } from '../../routing/types.ts';
import { agentWorked, emptyAgentCounters, type AgentCounters } from './counters.ts';

interface Track {
  status: AgentStatus;
  reason: string | null;
  since: number;
  /** The call ringing, talking or being wrapped up. */
  callId: string | null;
  onCallSince: number | null;
  wrap: { talkMs: number; holdMs: number; startedAt: number } | null;
}

interface Hold { since: number | null; ms: number }

/** The tracker's whole state, JSON: it rides in the snapshot beside the core. */
export interface AgentTrackerState {
  agents: Record<string, Track>;
  holds: Record<string, Hold>;
  open: Record<string, AgentCounters>;
}

export class AgentIntervals {
  private readonly agents = new Map<string, Track>();
  private readonly holds = new Map<string, Hold>();
  private open = new Map<string, AgentCounters>();

  constructor(state?: AgentTrackerState) {
    if (!state) return;
    for (const [id, t] of Object.entries(state.agents)) this.agents.set(id, { ...t });
    for (const [id, h] of Object.entries(state.holds)) this.holds.set(id, { ...h });
    for (const [id, c] of Object.entries(state.open)) this.open.set(id, structuredClone(c));
  }

  /** Agents the core starts with (all offline since the core's start). */
  seed(agents: AgentView[]): void {
    for (const a of agents) this.track(a.id, a.since, a.status, a.reason);
  }

  /** An agent added by `agent.configured`: offline from then on. */
  added(agentId: string, at: number): void {
    this.track(agentId, at, 'offline', null);
  }

  /** Everything the core decided at one moment `t`. */
  decided(decisions: Decision[], t: number): void {
    for (const d of decisions) {
      if (d.type === 'offer') {
        this.counters(d.agentId).offered++;
        this.track(d.agentId, t, 'offline', null).callId = d.callId;
      } else if (d.type === 'agent-status') {
        this.changed(d.agentId, d.status, d.reason, t, decisions);
      }
    }
  }

  /** A `call.hold` the core applied at `t`. */
  held(callId: string, onHold: boolean, t: number): void {
    const h = this.holds.get(callId) ?? { since: null, ms: 0 };
    if (onHold && h.since === null) h.since = t;
    if (!onHold && h.since !== null) { h.ms += t - h.since; h.since = null; }
    this.holds.set(callId, h);
  }

  /** Closes the interval at `end`: every agent's time up to it; returns the agents who worked in it. */
  close(end: number): Map<string, AgentCounters> {
    for (const [id, t] of this.agents) this.accrue(id, t, end);
    const rows = new Map([...this.open].filter(([, c]) => agentWorked(c)));
    this.open = new Map();
    return rows;
  }

  /** The open interval so far, up to `now`, without closing anything. */
  peek(now: number): Map<string, AgentCounters> {
    const rows = new Map<string, AgentCounters>();
    for (const [id, c] of this.open) rows.set(id, structuredClone(c));
    for (const [id, t] of this.agents) {
      const c = rows.get(id) ?? emptyAgentCounters();
      addTime(c, t, now - t.since);
      rows.set(id, c);
    }
    return new Map([...rows].filter(([, c]) => agentWorked(c)));
  }

  state(): AgentTrackerState {
    return {
      agents: Object.fromEntries([...this.agents].map(([id, t]) => [id, { ...t }])),
      holds: Object.fromEntries(this.holds),
      open: Object.fromEntries([...this.open].map(([id, c]) => [id, structuredClone(c)])),
    };
  }

  private changed(agentId: string, status: AgentStatus, reason: string | null, t: number, batch: Decision[]): void {
    const tr = this.track(agentId, t, 'offline', null);
    this.accrue(agentId, tr, t);
    const c = this.counters(agentId);
    const was = tr.status;
    if (was === 'ringing' && status !== 'ringing') {
      if (status === 'on-call') {
        c.answered++;
        tr.onCallSince = t;
      } else if (batch.some((d) => d.type === 'requeued' && d.callId === tr.callId && d.reason.startsWith('ring-no-answer'))) {
        c.missed++;
      }
    }
    if (was === 'wrap-up' && status !== 'wrap-up' && tr.wrap) {
      c.handled++;
      c.talkMs += tr.wrap.talkMs;
      c.holdMs += tr.wrap.holdMs;
      c.wrapMs += t - tr.wrap.startedAt;
      tr.wrap = null;
    }
    if (was === 'on-call' && status === 'wrap-up') {
      const h = tr.callId ? this.holds.get(tr.callId) : undefined;
      const holdMs = h ? h.ms + (h.since === null ? 0 : t - h.since) : 0;
      tr.wrap = { talkMs: Math.max(0, t - (tr.onCallSince ?? t) - holdMs), holdMs, startedAt: t };
      if (tr.callId) this.holds.delete(tr.callId);
      tr.onCallSince = null;
    }
    if (status === 'available' || status === 'away' || status === 'offline') tr.callId = null;
    tr.status = status;
    tr.reason = reason;
  }

  private track(agentId: string, at: number, status: AgentStatus, reason: string | null): Track {
    let t = this.agents.get(agentId);
    if (!t) this.agents.set(agentId, (t = { status, reason, since: at, callId: null, onCallSince: null, wrap: null }));
    return t;
  }

  private counters(agentId: string): AgentCounters {
    let c = this.open.get(agentId);
    if (!c) this.open.set(agentId, (c = emptyAgentCounters()));
    return c;
  }

  /** Adds the time since the track's last change up to `t` to the open interval. */
  private accrue(agentId: string, tr: Track, t: number): void {
    if (t <= tr.since) return;
    addTime(this.counters(agentId), tr, t - tr.since);
    tr.since = t;
  }
}

function addTime(c: AgentCounters, tr: Track, ms: number): void {
  if (ms <= 0) return;
  c.stateMs[tr.status] = (c.stateMs[tr.status] ?? 0) + ms;
  if (tr.status === 'away') {
    const why = tr.reason ?? 'pausa';
    c.pauseMs[why] = (c.pauseMs[why] ?? 0) + ms;
  }
}
