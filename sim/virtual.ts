// The virtual-time simulator: plays a scenario's call plans against the real
// RoutingCore (the same one the server uses makes every routing decision) with a
// discrete-event queue. Nothing waits on the wall clock: time jumps from event to
// event, and the core's own deadlines (wrap-up end, offer expiry, aging, level
// widening) are honoured through nextDeadline()/advance().
//
// A SAC day (docs/sac.md) runs here too: the queues' business hours, holidays and the
// center's dates become `queue.closed` / `queue.opened` events by the schedule at their
// edges (server/sac/hours.ts, as server/sac/schedule.ts does live), a supervisor's closures
// come from the scenario, callers who find their queue closed are never enqueued (some
// leave a callback request for its next opening), waiting callers take the callback the
// wait offers (the same rule as sac.offersCallback), each call to the customer is answered
// or missed as the plan says, and answered calls may drop on the company's side.
import { RoutingCore } from '../routing/core.ts';
import { Heap } from '../routing/heap.ts';
import { erlangA, erlangC, type QueueFigures } from '../routing/erlang.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import { callbacksOf, sacOf } from '../server/config/load.ts';
import type { Settings } from '../server/config/types.ts';
import { BusinessHours } from '../server/sac/hours.ts';
import { scheduleReason } from '../server/sac/schedule.ts';
import type { Scenario } from './model/scenario.ts';
import {
  callPlans, localTimeToEpoch, meanSeconds, metricsSettingsFor, routingConfigFor, streamRandom, trafficFrame,
  type AgentPlan, type CallPlan,
} from './model/traffic.ts';
import { scopeSummary, type SacSummary, type Summary, type TheoryFigures, type TheorySummary } from './summary.ts';

/** How one call's wait ended (or where it was when the run stopped). */
export interface VirtualCallRecord {
  id: string;
  from: string;
  arriveAt: number;
  /** When it entered a queue; null if it never did (overflowed or still in the IVR). */
  queuedAt: number | null;
  queue: string | null;
  tier: number | null;
  /**
   * `closed`: found its queue closed and hung up after the message (never enqueued);
   * `not-reached`: a callback whose customer never answered; `waiting` includes callbacks still waiting.
   */
  outcome: 'answered' | 'abandoned' | 'overflowed' | 'waiting' | 'in-ivr' | 'closed' | 'not-reached';
  /** Time of the answer, the abandon or the overflow; the run's end for 'waiting'. */
  at: number;
  /** at − queuedAt, or null. */
  waitMs: number | null;
  /** The agent who answered. */
  agentId: string | null;
  /** The call became a callback: asked for by the caller (waiting or at a closed queue), or after a drop. */
  callback: 'requested' | 'dropped' | null;
}

export interface RunOptions {
  /** Simulated seconds done out of the run's total; called about every 1 %. */
  onProgress?(done: number, total: number): void;
  /** Every call once, when its wait ends (answer, abandon, overflow) or at the end of the run. */
  onCall?(record: VirtualCallRecord): void;
  /** Every event applied to the routing core, with the decisions it took (for checks from outside). */
  onEvent?(event: DomainEvent, decisions: Decision[]): void;
}

type EvKind = 'arrive' | 'enter' | 'patience' | 'answer' | 'miss' | 'hold-on' | 'hold-off' | 'end' | 'survey'
  | 'shift-start' | 'shift-end' | 'back'
  | 'wait-cycle' | 'customer' | 'drop' | 'schedule' | 'close' | 'reopen' | 'closure-end';

interface Ev { at: number; seq: number; kind: EvKind; ref: string; token: number }

/** `callback`: waiting as a callback (nobody on the line); `calling`: the customer's phone rings for a callback. */
type TrackState = 'ivr' | 'queued' | 'ringing' | 'connected' | 'ended' | 'callback' | 'calling';

interface Track {
  plan: CallPlan;
  state: TrackState;
  /** Bumped on every offer, withdrawal, requeue and drop: a scheduled answer, miss or end for an older one is stale. */
  token: number;
  agentId: string | null;
  queuedAt: number;
  answered: boolean;
  /** Set once the call is a callback; `done` when it was reached or ended not reached. */
  cb: { origin: 'requested' | 'dropped'; done: boolean } | null;
  /** The offer in course is a callback's, and who is called first. */
  cbOffer: { customerFirst: boolean } | null;
  /** Calls placed to the customer so far. */
  customerCalls: number;
  /** Talk still to come (after a drop: the rest). */
  talkMs: number;
}

