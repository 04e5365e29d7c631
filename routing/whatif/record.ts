// The recorded pass of a what-if: the log is replayed through a routing core exactly as
// the interval reports replay it (so its figures are the report's), the core is forked
// just before the day's first event, and every caller of the day is written down as a
// script relative to what the router decided: IVR and queue entry after arrival, how
// each offer ended after it was made, what followed each answer, when they hung up after
// they began waiting. The what-if then plays those scripts against other decisions.
import { RoutingCore } from '../core.ts';
import { RoutingError } from '../errors.ts';
import type { MetricsSettings } from '../metrics/types.ts';
import type { CoreSnapshot } from '../snapshot.ts';
import type { AgentView, CallView, Decision, DomainEvent, RoutingConfig } from '../types.ts';
import { IntervalReader } from './reader.ts';
import type { CallScript, EventBody, RecordedDay, VerbatimEvent } from './types.ts';

/**
 * How many events (or replay steps) run between two `breathe`s: a few milliseconds of work,
 * so a server running a what-if still answers its webhooks and screens in between.
 */
export const BREATHE_EVERY = 1000;

export interface RecordInput {
  config: RoutingConfig;
  metrics: MetricsSettings;
  /** The whole log, oldest first (replayed from its first event, as a start and the reports do); a store's is read page by page. */
  events: Iterable<DomainEvent> | AsyncIterable<DomainEvent>;
  /** The day: from its daily reset to `endAt` (the next reset, or now for today). */
  dayStart: number;
  endAt: number;
  onProgress?(fraction: number): void;
  /** Awaited every BREATHE_EVERY events (see WhatIfInput.breathe). */
  breathe?(): Promise<void>;
}

/** A script being written, with where the caller stands. */
interface Writing {
  script: CallScript;
  waitStart: number;
  /** Index of the wait still open, or −1. */
  openWait: number;
  answeredAt: number;
  endedAt: number | null;
  offerAt: number;
  offerPending: boolean;
}

const DEFAULT_RING_MS = 5000;
const DEFAULT_NO_ANSWER_PAUSE_MS = 30_000;

function bodyOf(e: DomainEvent): EventBody {
  const { id: _id, at: _at, ...body } = e as DomainEvent & Record<string, unknown>;
  return body as EventBody;
}

