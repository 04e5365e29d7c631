// The routing state machine. Fed domain events (each with its own time), it
// decides who takes which call, keeps every call and agent in a legal state and
// feeds the metrics core. Pure: same events in, same state and decisions out.
import { AgentIndex, CallIndex } from './indexes.ts';
import { RepeatMemory, TierRules, clampTier } from './priority.ts';
import { Deadlines, type Deadline } from './timers.ts';
import { refuse, RoutingError } from './errors.ts';
import { MetricsCore, validateSettings, type MetricsSettings } from './metrics/index.ts';
import {
  type AgentState, type CallState, type QueueClosures, agentView, callView, isBusy, isStaffed, newAgent, newCall, shareEmptyValues,
} from './state.ts';
import {
  AGENT_COLUMNS, CALL_COLUMNS, DEADLINE_COLUMNS, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotError, readSnapshot, writeTable,
  type CoreSnapshot, type SnapshotState,
} from './snapshot.ts';
import type {
  AgentConfig, AgentStatus, AgentView, CallbackResult, CallbackSettings, CallOutcome, CallView, Decision, DomainEvent,
  OfferMissReason, Outcome, QueueConfig, QueueStateView, RoutingConfig, TierAssignment,
} from './types.ts';

const SEEN_IDS_KEPT = 500_000;
/**
 * An ended call stays readable this long: enough for the post-call survey and the agent's
 * disposition, short enough that memory stays flat at a busy center's peak (the call
 * records in SQLite keep everything for reports).
 */
const ENDED_CALLS_KEPT_MS = 30 * 60_000;

export interface AbandonRecord { callId: string; at: number; waitMs: number; queue: string; tier: number }

const RECENT_ABANDONS_KEPT = 50;

/** Callbacks when the settings say nothing: agent first, three calls to the customer two minutes apart. */
const DEFAULT_CALLBACKS: CallbackSettings = { retryDelaySeconds: 120, maxAttempts: 3, customerFirst: false };

/** What the callers of a scope that are callbacks add up to (see `callbacksWaiting`). */
export interface CallbacksWaiting {
  /** Callbacks waiting for an agent, those waiting for a retry included. */
  waiting: number;
  /** Of them, those in the queue's order right now (the rest wait for a retry or the queue's opening). */
  inLine: number;
  /** Index 0 = P1. */
  byTier: number[];
  /** The same, of those in line now. */
  inLineByTier: number[];
  /** Original queue entry of the oldest waiting callback (ms), null when none. */
  oldestQueuedAt: number | null;
}

interface QueueWaiting { queue: string; waiting: number; byTier: number[]; longestWaitStart: number | null }

export class RoutingCore {
  readonly metrics: MetricsCore;
  private config: RoutingConfig;
  private tierRules: TierRules;
  /** Arrivals are remembered only when some rule looks at repeat callers. */
  private remembersCallers: boolean;
  private readonly repeats: RepeatMemory;
  private readonly calls = new Map<string, CallState>();
  private readonly agents = new Map<string, AgentState>();
  private readonly queues = new Map<string, { config: QueueConfig; index: number }>();
  private readonly callIndex: CallIndex;
  private readonly agentIndex: AgentIndex;
  private readonly deadlines = new Deadlines();
  private readonly seen = new Set<string>();
  /** Seen ids in arrival order, so the oldest can be forgotten in O(1). */
  private readonly seenOrder: string[] = new Array(SEEN_IDS_KEPT);
  private seenNext = 0;
  private readonly endedFifo: { at: number; id: string }[] = [];
  private endedHead = 0;
  private readonly agentCounts: Record<AgentStatus, number> = {
    offline: 0, available: 0, ringing: 0, 'on-call': 0, 'wrap-up': 0, away: 0,
  };
  private clock: number;
  private seq = 0;
  private offerSeq = 0;
  private decisions: Decision[] = [];
  private readonly abandons: AbandonRecord[] = [];
  /** Only queues with a closure (or a supervisor's opening over the schedule) have an entry. */
  private readonly queueClosures = new Map<string, QueueClosures>();
  private closureSeq = 0;
  /** Calls that are callbacks and have not ended: few, so reads over them stay cheap. */
  private readonly callbackCalls = new Set<CallState>();

  constructor(config: RoutingConfig, metricsSettings: MetricsSettings, startAt: number) {
    this.config = config;
    this.clock = startAt;
    this.tierRules = new TierRules(config);
    this.repeats = new RepeatMemory(config.repeatMemoryHours * 3_600_000);
    this.remembersCallers = config.tierRules.some((r) => r.when.repeat !== undefined);
    this.callIndex = new CallIndex(config.tiers);
    this.agentIndex = new AgentIndex(config.strategy);
    config.queues.forEach((q, index) => this.queues.set(q.id, { config: q, index }));
    for (const a of config.agents) this.addAgent(a, startAt);
    this.metrics = new MetricsCore(metricsSettings, startAt);
  }

  get now(): number { return this.clock; }

  /** Earliest moment the core wants to be woken with `advance`, or null. */
  nextDeadline(): number | null {
    return this.deadlines.peek()?.at ?? null;
  }

  /** Lets time pass: every deadline up to `now` fires at its own moment, in order. */
  advance(now: number): Outcome {
    this.decisions = [];
    this.advanceTo(now);
    return { applied: true, decisions: this.takeDecisions() };
  }

  /**
   * Applies one event. A duplicate id is a no-op. An impossible event throws a
   * RoutingError and leaves the state as it was; deadlines that fell due before the
   * event's time have still fired, and their decisions ride on the error as `advanced`.
   */
  apply(event: DomainEvent): Outcome {
    this.decisions = [];
    if (typeof event?.id !== 'string' || event.id === '' || !Number.isFinite(event.at)) {
      refuse('ATENDE_BAD_EVENT', 'an event needs a non-empty id and a finite time');
    }
    if (this.seen.has(event.id)) return { applied: false, decisions: [] };
    this.advanceTo(event.at);
    const at = this.clock;
    try {
      this.validate(event);
    } catch (err) {
      if (err instanceof RoutingError) (err as RoutingError & { advanced?: Decision[] }).advanced = this.takeDecisions();
      throw err;
    }
    this.remember(event.id);
    this.handle(event, at);
    return { applied: true, decisions: this.takeDecisions() };
  }

  // ---- snapshot --------------------------------------------------------------

