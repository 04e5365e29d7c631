// Wallboard fan-out: N WebSocket clients on one server, changes at 2 Hz, latency
// from the dispatch of a domain event to its snapshot arriving at each client.
//
// Run: npm run bench -- ws            (or: npx tsx bench/ws.bench.ts)
//      npm run bench -- ws --max=4000 --updates=20 --budget=60
//
// The server (a whole Atende from createAtende: the example settings, an in-memory
// event log, default hub settings, no rate limit) runs in this process; the
// clients run in one child process (this same file, forked), so the server's
// event loop only serves the server. Both processes share the machine's cores,
// so on a small machine the figures are a lower bound.
//
// Each measured update is ONE `call.queued` dispatch (the calls arrived before
// the clients connected), so the centre's waiting count after update i is i:
// the clients recognise the update by that number. Dispatches are ≥ 501 ms
// apart, so the hub's 500 ms coalescing never delays them: the latency is the
// event-log append (in memory), the fan-out (build + serialise once + N sends)
// and the delivery, nothing else.

import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { clockOffset, ForkedChild, wallNow } from './fork.ts';

const CLIENT_FLAG = '--ws-bench-client';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- messages between the two processes -----------------------------------
type ToClient =
  | { cmd: 'clock'; t: number }
  | { cmd: 'connect'; url: string; n: number; updates: number }
  | { cmd: 'progress' }
  | { cmd: 'results'; dispatchAt: number[]; offset: number }
  | { cmd: 'close' };
type FromClient =
  | { cmd: 'clock'; t: number; c: number }
  | { cmd: 'connected'; ok: number; failed: number; ms: number }
  | { cmd: 'progress'; lastComplete: number; lastSeen: number }
  | { cmd: 'results'; received: number; missing: number; p50: number; p90: number; p99: number; max: number; frameBytes: number; rssMB: number }
  | { cmd: 'closed' };

// ===========================================================================
// Client process: N sockets, first-arrival time of every update on every socket.
// ===========================================================================
function clientMain(): void {
  let sockets: WebSocket[] = [];
  let recv: Float64Array[] = [];
  /** Frames are byte-identical for every client: parse one, recognise the rest by their head and length. */
  const seen = new Map<string, number>();
  let frameBytes = 0;
  const send = (m: FromClient) => process.send!(m);

  const waitingOf = (data: Buffer): number => {
    // {"type":"snapshot","serverTime":1763912345678,...  /  {"type":"history",...
    if (data[9] !== 0x73 /* s */) return -1;
    const key = `${data.toString('latin1', 0, 48)}|${data.length}`;
    let w = seen.get(key);
    if (w === undefined) {
      const msg = JSON.parse(data.toString()) as { type: string; center?: { waiting: number } };
      w = msg.type === 'snapshot' && msg.center ? msg.center.waiting : -1;
      seen.set(key, w);
      frameBytes = Math.max(frameBytes, data.length);
    }
    return w;
  };

  process.on('message', async (m: ToClient) => {
    if (m.cmd === 'clock') {
      send({ cmd: 'clock', t: m.t, c: wallNow() });
    } else if (m.cmd === 'connect') {
      const t0 = performance.now();
      recv = Array.from({ length: m.updates + 1 }, () => new Float64Array(m.n));
      seen.clear();
      let ok = 0, failed = 0, next = 0;
      const one = (idx: number) => new Promise<void>((resolve) => {
        const ws = new WebSocket(m.url, { perMessageDeflate: false });
        sockets[idx] = ws;
        ws.on('message', (data: Buffer) => {
          const at = wallNow();
          const w = waitingOf(data);
          if (w >= 1 && w < recv.length && recv[w][idx] === 0) recv[w][idx] = at;
        });
        ws.once('open', () => { ok++; resolve(); });
        ws.once('error', () => { failed++; resolve(); });
      });
      const worker = async () => { while (next < m.n) await one(next++); };
      await Promise.all(Array.from({ length: 200 }, worker));
      send({ cmd: 'connected', ok, failed, ms: performance.now() - t0 });
    } else if (m.cmd === 'progress') {
      let lastComplete = 0, lastSeen = 0;
      for (let k = 1; k < recv.length; k++) {
        const r = recv[k];
        let all = true, any = false;
        for (let i = 0; i < r.length; i++) { if (r[i] === 0) all = false; else any = true; }
        if (all) lastComplete = k;
        if (any) lastSeen = k;
      }
      send({ cmd: 'progress', lastComplete, lastSeen });
    } else if (m.cmd === 'results') {
      const lat: number[] = [];
      let missing = 0;
      for (let k = 1; k < recv.length; k++) {
        const sent = m.dispatchAt[k - 1];
        for (const at of recv[k]) {
          if (at === 0) missing++;
          else lat.push(at - m.offset - sent);
        }
      }
      lat.sort((a, b) => a - b);
      const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
      send({
        cmd: 'results', received: lat.length, missing, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat.at(-1) ?? NaN,
        frameBytes, rssMB: process.memoryUsage().rss / 2 ** 20,
      });
    } else if (m.cmd === 'close') {
      const all = sockets.filter(Boolean);
      await Promise.all(all.map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      })));
      sockets = [];
      recv = [];
      send({ cmd: 'closed' });
    }
  });
}

