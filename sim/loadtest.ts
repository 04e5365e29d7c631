// Load test: a real Atende server (child process) driven through the Twilio
// emulator at rising call rates until a limit breaks. Reports webhooks per second
// sustained, webhook latency p50/p99, errors, and the delay from a webhook to the
// wallboard update; then the same rates against a bare Fastify route, for the ratio.
// Everything on 127.0.0.1, bounded in time and count.
//
//   npm run loadtest -- [--rates 10,20,40,...] [--step-seconds 6] [--max-seconds 150] [--out reports]
//                       [--stores sqlite,sqlite-nogroup,postgres] [--pg postgres://…/test]
//
// --stores runs the same climb once per store, in this run: SQLite (the default), SQLite
// with one commit per event (ATENDE_GROUP_COMMIT=off: as before group commit), and
// PostgreSQL (a single cluster node leading, in a throwaway schema of --pg).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from './net.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../server/config/load.ts';
import { httpRequest } from './emulator/hooks.ts';
import { startEmulator } from './emulator/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the server under test keeps its log: SQLite or PostgreSQL, with or without group commit. */
export type StoreKind = 'sqlite' | 'sqlite-nogroup' | 'postgres' | 'postgres-nogroup';
const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'sqlite-nogroup', 'postgres', 'postgres-nogroup'];
const STORE_LABEL: Record<StoreKind, string> = {
  sqlite: 'SQLite', 'sqlite-nogroup': 'SQLite, one commit per event', postgres: 'PostgreSQL', 'postgres-nogroup': 'PostgreSQL, one commit per event',
};

export interface LoadtestOptions {
  /** Calls per second per step. */
  rates: number[];
  /** One climb per store, in this order (default SQLite only). */
  stores: StoreKind[];
  /** The PostgreSQL database for `postgres` (a schema is made in it and dropped after). */
  pgUrl: string;
  stepSeconds: number;
  maxSeconds: number;
  out: string;
  /** p99 above this (ms) stops the climb. */
  p99LimitMs: number;
  /** Soak instead of a climb: the first rate held this many seconds, reported per 30 s window. */
  soakSeconds?: number;
}

export interface SoakWindow {
  minute: number; webhooksPerSecond: number; p50Ms: number; p99Ms: number; serverP99Ms: number | null;
  errors: number; rssMB: number; heapMB: number;
}

interface StepResult {
  target: string;
  /** Events per commit of the event log during the step (null: not measured). */
  eventsPerCommit?: number | null;
  offeredCallsPerSecond: number;
  webhooksPerSecond: number;
  webhooks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Atende's own time (Server-Timing), without the generator's delays. */
  serverP50Ms: number | null;
  serverP99Ms: number | null;
  errors: number;
  errorRate: number;
  wallboardP50Ms: number | null;
  wallboardP99Ms: number | null;
  broke: string | null;
}

interface Hit { at: number; ms: number; status: number; serverMs: number | null }

const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
const r1 = (v: number) => Math.round(v * 10) / 10;


function spawnNode(script: string, env: Record<string, string>, readyUrl: string): { child: ChildProcess; ready: Promise<void> } {
  // LOADTEST_PROFILE=DIR writes a V8 CPU profile of each child into DIR.
  const profile = process.env.LOADTEST_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOADTEST_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d).slice(-10_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const ready = (async () => {
    const until = Date.now() + 30_000;
    for (;;) {
      if (exited) throw new Error(`${script} exited: ${out.slice(-2000)}`);
      if (Date.now() > until) throw new Error(`${script} did not answer ${readyUrl} in 30 s: ${out.slice(-2000)}`);
      try { if ((await fetch(readyUrl)).status < 500) return; } catch { /* not listening yet */ }
      await sleep(100);
    }
  })();
  return { child, ready };
}

