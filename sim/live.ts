// Live mode: the scenario's calls become phone calls placed through the Twilio
// emulator against a running Atende, at real time or `speed` times faster. The
// whole path runs: signed webhooks, SQLite, routing, REST dequeue, wallboard.
//
// Atende's own timers (offer timeout, wrap-up, level widening, aging) keep real
// time; the runner ends wrap-up through the agents API after the scenario's
// wrap-up ÷ speed so that agents are not idle for the whole real-time wrap-up.
import type { Settings } from '../server/config/types.ts';
import type { Snapshot, WindowFigures } from '../server/contract.ts';
import type { Emulator } from './emulator/index.ts';
import type { AgentBehaviour, CallRecord, CallScript } from './emulator/types.ts';
import type { Scenario } from './model/scenario.ts';
import { generateTraffic, streamRandom, type AgentPlan, type CallPlan, type TrafficPlan } from './model/traffic.ts';
import type { ScopeSummary, Summary } from './summary.ts';

export interface LiveTarget {
  /** Where Atende listens (webhooks and API go here). */
  atendeUrl: string;
  supervisorToken?: string | null;
  /** Already wired: Atende's TWILIO_API_URL points at its apiUrl. */
  emulator: Emulator;
}

export interface LiveOptions {
  speed: number;
  /** Stop placing calls after this many (a bounded run). */
  maxCalls?: number;
  /** Real seconds of the run at most (calls in progress are then hung up by closing the emulator). */
  maxSeconds?: number;
  /** Plays the scenario as if it started now (demo): today's date and the current local time. */
  startNow?: boolean;
  /** The first N calls arrive at once (0.4 s apart), so a demo screen fills within seconds. */
  burst?: number;
  onProgress?(p: LiveProgress): void;
  log?: (msg: string) => void;
  signal?: AbortSignal;
}

export interface LiveProgress { placed: number; total: number; done: number; answered: number; abandoned: number; active: number }

export interface LiveResult {
  summary: Summary;
  records: CallRecord[];
  snapshot: Snapshot;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(resolve, Math.max(0, ms));
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/** The IVR keys a caller presses, language first when there is a language menu. */
export function scriptFor(plan: CallPlan, callSid: string): CallScript {
  const digits = plan.languageDigit === null ? [...plan.ivrPath] : [plan.languageDigit, ...plan.ivrPath];
  const survey: string[] = [];
  if (plan.surveyNps !== undefined) {
    survey.push(String(plan.surveyNps));
    if (plan.surveyCsat !== undefined) survey.push(String(plan.surveyCsat));
  }
  return {
    callSid, from: plan.from, to: plan.to, digits,
    patienceSeconds: plan.patienceMs === null ? null : plan.patienceMs / 1000,
    talkSeconds: (plan.talkMs + plan.holdMs) / 1000,
    hangsUp: plan.hangsUpBy, surveyDigits: survey,
  };
}

function newCallSid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `CA${hex}`;
}

export async function runLive(scenario: Scenario, settings: Settings, target: LiveTarget, opts: LiveOptions): Promise<LiveResult> {
  const plan = generateTraffic(opts.startNow ? startingNow(scenario, settings.timezone) : scenario, settings);
  return runLivePlan(plan, scenario, settings, target, opts);
}

/** The calls and agents of a run, from a scenario or rebuilt from a recorded log. */
export type LivePlan = Pick<TrafficPlan, 'calls' | 'agents' | 'startAt' | 'runEndAt' | 'seed'>;

