// Edges: N wall screens across two edges fed through Redis, changes at 2 Hz; latency
// from the leader's update (the dispatch of a domain event, in the leader's process)
// to its snapshot arriving at each screen, and the leader's CPU with and without
// edges (the same N screens on the leader itself, then on the edges).
//
// Run: npm run bench -- edges            (or: npx tsx bench/edges.bench.ts)
//      npm run bench -- edges --screens=10000 --updates=20 --budget=150
//
// Processes, all on 127.0.0.1: the leader (createAtende, in-memory log, no rate limit)
// in this process; each edge (createEdge) in a forked child; the screens (`ws`
// clients) in two more forked children, half each; Redis is REDIS_URL (default 127.0.0.1:6379),
// under a random key prefix removed at the end. Everything shares the machine's
// cores, so on a small machine the figures are a lower bound.
//
// As bench/ws.bench.ts: each measured update is ONE `call.queued` dispatch (the calls
// arrived before the screens connected), and the centre's waiting count right after it
// names the update; dispatches are ≥ 501 ms apart, so the 500 ms coalescing never holds one.

import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { clockOffset, ForkedChild, wallNow } from './fork.ts';

const CLIENT_FLAG = '--edges-bench-screens';
const EDGE_FLAG = '--edges-bench-edge';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// ---- messages between the processes ---------------------------------------
type ToChild =
  | { cmd: 'clock'; t: number }
  | { cmd: 'connect'; urls: string[]; n: number }
  | { cmd: 'progress'; waiting: number[] }
  | { cmd: 'results'; waiting: number[]; dispatchAt: number[]; offset: number }
  | { cmd: 'close' }
  | { cmd: 'edge'; redisUrl: string; leaderUrl: string; prefix: string }
  | { cmd: 'cpu' };
type FromChild =
  | { cmd: 'clock'; t: number; c: number }
  | { cmd: 'connected'; ok: number; failed: number; ms: number }
  | { cmd: 'progress'; lastComplete: number }
  | { cmd: 'results'; latencies: number[]; missing: number }
  | { cmd: 'closed' }
  | { cmd: 'edge'; url: string }
  | { cmd: 'cpu'; micros: number; screens: number; rssMB: number };

// ===========================================================================
// Screens process: N sockets over the URLs, first arrival of every update on each.
// ===========================================================================
function screensMain(): void {
  let sockets: WebSocket[] = [];
  /** First arrival on each socket of a snapshot showing this waiting count. */
  let recv = new Map<number, Float64Array>();
  let n = 0;
  /** Frames are byte-identical for every screen: parse one, recognise the rest by head and length. */
  const seen = new Map<string, number>();
  const send = (m: FromChild) => process.send!(m);
  const waitingOf = (data: Buffer): number => {
    if (data[9] !== 0x73 /* {"type":"s… */) return -1;
    const key = `${data.toString('latin1', 0, 48)}|${data.length}`;
    let w = seen.get(key);
    if (w === undefined) {
      const msg = JSON.parse(data.toString()) as { type: string; center?: { waiting: number } };
      w = msg.type === 'snapshot' && msg.center ? msg.center.waiting : -1;
      seen.set(key, w);
    }
    return w;
  };
  const complete = (w: number) => { const r = recv.get(w); return !!r && r.every((x) => x !== 0); };
  process.on('message', async (m: ToChild) => {
    if (m.cmd === 'clock') send({ cmd: 'clock', t: m.t, c: wallNow() });
    else if (m.cmd === 'connect') {
      const t0 = performance.now();
      n = m.n;
      recv = new Map();
      seen.clear();
      let ok = 0, failed = 0, next = 0;
      const one = (idx: number) => new Promise<void>((resolve) => {
        // No UTF-8 check of every 8 KB frame: on a shared machine the screens' processes are the bottleneck.
        const ws = new WebSocket(m.urls[idx % m.urls.length], { perMessageDeflate: false, skipUTF8Validation: true });
        sockets[idx] = ws;
        ws.on('message', (data: Buffer) => {
          const at = wallNow();
          const w = waitingOf(data);
          if (w < 0) return;
          let r = recv.get(w);
          if (!r) { r = new Float64Array(n); recv.set(w, r); }
          if (r[idx] === 0) r[idx] = at;
        });
        ws.once('open', () => { ok++; resolve(); });
        ws.once('error', () => { failed++; resolve(); });
      });
      const worker = async () => { while (next < m.n) await one(next++); };
      await Promise.all(Array.from({ length: 200 }, worker));
      send({ cmd: 'connected', ok, failed, ms: performance.now() - t0 });
    } else if (m.cmd === 'progress') {
      let lastComplete = 0;
      m.waiting.forEach((w, k) => { if (complete(w)) lastComplete = k + 1; });
      send({ cmd: 'progress', lastComplete });
    } else if (m.cmd === 'results') {
      // Update k is the snapshot showing the waiting count the leader had right after dispatch k.
      const lat: number[] = [];
      let missing = 0;
      m.waiting.forEach((w, k) => {
        const r = recv.get(w);
        for (let i = 0; i < n; i++) {
          const at = r?.[i] ?? 0;
          if (at === 0) missing++;
          else lat.push(at - m.offset - m.dispatchAt[k]);
        }
      });
      send({ cmd: 'results', latencies: lat, missing });
    } else if (m.cmd === 'close') {
      await Promise.all(sockets.filter(Boolean).map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      })));
      sockets = [];
      recv = new Map();
      send({ cmd: 'closed' });
    }
  });
}

