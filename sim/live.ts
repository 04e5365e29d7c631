// Live mode: the scenario's calls become phone calls placed through the Twilio
// emulator against a running Atende, at real time or `speed` times faster. The
// whole path runs: signed webhooks, SQLite, routing, REST dequeue, wallboard.
//
// An Atende in this process (sim/stack.ts) runs on the emulator's clock, timers
// included, so its figures are in the callers' time at any speed; the runner puts
// the scenario's roster and wrap-up on it before the first call (sim/roster.ts).
// A running Atende elsewhere (--url) keeps its own clock: only the agents it knows
// take calls, and the runner ends their wrap-up through the agents API after the
// scenario's wrap-up ÷ speed so that they are not idle for a real-time wrap-up.
//
// A SAC day (docs/sac.md) plays too: the server's own schedule closes and opens the queues
// (its settings are the scenario's, `sac` included), the scenario's supervisor closures go
// through POST /api/queues/:id/close and /open, callers who take the wait's callback offer
// press its keys (`asksCallback`), callers at a closed queue press 1 for a callback request
// when the plan says so (else they hear the message and hang up), and a customer misses the
// first calls back the plan says. Drops are the virtual runner's only: the emulator has no
// line that drops on the company's side yet.
import type { Settings } from '../server/config/types.ts';
import type { Snapshot, WindowFigures } from '../server/contract.ts';
import type { Atende } from '../server/start.ts';
import type { ClockTimer } from './emulator/clock.ts';
import type { Emulator } from './emulator/index.ts';
import type { AgentBehaviour, CallRecord, CallScript } from './emulator/types.ts';
import type { Scenario } from './model/scenario.ts';
import { generateTraffic, streamRandom, type AgentPlan, type CallPlan, type TrafficPlan } from './model/traffic.ts';
import { configureScenario } from './roster.ts';
import { localTimeToEpoch } from './model/traffic.ts';
import type { SacSummary, ScopeSummary, Summary } from './summary.ts';

export interface LiveTarget {
  /** Where Atende listens (webhooks and API go here). */
  atendeUrl: string;
  supervisorToken?: string | null;
  /** Already wired: Atende's TWILIO_API_URL points at its apiUrl. */
  emulator: Emulator;
  /** The same Atende when it runs in this process on the emulator's clock (sim/stack.ts). */
  atende?: Atende;
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
  // At a closed queue: 1 for a callback to the caller ID (1 again where it is asked to confirm); an open queue never reads them.
  if (plan.sac?.requestsWhenClosed) digits.push('1', '1');
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
    ...(plan.sac?.asksCallback ? { asksCallback: true } : {}),
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
  const wrapUpSeconds = scenario.wrapUpSeconds ?? settings.wrapUpSeconds;
  // Before the first call, on the emulator's clock (still waiting at the day's start when given one).
  if (target.atende) {
    const changes = await configureScenario(target.atende, plan.agents, wrapUpSeconds, target.supervisorToken ?? null);
    if (changes.added || changes.changed || changes.wrapUp) {
      log(`configured the scenario on the server: ${changes.added} agents added, ${changes.changed} changed${changes.wrapUp ? `, wrap-up ${wrapUpSeconds} s` : ''}`);
    }
  }
  // ---- agents: only those the server knows; shifts by the agents API -------------
  const known = new Set<string>(((await api('GET', '/api/agents')).json?.agents ?? []).map((a: { id: string }) => a.id));
  const agents = plan.agents.filter((a) => known.has(a.id));
  const missing = plan.agents.length - agents.length;
  if (missing) log(`${missing} scenario agents are not configured on the server and are left out`);
  const awaySeconds = scenario.ring?.awayAfterNoAnswerSeconds ?? 30;

