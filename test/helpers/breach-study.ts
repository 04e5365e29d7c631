// The breach warning measured against what happened: a scenario's day played in virtual
// time against the routing core (the simulator's traffic model: sim/model), and at every
// minute the warning as a snapshot would carry it beside the rolling service level as it
// then was. The day's loop follows sim/virtual.ts (arrivals, IVR, patience, rings answered
// or missed, talk with hold, wrap-up by the core, shifts, agents back after a missed ring).
import { forecastBreach } from '../../routing/breach.ts';
import { breachInputOf } from '../../routing/breach-inputs.ts';
import { RoutingCore } from '../../routing/core.ts';
import { Heap } from '../../routing/heap.ts';
import type { Decision, DomainEvent } from '../../routing/types.ts';
import { loadScenarioAndSettings } from '../../sim/model/scenario.ts';
import { callPlans, metricsSettingsFor, routingConfigFor, streamRandom, trafficFrame, type CallPlan } from '../../sim/model/traffic.ts';

/** One scope's minute-by-minute record. */
export interface ScopeTrack {
  scope: string;
  target: number;
  /** Rolling service level at each minute (null: nothing offered in the window). */
  actual: (number | null)[];
  /** The warning's breachInMinutes at each minute. */
  predicted: (number | null)[];
}

export interface StudyDay { scenario: string; seed: number; tracks: ScopeTrack[]; forecastMs: number; forecasts: number }

type Kind = 'arrive' | 'enter' | 'patience' | 'answer' | 'miss' | 'end' | 'login' | 'logout' | 'back';
interface Ev { at: number; seq: number; kind: Kind; ref: string; token: number }

export function studyDay(scenarioPath: string, seed: number, horizonMinutes = 30): StudyDay {
  const { scenario, settings } = loadScenarioAndSettings(scenarioPath, { seed });
  const frame = trafficFrame(scenario, settings);
  const config = routingConfigFor(scenario, settings, frame.agents);
  const core = new RoutingCore(config, metricsSettingsFor(scenario, settings), frame.startAt);
  const ring = streamRandom(scenario.seed, 'agents');
  const heap = new Heap<Ev>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  let seq = 0;
  const at = (t: number, kind: Kind, ref: string, token = 0) => heap.push({ at: t, seq: seq++, kind, ref, token });
  let ids = 0;
  const apply = (e: Record<string, unknown> & { type: DomainEvent['type'] }, t: number): Decision[] => core.apply({ id: `s${ids++}`, at: t, ...e } as DomainEvent).decisions;
  const offerTimeoutMs = config.offerTimeoutSeconds * 1000;

  interface Track { plan: CallPlan; token: number; agent: string | null; state: 'ivr' | 'waiting' | 'ringing' | 'talking' | 'done' }
  const tracks = new Map<string, Track>();
  for (const p of callPlans(scenario, settings, frame)) {
    tracks.set(p.id, { plan: p, token: 0, agent: null, state: 'ivr' });
    at(p.arriveAt, 'arrive', p.id);
  }
  const onShift = new Set<string>();
  for (const a of frame.agents) {
    for (const s of a.shifts) {
      at(Math.max(s.start, frame.startAt), 'login', a.id);
      if (s.end < frame.runEndAt) at(s.end, 'logout', a.id);
    }
  }
  const planOf = new Map(frame.agents.map((a) => [a.id, a]));

  const react = (ds: Decision[]) => {
    const now = core.now;
    for (const d of ds) {
      if (d.type === 'offer') {
        const t = tracks.get(d.callId)!;
        t.token++;
        t.state = 'ringing';
        t.agent = d.agentId;
        const misses = ring() < (planOf.get(d.agentId)?.ringNoAnswerProbability ?? 0) || t.plan.answersAfterMs >= offerTimeoutMs;
        at(now + (misses ? offerTimeoutMs : t.plan.answersAfterMs), misses ? 'miss' : 'answer', d.callId, t.token);
      } else if (d.type === 'requeued' || d.type === 'offer-withdrawn') {
        const t = tracks.get(d.callId);
        if (t && (t.state === 'ringing' || t.state === 'waiting')) { t.token++; t.state = 'waiting'; }
      } else if (d.type === 'overflow' && d.toQueue === null) {
        tracks.get(d.callId)!.state = 'done';
      } else if (d.type === 'agent-status' && d.status === 'away' && d.reason === 'no-answer') {
        at(now + scenario.ring.awayAfterNoAnswerSeconds * 1000, 'back', d.agentId);
      }
    }
  };

  const handle = (ev: Ev) => {
    const t = tracks.get(ev.ref);
    const now = ev.at;
    switch (ev.kind) {
      case 'arrive':
        react(apply({ type: 'call.arrived', callId: ev.ref, from: t!.plan.from }, now));
        at(now + t!.plan.ivrMs, 'enter', ev.ref);
        return;
      case 'enter': {
        const p = t!.plan;
        react(apply({ type: 'call.ivr', callId: p.id, path: p.ivrPath, language: p.language }, now));
        t!.state = 'waiting';
        react(apply({ type: 'call.queued', callId: p.id, queue: p.queue, attributes: p.attributes }, now));
        if (p.patienceMs !== null) at(now + p.patienceMs, 'patience', p.id);
        return;
      }
      case 'patience':
        if (t!.state !== 'waiting' && t!.state !== 'ringing') return;
        t!.state = 'done';
        react(apply({ type: 'call.abandoned', callId: ev.ref }, now));
        return;
      case 'answer':
        if (t!.state !== 'ringing' || t!.token !== ev.token) return;
        react(apply({ type: 'call.answered', callId: ev.ref, agentId: t!.agent! }, now));
        t!.state = 'talking';
        at(now + t!.plan.talkMs + t!.plan.holdMs, 'end', ev.ref);
        return;
      case 'miss':
        if (t!.state !== 'ringing' || t!.token !== ev.token) return;
        react(apply({ type: 'call.offer-missed', callId: ev.ref, agentId: t!.agent!, reason: 'no-answer' }, now));
        return;
      case 'end':
        if (t!.state !== 'talking') return;
        t!.state = 'done';
        react(apply({ type: 'call.ended', callId: ev.ref, by: t!.plan.hangsUpBy }, now));
        return;
      case 'login':
        onShift.add(ev.ref);
        react(apply({ type: 'agent.state', agentId: ev.ref, state: 'available' }, now));
        return;
      case 'logout':
        onShift.delete(ev.ref);
        react(apply({ type: 'agent.state', agentId: ev.ref, state: 'offline', reason: 'fim do turno' }, now));
        return;
      case 'back': {
        const a = core.agent(ev.ref);
        if (onShift.has(ev.ref) && a?.status === 'away' && a.reason === 'no-answer') react(apply({ type: 'agent.state', agentId: ev.ref, state: 'available' }, now));
        return;
      }
    }
  };

  const scopes = ['center', ...settings.queues.map((q) => q.id)];
  const tracksOut: ScopeTrack[] = scopes.map((s) => ({ scope: s, target: 0, actual: [], predicted: [] }));
  let forecastMs = 0;
  let forecasts = 0;
  const observe = () => {
    const t0 = performance.now();
    const f = forecastBreach(breachInputOf(core, horizonMinutes));
    forecastMs += performance.now() - t0;
    forecasts++;
    for (const tr of tracksOut) {
      const figures = core.metrics.read(tr.scope === 'center' ? { kind: 'center' } : { kind: 'queue', id: tr.scope }, 'rolling');
      tr.target = figures.target;
      tr.actual.push(figures.serviceLevel);
      tr.predicted.push(tr.scope === 'center' ? f.center.breachInMinutes : f.queues[tr.scope].breachInMinutes);
    }
  };

  let nextMinute = frame.startAt + 60_000;
  const end = frame.arrivalsEndAt;
  for (;;) {
    const top = heap.peek();
    const due = core.nextDeadline();
    const nextAt = Math.min(top?.at ?? Infinity, due ?? Infinity);
    if (nextMinute <= end && nextMinute <= nextAt) {
      react(core.advance(nextMinute).decisions);
      observe();
      nextMinute += 60_000;
      continue;
    }
    if (nextAt > end) break;
    if (due !== null && (!top || due <= top.at)) { react(core.advance(due).decisions); continue; }
    heap.pop();
    handle(top!);
  }
  return { scenario: scenario.name, seed, tracks: tracksOut, forecastMs, forecasts };
}

