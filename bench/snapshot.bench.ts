// Cost of starting from a snapshot instead of replaying the log: a center of 500 agents
// through a whole simulated day (full metrics rings, today, ~95 closed intervals, a day of
// event ids and repeat callers), ending in an evening surge that leaves thousands of
// callers waiting and thousands of ended calls kept for surveys.
// Run: npm run bench -- snapshot   (or: node --expose-gc --import tsx bench/snapshot.bench.ts)
import { pathToFileURL } from 'node:url';
import { RoutingCore } from '../routing/core.ts';
import { defaultRoutingConfig } from '../routing/defaults.ts';
import { metricsSettings } from '../routing/metrics/index.ts';
import type { CoreSnapshot } from '../routing/snapshot.ts';
import type { AgentConfig, Decision, DomainEvent, QueueConfig } from '../routing/types.ts';
import { mulberry32 } from '../sim/random.ts';

const AGENTS = 500;
const QUEUES = 10;
const DAY_START = Date.parse('2026-11-23T03:00:00Z'); // 00:00 in São Paulo, just after the daily reset
const SECONDS = 24 * 3600 - 120;
const SURGE_FROM = 22.5 * 3600; // the evening surge, with most agents gone home
const CALLERS = 20_000; // distinct numbers, so repeat-caller rules fire

type Step = DomainEvent | number; // an event, or an `advance` to that time

const queues: QueueConfig[] = Array.from({ length: QUEUES }, (_, i) => ({ id: `q${i}`, name: `Fila ${i}`, weight: i % 3 }));
const agents: AgentConfig[] = Array.from({ length: AGENTS }, (_, i) => ({
  id: `a${i}`, name: `Agente ${i}`, level: i % 10 === 0 ? 2 : 1,
  skills: [...new Set([`q${i % QUEUES}`, `q${(i * 7 + 3) % QUEUES}`])],
}));

/** The center at the start of the day, as the settings file gives it (the replay starts here too). */
function newCenter(): RoutingCore {
  return new RoutingCore(
    defaultRoutingConfig({
      queues, agents,
      tierRules: [
        { id: 'vip', label: 'VIP', reason: 'vip', tier: 1, when: { attribute: { name: 'vip', equals: true } } },
        { id: 'repeat', label: 'Rechamada', reason: 'repeat', tier: 2, when: { repeat: { withinHours: 24, minCalls: 2 } } },
      ],
    }),
    metricsSettings({ queues: queues.map((q) => ({ id: q.id })), tiers: 3 }),
    DAY_START,
  );
}

/** Drives the core through the day and returns it with every step it was fed, for the replay figure. */
function simulateDay(): { core: RoutingCore; steps: Step[] } {
  const rnd = mulberry32(14);
  const exp = (mean: number) => -Math.log(1 - rnd()) * mean;
  const core = newCenter();
  const steps: Step[] = [];
  const later = new Map<number, (() => DomainEvent | null)[]>();
  const schedule = (second: number, make: () => DomainEvent | null) => {
    const s = Math.ceil(second);
    let list = later.get(s);
    if (!list) later.set(s, (list = []));
    list.push(make);
  };
  let id = 0;
  let calls = 0;
  let now = DAY_START;
  const onDecisions = (ds: Decision[], second: number) => {
    for (const d of ds) {
      if (d.type !== 'offer') continue;
      const { callId, agentId } = d;
      if (rnd() < 0.03) {
        schedule(second + 15, () => ({ id: `e${id++}`, at: now, type: 'call.offer-missed', callId, agentId, reason: 'no-answer' }));
        continue;
      }
      schedule(second + 3, () => ({ id: `e${id++}`, at: now, type: 'call.answered', callId, agentId }));
      const end = second + 3 + exp(240);
      schedule(end, () => ({ id: `e${id++}`, at: now, type: 'call.ended', callId, by: 'agent' }));
      schedule(end + 5, () => ({ id: `e${id++}`, at: now, type: 'call.disposition', callId, resolvedFirstContact: rnd() < 0.7 }));
      if (rnd() < 0.3) schedule(end + 60, () => ({ id: `e${id++}`, at: now, type: 'call.survey', callId, nps: Math.floor(rnd() * 11), csat: 1 + Math.floor(rnd() * 5) }));
    }
  };
  const feed = (e: DomainEvent, second: number) => {
    steps.push(e);
    try {
      onDecisions(core.apply(e).decisions, second);
    } catch {
      // A late event for a call that already moved on (e.g. ended while ringing) is refused; so be it.
    }
  };

  for (const a of agents) feed({ id: `e${id++}`, at: now, type: 'agent.state', agentId: a.id, state: 'available' }, 0);
  for (let second = 1; second <= SECONDS; second++) {
    now = DAY_START + second * 1000;
    if (second === SURGE_FROM) {
      for (let i = 100; i < AGENTS; i++) feed({ id: `e${id++}`, at: now, type: 'agent.state', agentId: `a${i}`, state: 'offline' }, second);
    }
    for (const make of later.get(second) ?? []) {
      const e = make();
      if (e) feed(e, second);
    }
    later.delete(second);
    // A daytime curve peaking near 3,600 calls/h, then the surge at ~11,000 calls/h.
    const hour = second / 3600;
    const rate = second >= SURGE_FROM ? 3 : Math.max(0.02, Math.sin(((hour - 6) / 16) * Math.PI)) * 1;
    for (let k = 0; k < 3 && rnd() < rate / 3; k++) {
      const callId = `c${calls++}`;
      const from = `+5511${String(900_000_000 + Math.floor(rnd() * CALLERS))}`;
      feed({ id: `e${id++}`, at: now, type: 'call.arrived', callId, from }, second);
      feed({ id: `e${id++}`, at: now, type: 'call.ivr', callId, path: [String(1 + Math.floor(rnd() * 3))] }, second);
      feed({ id: `e${id++}`, at: now, type: 'call.queued', callId, queue: `q${Math.floor(rnd() * QUEUES)}`, attributes: { vip: rnd() < 0.05 } }, second);
      schedule(second + exp(second >= SURGE_FROM ? 1800 : 300), () =>
        core.call(callId)?.status === 'queued' ? { id: `e${id++}`, at: now, type: 'call.abandoned', callId } : null);
    }
    if (second % 5 === 0) {
      steps.push(now);
      onDecisions(core.advance(now).decisions, second);
    }
  }
  return { core, steps };
}