/** A center big enough that agents never run out: the load is on webhooks, not on staffing. */
function loadtestSettingsFile(dir: string): string {
  const s = loadSettings(DEFAULT_SETTINGS_PATH);
  const queues = s.queues.map((q) => q.id);
  s.agents = Array.from({ length: 400 }, (_, i) => ({ id: `lt${i}`, name: `Agente ${i}`, contact: `client:lt${i}`, skills: queues, level: 1 }));
  for (const q of s.queues) { delete q.maxWaiting; delete q.maxEstimatedWaitSeconds; }
  s.wrapUpSeconds = 1;
  const file = join(dir, 'loadtest-settings.json');
  writeFileSync(file, JSON.stringify(s));
  return file;
}

export async function runLoadtest(o: LoadtestOptions): Promise<{ atende: StepResult[]; bare: StepResult[]; report: string }> {
  const started = Date.now();
  const deadline = started + o.maxSeconds * 1000;
  const atende: StepResult[] = [];
  for (const store of o.stores) {
    const run = await runStore(o, store, deadline, started);
    if (run.soakReport) return { atende: [], bare: [], report: run.soakReport };
    atende.push(...run.steps);
  }
  // The same request rates against a bare Fastify route (form body, text/xml answer).
  const bareResults: StepResult[] = [];
  const barePort = await freePort();
  const bare = spawnNode('sim/loadtest-bare.ts', { BARE_PORT: String(barePort) }, `http://127.0.0.1:${barePort}/`);
  try {
    await bare.ready;
    const bareUrl = `http://127.0.0.1:${barePort}/twilio/voice`;
    for (const step of atende.filter((x) => x.target === atende[0].target)) {
      const rps = Math.max(1, Math.round(step.webhooksPerSecond));
      if (Date.now() + o.stepSeconds * 1000 > deadline + 30_000) break;
      log(`bare Fastify: ${rps} requests/s for ${o.stepSeconds} s…`);
      bareResults.push(await blast(bareUrl, rps, o.stepSeconds, o.p99LimitMs));
      log(line(bareResults.at(-1)!));
    }
  } finally {
    bare.child.kill('SIGTERM');
  }
  const report = writeReport(o, atende, bareResults, Date.now() - started);
  return { atende, bare: bareResults, report };
}

