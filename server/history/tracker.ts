// The history worker's copy of the routing core, fed the logged events in log order.
// Same events, same order ⇒ same state as the live core: the live engine's timer-driven
// `advance` calls are not logged, but deadlines fire at their own times whoever calls
// `advance`, so the state after each event is the live state after it.
//
// The tracker moves time one moment at a time (each deadline, each interval end, each
// event), so every batch of decisions has one time, which the per-agent figures need.
// Each closed interval is read at its last millisecond (end − 1), like the old report
// replay did: that catches the interval ending at the daily reset (the core drops it at
// the reset) and those a long idle jump would skip. Splitting `advance` into steps
// changes nothing in the core (the snapshot property test feeds bare advances too).
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import type { Scope } from '../../routing/metrics/index.ts';
import type { Decision, DomainEvent } from '../../routing/types.ts';
import type { SettingsPatch } from '../settings/live.ts';
import { AgentIntervals, type AgentTrackerState } from './agents.ts';
import { countersOf, isZero, type AgentCounters, type ScopeCounters } from './counters.ts';

export type ScopeKey = { scope: 'center'; id: '' } | { scope: 'queue'; id: string } | { scope: 'tier'; id: string };

export interface ClosedInterval {
  start: number;
  end: number;
  scopes: { key: ScopeKey; counters: ScopeCounters }[];
  agents: Map<string, AgentCounters>;
}

/** What the tracker keeps beside the core; rides in the snapshot's `extra`. */
export interface TrackerState {
  /** Settings patches of every `config.changed` logged so far, oldest first. */
  patches: SettingsPatch[];
  agents: AgentTrackerState;
}

export class HistoryTracker {
  readonly core: RoutingCore;
  readonly patches: SettingsPatch[];
  private readonly agents: AgentIntervals;

  /** `onClosed` receives every interval as it closes, in time order. */
  constructor(core: RoutingCore, state: TrackerState | null, private readonly onClosed: (iv: ClosedInterval) => void) {
    this.core = core;
    this.patches = state ? [...state.patches] : [];
    this.agents = new AgentIntervals(state?.agents);
    if (!state) this.agents.seed(core.agentList());
  }

  /** Applies one logged event; false when the core refused it (it refused it live too). */
  feed(e: DomainEvent): boolean {
    if (Number.isFinite(e.at)) {
      this.closeUpTo(e.at);
      this.stepTo(e.at);
    }
    const known = e.type === 'agent.configured' && this.core.agent(e.agent?.id) !== null;
    let applied: boolean;
    try {
      const out = this.core.apply(e);
      applied = out.applied;
      this.agents.decided(out.decisions, this.core.now);
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      this.agents.decided((err as RoutingError & { advanced?: Decision[] }).advanced ?? [], this.core.now);
      return false;
    }
    if (!applied) return true;
    const t = this.core.now;
    if (e.type === 'call.hold') this.agents.held(e.callId, e.onHold, t);
    else if (e.type === 'agent.configured' && !known) this.agents.added(e.agent.id, t);
    else if (e.type === 'config.changed') this.patches.push(((e.settings ?? {}) as { patch?: SettingsPatch }).patch ?? {});
    return true;
  }

  /** Closes (and reports) every interval of the core that ends at or before `t`. */
  closeUpTo(t: number): void {
    for (;;) {
      const { start, end } = this.core.metrics.openInterval({ kind: 'center' });
      if (end > t) return;
      this.stepTo(end - 1);
      this.onClosed({ start, end, scopes: this.readScopes(), agents: this.agents.close(end) });
      this.stepTo(end);
      // An interval length that is not whole seconds never rolls exactly at `end`: stop rather than spin.
      if (this.core.metrics.openInterval({ kind: 'center' }).start === start) return;
    }
  }

  /** The interval holding `now`, so far: time moves to `now` (the live core is there already). */
  openInterval(now: number): Omit<ClosedInterval, 'scopes'> & { scopes: { key: ScopeKey; counters: ScopeCounters }[] } {
    this.closeUpTo(now);
    this.stepTo(now);
    const { start, end } = this.core.metrics.openInterval({ kind: 'center' });
    return { start, end, scopes: this.readScopes(), agents: this.agents.peek(Math.max(now, this.core.now)) };
  }

  state(): TrackerState {
    return { patches: [...this.patches], agents: this.agents.state() };
  }

  /** Fires every deadline up to `t` one moment at a time, so each batch of decisions has its own time. */
  private stepTo(t: number): void {
    for (let due = this.core.nextDeadline(); due !== null && due <= t; due = this.core.nextDeadline()) {
      this.agents.decided(this.core.advance(due).decisions, this.core.now);
    }
    if (t > this.core.now) this.agents.decided(this.core.advance(t).decisions, this.core.now);
  }

  /** Center, queues and tiers of the open interval, those with anything in them. */
  private readScopes(): { key: ScopeKey; counters: ScopeCounters }[] {
    const m = this.core.metrics;
    const out: { key: ScopeKey; counters: ScopeCounters }[] = [];
    const read = (key: ScopeKey, scope: Scope) => {
      const counters = countersOf(m.openInterval(scope).figures);
      if (!isZero(counters)) out.push({ key, counters });
    };
    read({ scope: 'center', id: '' }, { kind: 'center' });
    for (const id of new Set([...this.core.queueConfigs().map((q) => q.id), ...m.queueIds()])) read({ scope: 'queue', id }, { kind: 'queue', id });
    for (let tier = 1; tier <= this.core.routingConfig().tiers; tier++) read({ scope: 'tier', id: String(tier) }, { kind: 'tier', tier });
    return out;
  }
}