export interface Accuracy {
  scope: string;
  minutes: number;
  /** Minutes at or above target with a breach predicted within the horizon. */
  warningMinutes: number;
  /** …followed by a breach within the horizon. */
  warningMinutesFollowed: number;
  /** Warnings as the board shows them: a run of warning minutes counts once, from its first minute. */
  warnings: number;
  warningsFollowed: number;
  /** Times the rolling SL fell below target (from at or above it). */
  breaches: number;
  /** …with a warning at least 5 minutes before (and at most the horizon). */
  warnedAhead5: number;
  /** …with any warning before. */
  warnedAhead1: number;
}

/** Scores a day's tracks: of warnings, how many breaches followed; of breaches, how many were warned ahead. */
export function score(track: ScopeTrack, horizon = 30): Accuracy {
  const below = track.actual.map((v) => v !== null && v < track.target - 1e-9);
  const warn = track.predicted.map((p, m) => !below[m] && p !== null && p >= 1 && p <= horizon);
  const onsets: number[] = [];
  for (let m = 1; m < below.length; m++) if (below[m] && !below[m - 1]) onsets.push(m);
  const followed = (m: number) => onsets.some((b) => b > m && b <= m + horizon);
  const out: Accuracy = { scope: track.scope, minutes: below.length, warningMinutes: 0, warningMinutesFollowed: 0, warnings: 0, warningsFollowed: 0, breaches: onsets.length, warnedAhead5: 0, warnedAhead1: 0 };
  for (let m = 0; m < warn.length; m++) {
    if (!warn[m]) continue;
    out.warningMinutes++;
    if (followed(m)) out.warningMinutesFollowed++;
    if (m === 0 || !warn[m - 1]) { out.warnings++; if (followed(m)) out.warningsFollowed++; }
  }
  for (const b of onsets) {
    let ahead5 = false, ahead1 = false;
    for (let m = Math.max(0, b - horizon); m < b; m++) {
      if (!warn[m]) continue;
      ahead1 = true;
      if (b - m >= 5) ahead5 = true;
    }
    if (ahead5) out.warnedAhead5++;
    if (ahead1) out.warnedAhead1++;
  }
  return out;
}