/** What a start costs today: the whole day's log fed again into a fresh core. */
function replay(steps: Step[]): RoutingCore {
  const core = newCenter();
  for (const s of steps) {
    if (typeof s === 'number') core.advance(s);
    else try { core.apply(s); } catch { /* refused the first time too */ }
  }
  return core;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed<T>(runs: number, fn: () => T): { ms: number; last: T } {
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), last };
}

const mb = (chars: number) => Math.round((chars / 1_048_576) * 100) / 100;
const ms = (v: number) => Math.round(v * 10) / 10;

export async function run(): Promise<Record<string, number | string>> {
  let t = performance.now();
  const { core, steps } = simulateDay();
  const simulateMs = performance.now() - t;

  const snap = timed(10, () => core.snapshot());
  const text = timed(5, () => JSON.stringify(snap.last));
  const json = text.last;
  const parsed = timed(5, () => JSON.parse(json) as unknown);
  const restore = timed(5, () => RoutingCore.fromSnapshot(parsed.last));
  if (JSON.stringify(restore.last.snapshot()) !== json) throw new Error('the restored core does not give back the same snapshot');

  t = performance.now();
  const replayed = replay(steps);
  const replayMs = performance.now() - t;

  const s = snap.last as CoreSnapshot;
  const size = (v: unknown) => mb(JSON.stringify(v).length);
  const queued = s.calls.rows.filter((r) => r[s.calls.fields.indexOf('status')] === 'queued').length;
  return {
    'agents': s.agents.rows.length,
    'calls kept (waiting / ended)': `${s.calls.rows.length} (${queued} / ${s.endedCalls.length})`,
    'events in the day (steps incl. advance)': steps.length,
    'seen ids kept': s.seenIds.length,
    'pending deadlines (stale included)': s.deadlines.rows.length,
    'closed intervals': s.metrics.closed.length,
    'snapshot(), ms (median of 10)': ms(snap.ms),
    'JSON.stringify, ms': ms(text.ms),
    'JSON size, MB': mb(json.length),
    '  of which seen ids, MB': size(s.seenIds),
    '  of which calls, MB': size(s.calls),
    '  of which metrics, MB': size(s.metrics),
    '  of which repeat callers, MB': size(s.repeatCallers),
    '  of which deadlines + agents, MB': mb(JSON.stringify(s.deadlines).length + JSON.stringify(s.agents).length),
    'JSON.parse, ms': ms(parsed.ms),
    'fromSnapshot(parsed), ms (median of 5)': ms(restore.ms),
    'start from snapshot (parse + fromSnapshot), ms': ms(parsed.ms + restore.ms),
    'start by replaying the day, ms': ms(replayMs),
    'replay gives the same state': JSON.stringify(replayed.snapshot()) === json ? 'yes' : 'NO',
    'simulating the day, s': Math.round(simulateMs / 100) / 10,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((r) => console.table(r));
}