  // Everything below is timed on the emulator's clock (emulated ms), which starts now.
  const clock = target.emulator.clock;
  const realStart = Date.now();
  clock.start();
  const simStart = clock.now();
  const burst = Math.min(opts.burst ?? 0, calls.length);
  // With a burst the schedule resumes, after the burst, from the first call not in it.
  const origin = burst > 0 && burst < calls.length ? calls[burst].arriveAt - 2000 * speed : plan.startAt;
  const simAt = (t: number) => simStart + (t - origin);
  const arrival = (c: CallPlan) => (c.seq < burst ? simStart + c.seq * 400 * speed : simAt(c.arriveAt));
  const deadline = opts.maxSeconds ? realStart + opts.maxSeconds * 1000 : Infinity;
  const timers = new Set<ClockTimer>();
  const later = (at: number, fn: () => void) => {
    const t = clock.setTimeout(() => { timers.delete(t); fn(); }, at - clock.now());
    timers.add(t);
  };
  const sleepUntil = (at: number) => new Promise<void>((resolve) => {
    if (opts.signal?.aborted) return resolve();
    const t = clock.setTimeout(resolve, at - clock.now());
    opts.signal?.addEventListener('abort', () => { t.cancel(); resolve(); }, { once: true });
  });
  const byContact = new Map<string, AgentPlan>();
  for (const a of agents) byContact.set(a.contact ?? `client:${a.id}`, a);
  const setState = (id: string, state: 'available' | 'offline' | 'away', reason?: string) =>
    api('POST', `/api/agents/${id}/state`, reason ? { state, reason } : { state }).catch(() => undefined);
  for (const a of agents) {
    for (const s of a.shifts) {
      later(Math.max(simStart, simAt(s.start)), () => void setState(a.id, 'available'));
      if (Number.isFinite(s.end) && s.end < plan.runEndAt) later(simAt(s.end), () => void setState(a.id, 'offline'));
    }
  }

  // ---- how agent legs answer: the plan's ring time, the agent's no-answer chance ----
  const planBySid = new Map<string, CallPlan>();
  /** Where each call's menu leads (kept after the call, for the SAC figures). */
  const queueOfSid = new Map<string, string>();
  const agentRandom = streamRandom(plan.seed, 'agents');
  // Customers called back (a callback's <Dial><Number>, or calls.create customer-first): the plan says how many calls they miss.
  const customers = new Map<string, { plan: CallPlan; calls: number }>();
  for (const c of plan.calls) if (c.sac && c.sac.missedCallbackCalls > 0) customers.set(c.from, { plan: c, calls: 0 });
  const behaviour: AgentBehaviour = (contact, ctx) => {
    const customer = byContact.has(contact) ? undefined : customers.get(contact);
    if (customer) {
      customer.calls++;
      return { answer: customer.calls > customer.plan.sac!.missedCallbackCalls, afterSeconds: scenario.callbacks?.answerSeconds ?? 6 };
    }
    const agent = byContact.get(contact);
    const p = planBySid.get(ctx.callSid);
    const answer = agentRandom() >= (agent?.ringNoAnswerProbability ?? 0);
    if (!answer && agent && !target.atende) {
      // Atende sets an agent who lets a call ring out away (no-answer); they come back after a short pause.
      later(clock.now() + (ctx.timeoutSeconds + awaySeconds) * 1000, () => void setState(agent.id, 'available'));
    }
    return { answer, afterSeconds: (p?.answersAfterMs ?? 5000) / 1000 };
  };
  target.emulator.setAgentBehaviour(behaviour);
  // In process, as in the virtual run: whoever Atende sends away for a missed ring
  // (its own offer timeout included) comes back after the pause, and with no wrap-up
  // time an agent ends it at once (the console's "ready").
  const stopWatching = target.atende?.engine.onDecisions((ds) => {
    for (const d of ds) {
      if (d.type !== 'agent-status') continue;
      const id = d.agentId;
      if (d.status === 'wrap-up' && wrapUpSeconds === 0) later(clock.now(), () => void api('POST', `/api/agents/${id}/ready`).catch(() => undefined));
      if (d.status !== 'away' || d.reason !== 'no-answer') continue;
      later(clock.now() + awaySeconds * 1000, () => {
        const a = target.atende?.engine.core.agent(id);
        if (a?.status === 'away' && a.reason === 'no-answer') void setState(id, 'available');
      });
    }
  });