// ===========================================================================
// Edge process: one edge, its CPU on request.
// ===========================================================================
function edgeMain(): void {
  let edge: import('../server/edge/start.ts').Edge | null = null;
  let cpu0 = process.cpuUsage();
  process.on('message', async (m: ToChild) => {
    if (m.cmd === 'edge') {
      const { createEdge } = await import('../server/edge/start.ts');
      edge = await createEdge({ redisUrl: m.redisUrl, leaderUrl: m.leaderUrl, prefix: m.prefix });
      const url = await edge.app.listen({ host: '127.0.0.1', port: 0 });
      process.send!({ cmd: 'edge', url } satisfies FromChild);
    } else if (m.cmd === 'cpu') {
      const c = process.cpuUsage(cpu0);
      cpu0 = process.cpuUsage();
      process.send!({ cmd: 'cpu', micros: c.user + c.system, screens: edge?.app.edgeScreens().wallboards ?? 0, rssMB: process.memoryUsage().rss / 2 ** 20 } satisfies FromChild);
    } else if (m.cmd === 'close') {
      await edge?.close();
      process.send!({ cmd: 'closed' } satisfies FromChild);
    }
  });
}

// ===========================================================================
// Leader process.
// ===========================================================================
type Child = ForkedChild<ToChild, FromChild>;
const newChild = (flag: string) => new ForkedChild<ToChild, FromChild>(fileURLToPath(import.meta.url), flag);

export interface EdgesBenchOptions {
  /** Wall screens (default 10,000), split evenly across the two edges. */
  screens?: number;
  /** Measured updates per phase (default 20, at 2 Hz). */
  updates?: number;
  /** Give up connecting or waiting after this many seconds in all (default 150). */
  budgetSeconds?: number;
}

interface Phase {
  where: string;
  screens: number;
  'connect s': number;
  'p50 ms': number;
  'p90 ms': number;
  'p99 ms': number;
  'max ms': number;
  missed: number;
  'leader CPU %': number;
  'edges CPU % (each)': string;
}