// ===========================================================================
// Server process.
// ===========================================================================
type Child = ForkedChild<ToClient, FromClient>;
const newChild = () => new ForkedChild<ToClient, FromClient>(fileURLToPath(import.meta.url), CLIENT_FLAG);

export interface WsBenchOptions {
  /** Largest N tried (steps double from `start`). */
  max?: number;
  start?: number;
  /** Measured updates per N. */
  updates?: number;
  /** Stop stepping up when the run has taken this long (seconds). */
  budgetSeconds?: number;
}

interface Row {
  clients: number;
  'connect s': number;
  'frame KB': number;
  'p50 ms': number;
  'p90 ms': number;
  'p99 ms': number;
  'max ms': number;
  'missed': number;
  'fan-out p50 ms': number;
  'fan-out max ms': number;
  'server CPU %': number;
  'server RSS MB': number;
  /** Live JS heap + buffers per connection after a full GC (needs --expose-gc). */
  'heap / client KB': number;
  'clients RSS MB': number;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;


/** Live heap + external bytes after a full GC; NaN without --expose-gc. */
function liveBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external; // external includes arrayBuffers
}

async function step(child: Child, n: number, updates: number, offset: number, log: (s: string) => void): Promise<Row> {
  const [{ createAtende }, { DEFAULT_SETTINGS_PATH, loadSettings }] = await Promise.all([
    import('../server/start.ts'), import('../server/config/load.ts'),
  ]);
  const settings = { ...loadSettings(DEFAULT_SETTINGS_PATH), centerName: 'Bench' };
  // Thousands of sockets from one address: the per-IP rate limit would turn them away.
  const atende = await createAtende({
    settings, dbPath: ':memory:', logger: false, demo: true, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
  });
  const { app, engine } = atende;
  let id = 0;
  const ev = (x: Record<string, unknown>) => ({ id: `b${id++}`, at: Date.now(), ...x }) as Parameters<typeof engine.dispatch>[0];
  // The calls arrive (and pass the IVR) before anyone watches; each update then queues one.
  for (let i = 0; i <= updates; i++) {
    engine.dispatch(ev({ type: 'call.arrived', callId: `c${i}`, from: `+55119${String(10_000_000 + i)}` }));
    engine.dispatch(ev({ type: 'call.ivr', callId: `c${i}`, path: ['1'] }));
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  try {
    const memBefore = liveBytes();
    const conn = await child.ask<'connected'>({ cmd: 'connect', url: `ws://127.0.0.1:${port}/ws/wallboard`, n, updates });
    if (conn.failed) log(`  ${conn.failed} of ${n} connections failed`);
    log(`  ${conn.ok} clients connected in ${(conn.ms / 1000).toFixed(1)} s (hub: ${app.hub.size})`);

    // Warm-up change (not measured, waiting stays 0), then 1.1 s: its broadcast is
    // ≥ 600 ms old and the next heartbeat ≥ 900 ms away when update 1 goes out;
    // after that each broadcast re-arms the heartbeat, so only dispatches send.
    engine.dispatch(ev({ type: 'agent.state', agentId: 'ana', state: 'away', reason: 'lanche' }));
    await sleep(1100);
    const memPerClient = (liveBytes() - memBefore) / Math.max(1, conn.ok);
    const dispatchAt: number[] = [];
    const fanout: number[] = [];
    let rssPeak = process.memoryUsage().rss;
    let lastDate = 0;
    // Server CPU share over the update phase: user+system time of this process ÷ wall time.
    const cpu0 = process.cpuUsage();
    const wall0 = wallNow();
    for (let k = 1; k <= updates; k++) {
      // ≥ 501 ms (by Date.now, the hub's clock) since the last broadcast: no coalescing wait.
      if (k > 1) {
        await sleep(502);
        while (Date.now() - lastDate < 501) await new Promise((r) => setImmediate(r));
      }
      lastDate = Date.now();
      const t = wallNow();
      const r = engine.dispatch(ev({ type: 'call.queued', callId: `c${k}`, queue: 'suporte' }));
      fanout.push(wallNow() - t);
      if (!r.ok) throw r.error;
      dispatchAt.push(t);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (k % 5 === 0) log(`  update ${k}/${updates}, fan-out ${fanout.at(-1)!.toFixed(1)} ms`);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (wallNow() - wall0);
    // Let the last frames land (bounded).
    const until = Date.now() + 10_000;
    for (;;) {
      const p = await child.ask<'progress'>({ cmd: 'progress' });
      if (p.lastComplete >= updates || Date.now() > until) break;
      await sleep(100);
    }
    const res = await child.ask<'results'>({ cmd: 'results', dispatchAt, offset });
    fanout.sort((a, b) => a - b);
    const row: Row = {
      clients: conn.ok,
      'connect s': round(conn.ms / 1000),
      'frame KB': round(res.frameBytes / 1024),
      'p50 ms': round(res.p50),
      'p90 ms': round(res.p90),
      'p99 ms': round(res.p99),
      'max ms': round(res.max),
      missed: res.missing,
      'fan-out p50 ms': round(fanout[Math.floor(fanout.length / 2)]),
      'fan-out max ms': round(fanout.at(-1)!),
      'server CPU %': round(cpuShare * 100, 1),
      'server RSS MB': round(rssPeak / 2 ** 20, 0),
      'heap / client KB': round(memPerClient / 1024, 1),
      'clients RSS MB': round(res.rssMB, 0),
    };
    log(`  N=${n}: server CPU ${row['server CPU %']} % of a core, p50 ${row['p50 ms']} ms, p99 ${row['p99 ms']} ms, max ${row['max ms']} ms, missed ${row.missed}, server RSS ${row['server RSS MB']} MB`);
    return row;
  } finally {
    await child.ask<'closed'>({ cmd: 'close' });
    await atende.close();
  }
}

export async function run(opts: WsBenchOptions = {}): Promise<Record<string, number | string>> {
  const max = opts.max ?? 8000;
  const start = Math.min(opts.start ?? 1000, max);
  const updates = opts.updates ?? 20;
  const budgetMs = (opts.budgetSeconds ?? 60) * 1000;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const t0 = Date.now();
  const child = newChild();
  const rows: Row[] = [];
  try {
    const offset = await clockOffset(async (t) => (await child.ask<'clock'>({ cmd: 'clock', t })).c);
    log(`clock offset client − server: ${offset.toFixed(3)} ms (corrected)`);
    for (let n = start; n <= max; n *= 2) {
      const elapsed = Date.now() - t0;
      // A step takes ~updates/2 s plus connecting; don't start one that cannot finish in budget.
      const last = rows.at(-1);
      const guess = updates * 505 + 2000 + (last ? last['connect s'] * 1000 * (n / last.clients) : 2000);
      if (rows.length > 0 && elapsed + guess > budgetMs) {
        log(`stopping before N=${n}: ${(elapsed / 1000).toFixed(0)} s used, ~${(guess / 1000).toFixed(0)} s more would pass the ${budgetMs / 1000} s budget`);
        break;
      }
      log(`N=${n}: connecting…`);
      rows.push(await step(child, n, updates, offset, log));
    }
  } finally {
    child.kill();
  }
  console.log(`\nWallboard fan-out: ${updates} updates per N at 2 Hz, default hub (500 ms coalescing, 2 s heartbeat); latency = dispatch → frame received, over all clients × updates`);
  console.table(rows);
  const ok = rows.filter((r) => r['p99 ms'] < 100 && r.missed === 0);
  const best = ok.length ? Math.max(...ok.map((r) => r.clients)) : 0;
  const summary = `largest N with p99 < 100 ms: ${best || 'none'} (tried ${rows.map((r) => r.clients).join(', ')}; ${((Date.now() - t0) / 1000).toFixed(0)} s)`;
  console.log(summary);
  const out: Record<string, number | string> = { 'largest N with p99 < 100 ms': best };
  for (const r of rows) out[`N=${r.clients}: p50 / p99 / max ms, server RSS MB`] = `${r['p50 ms']} / ${r['p99 ms']} / ${r['max ms']}, ${r['server RSS MB']}`;
  return out;
}

/** `--max=8000 --updates=20 --budget=60 --start=1000` (also `--max 8000`). */
export function parseArgs(argv: string[]): WsBenchOptions {
  const o: WsBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(max|start|updates|budget)(?:=(\d+))?$/.exec(argv[i]);
    if (!m) continue;
    const v = Number(m[2] ?? argv[++i]);
    if (!Number.isFinite(v) || v <= 0) continue;
    if (m[1] === 'max') o.max = v;
    else if (m[1] === 'start') o.start = v;
    else if (m[1] === 'updates') o.updates = v;
    else o.budgetSeconds = v;
  }
  return o;
}

if (process.argv.includes(CLIENT_FLAG)) {
  clientMain();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(parseArgs(process.argv.slice(2)));
}