  // ---- SAC: the supervisors' closures; what the server did (in process) ---------------
  for (const c of scenario.closures ?? []) {
    const at = simAt(localTimeToEpoch(scenario.date, c.at, settings.timezone));
    const until = c.until !== undefined ? simAt(localTimeToEpoch(scenario.date, c.until, settings.timezone)) : null;
    later(Math.max(simStart, at), () => void api('POST', `/api/queues/${c.queue}/close`, {
      reason: c.reason, ...(c.emergency ? { emergency: true } : {}), ...(until !== null ? { until: new Date(until).toISOString() } : {}),
    }).catch(() => undefined));
    if (c.reopen !== undefined) later(simAt(localTimeToEpoch(scenario.date, c.reopen, settings.timezone)), () => void api('POST', `/api/queues/${c.queue}/open`, {}).catch(() => undefined));
  }
  const sacSeen: SacSeen = {
    requestsWhileWaiting: 0, requestsAtClosed: 0, reached: 0, notReached: 0, customerCalls: 0, customerCallsMissed: 0, drops: 0,
    closedAtEntry: new Map(),
  };
  const core = target.atende?.engine.core;
  const foundClosed = (queue: string | undefined) => { if (queue) sacSeen.closedAtEntry.set(queue, (sacSeen.closedAtEntry.get(queue) ?? 0) + 1); };
  const stopCounting = target.atende?.engine.onEvent((e) => {
    if (e.type === 'call.callback-requested') {
      if (e.queue !== undefined) {
        sacSeen.requestsAtClosed++;
        foundClosed(e.queue);
      } else sacSeen.requestsWhileWaiting++;
    } else if (e.type === 'call.ended' && core?.call(e.callId)?.outcome === 'ended-in-ivr') {
      // Ended in the IVR: at a closed queue when the queue its menu leads to is closed now.
      const q = queueOfSid.get(e.callId);
      if (q && !core.queueState(q).open) foundClosed(q);
    } else if (e.type === 'call.callback-attempt') {
      sacSeen.customerCalls++;
      if (e.result === 'answered') sacSeen.reached++;
      else sacSeen.customerCallsMissed++;
    } else if (e.type === 'call.dropped') sacSeen.drops++;
  });
  const stopNotReached = target.atende?.engine.onDecisions((ds) => {
    for (const d of ds) if (d.type === 'callback-not-reached') sacSeen.notReached++;
  });