function median(values: number[], fallback: number): number {
  if (values.length === 0) return fallback;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export async function recordDay(input: RecordInput): Promise<RecordedDay> {
  const { config, metrics, dayStart, endAt } = input;
  const queues = config.queues.map((q) => q.id);
  const reader = new IntervalReader(queues, metrics.intervalMinutes * 60_000, dayStart, endAt);
  const writing = new Map<string, Writing>();
  const scripts: CallScript[] = [];
  const verbatim: VerbatimEvent[] = [];
  const noAnswerAways = new Set<string>();
  const awaySince = new Map<string, number>();
  const pauses: number[] = [];
  const rings: number[] = [];
  const readyMs: number[] = [];
  const agentStates: RecordedDay['agentStates'] = {};
  const agentTimeline: RecordedDay['agentTimeline'] = {};
  let core: RoutingCore | null = null;
  let fork: CoreSnapshot | null = null;
  let refused = 0;
  let rank = 0;
  let lastProgress = -1;

  const observe = (decisions: Decision[], at: number) => {
    for (const d of decisions) {
      switch (d.type) {
        case 'offer': {
          const w = writing.get(d.callId);
          if (!w) break;
          w.script.offers.push({ kind: 'timeout', afterMs: 0, rank: 0 });
          w.offerAt = at;
          w.offerPending = true;
          break;
        }
        case 'requeued':
        case 'offer-withdrawn': {
          const w = writing.get(d.callId);
          if (!w || !w.offerPending) break;
          const last = w.script.offers[w.script.offers.length - 1];
          last.kind = d.reason.includes('(timeout)') ? 'timeout' : 'withdrawn';
          last.afterMs = at - w.offerAt;
          w.offerPending = false;
          break;
        }
        case 'overflow': {
          const w = writing.get(d.callId);
          // Turned away with nowhere to go: this caller never waited.
          if (w && d.toQueue === null && w.openWait >= 0) { w.script.waits.pop(); w.openWait = -1; }
          break;
        }
        case 'agent-status': {
          (agentTimeline[d.agentId] ??= []).push({ at, status: d.status });
          if (d.status === 'away' && d.reason === 'no-answer') {
            noAnswerAways.add(`${d.agentId}@${at}`);
            awaySince.set(d.agentId, at);
          }
          break;
        }
        default: break;
      }
    }
  };

  const step = (t: number) => {
    let due: number | null;
    while ((due = core!.nextDeadline()) !== null && due <= t) observe(core!.advance(due).decisions, due);
    if (t > core!.now) observe(core!.advance(t).decisions, t);
  };

  /** Interval reads due before `t` (an event at an interval's last millisecond still counts in it). */
  const readBefore = (t: number) => {
    let r: number | null;
    while ((r = reader.nextReadAt()) !== null && r < t) {
      step(r);
      reader.read(core!);
    }
  };

  const record = (e: DomainEvent, call: CallView | null, agent: AgentView | null, at: number, r: number) => {
    const callId = 'callId' in e ? e.callId : null;
    if (e.type === 'call.arrived') {
      const script: CallScript = {
        callId: e.callId, arrivedAt: at, rank: r, from: e.from ?? '', to: e.to ?? null,
        beforeQueue: [], offers: [], segments: [], waits: [], afterEnd: [], absolute: [], queue: null,
      };
      scripts.push(script);
      writing.set(e.callId, { script, waitStart: 0, openWait: -1, answeredAt: 0, endedAt: null, offerAt: 0, offerPending: false });
      return;
    }
    const w = callId ? writing.get(callId) : undefined;
    if (callId && !w) {
      // A call already under way when the day began: replayed as it was.
      verbatim.push({ at, rank: r, body: bodyOf(e), agentId: null });
      return;
    }
    const body = bodyOf(e);
    const s = w?.script;
    const openWait = (start: number) => {
      s!.waits.push({ hangupAfterMs: null, hangup: null, hangupRank: 0, censoredMs: 0 });
      w!.openWait = s!.waits.length - 1;
      w!.waitStart = start;
    };
    const inSegment = () => s!.segments[s!.segments.length - 1];
    switch (e.type) {
      case 'call.ivr':
        s!.beforeQueue.push({ offsetMs: at - s!.arrivedAt, rank: r, body });
        return;
      case 'call.queued':
        s!.beforeQueue.push({ offsetMs: at - s!.arrivedAt, rank: r, body });
        s!.queue ??= e.queue;
        openWait(at);
        return;
      case 'call.answered': {
        if (w!.offerPending) {
          const last = s!.offers[s!.offers.length - 1];
          Object.assign(last, { kind: 'answered', afterMs: at - w!.offerAt, rank: r });
          rings.push(at - w!.offerAt);
          w!.offerPending = false;
        }
        if (w!.openWait >= 0) { s!.waits[w!.openWait].censoredMs = at - w!.waitStart; w!.openWait = -1; }
        if (s!.segments.length === 0 && call?.queue) s!.queue = call.queue;
        s!.segments.push([]);
        w!.answeredAt = at;
        return;
      }
      case 'call.offer-missed': {
        if (w!.offerPending) {
          const last = s!.offers[s!.offers.length - 1];
          Object.assign(last, { kind: 'missed', afterMs: at - w!.offerAt, reason: e.reason, rank: r });
          w!.offerPending = false;
        }
        return;
      }
      case 'call.hold':
        inSegment()?.push({ offsetMs: at - w!.answeredAt, rank: r, body });
        return;
      case 'call.ended':
      case 'call.abandoned': {
        const status = call?.status;
        if (status === 'ivr') s!.beforeQueue.push({ offsetMs: at - s!.arrivedAt, rank: r, body });
        else if ((status === 'queued' || status === 'offering') && w!.openWait >= 0) {
          Object.assign(s!.waits[w!.openWait], { hangupAfterMs: at - w!.waitStart, hangup: body, hangupRank: r });
          w!.openWait = -1;
        } else if (status === 'connected') {
          inSegment()?.push({ offsetMs: at - w!.answeredAt, rank: r, body });
          w!.endedAt = at;
        }
        return;
      }
      case 'call.escalated':
        if (call?.status === 'connected') {
          inSegment()?.push({ offsetMs: at - w!.answeredAt, rank: r, body });
          openWait(at);
        } else s!.absolute.push({ at, rank: r, body });
        return;
      case 'call.moved':
      case 'call.offered':
        s!.absolute.push({ at, rank: r, body });
        return;
      case 'call.survey':
      case 'call.disposition':
        if (w!.endedAt !== null) s!.afterEnd.push({ offsetMs: at - w!.endedAt, rank: r, body });
        else inSegment()?.push({ offsetMs: at - w!.answeredAt, rank: r, body });
        return;
      case 'agent.ready': {
        const owner = agent?.status === 'wrap-up' && agent.callId ? writing.get(agent.callId) : undefined;
        if (owner && owner.endedAt !== null) {
          owner.script.afterEnd.push({ offsetMs: at - owner.endedAt, rank: r, body: { type: 'agent.ready' } });
          readyMs.push(at - owner.endedAt);
        } else verbatim.push({ at, rank: r, body, agentId: e.agentId });
        return;
      }
      case 'agent.state': {
        (agentStates[e.agentId] ??= { atFork: 'offline', forkReason: null, changes: [] }).changes.push({ at, state: e.state, reason: e.reason ?? null });
        const away = awaySince.get(e.agentId);
        if (away !== undefined && e.state === 'available') { pauses.push(at - away); awaySince.delete(e.agentId); }
        verbatim.push({ at, rank: r, body, agentId: e.agentId });
        return;
      }
      case 'agent.configured':
        verbatim.push({ at, rank: r, body, agentId: e.agent.id });
        return;
      default:
        verbatim.push({ at, rank: r, body, agentId: null });
    }
  };

  for await (const e of input.events) {
    rank++;
    if (input.breathe && rank % BREATHE_EVERY === 0) await input.breathe();
    if (e.at >= endAt) break;
    core ??= new RoutingCore(config, metrics, e.at);
    if (!fork && e.at >= dayStart) fork = core.snapshot();
    if (!fork) {
      try { core.apply(e); } catch (err) { if (!(err instanceof RoutingError)) throw err; }
      continue;
    }
    readBefore(e.at);
    step(e.at);
    // The core handles an event stamped before its clock at its clock: so does the script.
    const at = Math.max(e.at, core.now);
    const call = 'callId' in e && typeof e.callId === 'string' ? core.call(e.callId) : null;
    const agent = 'agentId' in e && typeof e.agentId === 'string' ? core.agent(e.agentId) : null;
    let decisions: Decision[];
    try {
      decisions = core.apply(e).decisions;
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      refused++;
      continue;
    }
    record(e, call, agent, at, rank);
    observe(decisions, at);
    if (input.onProgress) {
      const f = Math.floor(((e.at - dayStart) / Math.max(1, endAt - dayStart)) * 100);
      if (f !== lastProgress) { lastProgress = f; input.onProgress(f / 100); }
    }
  }
  if (!core) throw new RangeError('the event log has nothing before the end of that day');
  // Nothing logged that day: it still runs from the last state (agents logged in, deadlines).
  fork ??= core.snapshot();
  let r: number | null;
  while ((r = reader.nextReadAt()) !== null) {
    step(r);
    reader.read(core);
  }
  const day = reader.day(core);

  for (const w of writing.values()) {
    if (w.openWait >= 0) w.script.waits[w.openWait].censoredMs = Math.max(0, endAt - w.waitStart);
  }
  // The agents as the day found them.
  const forkCore = RoutingCore.fromSnapshot(fork);
  for (const a of forkCore.agentList()) {
    const slot = (agentStates[a.id] ??= { atFork: a.status, forkReason: a.reason, changes: [] });
    slot.atFork = a.status;
    slot.forkReason = a.reason;
  }
  // Callers waiting or with an agent when the day began.
  const carried = forkCore.waitingCount() + forkCore.agentList().filter((a) => a.status === 'ringing' || a.status === 'on-call').length;

  const talkMs: Record<string, number[]> = {};
  for (const s of scripts) {
    for (const seg of s.segments) {
      const end = seg.find((x) => x.body.type === 'call.ended');
      if (end && s.queue) (talkMs[s.queue] ??= []).push(end.offsetMs);
    }
  }
  return {
    dayStart, endAt, fork, scripts, verbatim,
    before: { intervals: reader.reads, day, refused },
    patience: scripts.filter((s) => s.waits.length > 0).map((s) => {
      const w0 = s.waits[0];
      return w0.hangupAfterMs !== null ? { waitMs: w0.hangupAfterMs, abandoned: true } : { waitMs: w0.censoredMs, abandoned: false };
    }),
    noAnswerAways,
    noAnswerPauseMs: median(pauses, DEFAULT_NO_ANSWER_PAUSE_MS),
    ringMs: median(rings, DEFAULT_RING_MS),
    talkMs,
    readyMs,
    agentStates,
    agentTimeline,
    carried,
    lastRank: rank,
  };
}
