// One simulated day played into a real Engine on a clock the writer owns: the
// scenario's callers and agents, step by step in virtual time, each step logged
// as the live edge would log it (steps.ts). The engine's decisions (offers,
// requeues, an agent sent away after a missed ring) schedule what the callers and
// agents do next, exactly as Twilio and the agents would. Deadlines (wrap-up end,
// offer expiry, aging) fire through engine.advance() when the clock reaches them.
//
// Unlike sim/virtual.ts, which measures a day against the bare core, this run
// keeps to what a live Atende could have logged: no hold events (Twilio reports
// none), the survey only when the agent hangs up (the caller stays on the line),
// and at the end of the day every caller still waiting hangs up and every agent
// logs off, so that the next day starts from an empty center.
import { Heap } from '../../routing/heap.ts';
import type { Decision } from '../../routing/types.ts';
import { sacOf } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { BusinessHours } from '../../server/sac/hours.ts';
import { scheduleReason } from '../../server/sac/schedule.ts';
import type { Engine } from '../../server/engine.ts';
import { mulberry32 } from '../random.ts';
import type { Scenario } from '../model/scenario.ts';
import { callPlans, streamRandom, trafficFrame, type CallPlan, type TrafficFrame } from '../model/traffic.ts';
import * as edge from './steps.ts';
import type { ApiSteps, Logged } from './steps.ts';

export interface DayContext {
  engine: Engine;
  /** Sets the engine's clock (epoch ms). */
  setNow(at: number): void;
  /** The settings in force (the survey switch, the IVR tree). */
  settings(): Settings;
  api: ApiSteps;
  /** Keeps the caller's Twilio QueueSid in the call records, as the wait URL does. */
  noteQueueSid(callId: string, queueSid: string): void;
}

export interface DayStats {
  calls: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  ringNoAnswer: number;
  /** Events appended to the log. */
  logged: number;
  /** Events the core refused (none expected: each would be a bug in this run). */
  refused: number;
}

/** How long after the NPS answer the CSAT answer comes (its question is spoken in between). */
const CSAT_AFTER_NPS_MS = 10_000;
/**
 * The whisper the agent hears once they pick up (queue, tier, why): the answer time
 * is its end, when Twilio bridges the caller (server/twilio/webhooks/whisper.ts).
 */
const WHISPER_MS = 3000;

type Kind = 'arrive' | 'enter' | 'patience' | 'answer' | 'miss' | 'end' | 'nps' | 'csat' | 'shift-start' | 'shift-end' | 'back' | 'close' | 'schedule';
interface Step { at: number; seq: number; kind: Kind; ref: string; token: number }

interface Caller {
  plan: CallPlan;
  sid: string;
  state: 'ivr' | 'queued' | 'ringing' | 'connected' | 'ended';
  /** Bumped on every offer and requeue: an answer or miss scheduled for an older offer is stale. */
  token: number;
  agentId: string | null;
  legSid: string | null;
}

/** CA/QU + 32 hex digits from a seeded stream. */
function sidSource(random: () => number): (prefix: 'CA' | 'QU') => string {
  return (prefix) => {
    let hex = '';
    for (let i = 0; i < 4; i++) hex += Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0');
    return prefix + hex;
  };
}

/** One Twilio queue per queue name, the same sid every day. */
export function queueSidOf(queue: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < queue.length; i++) h = Math.imul(h ^ queue.charCodeAt(i), 0x01000193) >>> 0;
  return sidSource(mulberry32(h))('QU');
}

export class DayRun {
  readonly frame: TrafficFrame;
  readonly stats: DayStats = { calls: 0, answered: 0, abandoned: 0, overflowed: 0, ringNoAnswer: 0, logged: 0, refused: 0 };
  private readonly heap = new Heap<Step>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  private stepSeq = 0;
  private readonly callers = new Map<string, Caller>();
  private readonly onShift = new Set<string>();
  private readonly plans: Generator<CallPlan>;
  private readonly callSid: (p: 'CA') => string;
  private readonly legSid: (p: 'CA') => string;
  private readonly ringRandom: () => number;
  private readonly noAnswer: number;
  private readonly surveyDelayMs: number;
  private readonly awayPauseMs: number;
  private readonly stopListening: () => void;
  private lastAt: number;
  /** Business hours (server/sac/hours.ts): the schedule's edges become steps, as server/sac/schedule.ts logs them live. */
  private readonly hours: BusinessHours;