export async function runLivePlan(plan: LivePlan, scenario: Scenario, settings: Settings, target: LiveTarget, opts: LiveOptions): Promise<LiveResult> {
  const speed = opts.speed;
  const log = opts.log ?? (() => {});
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(target.atendeUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(target.supervisorToken ? { authorization: `Bearer ${target.supervisorToken}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };

  const calls = opts.maxCalls !== undefined ? plan.calls.slice(0, opts.maxCalls) : plan.calls;
  const realStart = Date.now();
  const burst = Math.min(opts.burst ?? 0, calls.length);
  // With a burst the schedule resumes, after the burst, from the first call not in it.
  const origin = burst > 0 && burst < calls.length ? calls[burst].arriveAt - 2000 * speed : plan.startAt;
  const realAt = (t: number) => realStart + (t - origin) / speed;
  const arrival = (c: CallPlan) => (c.seq < burst ? realStart + c.seq * 400 : realAt(c.arriveAt));
  const deadline = opts.maxSeconds ? realStart + opts.maxSeconds * 1000 : Infinity;
  const timers = new Set<NodeJS.Timeout>();
  const later = (at: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, Math.max(0, at - Date.now()));
    timers.add(t);
  };

  // ---- agents: only those the server knows; shifts by the agents API -------------
  const known = new Set<string>(((await api('GET', '/api/agents')).json?.agents ?? []).map((a: { id: string }) => a.id));
  const agents = plan.agents.filter((a) => known.has(a.id));
  const missing = plan.agents.length - agents.length;
  if (missing) log(`${missing} scenario agents are not configured on the server and are left out`);
  const byContact = new Map<string, AgentPlan>();
  for (const a of agents) byContact.set(a.contact ?? `client:${a.id}`, a);
  const setState = (id: string, state: 'available' | 'offline' | 'away', reason?: string) =>
    api('POST', `/api/agents/${id}/state`, reason ? { state, reason } : { state }).catch(() => undefined);
  for (const a of agents) {
    for (const s of a.shifts) {
      later(Math.max(realStart, realAt(s.start)), () => void setState(a.id, 'available'));
      if (Number.isFinite(s.end) && s.end < plan.runEndAt) later(realAt(s.end), () => void setState(a.id, 'offline'));
    }
  }

  // ---- how agent legs answer: the plan's ring time, the agent's no-answer chance ----
  const planBySid = new Map<string, CallPlan>();
  const agentRandom = streamRandom(plan.seed, 'agents');
  const behaviour: AgentBehaviour = (contact, ctx) => {
    const agent = byContact.get(contact);
    const p = planBySid.get(ctx.callSid);
    const answer = agentRandom() >= (agent?.ringNoAnswerProbability ?? 0);
    if (!answer && agent) {
      // Atende sets an agent who lets a call ring out away (no-answer); they come back after a short pause.
      later(Date.now() + (ctx.timeoutSeconds + 30) * 1000 / speed, () => void setState(agent.id, 'available'));
    }
    return { answer, afterSeconds: (p?.answersAfterMs ?? 5000) / 1000 };
  };
  target.emulator.setAgentBehaviour(behaviour);

  // ---- calls -------------------------------------------------------------------------
  const records: CallRecord[] = [];
  const running = new Set<Promise<void>>();
  const sidRandom = streamRandom(plan.seed + 7, 'choices');
  const wrapMs = (scenario.wrapUpSeconds ?? settings.wrapUpSeconds) * 1000 / speed;
  let placed = 0;
  const progress = () => opts.onProgress?.({
    placed, total: calls.length, done: records.length,
    answered: records.filter((r) => r.outcome === 'answered').length,
    abandoned: records.filter((r) => r.outcome === 'abandoned').length,
    active: running.size,
  });
  const ticker = setInterval(progress, 1000);
  try {
    for (const c of calls) {
      if (opts.signal?.aborted || Date.now() > deadline) break;
      await sleep(arrival(c) - Date.now(), opts.signal);
      if (opts.signal?.aborted || Date.now() > deadline) break;
      const sid = newCallSid(sidRandom);
      planBySid.set(sid, c);
      placed++;
      const p = target.emulator.placeCall(scriptFor(c, sid)).then((rec) => {
        records.push(rec);
        planBySid.delete(sid);
        const agent = rec.agent ? byContact.get(rec.agent) : undefined;
        // Wrap-up at the scenario's pace: end it early through the API (409 when already over).
        if (agent && rec.outcome === 'answered') later(Date.now() + wrapMs, () => void api('POST', `/api/agents/${agent.id}/ready`).catch(() => undefined));
      }, (err: unknown) => { log(`call ${sid} failed in the emulator: ${(err as Error).message}`); });
      const tracked = p.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    // Let the calls under way finish, within the time bound.
    while (running.size && !opts.signal?.aborted && Date.now() < deadline) await sleep(200, opts.signal);
  } finally {
    clearInterval(ticker);
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }
  progress();
  const snapshot = (await api('GET', '/api/snapshot')).json as Snapshot;
  return { summary: summaryFromSnapshot(scenario, settings, snapshot, records, placed, realStart), records, snapshot };
}

/** The same scenario, moved to start now in the center's time zone and run for a day. */
export function startingNow(scenario: Scenario, timezone: string): Scenario {
  const now = new Date();
  const tz = timezone;
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(now).map((p) => [p.type, p.value]));
  return { ...scenario, date: `${parts.year}-${parts.month}-${parts.day}`, start: `${parts.hour}:${parts.minute}` };
}

function scope(f: WindowFigures, live: Snapshot['center'], thresholdSeconds: number, target: number, longest: number | null): ScopeSummary {
  return {
    offered: f.offered, answered: f.answered, abandoned: f.abandoned, shortAbandoned: f.shortAbandoned,
    serviceLevel: f.serviceLevel, thresholdSeconds, target, tmaSeconds: f.tmaSeconds, asaSeconds: f.asaSeconds,
    abandonRate: f.abandonRate, longestWaitSeconds: longest, occupancy: f.occupancy,
    nps: live.nps, csat: live.csat, fcr: live.fcr,
  };
}

function summaryFromSnapshot(scenario: Scenario, settings: Settings, snap: Snapshot, records: CallRecord[], placed: number, realStart: number): Summary {
  const count = (o: CallRecord['outcome']) => records.filter((r) => r.outcome === o).length;
  const longest = (queue?: string) => {
    const waits = records.filter((r) => r.waitSeconds !== null && (!queue || r.queue === queue)).map((r) => r.waitSeconds!);
    return waits.length ? Math.max(...waits) : null;
  };
  const sl = snap.serviceLevel;
  return {
    scenario: {
      name: `${scenario.name} (live)`, description: scenario.description, seed: scenario.seed, settings: scenario.settings,
      date: scenario.date, start: scenario.start, hours: scenario.hours, timezone: settings.timezone,
    },
    simulated: { startAt: new Date(realStart).toISOString(), arrivalsEndAt: new Date().toISOString(), endAt: new Date().toISOString(), events: records.reduce((n, r) => n + r.webhooks.length, 0) },
    calls: {
      generated: placed, queued: records.filter((r) => r.queue !== null).length, answered: count('answered'), abandoned: count('abandoned'),
      overflowed: count('overflowed'), waitingAtEnd: snap.center.waiting, connectedAtEnd: snap.center.agents['on-call'],
      inIvrAtEnd: 0, ringNoAnswer: records.reduce((n, r) => n + r.attempts.filter((a) => a.result === 'no-answer').length, 0),
    },
    agents: { rostered: snap.agents.length, averageOnShift: snap.agents.filter((a) => a.state !== 'offline').length, peakOnShift: snap.agents.filter((a) => a.state !== 'offline').length },
    center: scope(snap.center.today, snap.center, sl.thresholdSeconds, sl.target, longest()),
    queues: snap.queues.map((q) => ({ id: q.id, name: q.name, ...scope(q.today, q, q.thresholdSeconds, q.target, longest(q.id)) })),
    tiers: [],
    theory: null,
    wallClockMs: Date.now() - realStart,
  };
}