export async function run(opts: EdgesBenchOptions = {}): Promise<Record<string, number | string>> {
  const screens = opts.screens ?? 10_000;
  const updates = opts.updates ?? 20;
  const deadline = Date.now() + (opts.budgetSeconds ?? 150) * 1000;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = `atende-bench-${randomBytes(4).toString('hex')}`;

  const [{ createAtende }, { DEFAULT_SETTINGS_PATH, loadSettings }, { Redis }] = await Promise.all([
    import('../server/start.ts'), import('../server/config/load.ts'), import('ioredis'),
  ]);
  const settings = { ...loadSettings(DEFAULT_SETTINGS_PATH), centerName: 'Bench' };
  const atende = await createAtende({
    settings, dbPath: ':memory:', logger: false, demo: true, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
  });
  const { app, engine } = atende;
  let id = 0;
  const ev = (x: Record<string, unknown>) => ({ id: `b${id++}`, at: Date.now(), ...x }) as Parameters<typeof engine.dispatch>[0];
  // Both phases' calls arrive before anyone watches; each update then queues one.
  for (let i = 0; i <= 2 * updates; i++) {
    engine.dispatch(ev({ type: 'call.arrived', callId: `c${i}`, from: `+55119${String(10_000_000 + i)}` }));
    engine.dispatch(ev({ type: 'call.ivr', callId: `c${i}`, path: ['1'] }));
  }
  const leaderUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  // The leader's own wallboard frames, watched here to pace the updates (see phase()).
  let lastFrameAt = 0;
  const monitor = new WebSocket(`${leaderUrl.replace('http', 'ws')}/ws/wallboard`, { perMessageDeflate: false });
  monitor.on('message', () => { lastFrameAt = Date.now(); });
  await new Promise((resolve, reject) => { monitor.once('open', resolve); monitor.once('error', reject); });
  // Two processes of screens (half each), as TVs are many machines: one process alone
  // becomes the bottleneck of the measure on a small machine.
  const screenProcs = [newChild(CLIENT_FLAG), newChild(CLIENT_FLAG)];
  const edges = [newChild(EDGE_FLAG), newChild(EDGE_FLAG)];
  const phases: Phase[] = [];

  /** One phase: connect, `updates` updates at 2 Hz, results; `first` = the first call it queues. */
  const phase = async (where: string, urls: string[], first: number, offsets: number[]): Promise<Phase> => {
    log(`${where}: connecting ${screens} screens…`);
    // Each process gets half the screens; with two edges, each process one edge.
    const half = (i: number) => (urls.length === screenProcs.length ? [urls[i]] : urls);
    const conns = await Promise.all(screenProcs.map((c, i) => c.ask<'connected'>({ cmd: 'connect', urls: half(i), n: Math.floor(screens / 2) + (i === 0 ? screens % 2 : 0) })));
    const conn = { ok: conns.reduce((a, c) => a + c.ok, 0), failed: conns.reduce((a, c) => a + c.failed, 0), ms: Math.max(...conns.map((c) => c.ms)) };
    if (conn.failed) log(`  ${conn.failed} of ${screens} connections failed`);
    log(`  ${conn.ok} connected in ${(conn.ms / 1000).toFixed(1)} s`);
    // Warm-up change (not measured; nobody becomes available, so the waiting count stays).
    engine.dispatch(ev({ type: 'agent.state', agentId: 'ana', state: where === 'leader' ? 'away' : 'offline', reason: where === 'leader' ? 'lanche' : undefined }));
    await sleep(1100);
    const dispatchAt: number[] = [];
    /** The waiting count right after each dispatch: the screens recognise update k by it. */
    const waiting: number[] = [];
    let lastDate = 0;
    if (where !== 'leader') for (const e of edges) await e.ask<'cpu'>({ cmd: 'cpu' }); // resets their counters
    const cpu0 = process.cpuUsage();
    const wall0 = wallNow();
    for (let k = 1; k <= updates; k++) {
      if (k > 1) await sleep(502);
      // ≥ 501 ms (by Date.now, the hub's clock) since the leader's last wallboard frame, whatever
      // sent it: the engine's own timers (waiting calls age) also make frames, and the hub's
      // coalescing would hold the measured one back behind them.
      // Slept, not spun: the leader's CPU is measured meanwhile.
      for (let left = 501; left > 0; left = 501 - (Date.now() - Math.max(lastDate, lastFrameAt))) await sleep(left);
      lastDate = Date.now();
      const t = wallNow();
      const r = engine.dispatch(ev({ type: 'call.queued', callId: `c${first + k}`, queue: 'suporte' }));
      if (!r.ok) throw r.error;
      dispatchAt.push(t);
      waiting.push(engine.core.waitingCount());
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = wallNow() - wall0;
    const edgeCpu = where === 'leader' ? [] : await Promise.all(edges.map((e) => e.ask<'cpu'>({ cmd: 'cpu' })));
    const until = Math.min(Date.now() + 10_000, deadline);
    for (;;) {
      const p = await Promise.all(screenProcs.map((c) => c.ask<'progress'>({ cmd: 'progress', waiting })));
      if (p.every((x) => x.lastComplete >= updates) || Date.now() > until) break;
      await sleep(100);
    }
    const parts = await Promise.all(screenProcs.map((c, i) => c.ask<'results'>({ cmd: 'results', waiting, dispatchAt, offset: offsets[i] })));
    await Promise.all(screenProcs.map((c) => c.ask<'closed'>({ cmd: 'close' })));
    const lat = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
    const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
    const res = { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat.at(-1) ?? NaN, missing: parts.reduce((a, p) => a + p.missing, 0) };
    const row: Phase = {
      where, screens: conn.ok, 'connect s': round(conn.ms / 1000),
      'p50 ms': round(res.p50), 'p90 ms': round(res.p90), 'p99 ms': round(res.p99), 'max ms': round(res.max), missed: res.missing,
      'leader CPU %': round(((cpu.user + cpu.system) / 1000 / wall) * 100),
      'edges CPU % (each)': edgeCpu.map((c) => `${round((c.micros / 1000 / wall) * 100)} (${c.screens} screens, ${Math.round(c.rssMB)} MB)`).join(' / ') || '—',
    };
    log(`  ${where}: p50 ${row['p50 ms']} ms, p99 ${row['p99 ms']} ms, missed ${row.missed}, leader CPU ${row['leader CPU %']} %`);
    return row;
  };

  try {
    const offsets: number[] = [];
    for (const c of screenProcs) offsets.push(await clockOffset(async (t) => (await c.ask<'clock'>({ cmd: 'clock', t })).c));
    log(`clock offsets screens − leader: ${offsets.map((o) => o.toFixed(3)).join(', ')} ms (corrected)`);
    // Without edges: the same screens on the leader itself.
    phases.push(await phase('leader', [`${leaderUrl.replace('http', 'ws')}/ws/wallboard`], 0, offsets));
    if (Date.now() + updates * 600 + 20_000 > deadline) {
      log('stopping before the edges phase: out of budget');
    } else {
      app.edgePublisher.start({ redisUrl, prefix });
      const urls = await Promise.all(edges.map((e) => e.ask<'edge'>({ cmd: 'edge', redisUrl, leaderUrl, prefix })));
      await sleep(2500); // the edges hear the leader's first frames (heartbeat: 2 s)
      phases.push(await phase('2 edges', urls.map((u) => `${u.url.replace('http', 'ws')}/ws/wallboard`), updates, offsets));
    }
  } finally {
    monitor.terminate();
    await Promise.all(edges.map((e) => e.ask<'closed'>({ cmd: 'close' }).catch(() => null)));
    for (const c of [...screenProcs, ...edges]) c.kill();
    await atende.close();
    const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const keys = await r.keys(`${prefix}:*`).catch(() => [] as string[]);
    if (keys.length) await r.del(...keys).catch(() => 0);
    r.disconnect();
  }

  console.log(`\nEdges: ${screens} wall screens, ${updates} updates at 2 Hz; latency = the leader's dispatch → frame received, over all screens × updates`);
  console.table(phases);
  const out: Record<string, number | string> = {};
  for (const p of phases) out[`${p.where}: p50 / p99 / max ms, missed, leader CPU %`] = `${p['p50 ms']} / ${p['p99 ms']} / ${p['max ms']}, ${p.missed}, ${p['leader CPU %']}`;
  return out;
}

/** `--screens=10000 --updates=20 --budget=150` (also `--screens 10000`). */
export function parseArgs(argv: string[]): EdgesBenchOptions {
  const o: EdgesBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(screens|updates|budget)(?:=(\d+))?$/.exec(argv[i]);
    if (!m) continue;
    const v = Number(m[2] ?? argv[++i]);
    if (!Number.isFinite(v) || v <= 0) continue;
    if (m[1] === 'screens') o.screens = v;
    else if (m[1] === 'updates') o.updates = v;
    else o.budgetSeconds = v;
  }
  return o;
}

if (process.argv.includes(CLIENT_FLAG)) {
  screensMain();
} else if (process.argv.includes(EDGE_FLAG)) {
  edgeMain();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(parseArgs(process.argv.slice(2)));
}