  /** `scenario` is the day's: its own date and seed. */
  constructor(private readonly ctx: DayContext, private readonly scenario: Scenario, settings: Settings) {
    this.frame = trafficFrame(scenario, settings);
    this.plans = callPlans(scenario, settings, this.frame);
    this.callSid = sidSource(streamRandom(scenario.seed + 7, 'choices'));
    this.legSid = sidSource(streamRandom(scenario.seed + 11, 'choices'));
    this.ringRandom = streamRandom(scenario.seed, 'agents');
    this.noAnswer = scenario.ring.noAnswerProbability;
    this.surveyDelayMs = Math.round((scenario.survey?.delaySeconds ?? 20) * 1000);
    this.awayPauseMs = Math.round(scenario.ring.awayAfterNoAnswerSeconds * 1000);
    this.lastAt = this.frame.startAt;
    const { startAt, runEndAt } = this.frame;
    this.hours = new BusinessHours(settings);
    // The schedule before anything else at the start: a queue closed then is closed before anybody calls.
    this.schedule(startAt, 'schedule', '');
    // The close first: at the end of the day callers hang up before the last agents log off.
    this.schedule(runEndAt, 'close', '');
    for (const a of this.frame.agents) {
      for (const s of a.shifts) {
        const from = Math.max(s.start, startAt), to = Math.min(s.end, runEndAt);
        if (to <= from) continue;
        this.schedule(from, 'shift-start', a.id);
        this.schedule(to, 'shift-end', a.id);
      }
    }
    this.pullArrival();
    this.stopListening = ctx.engine.onDecisions((ds) => this.react(ds));
  }

  /**
   * Plays the next step: a deadline the engine owes itself, or the next caller or
   * agent action. False once the day is over (its remaining deadlines are left for
   * the next day's first steps, or for the writer's final catch-up).
   */
  step(): boolean {
    const top = this.heap.peek();
    const due = this.ctx.engine.core.nextDeadline();
    if (due !== null && (top ? due <= top.at : due <= this.lastAt)) {
      this.ctx.setNow(due);
      this.ctx.engine.advance();
      return true;
    }
    if (!top) {
      this.stopListening();
      return false;
    }
    this.heap.pop();
    this.lastAt = top.at;
    this.ctx.setNow(top.at);
    this.handle(top);
    return true;
  }

  private schedule(at: number, kind: Kind, ref: string, token = 0): void {
    this.heap.push({ at, seq: this.stepSeq++, kind, ref, token });
  }

  private log(l: Logged): boolean {
    const r = this.ctx.engine.dispatch(l.event, l.source);
    if (r.ok) this.stats.logged++;
    else this.stats.refused++;
    return r.ok;
  }

  private pullArrival(): void {
    const next = this.plans.next();
    if (next.done) return;
    const plan = next.value;
    const sid = this.callSid('CA');
    this.callers.set(sid, { plan, sid, state: 'ivr', token: 0, agentId: null, legSid: null });
    this.schedule(plan.arriveAt, 'arrive', sid);
  }

