// A recorded day for the what-if and "why" tests: a seeded scenario's callers played into
// a real Atende (engine + SQLite event log) in virtual time, as the Twilio edge and the
// agents would log them: IVR, queue, offers answered after a ring or missed (the agent sent
// away, back after a pause), holds, hang-ups, wrap-ups ended early by "ready", surveys,
// dispositions, escalations to N2, a supervisor moving a caller, agents' lunch pauses and
// staggered shifts. Deadlines (wrap-up end, offer expiry, aging, widening) fire through
// engine.advance() at their own times. Everything comes from the seed.
import { Heap } from '../../routing/heap.ts';
import type { Decision, DomainEvent } from '../../routing/types.ts';
import type { Settings } from '../../server/config/types.ts';
import type { Engine } from '../../server/engine.ts';
import { parseScenario, type Scenario } from '../../sim/model/scenario.ts';
import { callPlans, localTimeToEpoch, trafficFrame, type CallPlan } from '../../sim/model/traffic.ts';
import { mulberry32 } from '../../sim/random.ts';

export interface DayOptions {
  date?: string;
  seed?: number;
  hours?: number;
  callsPerHour?: number;
  /** Agents of the settings logged in at the start; the rest one hour later. */
  early?: number;
  /**
   * Called after every event, like the end of an event-loop turn on a live server: the
   * call-record projection's flush (it reads the core, which forgets calls ended long ago).
   */
  afterEvent?: () => void;
}

/** The scenario the tests record: a busy morning with an outage surge in its second hour. */
export function dayScenario(o: DayOptions = {}): Scenario {
  const hours = o.hours ?? 3;
  return parseScenario({
    name: 'recorded-day', description: 'what-if test day', seed: o.seed ?? 7, settings: 'config/example.json',
    date: o.date ?? '2026-12-05', start: '08:00', arrivalsPerHour: new Array(hours).fill(o.callsPerHour ?? 130),
    surges: hours >= 2 ? [{ fromHour: 1, hours: 1, callsPerHour: 40, ivrPath: ['1', '9'] }] : [],
    ivrPaths: [{ path: ['1', '1'], share: 0.5 }, { path: ['2'], share: 0.3 }, { path: ['3'], share: 0.2 }],
    ivrSeconds: 10, vipShare: 0.03, repeatCallerShare: 0.1,
    patience: { distribution: 'exponential', meanSeconds: 90 },
    talk: { distribution: 'lognormal', medianSeconds: 150, sigma: 0.5 },
    hold: { share: 0.2, meanSeconds: 30 },
    ring: { minSeconds: 2, maxSeconds: 8, noAnswerProbability: 0.04, awayAfterNoAnswerSeconds: 30 },
    survey: { responseRate: 0.3, nps: [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 4], csat: [1, 1, 2, 3, 3] },
    firstContactResolution: 0.7,
    drainMinutes: 20,
  });
}

type Kind = 'arrive' | 'enter' | 'patience' | 'answer' | 'miss' | 'hold' | 'unhold' | 'end' | 'ready' | 'survey'
  | 'login' | 'logout' | 'pause' | 'unpause' | 'back' | 'escalate' | 'move' | 'disposition';
interface Ev { at: number; seq: number; kind: Kind; ref: string; token: number }

export interface RecordedDayInfo { calls: number; startAt: number; endAt: number; events: number }

/**
 * Plays the day into `engine` (whose clock `setNow` sets). Synchronous: no timer of the
 * engine can fire in between, deadlines go through engine.advance().
 */