/** A customer who does not answer the callback call: the <Dial> rings this long (docs/sac.md). */
const CALLBACK_RING_MS = 30_000;

export function runVirtual(scenario: Scenario, settings: Settings, opts: RunOptions = {}): Summary {
  const wallStart = performance.now();
  const frame = trafficFrame(scenario, settings);
  const config = routingConfigFor(scenario, settings, frame.agents);
  const metricsSettings = metricsSettingsFor(scenario, settings);
  const core = new RoutingCore(config, metricsSettings, frame.startAt);
  const wrapUpZero = config.wrapUpSeconds === 0;
  const offerTimeoutMs = config.offerTimeoutSeconds * 1000;
  const awayPauseMs = Math.round(scenario.ring.awayAfterNoAnswerSeconds * 1000);
  const surveyDelayMs = Math.round((scenario.survey?.delaySeconds ?? 20) * 1000);
  const ringRandom = streamRandom(scenario.seed, 'agents');
  const centerT = metricsSettings.thresholdSeconds * 1000;
  // SAC: the calendar, the callback offer's rule, what callers do.
  const hours = new BusinessHours(settings);
  const onClose = sacOf(settings).onClose;
  const cbSettings = callbacksOf(settings);
  const waitCycleMs = Math.max(1, settings.ivr.waitCycleSeconds) * 1000;
  const customerAnswerMs = Math.round((scenario.callbacks?.answerSeconds ?? 6) * 1000);
  const takesCallbacks = new Map(settings.queues.map((q) => [q.id, q.callbacks ?? true]));
  const sac = {
    closedAtEntry: 0, requestsWhileWaiting: 0, requestsAtClosed: 0, reached: 0, notReached: 0,
    customerCalls: 0, customerCallsMissed: 0, drops: 0, dropCallbacks: 0,
    closedAtEntryByQueue: new Map<string, number>(),
    changes: [] as SacSummary['closures'],
  };

  const heap = new Heap<Ev>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  let evSeq = 0;
  const schedule = (at: number, kind: EvKind, ref: string, token = 0) => heap.push({ at, seq: evSeq++, kind, ref, token });

  const tracks = new Map<string, Track>();
  const agents = new Map<string, { plan: AgentPlan; onShift: boolean }>();
  for (const a of frame.agents) agents.set(a.id, { plan: a, onShift: false });

  // Own tracking: longest waits (the metrics keep none) and the Erlang comparison.
  const longest = { center: null as number | null, queues: new Map<string, number>(), tiers: new Map<number, number>() };
  const noteWait = (queue: string | null, tier: number | null, waitMs: number) => {
    if (longest.center === null || waitMs > longest.center) longest.center = waitMs;
    if (queue !== null && waitMs > (longest.queues.get(queue) ?? -1)) longest.queues.set(queue, waitMs);
    if (tier !== null && waitMs > (longest.tiers.get(tier) ?? -1)) longest.tiers.set(tier, waitMs);
  };
  const own = { generated: 0, queued: 0, answered: 0, abandoned: 0, overflowed: 0, answeredWithinT: 0, answerWaitMs: 0, ringNoAnswer: 0 };
  let events = 0;
  let idSeq = 0;
  /** Calls arrived and not yet ended, and surveys still to come: the run may stop early only when both are 0. */
  let live = 0;
  let surveysDue = 0;

  const apply = (e: Record<string, unknown> & { type: DomainEvent['type'] }, at: number): Decision[] => {
    events++;
    const event = { id: `v${idSeq++}`, at, ...e } as DomainEvent;
    try {
      const ds = core.apply(event).decisions;
      if (event.type === 'queue.closed' || event.type === 'queue.opened') {
        sac.changes.push({
          queue: event.queue, at: new Date(at).toISOString(), change: event.type === 'queue.closed' ? 'closed' : 'opened',
          by: event.by ?? 'supervisor', reason: event.type === 'queue.closed' ? event.reason : null,
          emergency: event.type === 'queue.closed' && event.emergency === true,
        });
      }
      opts.onEvent?.(event, ds);
      return ds;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`simulator: the routing core refused ${event.type} at ${new Date(at).toISOString()}: ${msg}`, { cause: err });
    }
  };

  const record = (t: Track, outcome: VirtualCallRecord['outcome'], at: number) => {
    if (!opts.onCall) return;
    const view = core.call(t.plan.id);
    const queued = t.state !== 'ivr' && outcome !== 'overflowed' && outcome !== 'in-ivr' && outcome !== 'closed';
    opts.onCall({
      id: t.plan.id, from: t.plan.from, arriveAt: t.plan.arriveAt,
      queuedAt: queued ? t.queuedAt : null,
      queue: view?.queue ?? null, tier: queued ? view?.tier ?? null : null,
      outcome, at, waitMs: queued ? at - t.queuedAt : null,
      agentId: outcome === 'answered' ? t.agentId : null,
      callback: t.cb?.origin ?? null,
    });
  };

  /** Where a call the core put back stands now: on the line, or a callback without anybody on it. */
  const backInLine = (t: Track) => {
    const view = core.call(t.plan.id);
    if (!view || view.status === 'ended') return;
    t.token++;
    t.agentId = null;
    t.cbOffer = null;
    t.state = view.callback !== null && !view.callback.reached ? 'callback' : 'queued';
  };

  /** A call to the customer for a callback: answered after a short ring, or missed after the Dial's timeout. */
  const callCustomer = (t: Track, now: number) => {
    const answers = t.customerCalls >= (t.plan.sac?.missedCallbackCalls ?? 0);
    t.customerCalls++;
    sac.customerCalls++;
    t.state = 'calling';
    schedule(now + (answers ? customerAnswerMs : CALLBACK_RING_MS), 'customer', t.plan.id, t.token);
  };

  /** The agent rings: answers after the plan's ring, or lets it ring out. */
  const ringAgent = (t: Track, now: number) => {
    const a = t.agentId ? agents.get(t.agentId) : undefined;
    const misses = ringRandom() < (a?.plan.ringNoAnswerProbability ?? 0) || t.plan.answersAfterMs >= offerTimeoutMs;
    t.state = 'ringing';
    if (misses) schedule(now + offerTimeoutMs, 'miss', t.plan.id, t.token);
    else schedule(now + t.plan.answersAfterMs, 'answer', t.plan.id, t.token);
  };

  /** The conversation starts: the hold (first talk only), the drop or the end. */
  const converse = (t: Track, at: number, first: boolean) => {
    const p = t.plan;
    t.state = 'connected';
    if (first && p.holdMs > 0) {
      const holdAt = at + Math.round(t.talkMs / 2);
      schedule(holdAt, 'hold-on', p.id, t.token);
      schedule(holdAt + p.holdMs, 'hold-off', p.id, t.token);
    }
    if (first && t.cb === null && p.sac?.drops) schedule(at + p.sac.dropAfterMs, 'drop', p.id, t.token);
    else schedule(at + t.talkMs + (first ? p.holdMs : 0), 'end', p.id, t.token);
  };

  /** What the wait's callback offer decides (sac.offersCallback in server/sac/service.ts). */
  const offersCallback = (t: Track, at: number): boolean => {
    const c = core.call(t.plan.id);
    if (!c || c.status !== 'queued' || c.callback !== null || c.queue === null || !takesCallbacks.get(c.queue)) return false;
    if (c.offerCallback) return true;
    const waited = (at - (c.queuedAt ?? c.arrivedAt)) / 1000;
    const position = core.positionOf(c.id) ?? 1;
    return waited >= cbSettings.offerAfterSeconds && core.estimatedWaitSeconds(c.queue, position) > cbSettings.minEstimatedWaitSeconds;
  };

  /** Business hours into the core at `at`, as server/sac/schedule.ts does live; the next change is scheduled. */
  const syncSchedule = (at: number) => {
    let next: number | null = null;
    for (const q of settings.queues) {
      const open = hours.isOpen(q.id, at);
      const layers = core.queueLayers(q.id);
      const change = hours.nextChange(q.id, at);
      if (change !== null && (next === null || change < next)) next = change;
      if (!open && !layers.schedule) {
        react(apply({
          type: 'queue.closed', queue: q.id, by: 'schedule', reason: scheduleReason(hours, q.id, at),
          ...(change !== null ? { until: change } : {}), waiting: onClose,
        }, at));
      } else if (open && layers.schedule) {
        react(apply({ type: 'queue.opened', queue: q.id, by: 'schedule' }, at));
      }
    }
    if (next !== null && next <= frame.runEndAt) schedule(next, 'schedule', '');
  };

  const finishWait = (t: Track, outcome: 'answered' | 'abandoned', at: number) => {
    const view = core.call(t.plan.id);
    const wait = at - t.queuedAt;
    noteWait(view?.queue ?? null, view?.tier ?? null, wait);
    if (outcome === 'answered') {
      own.answered++;
      own.answerWaitMs += wait;
      if (wait <= centerT) own.answeredWithinT++;
    } else {
      own.abandoned++;
    }
    record(t, outcome, at);
  };

  const react = (decisions: Decision[]) => {
    const now = core.now;
    for (const d of decisions) {
      switch (d.type) {
        case 'offer': {
          const t = tracks.get(d.callId);
          if (!t) break;
          t.token++;
          t.agentId = d.agentId;
          t.cbOffer = d.callback ? { customerFirst: d.customerFirst } : null;
          // Customer-first: the customer is called while the agent is held; agent-first the agent rings first.
          if (d.callback && d.customerFirst) callCustomer(t, now);
          else ringAgent(t, now);
          break;
        }
        case 'offer-withdrawn':
        case 'requeued':
        case 'callback-retry': {
          const t = tracks.get(d.callId);
          if (t && t.state !== 'ended' && t.state !== 'ivr') backInLine(t);
          break;
        }
        case 'callback-not-reached': {
          const t = tracks.get(d.callId);
          if (!t || t.state === 'ended') break;
          t.state = 'ended';
          t.token++;
          if (t.cb) t.cb.done = true;
          sac.notReached++;
          live--;
          // Counted as an abandon by the core, unless it was answered once before a drop.
          if (!t.answered) {
            const view = core.call(t.plan.id);
            noteWait(view?.queue ?? null, view?.tier ?? null, now - t.queuedAt);
            own.abandoned++;
          }
          record(t, 'not-reached', now);
          tracks.delete(t.plan.id);
          break;
        }
        case 'agent-status':
          if (d.status === 'away' && d.reason === 'no-answer') schedule(now + awayPauseMs, 'back', d.agentId);
          break;
        default:
          break;
      }
    }
  };

  // The schedule first (a queue closed at the start is closed before anybody calls), then the supervisors' closures.
  schedule(frame.startAt, 'schedule', '');
  scenario.closures.forEach((c, i) => {
    schedule(localTimeToEpoch(scenario.date, c.at, settings.timezone), 'close', String(i));
    if (c.reopen !== undefined) schedule(localTimeToEpoch(scenario.date, c.reopen, settings.timezone), 'reopen', String(i));
  });

  // Shifts: log in at the start, out at the end (an agent on a call finishes it first: the core keeps it pending).
  for (const a of frame.agents) {
    for (const s of a.shifts) {
      if (s.end <= frame.startAt || s.start >= frame.runEndAt) continue;
      schedule(Math.max(s.start, frame.startAt), 'shift-start', a.id);
      if (s.end < frame.runEndAt) schedule(s.end, 'shift-end', a.id);
    }
  }

  const plans = callPlans(scenario, settings, frame);
  let arrivalsDone = false;
  const pullArrival = () => {
    const next = plans.next();
    if (next.done) { arrivalsDone = true; return; }
    const t: Track = {
      plan: next.value, state: 'ivr', token: 0, agentId: null, queuedAt: 0, answered: false,
      cb: null, cbOffer: null, customerCalls: 0, talkMs: next.value.talkMs,
    };
    tracks.set(t.plan.id, t);
    schedule(t.plan.arriveAt, 'arrive', t.plan.id);
  };
  pullArrival();

  const handle = (ev: Ev) => {
    const at = ev.at;
    switch (ev.kind) {
      case 'arrive': {
        const t = tracks.get(ev.ref)!;
        own.generated++;
        live++;
        react(apply({ type: 'call.arrived', callId: t.plan.id, from: t.plan.from, to: t.plan.to }, at));
        schedule(at + t.plan.ivrMs, 'enter', t.plan.id);
        pullArrival();
        return;
      }
      case 'enter': {
        const t = tracks.get(ev.ref)!;
        const p = t.plan;
        react(apply({ type: 'call.ivr', callId: p.id, path: p.ivrPath, language: p.language }, at));
        const queue = core.queueState(p.queue);
        if (!queue.open) {
          // Closed (hours, a holiday, a date, a supervisor): never enqueued. The message, then a
          // callback request for the next opening where the queue takes them, or goodbye.
          sac.closedAtEntry++;
          sac.closedAtEntryByQueue.set(p.queue, (sac.closedAtEntryByQueue.get(p.queue) ?? 0) + 1);
          if (takesCallbacks.get(p.queue) && p.sac?.requestsWhenClosed) {
            react(apply({
              type: 'call.callback-requested', callId: p.id, number: p.from, queue: p.queue,
              ...(queue.until !== null ? { notBefore: queue.until } : {}),
            }, at));
            t.state = 'callback';
            t.queuedAt = at;
            t.cb = { origin: 'requested', done: false };
            sac.requestsAtClosed++;
          } else {
            react(apply({ type: 'call.ended', callId: p.id, by: 'caller' }, at));
            t.state = 'ended';
            live--;
            record(t, 'closed', at);
            tracks.delete(p.id);
          }
          return;
        }
        t.state = 'queued';
        t.queuedAt = at;
        const ds = apply({ type: 'call.queued', callId: p.id, queue: p.queue, attributes: p.attributes }, at);
        if (ds.some((d) => d.type === 'overflow' && d.callId === p.id && d.toQueue === null)) {
          t.state = 'ended';
          own.overflowed++;
          live--;
          record(t, 'overflowed', at);
          tracks.delete(p.id);
        } else {
          own.queued++;
          if (p.patienceMs !== null) schedule(at + p.patienceMs, 'patience', p.id);
          if (p.sac?.asksCallback) schedule(at + waitCycleMs, 'wait-cycle', p.id);
        }
        react(ds);
        return;
      }
      case 'wait-cycle': {
        // One turn of the wait URL: the offer, taken at once by a caller who wants it.
        const t = tracks.get(ev.ref);
        if (!t || t.cb !== null || (t.state !== 'queued' && t.state !== 'ringing')) return;
        if (t.state === 'ringing' || !offersCallback(t, at)) {
          schedule(at + waitCycleMs, 'wait-cycle', t.plan.id);
          return;
        }
        t.token++;
        t.cb = { origin: 'requested', done: false };
        t.state = 'callback';
        sac.requestsWhileWaiting++;
        react(apply({ type: 'call.callback-requested', callId: t.plan.id, number: t.plan.from }, at));
        return;
      }
      case 'customer': {
        // The call to the customer ends: answered, or not (the core retries later or gives up).
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'calling' || t.token !== ev.token) return;
        const answered = t.customerCalls > (t.plan.sac?.missedCallbackCalls ?? 0);
        if (!answered) sac.customerCallsMissed++;
        const ds = apply({ type: 'call.callback-attempt', callId: t.plan.id, result: answered ? 'answered' : 'no-answer' }, at);
        if (answered) {
          sac.reached++;
          if (t.cb) t.cb.done = true;
          if (t.cbOffer?.customerFirst) {
            // The customer is on the line; now the agent rings.
            t.token++;
            ringAgent(t, at);
          } else {
            // Agent-first: the agent was on the line; the wait ends as the customer is reached.
            if (!t.answered) {
              t.answered = true;
              finishWait(t, 'answered', at);
            }
            converse(t, at, false);
          }
        }
        react(ds);
        return;
      }
      case 'drop': {
        // The call drops on the company's side: the agent marks it, a callback at the head of its tier.
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'connected' || t.token !== ev.token) return;
        const agentId = t.agentId;
        t.token++;
        t.talkMs = Math.max(0, t.plan.talkMs - (t.plan.sac?.dropAfterMs ?? 0));
        t.cb = { origin: 'dropped', done: false };
        t.state = 'callback';
        t.agentId = null;
        sac.drops++;
        const ds = apply({ type: 'call.dropped', callId: t.plan.id }, at);
        if (core.call(t.plan.id)?.callback?.origin === 'dropped') sac.dropCallbacks++;
        react(ds);
        if (wrapUpZero && agentId && core.agent(agentId)?.status === 'wrap-up') react(apply({ type: 'agent.ready', agentId }, at));
        return;
      }
      case 'schedule':
        syncSchedule(at);
        return;
      case 'close': {
        const c = scenario.closures[Number(ev.ref)];
        const until = c.until !== undefined ? localTimeToEpoch(scenario.date, c.until, settings.timezone) : undefined;
        react(apply({
          type: 'queue.closed', queue: c.queue, by: 'supervisor', reason: c.reason, emergency: c.emergency,
          waiting: c.waiting ?? onClose, ...(until !== undefined ? { until } : {}),
        }, at));
        if (until !== undefined) schedule(until, 'closure-end', ev.ref);
        return;
      }
      case 'closure-end': {
        // The core reopened it by itself at the closure's `until` (its own deadline, no event): noted for the summary.
        const c = scenario.closures[Number(ev.ref)];
        if (core.queueState(c.queue).open) {
          sac.changes.push({ queue: c.queue, at: new Date(at).toISOString(), change: 'opened', by: 'supervisor', reason: null, emergency: false });
        }
        return;
      }
      case 'reopen': {
        const c = scenario.closures[Number(ev.ref)];
        react(apply({ type: 'queue.opened', queue: c.queue, by: 'supervisor' }, at));
        return;
      }
      case 'patience': {
        const t = tracks.get(ev.ref);
        // Nobody on the line to lose patience once the call is a callback.
        if (!t || (t.state !== 'queued' && t.state !== 'ringing') || t.cb !== null) return;
        const ds = apply({ type: 'call.abandoned', callId: t.plan.id }, at);
        t.state = 'ended';
        t.token++;
        live--;
        finishWait(t, 'abandoned', at);
        tracks.delete(t.plan.id);
        react(ds);
        return;
      }
      case 'answer': {
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'ringing' || t.token !== ev.token) return;
        const ds = apply({ type: 'call.answered', callId: t.plan.id, agentId: t.agentId! }, at);
        if (t.cbOffer && !t.cbOffer.customerFirst) {
          // A callback, agent-first: the agent is on the line, now the customer is called.
          callCustomer(t, at);
          react(ds);
          return;
        }
        const first = !t.answered;
        if (first) {
          t.answered = true;
          finishWait(t, 'answered', at);
        }
        converse(t, at, first && t.cb === null);
        react(ds);
        return;
      }
      case 'miss': {
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'ringing' || t.token !== ev.token) return;
        own.ringNoAnswer++;
        react(apply({ type: 'call.offer-missed', callId: t.plan.id, agentId: t.agentId!, reason: 'no-answer' }, at));
        return;
      }
      case 'hold-on':
      case 'hold-off': {
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'connected' || t.token !== ev.token) return;
        react(apply({ type: 'call.hold', callId: t.plan.id, onHold: ev.kind === 'hold-on' }, at));
        return;
      }
      case 'end': {
        const t = tracks.get(ev.ref);
        if (!t || t.state !== 'connected' || t.token !== ev.token) return;
        const p = t.plan;
        react(apply({ type: 'call.ended', callId: p.id, by: p.hangsUpBy }, at));
        t.state = 'ended';
        live--;
        if (wrapUpZero && t.agentId && core.agent(t.agentId)?.status === 'wrap-up') {
          react(apply({ type: 'agent.ready', agentId: t.agentId }, at));
        }
        if (p.resolvedFirstContact !== undefined) {
          react(apply({ type: 'call.disposition', callId: p.id, resolvedFirstContact: p.resolvedFirstContact }, at));
        }
        if (p.surveyNps !== undefined || p.surveyCsat !== undefined) {
          surveysDue++;
          schedule(at + surveyDelayMs, 'survey', p.id);
        } else tracks.delete(p.id);
        return;
      }
      case 'survey': {
        const t = tracks.get(ev.ref);
        if (!t) return;
        surveysDue--;
        tracks.delete(t.plan.id);
        const e: Record<string, unknown> & { type: 'call.survey' } = { type: 'call.survey', callId: t.plan.id };
        if (t.plan.surveyNps !== undefined) e.nps = t.plan.surveyNps;
        if (t.plan.surveyCsat !== undefined) e.csat = t.plan.surveyCsat;
        react(apply(e, at));
        return;
      }
      case 'shift-start': {
        const a = agents.get(ev.ref)!;
        a.onShift = true;
        react(apply({ type: 'agent.state', agentId: ev.ref, state: 'available' }, at));
        return;
      }
      case 'shift-end': {
        const a = agents.get(ev.ref)!;
        a.onShift = false;
        react(apply({ type: 'agent.state', agentId: ev.ref, state: 'offline', reason: 'fim do turno' }, at));
        return;
      }
      case 'back': {
        const a = agents.get(ev.ref)!;
        const view = core.agent(ev.ref);
        if (!a.onShift || !view || view.status !== 'away' || view.reason !== 'no-answer') return;
        react(apply({ type: 'agent.state', agentId: ev.ref, state: 'available' }, at));
        return;
      }
    }
  };

  // ---- the event loop ----------------------------------------------------------
  const stopAt = frame.runEndAt;
  const totalS = (frame.runEndAt - frame.startAt) / 1000;
  const step = Math.max(1, totalS / 100);
  let nextReport = 0;
  const progress = (now: number) => {
    if (!opts.onProgress) return;
    const done = (now - frame.startAt) / 1000;
    if (done >= nextReport) {
      opts.onProgress(Math.min(done, totalS), totalS);
      nextReport = (Math.floor(done / step) + 1) * step;
    }
  };

  for (;;) {
    // Every call and survey finished and no more will come: only let pending wrap-ups close.
    const quiet = arrivalsDone && live === 0 && surveysDue === 0;
    const top = quiet ? undefined : heap.peek();
    const due = core.nextDeadline();
    if (due !== null && due <= stopAt && (!top || due <= top.at)) {
      react(core.advance(due).decisions);
      progress(due);
      continue;
    }
    if (!top || top.at > stopAt) break;
    heap.pop();
    handle(top);
    progress(top.at);
  }
  const endAt = Math.max(core.now, arrivalsDone && live === 0 && surveysDue === 0 ? core.now : stopAt);
  if (endAt > core.now) core.advance(endAt);
  opts.onProgress?.(totalS, totalS);

  // Calls the run left behind.
  let waitingAtEnd = 0, connectedAtEnd = 0, inIvrAtEnd = 0, callbacksWaitingAtEnd = 0;
  for (const t of tracks.values()) {
    if (t.cb !== null && !t.cb.done && t.state !== 'ended') {
      callbacksWaitingAtEnd++;
      record(t, 'waiting', endAt);
    } else if (t.state === 'queued' || t.state === 'ringing') {
      waitingAtEnd++;
      const view = core.call(t.plan.id);
      noteWait(view?.queue ?? null, view?.tier ?? null, endAt - t.queuedAt);
      record(t, 'waiting', endAt);
    } else if (t.state === 'connected') connectedAtEnd++;
    else if (t.state === 'ivr') {
      inIvrAtEnd++;
      record(t, 'in-ivr', endAt);
    }
  }

  // Agents on shift during the arrival hours.
  const span = frame.arrivalsEndAt - frame.startAt;
  let onShiftMs = 0;
  const edges: [number, number][] = [];
  for (const a of frame.agents) {
    for (const s of a.shifts) {
      const from = Math.max(s.start, frame.startAt);
      const to = Math.min(s.end, frame.arrivalsEndAt);
      if (to > from) onShiftMs += to - from;
      if (to > from) edges.push([from, 1], [to, -1]);
    }
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let peak = 0, cur = 0;
  for (const [, d] of edges) { cur += d; if (cur > peak) peak = cur; }
  const averageOnShift = onShiftMs / span;

  const m = core.metrics;
  const center = m.read({ kind: 'center' }, 'today');
  const summary: Summary = {
    scenario: {
      name: scenario.name, description: scenario.description, seed: scenario.seed, settings: scenario.settings,
      date: scenario.date, start: scenario.start, hours: scenario.hours, timezone: settings.timezone,
    },
    simulated: {
      startAt: new Date(frame.startAt).toISOString(),
      arrivalsEndAt: new Date(frame.arrivalsEndAt).toISOString(),
      endAt: new Date(endAt).toISOString(),
      events,
    },
    calls: {
      generated: own.generated, queued: own.queued, answered: own.answered, abandoned: own.abandoned,
      overflowed: own.overflowed, waitingAtEnd, connectedAtEnd, inIvrAtEnd, ringNoAnswer: own.ringNoAnswer,
    },
    agents: { rostered: frame.agents.length, averageOnShift, peakOnShift: peak },
    center: scopeSummary(center, longest.center),
    queues: settings.queues.map((q) => ({
      id: q.id, name: q.name,
      ...scopeSummary(m.read({ kind: 'queue', id: q.id }, 'today'), longest.queues.get(q.id) ?? null),
    })),
    tiers: Array.from({ length: config.tiers }, (_, i) => ({
      tier: i + 1,
      ...scopeSummary(m.read({ kind: 'tier', tier: i + 1 }, 'today'), longest.tiers.get(i + 1) ?? null),
    })),
    theory: theory(scenario, own, center.tmaSeconds, averageOnShift, span, metricsSettings.thresholdSeconds),
    sac: {
      closedAtEntry: sac.closedAtEntry,
      callbackRequests: sac.requestsWhileWaiting + sac.requestsAtClosed,
      requestsWhileWaiting: sac.requestsWhileWaiting,
      requestsAtClosed: sac.requestsAtClosed,
      callbacksReached: sac.reached,
      callbacksNotReached: sac.notReached,
      callbacksWaitingAtEnd,
      customerCalls: sac.customerCalls,
      customerCallsMissed: sac.customerCallsMissed,
      drops: sac.drops,
      dropCallbacks: sac.dropCallbacks,
      answeredWithinLegal: center.answeredWithinLegal,
      legalBreaches: center.legalBreaches,
      withinLegal: center.withinLegal,
      queues: settings.queues.map((q) => {
        const f = m.read({ kind: 'queue', id: q.id }, 'today');
        return {
          id: q.id, closedAtEntry: sac.closedAtEntryByQueue.get(q.id) ?? 0,
          answeredWithinLegal: f.answeredWithinLegal, legalBreaches: f.legalBreaches, withinLegal: f.withinLegal,
        };
      }),
      closures: sac.changes,
    },
    wallClockMs: 0,
  };
  summary.wallClockMs = Math.round(performance.now() - wallStart);
  return summary;
}