  /**
   * Everything the core's future decisions and figures depend on, as one plain JSON value
   * (routing/snapshot.ts). It is a value: the core going on does not change it. Objects the
   * core only ever replaces, never edits (configs, tier rules, notes, attributes, closed
   * intervals) are shared rather than copied, so treat the snapshot as read-only.
   */
  snapshot(): CoreSnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      now: this.clock,
      config: this.config,
      queues: [...this.queues.values()].map((q) => q.config),
      seq: this.seq,
      offerSeq: this.offerSeq,
      calls: writeTable(CALL_COLUMNS, this.calls.values()),
      agents: writeTable(AGENT_COLUMNS, this.agents.values()),
      deadlines: { ...writeTable(DEADLINE_COLUMNS, this.deadlines.pending()), nextSeq: this.deadlines.nextSeq },
      endedCalls: this.endedFifo.slice(this.endedHead).map((e) => e.id),
      seenIds: this.seenIdsOldestFirst(),
      repeatCallers: this.repeats.entries(),
      recentAbandons: this.abandons.map((a) => ({ ...a })),
      queueStates: [...this.queueClosures.values()],
      closureSeq: this.closureSeq,
      metrics: this.metrics.snapshot(),
    };
  }

  /**
   * Rebuilds a core from a snapshot (parsed JSON is fine). A snapshot from another
   * SNAPSHOT_VERSION, or one that is structurally broken, throws a SnapshotError at once.
   * The core adopts the snapshot's inner objects (configs, attributes…): do not edit it afterwards.
   */
  static fromSnapshot(snapshot: unknown): RoutingCore {
    const s = readSnapshot(snapshot);
    try {
      const core = new RoutingCore({ ...s.config, agents: [] }, s.metrics.settings, s.now);
      core.restore(s);
      return core;
    } catch (err) {
      throw new SnapshotError(`cannot rebuild the core: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Fills a core fresh from the constructor (no agents) with a checked snapshot. */
  private restore(s: SnapshotState): void {
    this.config = s.config;
    this.clock = s.now;
    this.seq = s.seq;
    this.offerSeq = s.offerSeq;
    this.queues.clear();
    s.queues.forEach((config, index) => this.queues.set(config.id, { config, index }));
    for (const a of s.agents) {
      this.agents.set(a.config.id, a);
      this.agentCounts[a.status]++;
    }
    for (const c of s.calls) this.calls.set(c.id, shareEmptyValues(c));
    // The heaps are not in the snapshot: live entries are exactly the queued calls (less the
    // callbacks waiting for a retry) and the free, unblocked agents, and both orders are
    // total, so rebuilt heaps pick the same.
    for (const c of s.calls) if (c.status === 'queued' && c.callback?.retryAt == null) this.callIndex.add(c);
    for (const c of s.calls) if (c.callback !== null && c.status !== 'ended') this.callbackCalls.add(c);
    for (const q of s.queueStates) this.queueClosures.set(q.queue, q);
    this.closureSeq = s.closureSeq;
    for (const a of s.agents) if (a.status === 'available' && a.blockedUntil === 0) this.agentIndex.add(a);
    this.deadlines.restore(s.deadlines, s.deadlineSeq);
    for (const id of s.seenIds) this.remember(id);
    for (const id of s.endedCalls) this.endedFifo.push({ at: this.calls.get(id)!.endedAt!, id });
    this.repeats.restore(s.repeatCallers);
    this.abandons.push(...s.recentAbandons.map((a) => ({ ...a })));
    this.metrics.restore(s.metrics);
  }

  private seenIdsOldestFirst(): string[] {
    const ring = this.seenOrder;
    const next = this.seenNext;
    // Until the ring first wraps, the slot after the newest is still empty.
    return ring[next] === undefined ? ring.slice(0, next) : [...ring.slice(next), ...ring.slice(0, next)];
  }

  // ---- reads ---------------------------------------------------------------

  call(id: string): CallView | null {
    const c = this.calls.get(id);
    return c ? callView(c) : null;
  }

  agent(id: string): AgentView | null {
    const a = this.agents.get(id);
    return a ? agentView(a, this.callTierOf(a)) : null;
  }

  agentList(): AgentView[] {
    return [...this.agents.values()].map((a) => agentView(a, this.callTierOf(a)));
  }

  agentCountsByStatus(): Record<AgentStatus, number> {
    return { ...this.agentCounts };
  }

  /** Callers waiting now, longest wait first, at most `limit`. */
  waitingCalls(limit = Infinity, queue?: string): CallView[] {
    const list: CallState[] = [];
    for (const c of this.callIndex.waiting) if (!queue || c.queue === queue) list.push(c);
    list.sort((a, b) => a.queuedAt! - b.queuedAt! || a.seq - b.seq);
    return list.slice(0, limit).map(callView);
  }

  /** When each caller waiting now entered the queue (ms), longest wait first: a cheap read for every snapshot. */
  waitingSince(queue?: string): number[] {
    const out: number[] = [];
    for (const c of this.callIndex.waiting) if (!queue || c.queue === queue) out.push(c.queuedAt!);
    return out.sort((a, b) => a - b);
  }

  waitingCount(queue?: string): number {
    if (!queue) return this.callIndex.waiting.size;
    return this.callIndex.countsFor(queue).reduce((s, n) => s + n, 0);
  }

  waitingByTier(queue?: string): number[] {
    const out = new Array(this.config.tiers).fill(0);
    const queues = queue ? [queue] : [...this.queues.keys()];
    for (const q of queues) {
      const c = this.callIndex.countsFor(q);
      for (let t = 1; t <= this.config.tiers; t++) out[t - 1] += c[t];
    }
    return out;
  }

  longestWaitStart(queue?: string): number | null {
    return this.callIndex.longestWaitStart(queue);
  }

  /** Callers ahead of this one in its queue plus one: what the wait announcement says. */
  positionOf(callId: string): number | null {
    const c = this.calls.get(callId);
    // A callback waiting for its retry has no place in line until it comes back.
    if (!c || c.status !== 'queued' || c.callback?.retryAt != null) return null;
    let ahead = 0;
    for (const o of this.callIndex.waiting) {
      if (o.queue === c.queue && (o.tier < c.tier || (o.tier === c.tier && (o.orderAt < c.orderAt || (o.orderAt === c.orderAt && o.seq < c.seq))))) ahead++;
    }
    return ahead + 1;
  }

  /**
   * Why a waiting call is still waiting, as the router sees it: the tiers of the callers
   * ahead of it in its queue (in the order agents take them) and the agent it is kept from
   * for a while after that agent missed its offer. Null when the call is not waiting.
   */
  waitingDetail(callId: string): { ahead: number[]; excludedAgent: string | null } | null {
    const c = this.calls.get(callId);
    if (!c || c.status !== 'queued') return null;
    const ahead: CallState[] = [];
    for (const o of this.callIndex.waiting) {
      if (o.queue === c.queue && (o.tier < c.tier || (o.tier === c.tier && (o.orderAt < c.orderAt || (o.orderAt === c.orderAt && o.seq < c.seq))))) ahead.push(o);
    }
    ahead.sort((a, b) => a.tier - b.tier || a.orderAt - b.orderAt || a.seq - b.seq);
    return { ahead: ahead.map((o) => o.tier), excludedAgent: c.excludedAgent };
  }

  /** Rough expected wait: callers ahead × TMA ÷ agents staffed for the queue. */
  estimatedWaitSeconds(queue: string, position: number): number {
    const tma = this.metrics.read({ kind: 'queue', id: queue }, 'rolling').tmaSeconds ?? 180;
    let staffed = 0;
    for (const a of this.agents.values()) if (isStaffed(a.status) && a.config.skills.includes(queue)) staffed++;
    return Math.round((position * tma) / Math.max(1, staffed));
  }

  /** Whether a queue takes callers now, and why not. */
  queueState(queue: string): QueueStateView {
    const c = this.closureOf(queue);
    return c
      ? { open: false, reason: c.reason, emergency: c.emergency, by: c.by, since: c.since, until: c.until }
      : { open: true, reason: null, emergency: false, by: null, since: null, until: null };
  }

  /** A queue's closures by layer: the schedule's, a supervisor's, and a supervisor's opening over the schedule. */
  queueLayers(queue: string): QueueClosures {
    return { ...this.closuresOf(queue) };
  }

  /** The waiting callbacks of a queue (or the center): apart from the callers on the line. */
  callbacksWaiting(queue?: string): CallbacksWaiting {
    const tiers = this.config.tiers;
    const out: CallbacksWaiting = { waiting: 0, inLine: 0, byTier: new Array(tiers).fill(0), inLineByTier: new Array(tiers).fill(0), oldestQueuedAt: null };
    for (const c of this.callbackCalls) {
      if (c.status !== 'queued' || (queue !== undefined && c.queue !== queue)) continue;
      out.waiting++;
      const inLine = c.callback!.retryAt === null;
      if (inLine) out.inLine++;
      if (c.tier >= 1 && c.tier <= tiers) {
        out.byTier[c.tier - 1]++;
        if (inLine) out.inLineByTier[c.tier - 1]++;
      }
      if (out.oldestQueuedAt === null || c.queuedAt! < out.oldestQueuedAt) out.oldestQueuedAt = c.queuedAt!;
    }
    return out;
  }

  /** Like `longestWaitStart`, counting only callers on the line (not callbacks). */
  lineWaitStart(queue?: string): number | null {
    if (this.callbacksWaiting(queue).inLine === 0) return this.longestWaitStart(queue);
    let oldest: number | null = null;
    for (const c of this.callIndex.waiting) {
      if (c.callback === null && (queue === undefined || c.queue === queue) && (oldest === null || c.queuedAt! < oldest)) oldest = c.queuedAt!;
    }
    return oldest;
  }

  /** The last abandoned callers, newest first. */
  recentAbandons(limit = 10): AbandonRecord[] {
    return this.abandons.slice(-limit).reverse().map((a) => ({ ...a }));
  }

  queueConfigs(): QueueConfig[] {
    return [...this.queues.values()].map((q) => q.config);
  }

  routingConfig(): RoutingConfig {
    return this.config;
  }

  // ---- time ----------------------------------------------------------------

  private advanceTo(now: number): void {
    let due: Deadline | undefined;
    while ((due = this.deadlines.popDue(now))) {
      if (due.at > this.clock) this.clock = due.at;
      this.metrics.advance(this.clock);
      this.fire(due);
    }
    if (now > this.clock) this.clock = now;
    this.metrics.advance(this.clock);
    this.forgetEndedCalls();
  }

  private fire(d: Deadline): void {
    const at = this.clock;
    switch (d.kind) {
      case 'wrap-end': {
        const a = this.agents.get(d.ref);
        if (a && a.version === d.version && a.status === 'wrap-up') this.finishWrapUp(a, at);
        return;
      }
      case 'offer-expire': {
        const c = this.calls.get(d.ref);
        if (c && c.version === d.version && c.status === 'offering') this.missOffer(c, 'timeout', at);
        return;
      }
      case 'aging': {
        const c = this.calls.get(d.ref);
        if (c && c.version === d.version && c.status === 'queued' && c.tier > 1) {
          const rule: TierAssignment = { tier: c.tier - 1, ruleId: 'aging', label: `Espera longa (era P${c.tier})`, reason: 'aged' };
          this.retier(c, rule, at);
        }
        return;
      }
      case 'widen': {
        const c = this.calls.get(d.ref);
        if (c && c.version === d.version && c.status === 'queued' && c.maxLevel < this.config.maxLevel) {
          c.maxLevel++;
          this.callIndex.widen(c, c.maxLevel);
          this.emit({ type: 'levels-widened', callId: c.id, maxLevel: c.maxLevel });
          this.scheduleWidening(c, at);
          this.routeCall(c);
        }
        return;
      }
      case 'unblock': {
        const a = this.agents.get(d.ref);
        if (a && a.version === d.version && a.status === 'available') {
          a.blockedUntil = 0;
          this.agentIndex.add(a);
          this.routeAgent(a);
        }
        return;
      }
      case 'exclusion-end': {
        const c = this.calls.get(d.ref);
        if (c && c.version === d.version && c.status === 'queued' && c.excludedAgent) {
          c.excludedAgent = null;
          this.routeCall(c);
        }
        return;
      }
      case 'callback-retry': {
        const c = this.calls.get(d.ref);
        if (c && c.version === d.version && c.status === 'queued' && c.callback && c.callback.retryAt !== null) {
          c.callback = { ...c.callback, retryAt: null };
          this.putInQueue(c, at);
        }
        return;
      }
      case 'queue-reopen': {
        const q = this.queueClosures.get(d.ref);
        // Back to what the schedule says: the supervisor's closure alone ends.
        if (q?.supervisor && q.supervisor.seq === d.version) this.setClosures({ ...q, supervisor: null });
        return;
      }
    }
  }

  // ---- validation: everything that can refuse an event happens here --------

  private validate(e: DomainEvent): void {
    switch (e.type) {
      case 'config.changed': return this.validateConfigChange(e);
      case 'call.arrived':
        if (typeof e.callId !== 'string' || !e.callId) refuse('ATENDE_BAD_EVENT', 'call.arrived needs a callId');
        if (this.calls.has(e.callId)) refuse('ATENDE_CALL_EXISTS', `call ${e.callId} already arrived`);
        if (e.protocol !== undefined && (typeof e.protocol !== 'string' || !/^\d{1,40}$/.test(e.protocol))) {
          refuse('ATENDE_BAD_EVENT', 'a protocol number is digits only');
        }
        return;
      case 'call.ivr': {
        const c = this.needCall(e.callId);
        if (c.status !== 'ivr') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} left the IVR already (${c.status})`);
        if (!Array.isArray(e.path)) refuse('ATENDE_BAD_EVENT', 'call.ivr needs a path');
        return;
      }
      case 'call.queued': {
        const c = this.needCall(e.callId);
        if (c.status !== 'ivr') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} cannot be queued while ${c.status}`);
        this.needQueue(e.queue);
        this.needOpenQueue(e.queue);
        return;
      }
      case 'call.offered': {
        const c = this.needCall(e.callId);
        const a = this.needAgent(e.agentId);
        if (c.status !== 'queued') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}, not waiting`);
        if (a.status !== 'available') {
          refuse(isBusy(a.status) ? 'ATENDE_AGENT_BUSY' : 'ATENDE_BAD_AGENT_STATE', `agent ${a.config.id} is ${a.status}`);
        }
        if (!a.config.skills.includes(c.queue!)) refuse('ATENDE_NOT_ELIGIBLE', `agent ${a.config.id} has no skill ${c.queue}`);
        return;
      }
      case 'call.answered': {
        const c = this.needCall(e.callId);
        if (c.status !== 'offering') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}, not ringing an agent`);
        if (e.agentId && e.agentId !== c.agentId) refuse('ATENDE_BAD_EVENT', `call ${c.id} rings ${c.agentId}, not ${e.agentId}`);
        return;
      }
      case 'call.offer-missed': {
        const c = this.needCall(e.callId);
        if (c.status !== 'offering') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}, not ringing an agent`);
        if (e.agentId && e.agentId !== c.agentId) refuse('ATENDE_BAD_EVENT', `call ${c.id} rings ${c.agentId}, not ${e.agentId}`);
        return;
      }
      case 'call.hold': {
        const c = this.needCall(e.callId);
        if (c.status !== 'connected') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}, not connected`);
        return;
      }
      case 'call.ended':
      case 'call.abandoned': {
        const c = this.needCall(e.callId);
        if (c.status === 'ended') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} has already ended`);
        if (e.type === 'call.abandoned' && c.status === 'connected') {
          refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} was answered; it cannot be abandoned`);
        }
        return;
      }
      case 'agent.ready': {
        const a = this.needAgent(e.agentId);
        if (a.status !== 'wrap-up') refuse('ATENDE_BAD_AGENT_STATE', `agent ${a.config.id} is ${a.status}, not in wrap-up`);
        return;
      }
      case 'agent.state': {
        this.needAgent(e.agentId);
        if (!['available', 'away', 'offline'].includes(e.state)) refuse('ATENDE_BAD_EVENT', `unknown agent state ${String(e.state)}`);
        return;
      }
      case 'agent.configured': {
        const a = e.agent;
        if (!a || typeof a.id !== 'string' || !a.id || !Array.isArray(a.skills) || !Number.isInteger(a.level) || a.level < 1 || a.level > this.config.maxLevel) {
          refuse('ATENDE_BAD_EVENT', 'agent.configured needs id, skills and a level within the configured levels');
        }
        for (const s of a.skills) this.needQueue(s);
        return;
      }
      case 'call.escalated': {
        const c = this.needCall(e.callId);
        if (c.status !== 'connected' && c.status !== 'queued') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}; only a call in progress or waiting can be escalated`);
        if (!Number.isInteger(e.toLevel) || e.toLevel <= c.level || e.toLevel > this.config.maxLevel) {
          refuse('ATENDE_BAD_EVENT', `cannot escalate call ${c.id} from N${c.level} to N${e.toLevel}`);
        }
        if (e.queue !== undefined) this.needQueue(e.queue);
        if (e.queue !== undefined && e.queue !== c.queue) this.needOpenQueue(e.queue);
        return;
      }
      case 'call.moved': {
        const c = this.needCall(e.callId);
        if (c.status !== 'queued') refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}, not waiting`);
        if (e.queue !== undefined) this.needQueue(e.queue);
        if (e.queue !== undefined && e.queue !== c.queue) this.needOpenQueue(e.queue);
        if (e.tier !== undefined && (!Number.isInteger(e.tier) || e.tier < 1 || e.tier > this.config.tiers)) {
          refuse('ATENDE_BAD_EVENT', `tier must be 1..${this.config.tiers}`);
        }
        return;
      }
      case 'call.survey': {
        const c = this.needCall(e.callId);
        if (c.firstAnsweredAt === null) refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} was never answered`);
        if (e.nps !== undefined && (!Number.isInteger(e.nps) || e.nps < 0 || e.nps > 10)) refuse('ATENDE_BAD_EVENT', 'nps must be an integer 0..10');
        if (e.csat !== undefined && (!Number.isInteger(e.csat) || e.csat < 1 || e.csat > 5)) refuse('ATENDE_BAD_EVENT', 'csat must be an integer 1..5');
        if ((e.nps !== undefined && c.surveyNps !== null) || (e.csat !== undefined && c.surveyCsat !== null)) {
          refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} already has that survey answer`);
        }
        return;
      }
      case 'call.disposition': {
        const c = this.needCall(e.callId);
        if (c.firstAnsweredAt === null) refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} was never answered`);
        if (c.resolvedFirstContact !== null) refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} already has a disposition`);
        if (typeof e.resolvedFirstContact !== 'boolean') refuse('ATENDE_BAD_EVENT', 'resolvedFirstContact must be true or false');
        return;
      }
      case 'call.callback-requested': return this.validateCallbackRequest(e);
      case 'call.callback-attempt': {
        const c = this.needCall(e.callId);
        if (!['answered', 'no-answer', 'busy', 'failed'].includes(e.result)) refuse('ATENDE_BAD_EVENT', `unknown callback result ${String(e.result)}`);
        // Agent-first the agent is on the line (connected); customer-first the agent is held ringing (offering).
        if (!c.callback || c.callback.reached || (c.status !== 'connected' && c.status !== 'offering')) {
          refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is not a callback being placed (${c.status})`);
        }
        return;
      }
      case 'call.dropped': {
        const c = this.needCall(e.callId);
        if (e.number !== undefined && (typeof e.number !== 'string' || !e.number)) refuse('ATENDE_BAD_EVENT', 'number must be a non-empty string');
        const waitingCallback = c.callback !== null && !c.callback.reached;
        const droppable = c.status === 'queued' || c.status === 'offering' || c.status === 'connected' || (c.status === 'ended' && c.outcome === 'answered');
        if (!droppable || waitingCallback || c.queue === null) {
          refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}${c.outcome ? ` (${c.outcome})` : ''}${waitingCallback ? ' and already a callback' : ''}: it cannot be called back as dropped`);
        }
        return;
      }
      case 'queue.closed': {
        this.needQueue(e.queue);
        if (typeof e.reason !== 'string' || !e.reason) refuse('ATENDE_BAD_EVENT', 'queue.closed needs a reason');
        if (e.until !== undefined && !(Number.isFinite(e.until) && e.until > e.at)) refuse('ATENDE_BAD_EVENT', 'until must be a time after the closure');
        if (e.by !== undefined && e.by !== 'supervisor' && e.by !== 'schedule') refuse('ATENDE_BAD_EVENT', `unknown source ${String(e.by)}`);
        if (e.waiting !== undefined && e.waiting !== 'serve' && e.waiting !== 'offer-callback') refuse('ATENDE_BAD_EVENT', `waiting must be serve or offer-callback`);
        return;
      }
      case 'queue.opened':
        this.needQueue(e.queue);
        if (e.by !== undefined && e.by !== 'supervisor' && e.by !== 'schedule') refuse('ATENDE_BAD_EVENT', `unknown source ${String(e.by)}`);
        return;
      case 'call.recording': {
        // Any call the core still keeps (the final callback comes after the call ended).
        this.needCall(e.callId);
        if (typeof e.recordingSid !== 'string' || !e.recordingSid) refuse('ATENDE_BAD_EVENT', 'call.recording needs a recordingSid');
        if (typeof e.status !== 'string' || !e.status) refuse('ATENDE_BAD_EVENT', 'call.recording needs a status');
        if (e.durationSeconds !== undefined && !(Number.isFinite(e.durationSeconds) && e.durationSeconds >= 0)) refuse('ATENDE_BAD_EVENT', 'durationSeconds must be a number of seconds');
        return;
      }
      default:
        refuse('ATENDE_BAD_EVENT', `unknown event type ${String((e as { type?: unknown }).type)}`);
    }
  }

  // ---- handling: no refusals past this point --------------------------------

  private handle(e: DomainEvent, at: number): void {
    switch (e.type) {
      case 'config.changed': return this.changeConfig(e);
      case 'call.arrived': {
        const c = newCall(e.callId, e.from ?? '', e.to ?? null, at, this.seq++, e.protocol ?? null);
        this.calls.set(c.id, c);
        if (c.from && this.remembersCallers) this.repeats.record(c.from, at);
        return;
      }
      case 'call.ivr': {
        const c = this.calls.get(e.callId)!;
        c.ivrPath = [...e.path];
        if (e.language) c.language = e.language;
        return;
      }
      case 'call.queued': return this.enqueue(this.calls.get(e.callId)!, e.queue, e.attributes ?? {}, at);
      case 'call.offered': return this.offer(this.calls.get(e.callId)!, this.agents.get(e.agentId)!, at);
      case 'call.answered': return this.answer(this.calls.get(e.callId)!, at);
      case 'call.offer-missed': return this.missOffer(this.calls.get(e.callId)!, e.reason, at);
      case 'call.hold': {
        const c = this.calls.get(e.callId)!;
        if (e.onHold && c.holdStartedAt === null) c.holdStartedAt = at;
        if (!e.onHold && c.holdStartedAt !== null) { c.holdMs += at - c.holdStartedAt; c.holdStartedAt = null; }
        return;
      }
      case 'call.ended':
      case 'call.abandoned': return this.endCall(this.calls.get(e.callId)!, at);
      case 'agent.ready': return this.finishWrapUp(this.agents.get(e.agentId)!, at);
      case 'agent.state': return this.changeAgentState(this.agents.get(e.agentId)!, e.state, e.reason ?? null, at);
      case 'agent.configured': return this.configureAgent(e.agent, at);
      case 'call.escalated': return this.escalate(this.calls.get(e.callId)!, e.toLevel, e.note, e.queue, at);
      case 'call.moved': return this.move(this.calls.get(e.callId)!, e.queue, e.tier, at);
      case 'call.survey': {
        const c = this.calls.get(e.callId)!;
        if (e.nps !== undefined) c.surveyNps = e.nps;
        if (e.csat !== undefined) c.surveyCsat = e.csat;
        this.metrics.recordSurvey(at, c.countedQueue!, c.countedTier!, { nps: e.nps, csat: e.csat });
        return;
      }
      case 'call.disposition': {
        const c = this.calls.get(e.callId)!;
        c.resolvedFirstContact = e.resolvedFirstContact;
        if (e.note) c.notes = [...c.notes, e.note];
        this.metrics.recordDisposition(at, c.countedQueue!, c.countedTier!, e.resolvedFirstContact);
        return;
      }
      case 'call.callback-requested': return this.requestCallback(this.calls.get(e.callId)!, e, at);
      case 'call.callback-attempt': return this.callbackAttempt(this.calls.get(e.callId)!, e.result, at);
      case 'call.dropped': return this.dropped(this.calls.get(e.callId)!, e.number, at);
      case 'call.recording': return this.noteRecording(this.calls.get(e.callId)!, e);
      case 'queue.closed': return this.closeQueue(e, at);
      case 'queue.opened': {
        const q = this.closuresOf(e.queue);
        this.setClosures((e.by ?? 'supervisor') === 'schedule'
          ? { ...q, schedule: null, override: false }
          // Opened by hand during scheduled closed hours: open until the schedule's next change.
          : { ...q, supervisor: null, override: q.schedule !== null });
        return;
      }
    }
  }

  /**
   * The facts of the call's recording; a new sid (a second agent leg recorded after an
   * escalation) replaces the old one. An ended recording (completed, absent, failed) is
   * never taken back by a late in-progress or paused: callbacks may come out of order.
   */
  private noteRecording(c: CallState, e: Extract<DomainEvent, { type: 'call.recording' }>): void {
    const prev = c.recording?.sid === e.recordingSid ? c.recording : null;
    const over = (s: string | undefined) => s === 'completed' || s === 'absent' || s === 'failed';
    c.recording = {
      sid: e.recordingSid,
      status: prev && over(prev.status) && !over(e.status) ? prev.status : e.status,
      callSid: e.callSid ?? prev?.callSid ?? null,
      url: e.url ?? prev?.url ?? null,
      durationSeconds: e.durationSeconds ?? prev?.durationSeconds ?? null,
      channels: e.channels ?? prev?.channels ?? null,
    };
  }

  private validateConfigChange(e: Extract<DomainEvent, { type: 'config.changed' }>): void {
    const r = e.routing ?? {};
    if (r.queues) {
      const ids = new Set(r.queues.map((q) => q.id));
      if (ids.size !== this.queues.size || [...this.queues.keys()].some((id) => !ids.has(id))) {
        refuse('ATENDE_BAD_EVENT', 'queues can be changed live but not added or removed (that needs a restart with a new settings file)');
      }
    }
    if (r.callbacks && !(Number.isFinite(r.callbacks.retryDelaySeconds) && r.callbacks.retryDelaySeconds >= 0 &&
      Number.isInteger(r.callbacks.maxAttempts) && r.callbacks.maxAttempts >= 1 && typeof r.callbacks.customerFirst === 'boolean')) {
      refuse('ATENDE_BAD_EVENT', 'callbacks needs retryDelaySeconds ≥ 0, maxAttempts ≥ 1 and customerFirst');
    }
    if (r.agingSeconds && r.agingSeconds.length !== this.config.tiers) refuse('ATENDE_BAD_EVENT', `agingSeconds needs one entry per tier (${this.config.tiers})`);
    for (const rule of r.tierRules ?? []) {
      if (!Number.isInteger(rule.tier) || rule.tier < 1 || rule.tier > this.config.tiers) refuse('ATENDE_BAD_EVENT', `tier rule ${rule.id}: tier must be 1..${this.config.tiers}`);
    }
    for (const k of ['offerTimeoutSeconds', 'wrapUpSeconds', 'maxConsecutiveMisses', 'missDelaySeconds'] as const) {
      const v = r[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) refuse('ATENDE_BAD_EVENT', `${k} must be a number ≥ 0`);
    }
    if (e.metrics) {
      if (e.metrics.tiers !== this.config.tiers) refuse('ATENDE_BAD_EVENT', 'the number of tiers cannot change live');
      try { validateSettings(e.metrics); } catch (err) { refuse('ATENDE_BAD_EVENT', (err as Error).message); }
    }
  }

  /** New settings take effect from now on: calls already waiting keep their tier. */
  private changeConfig(e: Extract<DomainEvent, { type: 'config.changed' }>): void {
    const r = e.routing ?? {};
    this.config = { ...this.config, ...r, queues: r.queues ?? this.config.queues };
    for (const q of r.queues ?? []) this.queues.get(q.id)!.config = q;
    this.tierRules = new TierRules(this.config);
    this.remembersCallers = this.config.tierRules.some((rule) => rule.when.repeat !== undefined);
    if (e.metrics) this.metrics.updateSettings(e.metrics);
  }

  private enqueue(c: CallState, queueId: string, attributes: CallState['attributes'], at: number): void {
    c.attributes = Object.keys(attributes).length ? { ...attributes } : c.attributes;
    const queue = this.overflowTarget(queueId, c, at);
    if (queue === null) {
      c.status = 'ended';
      c.outcome = 'overflowed';
      c.endedAt = at;
      this.endedFifo.push({ at, id: c.id });
      return;
    }
    this.enterQueue(c, queue, at);
    this.putInQueue(c, at);
  }

  /** A call's first entry into `queue`: its tier by the rules, its wait and order from now, level 1. */
  private enterQueue(c: CallState, queue: string, at: number): void {
    const rule = this.tierRules.assign({
      from: c.from, queue, ivrPath: c.ivrPath, attributes: c.attributes, recentArrivals: this.repeats.recent(c.from), at,
    });
    c.queue = queue;
    c.queueIndex = this.queues.get(queue)!.index;
    c.tier = rule.tier;
    c.tierRule = rule;
    c.tierSince = at;
    c.queuedAt = at;
    c.orderAt = at;
    c.level = 1;
    c.maxLevel = 1;
  }

  /** Where the call really goes: its queue, an overflow queue, or null for the polite goodbye. */
  private overflowTarget(queueId: string, c: CallState, at: number): string | null {
    const seen = new Set<string>();
    let q = queueId;
    for (;;) {
      const cfg = this.queues.get(q)!.config;
      const waiting = this.waitingCount(q);
      let reason: 'queue-full' | 'wait-too-long' | null = null;
      if (cfg.maxWaiting !== undefined && waiting >= cfg.maxWaiting) reason = 'queue-full';
      else if (cfg.maxEstimatedWaitSeconds !== undefined && waiting > 0 &&
        this.estimatedWaitSeconds(q, waiting + 1) > cfg.maxEstimatedWaitSeconds) reason = 'wait-too-long';
      if (!reason) return q;
      seen.add(q);
      // A closed queue takes nobody, not even overflow.
      const next = cfg.overflowQueue && this.closureOf(cfg.overflowQueue) === null ? cfg.overflowQueue : null;
      this.emit({ type: 'overflow', callId: c.id, fromQueue: q, toQueue: next && !seen.has(next) ? next : null, reason });
      if (!next || seen.has(next) || !this.queues.has(next)) return null;
      q = next;
      void at;
    }
  }

  /** Puts a call (new, missed or escalated) among the waiting and tries to route it. */
  private putInQueue(c: CallState, at: number): void {
    c.status = 'queued';
    c.agentId = null;
    c.offeredAt = null;
    c.version++;
    if (c.callback && c.callback.retryAt !== null) {
      // Out of the agents' reach until then; its place (tier, orderAt, seq) waits for it.
      this.deadlines.add(c.callback.retryAt, 'callback-retry', c.id, c.version);
      return;
    }
    this.callIndex.add(c);
    // Still excluded from the agent who just missed it: the deadline that ends it must follow the new
    // version (aging and moves requeue it), or the exclusion would never end and that agent never get it.
    if (c.excludedAgent !== null) {
      this.deadlines.add(at + Math.max(this.config.missDelaySeconds, this.config.offerTimeoutSeconds) * 1000, 'exclusion-end', c.id, c.version);
    }
    const aging = this.config.agingSeconds[c.tier - 1];
    if (aging !== null && aging !== undefined && c.tier > 1) {
      this.deadlines.add(Math.max(at, c.tierSince + aging * 1000), 'aging', c.id, c.version);
    }
    this.scheduleWidening(c, at);
    this.routeCall(c);
  }

  private scheduleWidening(c: CallState, at: number): void {
    const w = this.config.levelWideningSeconds;
    if (w === null || w <= 0 || c.maxLevel >= this.config.maxLevel) return;
    const steps = c.maxLevel - c.level + 1;
    this.deadlines.add(Math.max(at, c.queuedAt! + steps * w * 1000), 'widen', c.id, c.version);
  }

  private leaveQueue(c: CallState): void {
    this.callIndex.remove(c, c.tier);
    c.version++;
  }

  private retier(c: CallState, rule: TierAssignment, at: number): void {
    this.leaveQueue(c);
    c.tier = rule.tier;
    c.tierRule = rule;
    c.tierSince = at;
    c.orderAt = c.queuedAt!;
    this.emit({ type: 'tier-changed', callId: c.id, tier: c.tier, reason: rule.label });
    this.putInQueue(c, at);
  }

  private routeCall(c: CallState): void {
    if (c.status !== 'queued') return;
    let best: AgentState | null = null;
    for (let level = c.level; level <= c.maxLevel; level++) {
      const a = this.agentIndex.best(c.queue!, level, c.excludedAgent);
      if (a && (!best || this.agentBefore(a, best))) best = a;
    }
    if (best) this.offer(c, best, this.clock);
  }

  private agentBefore(a: AgentState, b: AgentState): boolean {
    if (a.config.level !== b.config.level) return a.config.level < b.config.level;
    const [a1, a2] = this.agentIndex.keys(a);
    const [b1, b2] = this.agentIndex.keys(b);
    return a1 !== b1 ? a1 < b1 : a2 !== b2 ? a2 < b2 : a.index < b.index;
  }

  /** Offers the best waiting call to a free agent; false when none fits. */
  private routeAgent(a: AgentState): boolean {
    if (a.status !== 'available' || a.blockedUntil > this.clock) return false;
    let best: CallState | null = null;
    let bestWeight = 0;
    for (const q of a.config.skills) {
      const c = this.callIndex.best(q, a.config.level, a.config.id);
      if (!c) continue;
      const w = this.queues.get(q)?.config.weight ?? 0;
      if (!best || c.tier < best.tier || (c.tier === best.tier && (c.orderAt < best.orderAt ||
        (c.orderAt === best.orderAt && (w > bestWeight || (w === bestWeight && c.seq < best.seq)))))) {
        best = c;
        bestWeight = w;
      }
    }
    if (!best) return false;
    this.offer(best, a, this.clock);
    return true;
  }

  private offer(c: CallState, a: AgentState, at: number): void {
    this.leaveQueue(c);
    c.status = 'offering';
    c.agentId = a.config.id;
    c.offeredAt = at;
    a.lastOfferSeq = ++this.offerSeq;
    a.callId = c.id;
    this.setStatus(a, 'ringing', null, at);
    const timeout = (this.config.offerTimeoutSeconds + this.config.offerGraceSeconds) * 1000;
    this.deadlines.add(at + timeout, 'offer-expire', c.id, c.version);
    const cb = c.callback;
    this.emit(cb && !cb.reached
      ? { type: 'offer', callId: c.id, agentId: a.config.id, queue: c.queue!, tier: c.tier, callback: true, number: cb.number, attempt: cb.attempts + 1, customerFirst: this.callbackSettings().customerFirst }
      : { type: 'offer', callId: c.id, agentId: a.config.id, queue: c.queue!, tier: c.tier });
  }

  private answer(c: CallState, at: number): void {
    const a = this.agents.get(c.agentId!)!;
    c.status = 'connected';
    c.version++;
    c.answeredAt = at;
    c.excludedAgent = null;
    // A callback placed agent-first is answered when the customer is reached, not the agent.
    if (!c.callback || c.callback.reached) this.countAnswered(c, at);
    a.consecutiveMisses = 0;
    this.setStatus(a, 'on-call', null, at);
  }

  /** The service level's "answered": the wait runs from the (first) queue entry to now. Counted once per call. */
  private countAnswered(c: CallState, at: number): void {
    if (c.firstAnsweredAt !== null) return;
    c.firstAnsweredAt = at;
    c.countedQueue = c.queue;
    c.countedTier = c.tier;
    this.metrics.recordAnswered(at, c.queue!, c.tier, at - c.queuedAt!);
  }

  private missOffer(c: CallState, reason: OfferMissReason, at: number): void {
    const a = this.agents.get(c.agentId!)!;
    c.excludedAgent = a.config.id;
    a.callId = null;
    if (c.callback?.reached) {
      // Customer-first: the customer is on the line now, waiting like any caller.
      c.callback = null;
      this.callbackCalls.delete(c);
    }
    if (reason === 'not-delivered') {
      // The phone never rang: the agent is free at once and keeps a clean record.
      this.freeAgent(a, at);
      this.requeueAtHead(c, 'not delivered to the agent', at);
      this.deadlines.add(at + this.config.offerTimeoutSeconds * 1000, 'exclusion-end', c.id, c.version);
      return;
    }
    c.missedBy = [...c.missedBy, a.config.id];
    a.consecutiveMisses++;
    if (a.pending) {
      this.applyPending(a, at);
    } else if (a.consecutiveMisses >= this.config.maxConsecutiveMisses) {
      this.setStatus(a, 'away', 'no-answer', at);
    } else {
      this.setStatus(a, 'available', null, at, this.config.missDelaySeconds * 1000);
    }
    this.requeueAtHead(c, `ring-no-answer (${reason})`, at);
    this.deadlines.add(at + Math.max(this.config.missDelaySeconds, this.config.offerTimeoutSeconds) * 1000, 'exclusion-end', c.id, c.version);
  }

  /** Back to the front of its tier, keeping its original wait. */
  private requeueAtHead(c: CallState, reason: string, at: number): void {
    const head = this.headOrderAt(c);
    c.orderAt = head === null ? c.queuedAt! : Math.min(c.queuedAt!, head - 1);
    this.emit({ type: 'requeued', callId: c.id, queue: c.queue!, tier: c.tier, reason });
    this.putInQueue(c, at);
  }

  private headOrderAt(c: CallState): number | null {
    let head: number | null = null;
    for (let level = c.level; level <= c.maxLevel; level++) {
      const top = this.callIndex.best(c.queue!, level, '');
      if (top && top.tier === c.tier && (head === null || top.orderAt < head)) head = top.orderAt;
    }
    return head;
  }

  /** `outcome`: what a waiting call that ends is counted as (a callback never reached: not-reached). */
  private endCall(c: CallState, at: number, outcome: CallOutcome = 'abandoned'): void {
    switch (c.status) {
      case 'ivr':
        c.outcome = 'ended-in-ivr';
        break;
      case 'queued':
        this.leaveQueue(c);
        this.abandon(c, at, c.callback ? 'not-reached' : outcome);
        break;
      case 'offering': {
        const a = this.agents.get(c.agentId!)!;
        c.version++;
        a.callId = null;
        this.emit({ type: 'offer-withdrawn', callId: c.id, agentId: a.config.id, reason: 'caller hung up' });
        this.freeAgent(a, at);
        this.abandon(c, at);
        break;
      }
      case 'connected': {
        const a = this.agents.get(c.agentId!)!;
        c.version++;
        if (c.callback && !c.callback.reached) {
          // The agent left before the customer was reached: nobody talked, the callback ends unreached.
          a.callId = null;
          this.freeAgent(a, at);
          this.abandon(c, at, 'not-reached');
          break;
        }
        if (c.holdStartedAt !== null) { c.holdMs += at - c.holdStartedAt; c.holdStartedAt = null; }
        c.outcome = 'answered';
        this.startWrapUp(a, c, at);
        break;
      }
      case 'ended':
        return;
    }
    this.callbackCalls.delete(c);
    c.status = 'ended';
    c.endedAt = at;
    this.endedFifo.push({ at, id: c.id });
  }

  private abandon(c: CallState, at: number, outcome: CallOutcome = 'abandoned'): void {
    if (outcome === 'not-reached') this.metrics.recordCallback(at, c.queue!, c.tier, 'not-reached');
    // An escalated caller who gives up was answered once already; it is not a second abandon.
    if (c.firstAnsweredAt === null) {
      c.outcome = outcome;
      c.countedQueue = c.queue;
      c.countedTier = c.tier;
      this.metrics.recordAbandoned(at, c.queue!, c.tier, at - c.queuedAt!);
      this.abandons.push({ callId: c.id, at, waitMs: at - c.queuedAt!, queue: c.queue!, tier: c.tier });
      if (this.abandons.length > RECENT_ABANDONS_KEPT) this.abandons.shift();
    } else {
      c.outcome = 'answered';
    }
  }

  private startWrapUp(a: AgentState, c: CallState, at: number): void {
    const talkMs = Math.max(0, at - c.answeredAt! - c.holdMs);
    a.wrap = { queue: c.queue!, tier: c.tier, talkMs, holdMs: c.holdMs, startedAt: at };
    a.callId = c.id;
    c.holdMs = 0;
    this.setStatus(a, 'wrap-up', null, at);
    if (this.config.wrapUpSeconds > 0) this.deadlines.add(at + this.config.wrapUpSeconds * 1000, 'wrap-end', a.config.id, a.version);
  }

  private finishWrapUp(a: AgentState, at: number): void {
    const w = a.wrap!;
    this.metrics.recordHandled(at, w.queue, w.tier, { talkMs: w.talkMs, holdMs: w.holdMs, wrapMs: at - w.startedAt });
    a.wrap = null;
    const held = a.callId ? this.calls.get(a.callId) : undefined;
    a.callId = null;
    // Kept past its time only because this agent still held it (another took it since): it goes now.
    if (held && held.status === 'ended' && held.endedAt! < this.clock - ENDED_CALLS_KEPT_MS && !this.heldByAgent(held)) this.calls.delete(held.id);
    a.callsHandled++;
    if (a.pending) this.applyPending(a, at);
    else this.setStatus(a, 'available', null, at);
  }

  private applyPending(a: AgentState, at: number): void {
    const p = a.pending!;
    a.pending = null;
    this.setStatus(a, p.state, p.reason, at);
  }

  private changeAgentState(a: AgentState, state: 'available' | 'away' | 'offline', reason: string | null, at: number): void {
    const why = state === 'away' ? reason ?? 'pausa' : null;
    switch (a.status) {
      case 'on-call':
        a.pending = { state, reason: why };
        return;
      case 'wrap-up':
        a.pending = { state, reason: why };
        this.finishWrapUp(a, at);
        return;
      case 'ringing': {
        if (state === 'available') return;
        const c = this.calls.get(a.callId!)!;
        a.callId = null;
        this.emit({ type: 'offer-withdrawn', callId: c.id, agentId: a.config.id, reason: `agent went ${state}` });
        this.setStatus(a, state, why, at);
        this.requeueAtHead(c, `agent ${a.config.id} went ${state}`, at);
        return;
      }
      default:
        if (a.status === state && a.reason === why) return;
        if (a.status === 'available' && state === 'available') return;
        this.setStatus(a, state, why, at);
    }
  }

  private freeAgent(a: AgentState, at: number): void {
    if (a.pending) this.applyPending(a, at);
    else this.setStatus(a, 'available', null, at);
  }

  /** The one place agent status changes: keeps counts, indexes and occupancy in step. */
  private setStatus(a: AgentState, status: AgentStatus, reason: string | null, at: number, blockMs = 0): void {
    const was = a.status;
    if (was === 'available') this.agentIndex.removed();
    this.agentCounts[was]--;
    this.agentCounts[status]++;
    a.status = status;
    a.reason = reason;
    a.since = at;
    a.version++;
    if (status === 'available') {
      a.idleSince = at;
      if (blockMs > 0) {
        a.blockedUntil = at + blockMs;
        this.deadlines.add(a.blockedUntil, 'unblock', a.config.id, a.version);
      } else {
        a.blockedUntil = 0;
      }
    }
    if (was === 'available' || status === 'available' || isStaffed(was) !== isStaffed(status) || isBusy(was) !== isBusy(status)) {
      const busy = this.agentCounts.ringing + this.agentCounts['on-call'] + this.agentCounts['wrap-up'];
      const staffed = busy + this.agentCounts.available;
      this.metrics.setAgentCounts(at, busy, staffed);
    }
    this.emit({ type: 'agent-status', agentId: a.config.id, status, reason });
    // Look for a waiting call first: an agent who gets one at once never enters the free-agent heaps.
    if (status === 'available' && blockMs === 0 && !this.routeAgent(a)) this.agentIndex.add(a);
  }

  private configureAgent(cfg: AgentConfig, at: number): void {
    const existing = this.agents.get(cfg.id);
    if (!existing) {
      this.addAgent(cfg, at);
      return;
    }
    existing.config = { ...cfg, skills: [...cfg.skills] };
    if (existing.status === 'available' && existing.blockedUntil === 0) {
      existing.version++;
      this.agentIndex.removed();
      this.agentIndex.add(existing);
      this.routeAgent(existing);
    }
  }

  private addAgent(cfg: AgentConfig, at: number): void {
    const a = newAgent({ ...cfg, skills: [...cfg.skills] }, this.agents.size, at);
    this.agents.set(cfg.id, a);
    this.agentCounts.offline++;
  }

  private escalate(c: CallState, toLevel: number, note: string | undefined, queue: string | undefined, at: number): void {
    if (note) c.notes = [...c.notes, note];
    c.escalations++;
    if (c.status === 'connected') {
      const a = this.agents.get(c.agentId!)!;
      c.version++;
      if (c.holdStartedAt !== null) { c.holdMs += at - c.holdStartedAt; c.holdStartedAt = null; }
      this.startWrapUp(a, c, at);
    } else {
      this.leaveQueue(c);
    }
    if (queue) {
      c.queue = queue;
      c.queueIndex = this.queues.get(queue)!.index;
    }
    c.level = toLevel;
    c.maxLevel = toLevel;
    c.excludedAgent = null;
    c.answeredAt = null;
    this.requeueAtHead(c, `escalated to N${toLevel}`, at);
  }

  private move(c: CallState, queue: string | undefined, tier: number | undefined, at: number): void {
    this.leaveQueue(c);
    if (queue) {
      c.queue = queue;
      c.queueIndex = this.queues.get(queue)!.index;
    }
    if (tier !== undefined) {
      c.tier = clampTier(tier, this.config.tiers);
      c.tierRule = { tier: c.tier, ruleId: 'supervisor', label: 'Definido pelo supervisor', reason: 'supervisor' };
      c.tierSince = at;
      this.emit({ type: 'tier-changed', callId: c.id, tier: c.tier, reason: 'supervisor' });
    }
    c.orderAt = c.queuedAt!;
    this.putInQueue(c, at);
  }

  // ---- SAC: callbacks and queue closures ---------------------------------------

  private callbackSettings(): CallbackSettings {
    return this.config.callbacks ?? DEFAULT_CALLBACKS;
  }

  private validateCallbackRequest(e: Extract<DomainEvent, { type: 'call.callback-requested' }>): void {
    const c = this.needCall(e.callId);
    if (typeof e.number !== 'string' || !e.number) refuse('ATENDE_BAD_EVENT', 'a callback needs the number to call');
    if (e.notBefore !== undefined && !Number.isFinite(e.notBefore)) refuse('ATENDE_BAD_EVENT', 'notBefore must be a time');
    if (c.status === 'ivr') {
      // At a closed queue: the request takes a place without the caller ever having been on the line.
      if (e.queue === undefined) refuse('ATENDE_BAD_EVENT', `call ${c.id} is not in a queue yet: name the queue`);
      this.needQueue(e.queue);
      return;
    }
    if (c.status !== 'queued' || c.callback !== null) refuse('ATENDE_BAD_CALL_STATE', `call ${c.id} is ${c.status}${c.callback ? ' (already a callback)' : ''}, not waiting on the line`);
    if (e.queue !== undefined && e.queue !== c.queue) refuse('ATENDE_BAD_EVENT', `call ${c.id} waits in ${c.queue}, not ${e.queue}`);
  }

  /** The caller leaves the line and keeps exactly their place: tier, original arrival, aging. */
  private requestCallback(c: CallState, e: Extract<DomainEvent, { type: 'call.callback-requested' }>, at: number): void {
    if (c.status === 'ivr') {
      // At a closed queue, for its next opening: placed as if queued now.
      this.enterQueue(c, e.queue!, at);
    } else {
      this.leaveQueue(c);
    }
    const later = e.notBefore !== undefined && e.notBefore > at ? e.notBefore : null;
    c.callback = { number: e.number, origin: 'requested', requestedAt: at, attempts: 0, retryAt: later, reached: false };
    c.offerCallback = false;
    this.callbackCalls.add(c);
    this.metrics.recordCallback(at, c.queue!, c.tier, 'requested');
    // Same tier, orderAt and seq: the heap puts it back exactly where it was.
    this.putInQueue(c, at);
  }

  private callbackAttempt(c: CallState, result: CallbackResult, at: number): void {
    if (result !== 'answered') return this.callbackFailed(c, result, at);
    c.callback = { ...c.callback!, reached: true };
    this.metrics.recordCallback(at, c.queue!, c.tier, 'reached');
    if (c.status === 'connected') {
      // Agent-first: the agent was waiting on the line; the customer is reached now.
      this.countAnswered(c, at);
      return;
    }
    // Customer-first: the customer is on the line; the agent's ring starts now.
    c.version++;
    c.offeredAt = at;
    this.deadlines.add(at + (this.config.offerTimeoutSeconds + this.config.offerGraceSeconds) * 1000, 'offer-expire', c.id, c.version);
  }

  /** The customer did not answer: retried after the delay, keeping the place, or ended as not reached. */
  private callbackFailed(c: CallState, result: CallbackResult, at: number): void {
    const a = this.agents.get(c.agentId!)!;
    a.callId = null;
    c.version++;
    if (c.status === 'offering') this.emit({ type: 'offer-withdrawn', callId: c.id, agentId: a.config.id, reason: `callback ${result}` });
    c.answeredAt = null;
    c.excludedAgent = null;
    // Not the agent's miss, and no talk to wrap up.
    this.freeAgent(a, at);
    const { retryDelaySeconds, maxAttempts } = this.callbackSettings();
    const attempts = c.callback!.attempts + 1;
    if (attempts >= maxAttempts) {
      c.callback = { ...c.callback!, attempts };
      this.emit({ type: 'callback-not-reached', callId: c.id, attempts });
      c.status = 'queued'; // what endCall ends from; it is in no heap
      this.endCall(c, at, 'not-reached');
      return;
    }
    const retryAt = at + retryDelaySeconds * 1000;
    c.callback = { ...c.callback!, attempts, retryAt };
    this.emit({ type: 'callback-retry', callId: c.id, at: retryAt, attempts });
    this.putInQueue(c, at);
  }

  /** A call dropped on the company's side comes back as a callback at the head of its tier, protocol and all. */
  private dropped(c: CallState, number: string | undefined, at: number): void {
    switch (c.status) {
      case 'queued':
        this.leaveQueue(c);
        break;
      case 'offering': {
        const a = this.agents.get(c.agentId!)!;
        a.callId = null;
        c.version++;
        this.emit({ type: 'offer-withdrawn', callId: c.id, agentId: a.config.id, reason: 'call dropped' });
        this.freeAgent(a, at);
        break;
      }
      case 'connected': {
        const a = this.agents.get(c.agentId!)!;
        c.version++;
        if (c.holdStartedAt !== null) { c.holdMs += at - c.holdStartedAt; c.holdStartedAt = null; }
        this.startWrapUp(a, c, at);
        break;
      }
      default: {
        // Ended a moment ago: it leaves the list of ended calls to be forgotten.
        const i = this.endedFifo.findIndex((x, k) => k >= this.endedHead && x.id === c.id);
        if (i >= 0) this.endedFifo.splice(i, 1);
      }
    }
    c.outcome = null;
    c.endedAt = null;
    c.answeredAt = null;
    c.excludedAgent = null;
    c.offerCallback = false;
    c.callback = { number: number ?? c.from, origin: 'dropped', requestedAt: at, attempts: 0, retryAt: null, reached: false };
    this.callbackCalls.add(c);
    this.metrics.recordCallback(at, c.queue!, c.tier, 'dropped');
    this.requeueAtHead(c, 'dropped on the company side', at);
  }

  private closeQueue(e: Extract<DomainEvent, { type: 'queue.closed' }>, at: number): void {
    const q = this.closuresOf(e.queue);
    const until = e.until ?? null;
    if ((e.by ?? 'supervisor') === 'schedule') {
      // A change of the schedule ends a supervisor's opening over it.
      this.setClosures({ ...q, schedule: { reason: e.reason, since: at, until }, override: false });
    } else {
      const seq = this.closureSeq++;
      this.setClosures({ ...q, supervisor: { reason: e.reason, emergency: e.emergency === true, since: at, until, seq } });
      if (until !== null) this.deadlines.add(until, 'queue-reopen', e.queue, seq);
    }
    if (e.waiting === 'offer-callback') {
      for (const c of this.callIndex.waiting) if (c.queue === e.queue && c.callback === null) c.offerCallback = true;
    }
  }

  private closuresOf(queue: string): QueueClosures {
    return this.queueClosures.get(queue) ?? { queue, schedule: null, supervisor: null, override: false };
  }

  /** Replaces a queue's closures (never edited in place: snapshots share them). */
  private setClosures(q: QueueClosures): void {
    if (q.schedule === null && q.supervisor === null && !q.override) this.queueClosures.delete(q.queue);
    else this.queueClosures.set(q.queue, q);
  }

  /** The closure in force: a supervisor's wins; the schedule's holds unless a supervisor opened over it. */
  private closureOf(queue: string): { reason: string; emergency: boolean; by: 'supervisor' | 'schedule'; since: number; until: number | null } | null {
    const q = this.queueClosures.get(queue);
    if (!q) return null;
    if (q.supervisor) return { reason: q.supervisor.reason, emergency: q.supervisor.emergency, by: 'supervisor', since: q.supervisor.since, until: q.supervisor.until };
    if (q.schedule && !q.override) return { reason: q.schedule.reason, emergency: false, by: 'schedule', since: q.schedule.since, until: q.schedule.until };
    return null;
  }

  // ---- helpers ---------------------------------------------------------------

  private callTierOf(a: AgentState): number | null {
    if (!a.callId) return null;
    const c = this.calls.get(a.callId);
    return c && c.queue ? c.tier : null;
  }

  private needCall(id: string): CallState {
    const c = typeof id === 'string' ? this.calls.get(id) : undefined;
    if (!c) refuse('ATENDE_UNKNOWN_CALL', `unknown call ${String(id)}`);
    return c;
  }

  private needAgent(id: string): AgentState {
    const a = typeof id === 'string' ? this.agents.get(id) : undefined;
    if (!a) refuse('ATENDE_UNKNOWN_AGENT', `unknown agent ${String(id)}`);
    return a;
  }

  private needQueue(id: string): void {
    if (typeof id !== 'string' || !this.queues.has(id)) refuse('ATENDE_UNKNOWN_QUEUE', `unknown queue ${String(id)}`);
  }

  private needOpenQueue(id: string): void {
    const closed = this.closureOf(id);
    if (closed) refuse('ATENDE_QUEUE_CLOSED', `queue ${id} is closed (${closed.reason})`);
  }

  private emit(d: Decision): void {
    this.decisions.push(d);
  }

  private takeDecisions(): Decision[] {
    const d = this.decisions;
    this.decisions = [];
    return d;
  }

  private remember(id: string): void {
    const slot = this.seenNext;
    const oldest = this.seenOrder[slot];
    if (oldest !== undefined) this.seen.delete(oldest);
    this.seenOrder[slot] = id;
    this.seenNext = (slot + 1) % SEEN_IDS_KEPT;
    this.seen.add(id);
  }

  /**
   * An agent still holds the call (wrap-up included). An escalated or dropped call may have
   * passed through several agents; only for those rare calls are all agents looked at.
   */
  private heldByAgent(c: CallState): boolean {
    const holder = c.agentId ? this.agents.get(c.agentId) : undefined;
    if (holder && holder.callId === c.id) return true;
    if (c.escalations === 0 && c.callback === null) return false;
    for (const a of this.agents.values()) if (a.callId === c.id) return true;
    return false;
  }

  private forgetEndedCalls(): void {
    const cutoff = this.clock - ENDED_CALLS_KEPT_MS;
    const fifo = this.endedFifo;
    while (this.endedHead < fifo.length && fifo[this.endedHead].at < cutoff) {
      const { id } = fifo[this.endedHead++];
      const c = this.calls.get(id);
      // One still held by an agent in wrap-up goes when that wrap-up ends (finishWrapUp).
      if (c && c.status === 'ended' && !this.heldByAgent(c)) this.calls.delete(id);
    }
    if (this.endedHead > 4096 && this.endedHead * 2 > fifo.length) {
      fifo.splice(0, this.endedHead);
      this.endedHead = 0;
    }
  }
}