  // ---- calls -------------------------------------------------------------------------
  const records: CallRecord[] = [];
  const running = new Set<Promise<void>>();
  const sidRandom = streamRandom(plan.seed + 7, 'choices');
  // Wrap-up at the scenario's pace: on the emulator's clock Atende ends it itself; a
  // server on its own clock is told after the scenario's wrap-up ÷ speed (emulated: the wrap-up).
  const wrapMs = target.atende ? null : wrapUpSeconds * 1000;
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
      await sleepUntil(arrival(c));
      if (opts.signal?.aborted || Date.now() > deadline) break;
      const sid = newCallSid(sidRandom);
      planBySid.set(sid, c);
      queueOfSid.set(sid, c.queue);
      placed++;
      const p = target.emulator.placeCall(scriptFor(c, sid)).then((rec) => {
        records.push(rec);
        planBySid.delete(sid);
        const agent = rec.agent ? byContact.get(rec.agent) : undefined;
        // 409 when the wrap-up is already over.
        if (agent && rec.outcome === 'answered' && wrapMs !== null) later(clock.now() + wrapMs, () => void api('POST', `/api/agents/${agent.id}/ready`).catch(() => undefined));
      }, (err: unknown) => { log(`call ${sid} failed in the emulator: ${(err as Error).message}`); });
      const tracked = p.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    // Let the calls under way finish, within the time bound; in process, callbacks still to
    // place (their callers long gone) keep the run going to the scenario's end, as in virtual time.
    const callbacksDue = () => clock.now() < simAt(plan.runEndAt)
      && ((target.atende?.engine.core.callbacksWaiting().waiting ?? 0) > 0 || target.emulator.active() > 0);
    while ((running.size || callbacksDue()) && !opts.signal?.aborted && Date.now() < deadline) await sleep(200, opts.signal);
  } finally {
    clearInterval(ticker);
    stopWatching?.();
    stopCounting?.();
    stopNotReached?.();
    for (const t of timers) t.cancel();
    timers.clear();
  }
  progress();
  const snapshot = (await api('GET', '/api/snapshot')).json as Snapshot;
  const times = { simStart, simEnd: clock.now(), wallClockMs: Date.now() - realStart };
  const summary = summaryFromSnapshot(scenario, settings, snapshot, records, placed, times);
  if (target.atende) {
    summary.sac = sacFromRun(snapshot, sacSeen);
    // The emulator counts a goodbye at a closed queue (<Hangup/> before any queue) as an overflow: it was not one.
    summary.calls.overflowed = Math.max(0, summary.calls.overflowed - summary.sac.closedAtEntry);
  }
  return { summary, records, snapshot };
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

/** What a live run saw the server (in process) do for the SAC. */
interface SacSeen {
  requestsWhileWaiting: number; requestsAtClosed: number; reached: number; notReached: number;
  customerCalls: number; customerCallsMissed: number; drops: number;
  /** Per queue: callers who found it closed (a request left, or goodbye). */
  closedAtEntry: Map<string, number>;
}

/** The SAC figures of a live run: the server's events (in process) and its snapshot. */
function sacFromRun(snap: Snapshot, seen: SacSeen): SacSummary {
  const legal = (f: WindowFigures) => {
    const w = f.withinLegal ?? null, b = f.legalBreaches ?? 0;
    // within = a ÷ (a + b): a = w·b ÷ (1 − w); every answer counted within when nothing broke the limit.
    const a = w === null ? 0 : w >= 1 ? f.answered : Math.round((w * b) / (1 - w));
    return { answeredWithinLegal: a, legalBreaches: b, withinLegal: w };
  };
  const center = legal(snap.center.today);
  return {
    closedAtEntry: [...seen.closedAtEntry.values()].reduce((a, b) => a + b, 0),
    callbackRequests: seen.requestsWhileWaiting + seen.requestsAtClosed,
    requestsWhileWaiting: seen.requestsWhileWaiting,
    requestsAtClosed: seen.requestsAtClosed,
    callbacksReached: seen.reached,
    callbacksNotReached: seen.notReached,
    callbacksWaitingAtEnd: snap.center.callbacksWaiting ?? 0,
    customerCalls: seen.customerCalls,
    customerCallsMissed: seen.customerCallsMissed,
    drops: seen.drops,
    dropCallbacks: seen.drops,
    ...center,
    queues: snap.queues.map((q) => ({ id: q.id, closedAtEntry: seen.closedAtEntry.get(q.id) ?? 0, ...legal(q.today) })),
    closures: [],
  };
}

function summaryFromSnapshot(scenario: Scenario, settings: Settings, snap: Snapshot, records: CallRecord[], placed: number,
  times: { simStart: number; simEnd: number; wallClockMs: number }): Summary {
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
    simulated: {
      startAt: new Date(times.simStart).toISOString(), arrivalsEndAt: new Date(times.simEnd).toISOString(), endAt: new Date(times.simEnd).toISOString(),
      events: records.reduce((n, r) => n + r.webhooks.length, 0),
    },
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
    wallClockMs: times.wallClockMs,
  };
}