  private react(decisions: Decision[]): void {
    const now = this.ctx.engine.now();
    for (const d of decisions) {
      switch (d.type) {
        case 'offer': {
          const c = this.callers.get(d.callId);
          if (!c) break;
          c.token++;
          c.state = 'ringing';
          c.agentId = d.agentId;
          c.legSid = this.legSid('CA');
          // The Dial rings for the offer timeout in force; an agent who would pick up later lets it ring out.
          const timeoutMs = this.ctx.engine.core.routingConfig().offerTimeoutSeconds * 1000;
          const misses = this.ringRandom() < this.noAnswer || c.plan.answersAfterMs >= timeoutMs;
          if (misses) this.schedule(now + timeoutMs, 'miss', c.sid, c.token);
          else this.schedule(now + c.plan.answersAfterMs + WHISPER_MS, 'answer', c.sid, c.token);
          break;
        }
        case 'offer-withdrawn':
        case 'requeued': {
          const c = this.callers.get(d.callId);
          if (c && (c.state === 'ringing' || c.state === 'queued')) {
            c.token++;
            c.state = 'queued';
            c.agentId = null;
          }
          break;
        }
        case 'overflow': {
          // Overflow with nowhere to go ends the call in the core; the caller hears the goodbye.
          const c = this.callers.get(d.callId);
          if (c && d.toQueue === null) this.finish(c, 'overflowed');
          break;
        }
        case 'agent-status':
          if (d.status === 'away' && d.reason === 'no-answer') this.schedule(now + this.awayPauseMs, 'back', d.agentId);
          break;
        default:
          break;
      }
    }
  }

  private finish(c: Caller, outcome: 'answered' | 'abandoned' | 'overflowed' | null): void {
    if (c.state === 'ended') return;
    c.state = 'ended';
    c.token++;
    if (outcome) this.stats[outcome]++;
  }

  private handle(s: Step): void {
    const at = s.at;
    switch (s.kind) {
      case 'arrive': {
        const c = this.callers.get(s.ref)!;
        this.stats.calls++;
        this.log(edge.arrived(c.sid, at, c.plan.from, c.plan.to));
        this.schedule(at + c.plan.ivrMs, 'enter', c.sid);
        this.pullArrival();
        return;
      }
      case 'enter': {
        const c = this.callers.get(s.ref)!;
        const choice = edge.ivrChoice(this.ctx.settings().ivr, c.plan.ivrPath);
        if (!this.ctx.engine.core.queueState(choice.queue).open) {
          // Closed (business hours, a holiday, the center's dates): nobody is enqueued; the caller
          // hears the closed message and hangs up, as /twilio/ivr and /twilio/status log it (at once here).
          this.log(edge.chose(c.sid, at, choice.path, c.plan.language, choice.queue, choice.attributes)[0]);
          this.log(edge.hungUpInIvr(c.sid, at));
          this.finish(c, null);
          this.callers.delete(c.sid);
          return;
        }
        // Queued before the event goes in: the engine may offer the call during it.
        c.state = 'queued';
        for (const l of edge.chose(c.sid, at, choice.path, c.plan.language, choice.queue, choice.attributes)) this.log(l);
        // Overflowed with nowhere to go: the caller heard the goodbye.
        if (this.ctx.engine.core.call(c.sid)?.status === 'ended') {
          this.callers.delete(c.sid);
          return;
        }
        this.ctx.noteQueueSid(c.sid, queueSidOf(this.ctx.engine.core.call(c.sid)?.queue ?? choice.queue));
        if (c.plan.patienceMs !== null) this.schedule(at + c.plan.patienceMs, 'patience', c.sid);
        return;
      }
      case 'schedule':
        this.syncSchedule(at);
        return;
      case 'patience':
      case 'close': {
        const waiting = s.kind === 'close' ? [...this.callers.values()] : [this.callers.get(s.ref)].filter((c) => c !== undefined);
        for (const c of waiting) this.hangUpWaiting(c, at);
        return;
      }
      case 'answer': {
        const c = this.callers.get(s.ref);
        if (!c || c.state !== 'ringing' || c.token !== s.token) return;
        this.log(edge.answered(c.sid, at, c.agentId!, c.legSid!));
        c.state = 'connected';
        this.stats.answered++;
        // Twilio reports no hold: the talk lasts talk + hold.
        this.schedule(at + c.plan.talkMs + c.plan.holdMs, 'end', c.sid);
        return;
      }
      case 'miss': {
        const c = this.callers.get(s.ref);
        if (!c || c.state !== 'ringing' || c.token !== s.token) return;
        this.stats.ringNoAnswer++;
        this.log(edge.rangOut(c.sid, at, c.agentId!, c.legSid!));
        return;
      }
      case 'end': return this.endTalk(this.callers.get(s.ref)!, at);
      case 'nps': {
        const c = this.callers.get(s.ref)!;
        this.log(edge.surveyed(c.sid, at, 'nps', c.plan.surveyNps!));
        if (c.plan.surveyCsat !== undefined) this.schedule(at + CSAT_AFTER_NPS_MS, 'csat', c.sid);
        else this.callers.delete(c.sid);
        return;
      }
      case 'csat': {
        const c = this.callers.get(s.ref)!;
        this.log(edge.surveyed(c.sid, at, 'csat', c.plan.surveyCsat!));
        this.callers.delete(c.sid);
        return;
      }
      case 'shift-start':
        this.onShift.add(s.ref);
        this.log(this.ctx.api.agentState(s.ref, at, 'available'));
        return;
      case 'shift-end':
        this.onShift.delete(s.ref);
        this.log(this.ctx.api.agentState(s.ref, at, 'offline', 'fim do turno'));
        return;
      case 'back': {
        const a = this.ctx.engine.core.agent(s.ref);
        if (!this.onShift.has(s.ref) || a?.status !== 'away' || a.reason !== 'no-answer') return;
        this.log(this.ctx.api.agentState(s.ref, at, 'available'));
        return;
      }
    }
  }