function theory(
  scenario: Scenario,
  own: { queued: number; answered: number; abandoned: number; answeredWithinT: number; answerWaitMs: number },
  tmaSeconds: number | null, averageOnShift: number, spanMs: number, thresholdSeconds: number,
): TheorySummary | null {
  const agents = Math.round(averageOnShift);
  if (tmaSeconds === null || tmaSeconds <= 0 || agents < 1 || own.queued === 0) return null;
  const callsPerHour = own.queued / (spanMs / 3_600_000);
  const patienceSeconds = scenario.patience ? meanSeconds(scenario.patience) : null;
  const closed = own.answered + own.abandoned;
  const simulated = {
    serviceLevel: closed > 0 ? own.answeredWithinT / closed : null,
    asaSeconds: own.answered > 0 ? own.answerWaitMs / own.answered / 1000 : null,
    abandonRate: closed > 0 ? own.abandoned / closed : null,
  };
  const figures = (f: QueueFigures & { probabilityOfAbandon?: number }): TheoryFigures => ({
    serviceLevel: f.serviceLevel,
    asaSeconds: Number.isFinite(f.asaSeconds) ? f.asaSeconds : null,
    probabilityOfWaiting: f.probabilityOfWaiting,
    abandonRate: f.probabilityOfAbandon ?? null,
    occupancy: f.occupancy,
  });
  const gap = (f: TheoryFigures) => ({
    serviceLevelPoints: (f.serviceLevel - (simulated.serviceLevel ?? 0)) * 100,
    asaSeconds: f.asaSeconds === null ? null : f.asaSeconds - (simulated.asaSeconds ?? 0),
    abandonRatePoints: f.abandonRate === null ? null : (f.abandonRate - (simulated.abandonRate ?? 0)) * 100,
  });
  const input = { callsPerHour, ahtSeconds: tmaSeconds, agents, thresholdSeconds };
  const c = figures(erlangC(input));
  // Erlang C has no abandons: everybody offered is served.
  c.abandonRate = 0;
  const a = patienceSeconds !== null && patienceSeconds > 0 ? figures(erlangA({ ...input, patienceSeconds })) : null;
  return {
    basis: { callsPerHour, ahtSeconds: tmaSeconds, agents, averageAgentsOnShift: averageOnShift, thresholdSeconds, patienceSeconds },
    simulated,
    erlangC: c,
    erlangA: a,
    erlangCGap: gap(c),
    erlangAGap: a ? gap(a) : null,
  };
}
