// Cost of one routing decision in a very large center: 10,000 agents and
// 100,000 waiting calls, and the heap that state takes.
// Run: npm run bench   (or: node --expose-gc --import tsx bench/routing.bench.ts)
import { pathToFileURL } from 'node:url';
import { RoutingCore } from '../routing/core.ts';
import { defaultRoutingConfig } from '../routing/defaults.ts';
import { metricsSettings } from '../routing/metrics/index.ts';
import type { AgentConfig, DomainEvent, QueueConfig } from '../routing/types.ts';
import { mulberry32 } from '../sim/random.ts';

const AGENTS = 10_000;
const CALLS = 100_000;
const QUEUES = 20;
const T0 = Date.parse('2026-11-23T12:00:00Z');


function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function run(): Promise<Record<string, number | string>> {
  const rnd = mulberry32(42);
  const queues: QueueConfig[] = Array.from({ length: QUEUES }, (_, i) => ({ id: `q${i}`, name: `Fila ${i}`, weight: i % 3 }));
  const agents: AgentConfig[] = Array.from({ length: AGENTS }, (_, i) => ({
    id: `a${i}`, name: `Agente ${i}`, level: 1 + (i % 10 === 0 ? 1 : 0),
    skills: [...new Set([`q${i % QUEUES}`, `q${(i * 7 + 3) % QUEUES}`, `q${Math.floor(rnd() * QUEUES)}`])],
  }));
  const baseline = heapMb();
  const core = new RoutingCore(
    defaultRoutingConfig({
      queues, agents, wrapUpSeconds: 0, levelWideningSeconds: null, agingSeconds: [null, null, null], offerTimeoutSeconds: 1e6,
      tierRules: [{ id: 'vip', label: 'VIP', reason: 'vip', tier: 1, when: { attribute: { name: 'vip', equals: true } } }],
    }),
    metricsSettings({ queues: queues.map((q) => ({ id: q.id })), tiers: 3 }),
    T0,
  );
  let t = T0;
  let id = 0;
  const apply = (e: Omit<DomainEvent, 'id' | 'at'>): ReturnType<RoutingCore['apply']> =>
    core.apply({ ...e, id: `e${id++}`, at: (t += 1) } as DomainEvent);

  for (let i = 0; i < CALLS; i++) {
    const callId = `c${i}`;
    apply({ type: 'call.arrived', callId, from: `+5511${String(900000000 + i)}` } as never);
    apply({ type: 'call.queued', callId, queue: `q${Math.floor(rnd() * QUEUES)}`, attributes: { vip: rnd() < 0.05 } } as never);
  }
  const heapWithCalls = heapMb() - baseline;

  // Each agent logging in picks the best of 100,000 waiting calls across its queues.
  const loginNs = new Float64Array(AGENTS);
  for (let i = 0; i < AGENTS; i++) {
    const login = { type: 'agent.state', agentId: `a${i}`, state: 'available', id: `e${id++}`, at: (t += 1) } as DomainEvent;
    const start = process.hrtime.bigint();
    core.apply(login);
    loginNs[i] = Number(process.hrtime.bigint() - start);
  }
  const heapFull = heapMb() - baseline;
  const waitingAfterLogin = core.waitingCount();

  // Steady state: a ringing agent answers, hangs up and says ready; "ready" carries the decision.
  const ROUNDS = 40_000;
  const readyNs = new Float64Array(ROUNDS);
  const ringing = core.agentList().filter((a) => a.status === 'ringing').map((a) => ({ agent: a.id, call: a.callId! }));
  let decisions = 0;
  for (let r = 0; r < ROUNDS && ringing.length > 0; r++) {
    const { agent, call } = ringing[r % ringing.length];
    apply({ type: 'call.answered', callId: call } as never);
    apply({ type: 'call.ended', callId: call, by: 'agent' } as never);
    // Keep 100k waiting: one new caller for each one served.
    apply({ type: 'call.arrived', callId: `n${r}`, from: `+5521${String(900000000 + r)}` } as never);
    apply({ type: 'call.queued', callId: `n${r}`, queue: `q${Math.floor(rnd() * QUEUES)}` } as never);
    const ready = { type: 'agent.ready', agentId: agent, id: `e${id++}`, at: (t += 1) } as DomainEvent;
    const start = process.hrtime.bigint();
    const out = core.apply(ready);
    readyNs[r] = Number(process.hrtime.bigint() - start);
    const offer = out.decisions.find((d) => d.type === 'offer');
    if (offer && offer.type === 'offer') { ringing[r % ringing.length] = { agent, call: offer.callId }; decisions++; }
  }

  // A new call finding a free agent among thousands.
  const free = new RoutingCore(defaultRoutingConfig({ queues, agents, wrapUpSeconds: 0, levelWideningSeconds: null }),
    metricsSettings({ queues: queues.map((q) => ({ id: q.id })), tiers: 3 }), T0);
  t = T0;
  const freeApply = (e: Omit<DomainEvent, 'id' | 'at'>) => free.apply({ ...e, id: `f${id++}`, at: (t += 1) } as DomainEvent);
  for (let i = 0; i < AGENTS; i++) freeApply({ type: 'agent.state', agentId: `a${i}`, state: 'available' } as never);
  const CALL_ROUNDS = 5_000;
  const queuedNs = new Float64Array(CALL_ROUNDS);
  for (let i = 0; i < CALL_ROUNDS; i++) {
    freeApply({ type: 'call.arrived', callId: `x${i}`, from: `+5531${i}` } as never);
    const queued = { type: 'call.queued', callId: `x${i}`, queue: `q${i % QUEUES}`, id: `f${id++}`, at: (t += 1) } as DomainEvent;
    const start = process.hrtime.bigint();
    free.apply(queued);
    queuedNs[i] = Number(process.hrtime.bigint() - start);
  }

  readyNs.sort(); loginNs.sort(); queuedNs.sort();
  const us = (ns: number) => Math.round(ns / 10) / 100;
  return {
    'agents': AGENTS,
    'waiting calls at start': CALLS,
    'still waiting after every agent took one': waitingAfterLogin,
    'decision: agent free → best call, p50 µs': us(percentile(readyNs, 0.5)),
    'decision: agent free → best call, p99 µs': us(percentile(readyNs, 0.99)),
    'decision: agent login → best call, p50 µs': us(percentile(loginNs, 0.5)),
    'decision: agent login → best call, p99 µs': us(percentile(loginNs, 0.99)),
    'decision: call queued → best free agent, p50 µs': us(percentile(queuedNs, 0.5)),
    'decision: call queued → best free agent, p99 µs': us(percentile(queuedNs, 0.99)),
    'decisions measured': decisions,
    'heap: 100k waiting calls, MB': Math.round(heapWithCalls),
    'heap: + 10k agents ringing, MB': Math.round(heapFull),
    'gc exposed': (globalThis as { gc?: unknown }).gc ? 'yes' : 'no (run with --expose-gc for heap figures)',
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then((r) => console.table(r));
}