  /** The caller hangs up while waiting: in the Twilio queue, or while an agent's leg rings. */
  /**
   * Business hours into the core at `at`, as server/sac/schedule.ts does live (the app's own
   * timer does not run here: this run moves the clock itself); the next edge becomes a step.
   */
  private syncSchedule(at: number): void {
    const s = this.ctx.settings();
    const onClose = sacOf(s).onClose;
    let next: number | null = null;
    for (const q of s.queues) {
      const open = this.hours.isOpen(q.id, at);
      const layers = this.ctx.engine.core.queueLayers(q.id);
      const change = this.hours.nextChange(q.id, at);
      if (change !== null && (next === null || change < next)) next = change;
      if (!open && !layers.schedule) this.log(edge.scheduleClosed(q.id, at, scheduleReason(this.hours, q.id, at), change, onClose));
      else if (open && layers.schedule) this.log(edge.scheduleOpened(q.id, at));
    }
    if (next !== null && next <= this.frame.runEndAt) this.schedule(next, 'schedule', '');
  }

  private hangUpWaiting(c: Caller, at: number): void {
    if (c.state === 'queued') this.log(edge.leftQueue(c.sid, at));
    else if (c.state === 'ringing') this.log(edge.dialEnded(c.sid, at, 'caller'));
    else return;
    this.finish(c, 'abandoned');
    this.callers.delete(c.sid);
  }

  private endTalk(c: Caller, at: number): void {
    if (c.state !== 'connected') return;
    const p = c.plan;
    this.log(edge.dialEnded(c.sid, at, p.hangsUpBy));
    this.finish(c, null);
    const agentId = c.agentId!;
    // With no wrap-up time the agent ends it by hand (the console's "ready").
    if (this.ctx.engine.core.routingConfig().wrapUpSeconds === 0 && this.ctx.engine.core.agent(agentId)?.status === 'wrap-up') {
      this.log(this.ctx.api.agentReady(agentId, at));
    }
    if (p.resolvedFirstContact !== undefined) this.log(this.ctx.api.disposition(c.sid, at, p.resolvedFirstContact));
    // The survey follows only when the agent hangs up: the caller is still on the line.
    if (p.hangsUpBy === 'agent' && p.surveyNps !== undefined && this.ctx.settings().survey.enabled) this.schedule(at + this.surveyDelayMs, 'nps', c.sid);
    else this.callers.delete(c.sid);
  }
}