export function playDay(engine: Engine, setNow: (t: number) => void, settings: Settings, o: DayOptions = {}): RecordedDayInfo {
  const scenario = dayScenario(o);
  const frame = trafficFrame(scenario, settings);
  const rnd = mulberry32((o.seed ?? 7) * 7919 + 1);
  const heap = new Heap<Ev>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  let seq = 0;
  const at = (t: number, kind: Kind, ref: string, token = 0) => heap.push({ at: t, seq: seq++, kind, ref, token });
  let ids = 0;
  let events = 0;
  const send = (e: Record<string, unknown> & { type: DomainEvent['type'] }, t: number): Decision[] => {
    setNow(t);
    events++;
    const r = engine.dispatch({ id: `day:${ids++}`, at: t, ...e } as DomainEvent, 'test');
    o.afterEvent?.();
    return r.decisions;
  };

  interface Track { plan: CallPlan; token: number; agent: string | null; answered: number; state: 'ivr' | 'waiting' | 'ringing' | 'talking' | 'done' }
  const tracks = new Map<string, Track>();
  const plans = [...callPlans(scenario, settings, frame)];
  for (const p of plans) {
    tracks.set(p.id, { plan: p, token: 0, agent: null, answered: 0, state: 'ivr' });
    at(p.arriveAt, 'arrive', p.id);
  }
  // Shifts: the first `early` agents from the start, the others an hour later; two leave early; lunch pauses.
  const agents = settings.agents.map((a) => a.id);
  const early = o.early ?? Math.ceil(agents.length / 2);
  agents.forEach((id, i) => {
    at(frame.startAt + (i < early ? 0 : 3_600_000) + i * 1000, 'login', id);
    if (i % 5 === 4) at(frame.arrivalsEndAt - 30 * 60_000, 'logout', id);
    if (i % 3 === 1) at(frame.startAt + 40 * 60_000 + i * 120_000, 'pause', id);
  });
  const end = frame.runEndAt;

  const react = (ds: Decision[]) => {
    const now = engine.core.now;
    for (const d of ds) {
      if (d.type === 'offer') {
        const t = tracks.get(d.callId);
        if (!t) continue;
        t.token++;
        t.state = 'ringing';
        t.agent = d.agentId;
        if (rnd() < 0.04) at(now + 20_000, 'miss', d.callId, t.token);
        else at(now + t.plan.answersAfterMs, 'answer', d.callId, t.token);
      } else if (d.type === 'requeued' || d.type === 'offer-withdrawn') {
        const t = tracks.get(d.callId);
        if (t && (t.state === 'ringing' || t.state === 'waiting')) { t.token++; t.state = 'waiting'; }
      } else if (d.type === 'agent-status' && d.status === 'away' && d.reason === 'no-answer') {
        at(now + 30_000, 'back', d.agentId);
      } else if (d.type === 'overflow' && d.toQueue === null) {
        const t = tracks.get(d.callId);
        if (t) t.state = 'done';
      }
    }
  };

  const handle = (ev: Ev) => {
    const t = tracks.get(ev.ref);
    const now = ev.at;
    switch (ev.kind) {
      case 'arrive':
        react(send({ type: 'call.arrived', callId: t!.plan.id, from: t!.plan.from, to: t!.plan.to }, now));
        at(now + t!.plan.ivrMs, 'enter', ev.ref);
        return;
      case 'enter': {
        const p = t!.plan;
        react(send({ type: 'call.ivr', callId: p.id, path: p.ivrPath, language: p.language }, now));
        t!.state = 'waiting';
        react(send({ type: 'call.queued', callId: p.id, queue: p.queue, attributes: p.attributes }, now));
        if ((t!.state as Track['state']) === 'done') return;
        if (p.patienceMs !== null) at(now + p.patienceMs, 'patience', p.id);
        if (rnd() < 0.02) at(now + 15_000, 'move', p.id);
        return;
      }
      case 'patience':
        if (t!.state !== 'waiting' && t!.state !== 'ringing') return;
        t!.state = 'done';
        react(send(rnd() < 0.5 ? { type: 'call.abandoned', callId: ev.ref } : { type: 'call.ended', callId: ev.ref, by: 'caller' }, now));
        return;
      case 'move':
        if (t!.state !== 'waiting' || engine.core.call(ev.ref)?.status !== 'queued') return;
        react(send({ type: 'call.moved', callId: ev.ref, tier: 1 }, now));
        return;
      case 'answer': {
        if (t!.state !== 'ringing' || t!.token !== ev.token) return;
        react(send({ type: 'call.answered', callId: ev.ref, agentId: t!.agent! }, now));
        t!.state = 'talking';
        t!.answered++;
        const talk = t!.answered > 1 ? Math.round(t!.plan.talkMs / 2) : t!.plan.talkMs;
        if (t!.plan.holdMs > 0 && t!.answered === 1) {
          at(now + Math.round(talk / 2), 'hold', ev.ref, t!.answered);
          at(now + Math.round(talk / 2) + t!.plan.holdMs, 'unhold', ev.ref, t!.answered);
        }
        const level = engine.core.call(ev.ref)?.level ?? 1;
        if (t!.answered === 1 && level === 1 && rnd() < 0.05) at(now + Math.round(talk / 3), 'escalate', ev.ref, t!.answered);
        else at(now + talk + (t!.answered === 1 ? t!.plan.holdMs : 0), 'end', ev.ref, t!.answered);
        return;
      }
      case 'miss':
        if (t!.state !== 'ringing' || t!.token !== ev.token) return;
        react(send({ type: 'call.offer-missed', callId: ev.ref, agentId: t!.agent!, reason: 'no-answer' }, now));
        return;
      case 'hold':
      case 'unhold':
        if (t!.state !== 'talking' || t!.answered !== ev.token) return;
        react(send({ type: 'call.hold', callId: ev.ref, onHold: ev.kind === 'hold' }, now));
        return;
      case 'escalate':
        if (t!.state !== 'talking' || t!.answered !== ev.token) return;
        t!.state = 'waiting';
        react(send({ type: 'call.escalated', callId: ev.ref, toLevel: 2, note: 'needs N2' }, now));
        return;
      case 'end': {
        if (t!.state !== 'talking' || t!.answered !== ev.token) return;
        const agent = t!.agent!;
        react(send({ type: 'call.ended', callId: ev.ref, by: t!.plan.hangsUpBy }, now));
        t!.state = 'done';
        if (t!.plan.resolvedFirstContact !== undefined) at(now + 2000, 'disposition', ev.ref);
        if (rnd() < 0.3) at(now + 8000, 'ready', agent, 0);
        if (t!.plan.surveyNps !== undefined) at(now + 25_000, 'survey', ev.ref);
        return;
      }
      case 'disposition':
        react(send({ type: 'call.disposition', callId: ev.ref, resolvedFirstContact: t!.plan.resolvedFirstContact! }, now));
        return;
      case 'ready': {
        const a = engine.core.agent(ev.ref);
        if (a?.status === 'wrap-up') react(send({ type: 'agent.ready', agentId: ev.ref }, now));
        return;
      }
      case 'survey': {
        const p = t!.plan;
        react(send({ type: 'call.survey', callId: ev.ref, nps: p.surveyNps, ...(p.surveyCsat !== undefined ? { csat: p.surveyCsat } : {}) }, now));
        return;
      }
      case 'login':
        react(send({ type: 'agent.state', agentId: ev.ref, state: 'available' }, now));
        return;
      case 'logout':
        react(send({ type: 'agent.state', agentId: ev.ref, state: 'offline', reason: 'fim do turno' }, now));
        return;
      case 'pause':
        react(send({ type: 'agent.state', agentId: ev.ref, state: 'away', reason: 'almoço' }, now));
        at(now + 10 * 60_000, 'unpause', ev.ref);
        return;
      case 'unpause':
      case 'back': {
        const a = engine.core.agent(ev.ref);
        if (ev.kind === 'back' && !(a?.status === 'away' && a.reason === 'no-answer')) return;
        react(send({ type: 'agent.state', agentId: ev.ref, state: 'available' }, now));
        return;
      }
    }
  };

  for (;;) {
    const top = heap.peek();
    const due = engine.core.nextDeadline();
    if (due !== null && due <= end && (!top || due <= top.at)) {
      setNow(due);
      react(engine.advance());
      continue;
    }
    if (!top || top.at > end) break;
    heap.pop();
    handle(top);
  }
  setNow(end);
  engine.advance();
  return { calls: plans.length, startAt: frame.startAt, endAt: end, events };
}

/** Epoch ms of a local time on the scenario's date. */
export function localAt(settings: Settings, date: string, hhmm: string): number {
  return localTimeToEpoch(date, hhmm, settings.timezone);
}