/** A throwaway schema of the PostgreSQL database for one run; dropped by the returned function. */
async function pgSchema(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `atende_loadtest_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`CREATE SCHEMA ${name}`);
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${name}`);
  u.searchParams.set('application_name', name);
  return {
    url: u.toString(),
    drop: async () => {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${name}' AND pid <> pg_backend_pid()`).catch(() => {});
      await admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

/** One climb (or the soak) against a server on one store. */
async function runStore(o: LoadtestOptions, store: StoreKind, deadline: number, started: number): Promise<{ steps: StepResult[]; soakReport?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'atende-loadtest-'));
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const webhookEvents: Hit[] = [];
  const emulator = await startEmulator({
    accountSid, authToken, speed: 1000, atendeUrl: url, secondsPerWord: 0.2,
    agents: () => ({ answer: true, afterSeconds: 3 }),
    onEvent: (e) => { if (e.type === 'webhook') webhookEvents.push({ at: e.at, ms: e.ms, status: e.status, serverMs: e.serverMs }); },
  });
  const target = `atende ${STORE_LABEL[store]}`;
  const schema = store.startsWith('postgres') ? await pgSchema(o.pgUrl) : null;
  log(`starting Atende on ${url} (child process, ${STORE_LABEL[store]}), emulator REST at ${emulator.apiUrl}`);
  const server = spawnNode('server/server.ts', {
    PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken,
    TWILIO_API_URL: emulator.apiUrl, ATENDE_DB: join(dir, 'atende.db'), ATENDE_CONFIG: loadtestSettingsFile(dir), LOG_LEVEL: 'warn',
    ATENDE_SUPERVISOR_TOKEN: '', ATENDE_VIEWER_TOKEN: '', ATENDE_GROUP_COMMIT: store.endsWith('-nogroup') ? 'off' : 'on',
    ...(schema ? { DATABASE_URL: schema.url, ATENDE_NODE_ADDRESS: url } : {}),
  }, `${url}/readyz`);
  const atendeResults: StepResult[] = [];
  let soak: SoakWindow[] = [];
  let ws: WebSocket | null = null;
  try {
    await server.ready;
    // A cluster node answers /readyz 503 until it holds the lease.
    for (let t = Date.now(); (await fetch(`${url}/readyz`)).status !== 200; await sleep(100)) {
      if (Date.now() - t > 15_000) throw new Error('the server did not become ready (the lease?)');
    }
    const agents = (await (await fetch(`${url}/api/agents`)).json()) as { agents: { id: string }[] };
    for (const a of agents.agents) await fetch(`${url}/api/agents/${a.id}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"available"}' });
    log(`${agents.agents.length} agents logged in`);

    // Wallboard client: the receipt time of every frame, for the webhook → screen delay.
    const frames: number[] = [];
    ws = new WebSocket(`ws://127.0.0.1:${port}/ws/wallboard`);
    ws.on('message', (data) => {
      const t = Date.now();
      if (String(data).startsWith('{"type":"snapshot"')) frames.push(t);
    });
    await new Promise((r, j) => { ws!.once('open', r); ws!.once('error', j); });

    let n = 0;
    const place = () => emulator.placeCall({
      from: `+5511${String(900000000 + n++).slice(-9)}`, digits: ['1', '1', '1'], patienceSeconds: null,
      talkSeconds: 60, hangsUp: 'agent', surveyDigits: ['9', '5'],
    }).catch(() => null);
    // Warm-up (not reported): the JIT and SQLite's caches settle before the first step.
    log('warming up: 4 s at 20 calls/s…');
    const warm: Promise<unknown>[] = [];
    for (let k = 0; k < 80; k++) { warm.push(place()); await sleep(50); }
    await Promise.race([Promise.all(warm), sleep(5000)]);
    if (o.soakSeconds) {
      soak = await soakRun(o, url, place, webhookEvents, deadline);
      ws.close();
      return { steps: [], soakReport: writeSoakReport(o, soak, Date.now() - started) };
    }
    for (const rate of o.rates) {
      if (Date.now() + o.stepSeconds * 1000 + 5000 > deadline) { log(`time budget reached before ${rate} calls/s`); break; }
      log(`${target}: ${rate} calls/s for ${o.stepSeconds} s…`);
      const commitsBefore = await commitsOf(url);
      const from = Date.now();
      const first = webhookEvents.length;
      const calls: Promise<unknown>[] = [];
      const period = 1000 / rate;
      for (let k = 0; Date.now() < from + o.stepSeconds * 1000; k++) {
        const due = from + k * period;
        if (due > Date.now()) await sleep(due - Date.now());
        calls.push(place());
      }
      const to = Date.now();
      await Promise.race([Promise.all(calls), sleep(5000)]);
      const step = webhookEvents.slice(first).filter((e) => e.at >= from && e.at <= to);
      const commitsAfter = await commitsOf(url);
      const result = summarise(target, rate, step, (to - from) / 1000, frames, o.p99LimitMs);
      const commits = commitsAfter.commits - commitsBefore.commits;
      result.eventsPerCommit = commits > 0 ? r1((commitsAfter.events - commitsBefore.events) / commits) : null;
      atendeResults.push(result);
      log(line(result));
      if (result.broke) break;
    }
    ws.close();
  } finally {
    ws?.terminate();
    await emulator.close().catch(() => {});
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    await schema?.drop().catch((err: unknown) => log(`could not drop the load test's schema: ${(err as Error).message}`));
  }
  return { steps: atendeResults };
}

/** The server's event-log commits so far (/metrics), for events per commit. */
async function commitsOf(url: string): Promise<{ commits: number; events: number }> {
  return { commits: await metric(url, 'atende_log_commits'), events: await metric(url, 'atende_log_committed_events') };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} ([\\d.e+]+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** One rate held for the soak's length; every 30 s: throughput, latency, errors, server memory. */
async function soakRun(o: LoadtestOptions, url: string, place: () => Promise<unknown>, events: Hit[], deadline: number): Promise<SoakWindow[]> {
  const rate = o.rates[0];
  const windows: SoakWindow[] = [];
  const start = Date.now();
  const end = Math.min(start + o.soakSeconds! * 1000, deadline - 10_000);
  const period = 1000 / rate;
  let k = 0;
  let windowStart = start;
  let first = events.length;
  const inFlight = new Set<Promise<unknown>>();
  log(`soak: ${rate} calls/s for ${o.soakSeconds} s`);
  while (Date.now() < end) {
    const due = start + k++ * period;
    if (due > Date.now()) await sleep(due - Date.now());
    const p = place().finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (Date.now() - windowStart >= 30_000) {
      const now = Date.now();
      const win = events.slice(first).filter((e) => e.at >= windowStart && e.at < now);
      first = events.length;
      const st = summarise('atende', rate, win, (now - windowStart) / 1000, [], Infinity);
      const w: SoakWindow = {
        minute: Math.round(((now - start) / 60_000) * 10) / 10, webhooksPerSecond: st.webhooksPerSecond, p50Ms: st.p50Ms, p99Ms: st.p99Ms,
        serverP99Ms: st.serverP99Ms, errors: st.errors,
        rssMB: Math.round((await metric(url, 'atende_process_resident_memory_bytes')) / 2 ** 20),
        heapMB: Math.round((await metric(url, 'atende_nodejs_heap_size_used_bytes')) / 2 ** 20),
      };
      windows.push(w);
      log(`  ${w.minute} min: ${w.webhooksPerSecond} webhooks/s, p50 ${w.p50Ms} ms, p99 ${w.p99Ms} ms (server ${w.serverP99Ms}), errors ${w.errors}, RSS ${w.rssMB} MB, heap ${w.heapMB} MB`);
      windowStart = now;
      // Keep the generator's own memory bounded on long runs.
      events.splice(0, first);
      first = 0;
    }
  }
  await Promise.race([Promise.all([...inFlight]), sleep(5000)]);
  return windows;
}

function writeSoakReport(o: LoadtestOptions, windows: SoakWindow[], ms: number): string {
  const md = [
    `# Soak, ${new Date().toISOString()}`,
    '',
    `Command: \`npm run loadtest -- --soak ${o.soakSeconds} --rates ${o.rates[0]}\` (${(ms / 1000).toFixed(0)} s). Same setup as the climb; one rate held.`,
    '',
    '| minute | webhooks/s | p50 ms | p99 ms | server p99 ms | errors | server RSS MB | heap MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...windows.map((w) => `| ${w.minute} | ${w.webhooksPerSecond} | ${w.p50Ms} | ${w.p99Ms} | ${w.serverP99Ms ?? '—'} | ${w.errors} | ${w.rssMB} | ${w.heapMB} |`),
    '',
  ].join('\n');
  mkdirSync(o.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(o.out, `soak-${stamp}.md`), md);
  writeFileSync(join(o.out, `soak-${stamp}.json`), JSON.stringify({ options: o, windows, ms }, null, 2));
  log(`report: ${join(o.out, `soak-${stamp}.md`)} (+ .json)`);
  return md;
}

function summarise(target: string, rate: number, events: Hit[], seconds: number, frames: number[], p99Limit: number): StepResult {
  const ms = events.map((e) => e.ms).sort((a, b) => a - b);
  const server = events.filter((e) => e.serverMs !== null).map((e) => e.serverMs!).sort((a, b) => a - b);
  const errors = events.filter((e) => e.status < 200 || e.status >= 300).length;
  // The first wallboard frame received after the webhook was answered.
  const delays: number[] = [];
  let f = 0;
  const sorted = [...events].sort((a, b) => a.at - b.at);
  for (const e of sorted) {
    while (f < frames.length && frames[f] < e.at) f++;
    if (f < frames.length) delays.push(frames[f] - e.at);
  }
  delays.sort((a, b) => a - b);
  const result: StepResult = {
    target, offeredCallsPerSecond: rate, webhooksPerSecond: r1(events.length / seconds), webhooks: events.length,
    p50Ms: r1(quantile(ms, 0.5)), p99Ms: r1(quantile(ms, 0.99)), maxMs: r1(ms.at(-1) ?? NaN),
    serverP50Ms: server.length ? r1(quantile(server, 0.5)) : null, serverP99Ms: server.length ? r1(quantile(server, 0.99)) : null,
    errors, errorRate: events.length ? errors / events.length : 0,
    wallboardP50Ms: delays.length ? Math.round(quantile(delays, 0.5)) : null,
    wallboardP99Ms: delays.length ? Math.round(quantile(delays, 0.99)) : null,
    broke: null,
  };
  if (result.errorRate > 0.01) result.broke = `errors ${(result.errorRate * 100).toFixed(1)} %`;
  else if (result.p99Ms > p99Limit) result.broke = `p99 ${result.p99Ms} ms > ${p99Limit} ms`;
  return result;
}

/** Open-loop POSTs at a fixed rate with the same HTTP client the emulator uses. */
async function blast(url: string, rps: number, seconds: number, p99Limit: number): Promise<StepResult> {
  const events: Hit[] = [];
  const body = 'CallSid=CA0123456789abcdef0123456789abcdef&From=%2B5511988887777&To=%2B551130001000&CallStatus=ringing&Digits=1';
  const from = Date.now();
  const pending: Promise<void>[] = [];
  const period = 1000 / rps;
  for (let k = 0; Date.now() < from + seconds * 1000; k++) {
    const due = from + k * period;
    if (due > Date.now()) await sleep(due - Date.now());
    const t0 = performance.now();
    pending.push(httpRequest(url, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, body, 15_000)
      .then((res) => { events.push({ at: Date.now(), ms: performance.now() - t0, status: res.status, serverMs: res.serverMs }); })
      .catch(() => { events.push({ at: Date.now(), ms: performance.now() - t0, status: 0, serverMs: null }); }));
  }
  const to = Date.now();
  await Promise.race([Promise.all(pending), sleep(5000)]);
  return summarise('bare', rps, events.filter((e) => e.at <= to + 1000), (to - from) / 1000, [], p99Limit);
}

function line(r: StepResult): string {
  return `  ${r.target}: ${r.webhooksPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms` +
    (r.serverP50Ms !== null ? ` (server ${r.serverP50Ms} / ${r.serverP99Ms} ms)` : '') + `, errors ${r.errors}` +
    (r.wallboardP50Ms !== null ? `, webhook → wallboard p50 ${r.wallboardP50Ms} ms / p99 ${r.wallboardP99Ms} ms` : '') + (r.broke ? `  ← limit: ${r.broke}` : '');
}

function writeReport(o: LoadtestOptions, atende: StepResult[], bare: StepResult[], ms: number): string {
  const ok = (rs: StepResult[], p99: number) => rs.filter((r) => !r.broke && r.p99Ms <= p99 && r.errorRate === 0).reduce((m, r) => Math.max(m, r.webhooksPerSecond), 0);
  const sustained20 = ok(atende.filter((r) => r.target === atende[0]?.target), 20);
  const perStore = o.stores.map((k) => `${STORE_LABEL[k]} ${ok(atende.filter((r) => r.target === `atende ${STORE_LABEL[k]}`), 20)}`).join(', ');
  const bare20 = ok(bare, 20);
  const goal = sustained20 >= 2000;
  const md = [
    `# Load test, ${new Date().toISOString()}`,
    '',
    `Machine: ${process.platform} ${process.arch}, Node ${process.version}; server and load generator (emulator, node:http keep-alive) share the machine's cores.`,
    `Command: \`npm run loadtest -- --rates ${o.rates.join(',')} --step-seconds ${o.stepSeconds} --stores ${o.stores.join(',')}\` (${(ms / 1000).toFixed(0)} s).`,
    '',
    'Latency as the generator saw it (includes its own event-loop delays on the shared cores), and as Atende measured it (Server-Timing).',
    '',
    '| target | offered calls/s | webhooks/s | p50 ms | p99 ms | max ms | server p50 / p99 ms | errors | events per commit | webhook → wallboard p50 / p99 ms | limit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...[...atende, ...bare].map((r) => `| ${r.target} | ${r.target === 'bare' ? '—' : r.offeredCallsPerSecond} | ${r.webhooksPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.serverP50Ms ?? '—'} / ${r.serverP99Ms ?? '—'} | ${r.errors} | ${r.eventsPerCommit ?? '—'} | ${r.wallboardP50Ms ?? '—'} / ${r.wallboardP99Ms ?? '—'} | ${r.broke ?? ''} |`),
    '',
    ...(o.stores.length > 1 ? [`Sustained with p99 ≤ 20 ms and no errors, per store: ${perStore} webhooks/s.`, ''] : []),
    `**Sustained with p99 ≤ 20 ms and no errors: Atende ${sustained20} webhooks/s; bare Fastify route ${bare20 || 'n/a'} requests/s` +
      (bare20 ? ` (ratio ${(sustained20 / bare20).toFixed(2)})` : '') + `.** Goal 2,000/s at p99 < 20 ms: ${goal ? 'met' : 'not met'}.`,
    '',
  ].join('\n');
  mkdirSync(o.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(o.out, `loadtest-${stamp}.md`), md);
  writeFileSync(join(o.out, `loadtest-${stamp}.json`), JSON.stringify({ options: o, atende, bare, sustained20, bare20, goalMet: goal, ms }, null, 2));
  log(`report: ${join(o.out, `loadtest-${stamp}.md`)} (+ .json)`);
  return md;
}

export function parseArgs(argv: string[]): LoadtestOptions {
  const o: LoadtestOptions = {
    rates: [10, 20, 40, 80, 120, 160, 200, 240], stepSeconds: 6, maxSeconds: 150, out: resolve(ROOT, 'reports'), p99LimitMs: 100,
    stores: ['sqlite'], pgUrl: 'postgres://postgres@127.0.0.1:5432/test',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split('=', 2) : [argv[i], undefined];
    const val = () => inline ?? argv[++i];
    switch (flag) {
      case '--rates': o.rates = val().split(',').map(Number); break;
      case '--step-seconds': o.stepSeconds = Number(val()); break;
      case '--max-seconds': o.maxSeconds = Number(val()); break;
      case '--out': o.out = resolve(val()); break;
      case '--p99-limit': o.p99LimitMs = Number(val()); break;
      case '--soak': o.soakSeconds = Number(val()); break;
      case '--stores': o.stores = val().split(',') as StoreKind[]; break;
      case '--pg': o.pgUrl = val(); break;
      default: throw new Error(`unknown argument ${argv[i]}\nusage: npm run loadtest -- [--rates 10,20,40] [--step-seconds 6] [--max-seconds 150] [--p99-limit 100] [--stores sqlite,sqlite-nogroup,postgres] [--pg URL] [--out reports] | --soak SECONDS --rates N`);
    }
  }
  if (!o.rates.length || o.rates.some((r) => !(r > 0 && r <= 2000))) throw new Error('--rates: positive calls per second, at most 2000');
  if (!(o.stepSeconds >= 1 && o.stepSeconds <= 60)) throw new Error('--step-seconds: 1..60');
  if (!o.stores.length || o.stores.some((k) => !STORE_KINDS.includes(k))) throw new Error(`--stores: a list of ${STORE_KINDS.join(', ')}`);
  if (o.soakSeconds !== undefined) {
    if (!(o.soakSeconds >= 30 && o.soakSeconds <= 1800)) throw new Error('--soak: 30..1800 seconds');
    o.maxSeconds = Math.max(o.maxSeconds, o.soakSeconds + 60);
  }
  if (!(o.maxSeconds >= 10 && o.maxSeconds <= 1900)) throw new Error('--max-seconds: 10..1900');
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts: LoadtestOptions;
  try { opts = parseArgs(process.argv.slice(2)); } catch (err) { log((err as Error).message); process.exit(2); }
  runLoadtest(opts).then((r) => { process.stdout.write(`${r.report}\n`); process.exit(0); }, (err: unknown) => {
    log(`load test failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
