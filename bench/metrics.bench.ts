// Throughput of the ring-buffer metrics core: mixed record* updates per second,
// cost of a rolling-window read, and cost of advancing one second.
// Run: npx tsx bench/metrics.bench.ts   (or import { run } from a bench runner)

import { pathToFileURL } from 'node:url';
import { BUCKET_MS, MetricsCore, metricsSettings, type MetricsSettings } from '../routing/metrics/index.ts';
import { FIELDS } from '../routing/metrics/fields.ts';
import { mulberry32 } from '../sim/random.ts';

const QUEUES = 10;
const TIERS = 3;
const T0 = Date.parse('2025-06-10T12:00:00Z');


const settings = (): MetricsSettings => metricsSettings({
  tiers: TIERS,
  shortAbandonSeconds: 5,
  queues: Array.from({ length: QUEUES }, (_, i) => ({ id: `q${i}`, thresholdSeconds: i % 2 ? 30 : undefined })),
});
const ids = Array.from({ length: QUEUES }, (_, i) => `q${i}`);

/** A pre-generated fact stream, so the timed loop measures the core and not the generator. */
interface Stream { n: number; kind: Uint8Array; queue: Uint8Array; tier: Uint8Array; a: Int32Array; b: Int32Array }

function makeStream(n: number, seed: number): Stream {
  const rnd = mulberry32(seed);
  const s: Stream = { n, kind: new Uint8Array(n), queue: new Uint8Array(n), tier: new Uint8Array(n), a: new Int32Array(n), b: new Int32Array(n) };
  for (let i = 0; i < n; i++) {
    const r = rnd();
    // Roughly what a contact center produces: answers and handled calls dominate.
    s.kind[i] = r < 0.35 ? 0 : r < 0.45 ? 1 : r < 0.75 ? 2 : r < 0.85 ? 3 : r < 0.95 ? 4 : 5;
    s.queue[i] = Math.floor(rnd() * QUEUES);
    s.tier[i] = 1 + Math.floor(rnd() * TIERS);
    s.a[i] = Math.floor(rnd() * 120_000);
    s.b[i] = Math.floor(rnd() * 11);
  }
  return s;
}

/** Two facts per millisecond of simulated time, so buckets, minutes and intervals roll during the run. */
function feedByName(m: MetricsCore, s: Stream): void {
  const h = { talkMs: 0, holdMs: 0, wrapMs: 0 };
  const sv: { nps?: number; csat?: number } = {};
  for (let i = 0; i < s.n; i++) {
    const at = T0 + (i >> 1);
    const q = ids[s.queue[i]];
    const tier = s.tier[i];
    switch (s.kind[i]) {
      case 0: m.recordAnswered(at, q, tier, s.a[i]); break;
      case 1: m.recordAbandoned(at, q, tier, s.a[i]); break;
      case 2: h.talkMs = s.a[i]; h.holdMs = s.b[i] * 1000; h.wrapMs = 15_000; m.recordHandled(at, q, tier, h); break;
      case 3: sv.nps = s.b[i]; sv.csat = 1 + (s.b[i] % 5); m.recordSurvey(at, q, tier, sv); break;
      case 4: m.recordDisposition(at, q, tier, (s.a[i] & 1) === 0); break;
      default: m.setAgentCounts(at, s.b[i], 12); break;
    }
  }
}

function feedByIndex(m: MetricsCore, s: Stream): void {
  const qi = ids.map((id) => m.queueIndex(id));
  for (let i = 0; i < s.n; i++) {
    const at = T0 + (i >> 1);
    const q = qi[s.queue[i]];
    const tier = s.tier[i];
    switch (s.kind[i]) {
      case 0: m.recordAnsweredIdx(at, q, tier, s.a[i]); break;
      case 1: m.recordAbandonedIdx(at, q, tier, s.a[i]); break;
      case 2: m.recordHandledIdx(at, q, tier, s.a[i], s.b[i] * 1000, 15_000); break;
      case 3: m.recordSurveyIdx(at, q, tier, s.b[i], 1 + (s.b[i] % 5)); break;
      case 4: m.recordDispositionIdx(at, q, tier, (s.a[i] & 1) === 0); break;
      default: m.setAgentCounts(at, s.b[i], 12); break;
    }
  }
}

function timeIt(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t);
}

function bestOf(rounds: number, fn: () => number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) best = Math.min(best, fn());
  return best;
}

export async function run(): Promise<Record<string, number | string>> {
  const N = 5_000_000;
  const stream = makeStream(N, 42);
  const warm = makeStream(300_000, 7);
  for (let r = 0; r < 3; r++) { feedByName(new MetricsCore(settings(), T0), warm); feedByIndex(new MetricsCore(settings(), T0), warm); }

  const byName = bestOf(3, () => timeIt(() => feedByName(new MetricsCore(settings(), T0), stream)));
  const byIndex = bestOf(3, () => timeIt(() => feedByIndex(new MetricsCore(settings(), T0), stream)));

  // Reads on a core whose window is full.
  const full = new MetricsCore(settings(), T0);
  feedByIndex(full, stream);
  const READS = 1_000_000;
  let sink = 0;
  const readNs = (scope: Parameters<MetricsCore['read']>[0], window: 'rolling' | 'today') => bestOf(3, () => timeIt(() => {
    for (let i = 0; i < READS; i++) sink += full.read(scope, window).offered;
  })) / READS;
  const readCenter = readNs({ kind: 'center' }, 'rolling');
  const readQueue = readNs({ kind: 'queue', id: 'q3' }, 'rolling');
  const readTier = readNs({ kind: 'tier', tier: 2 }, 'rolling');
  const readToday = readNs({ kind: 'center' }, 'today');

  // Advancing 1 s when every bucket of every scope holds data (the worst case:
  // each step subtracts a full bucket per scope), agents staffed.
  const SECONDS = 3600;
  let advanceTotal = 0;
  let advances = 0;
  for (let r = 0; r < 8; r++) {
    const m = new MetricsCore(settings(), T0);
    m.setAgentCounts(T0, 8, 12);
    const filled = T0 + SECONDS * 1000;
    for (let t = T0; t < filled; t += BUCKET_MS) {
      for (let q = 0; q < QUEUES; q++) m.recordAnsweredIdx(t, q, 1 + (q % TIERS), 15_000);
    }
    advanceTotal += timeIt(() => {
      for (let k = 1; k <= SECONDS; k++) m.advance(filled + k * BUCKET_MS);
    });
    advances += SECONDS;
    sink += m.read({ kind: 'center' }, 'rolling').offered;
  }
  const scopes = 1 + QUEUES + TIERS;
  const windowBuckets = (settings().windowMinutes * 60_000) / BUCKET_MS;

  const result: Record<string, number | string> = {
    'record* mixed, by queue id (updates/s)': Math.round(N / (byName / 1e9)),
    'record* mixed, by queue index (updates/s)': Math.round(N / (byIndex / 1e9)),
    'read center rolling (ns)': Math.round(readCenter),
    'read queue rolling (ns)': Math.round(readQueue),
    'read tier rolling (ns)': Math.round(readTier),
    'read center today (ns)': Math.round(readToday),
    [`advance 1 s, ${scopes} scopes, full buckets (ns)`]: Math.round(advanceTotal / advances),
    'ring bytes per scope': windowBuckets * FIELDS * 8,
    'facts per run': N,
    node: process.version,
    sink: sink > 0 ? 'ok' : 'none',
  };
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(48)} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`);
}
