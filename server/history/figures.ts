// The figures of docs/performance.md, "A year of operation", measured on databases written
// by `npm run sim -- --scenario FILE --virtual --days N --db FILE`:
//
//   tsx server/history/figures.ts retention --db FILE   archive and delete as the worker's daily run would, at the log's last event
//   tsx server/history/figures.ts sizes --db FILE       bytes per day, hot and archived
//   tsx server/history/figures.ts start --db FILE [--full]   a real server process (server/server.ts) from spawn to /readyz 200;
//                                                        --full: on a copy without snapshots (a full replay, archives included)
//   tsx server/history/figures.ts reports --db FILE     GET /api/reports/intervals, 1 day and 30 days, JSON and CSV
//   tsx server/history/figures.ts pause --db FILE [--rate N] [--seconds S]
//                                                        the main thread's longest event-loop pause under load (perf_hooks
//                                                        monitorEventLoopDelay), with snapshots every 1,000 events and without,
//                                                        and the snapshot write time of the loaded center
// Every command takes --config SETTINGS (default: $ATENDE_CONFIG or config/example.json).
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_SETTINGS_PATH, historyOf, loadSettings } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { createAtende } from '../start.ts';
import { archiveDirFor, listArchives, logBounds } from '../storage/archive.ts';
import { runRetention } from './retention.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function lastAtOf(dbPath: string): number {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try { return logBounds(db).lastAt ?? Date.now(); } finally { db.close(); }
}

function retention(dbPath: string, settings: Settings): void {
  const db = new BetterSqlite3(dbPath);
  db.pragma('busy_timeout = 5000');
  const t0 = performance.now();
  const now = logBounds(db).lastAt!;
  const { eventDays, callDays } = historyOf(settings);
  const r = runRetention({ db, archiveDir: archiveDirFor(dbPath), eventDays, callDays, now, timezone: settings.timezone });
  db.close();
  console.log(JSON.stringify({ ...r, files: r.files.length, ms: Math.round(performance.now() - t0) }));
}

function sizes(dbPath: string): void {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  const b = logBounds(db);
  const hot = db.prepare('SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM events').get() as { n: number; first: number; last: number };
  const pages = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  const free = (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  const tables = Object.fromEntries(['events', 'calls', 'call_offers', 'agent_states', 'interval_figures', 'snapshots', 'archives']
    .map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()]));
  db.close();
  const files = listArchives(archiveDirFor(dbPath));
  const archived = files.reduce((n, f) => n + statSync(f).size, 0);
  const days = (b.lastAt! - b.firstAt!) / DAY;
  const hotDays = (hot.last - hot.first) / DAY;
  console.log(JSON.stringify({
    events: b.events, archivedEvents: b.archived, days: Number(days.toFixed(1)), hotDays: Number(hotDays.toFixed(1)),
    dbBytes: pages, dbFreeBytes: free, db: mb(pages), archiveFiles: files.length, archive: mb(archived),
    hotBytesPerDay: mb(pages / Math.max(1, Math.ceil(hotDays))), archivedBytesPerDay: files.length ? mb(archived / files.length) : null,
    rows: tables,
  }));
}

/** A server process on the database: spawn → /readyz 200, and what it said about its start. */
async function start(dbPath: string, config: string, full: boolean): Promise<void> {
  let db = resolve(dbPath);
  if (full) {
    const dir = mkdtempSync(join(tmpdir(), 'atende-full-'));
    const copy = join(dir, basename(db));
    copyFileSync(db, copy);
    const archive = archiveDirFor(db)!;
    if (existsSync(archive)) cpSync(archive, archiveDirFor(copy)!, { recursive: true });
    const raw = new BetterSqlite3(copy);
    raw.exec('DELETE FROM snapshots');
    raw.close();
    db = copy;
  }
  const port = 3900 + Math.floor(Math.random() * 90);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', ATENDE_DB: db, ATENDE_CONFIG: resolve(config),
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'figures', PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info',
    },
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  let readyMs = NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${out.slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) { readyMs = performance.now() - t0; break; }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const line = out.split('\n').find((l) => l.includes('event log replayed'));
  const replayed = line ? (JSON.parse(line) as { replayed: unknown }).replayed : null;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log(JSON.stringify({ db: full ? 'copy without snapshots' : dbPath, readyMs: Math.round(readyMs), replayed }));
}

/** The report route in process, on the database, at its last event. */
async function reports(dbPath: string, settings: Settings): Promise<void> {
  const now = lastAtOf(dbPath) + 60_000;
  const atende = await createAtende({ settings, dbPath, now: () => now, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false });
  try {
    await atende.history.catchUp(now); // the worker's own start, once
    const out: Record<string, unknown> = {};
    for (const days of [1, 30]) {
      for (const format of ['json', 'csv']) {
        const url = `/api/reports/intervals?from=${now - days * DAY}&to=${now}&granularity=15m&format=${format}`;
        const ms: number[] = [];
        const cpu: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 9; i++) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          const res = await atende.app.inject({ method: 'GET', url });
          const c = process.cpuUsage(c0);
          ms.push(performance.now() - t0);
          cpu.push((c.user + c.system) / 1000);
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          bytes = res.body.length;
        }
        // CPU time of the process (main thread and worker): what the request costs, whatever the machine's load.
        out[`${days}d ${format}`] = {
          medianMs: Number(median(ms).toFixed(1)), minMs: Number(Math.min(...ms).toFixed(1)), medianCpuMs: Number(median(cpu).toFixed(1)), bytes,
        };
      }
    }
    const agent = settings.agents[0].id;
    const t0 = performance.now();
    await atende.app.inject({ method: 'GET', url: `/api/reports/intervals?from=${now - 30 * DAY}&to=${now}&granularity=day&scope=agent&id=${agent}` });
    out['30d agent by day'] = { ms: Number((performance.now() - t0).toFixed(1)) };
    console.log(JSON.stringify({ ...out, loadAverage: (await import('node:os')).loadavg()[0] }));
  } finally {
    await atende.close();
  }
}

/**
 * Load on the main thread (callers arriving, queued, some abandoning: every event through
 * engine.dispatch and SQLite, as webhooks would) at `rate` events a second for `seconds`,
 * with the history worker writing a snapshot every 1,000 events, then without snapshots.
 */
async function pause(dbPath: string, settings: Settings, rate: number, seconds: number): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const [label, everyEvents] of [['snapshots every 1,000 events', 1000], ['no snapshots', 1e12]] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'atende-pause-'));
    const copy = join(dir, basename(dbPath));
    copyFileSync(dbPath, copy);
    const s: Settings = { ...settings, history: { snapshotEveryEvents: everyEvents, snapshotEveryMinutes: 1e9 } };
    const atende = await createAtende({ settings: s, dbPath: copy, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false, historyTimings: { startDelayMs: 0 } });
    const e = atende.engine;
    await atende.history.catchUp(e.now()); // the worker has caught up with the day before the load
    const queues = settings.queues.map((q) => q.id);
    let n = 0;
    const call = () => {
      const callId = `CAload${label.length}x${n++}`;
      const at = e.now();
      e.dispatch({ type: 'call.arrived', id: `${callId}:arrived`, at, callId, from: `+5511${String(900000000 + (n % 5000))}` }, 'load');
      e.dispatch({ type: 'call.ivr', id: `${callId}:ivr`, at, callId, path: ['2'] }, 'load');
      e.dispatch({ type: 'call.queued', id: `${callId}:queued`, at, callId, queue: queues[n % queues.length] }, 'load');
      e.dispatch({ type: 'call.abandoned', id: `${callId}:abandoned`, at, callId }, 'load');
    };
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    let sent = 0;
    while (performance.now() - t0 < seconds * 1000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * rate / 4);
      while (sent < due) { call(); sent++; }
      await new Promise((r) => setTimeout(r, 5));
    }
    h.disable();
    const snap = await atende.history.snapshotNow();
    results[label] = {
      events: sent * 4, maxPauseMs: Number((h.max / 1e6).toFixed(1)), p99PauseMs: Number((h.percentile(99) / 1e6).toFixed(1)),
      meanPauseMs: Number((h.mean / 1e6).toFixed(2)),
      snapshot: snap && { ms: Math.round(snap.ms), json: mb(snap.jsonBytes), gzip: mb(snap.bytes) },
    };
    await atende.close();
  }
  console.log(JSON.stringify(results));
}

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const db = arg(argv, '--db');
  if (!command || !db) {
    console.error('usage: tsx server/history/figures.ts retention|sizes|start|reports|pause --db FILE [--config SETTINGS] [--full] [--rate N] [--seconds S]');
    return 2;
  }
  const config = arg(argv, '--config') ?? process.env.ATENDE_CONFIG ?? DEFAULT_SETTINGS_PATH;
  const settings = loadSettings(config);
  switch (command) {
    case 'retention': retention(db, settings); return 0;
    case 'sizes': sizes(db); return 0;
    case 'start': await start(db, config, argv.includes('--full')); return 0;
    case 'reports': await reports(db, settings); return 0;
    case 'pause': await pause(db, settings, Number(arg(argv, '--rate') ?? 400), Number(arg(argv, '--seconds') ?? 20)); return 0;
    default: console.error(`unknown command ${command}`); return 2;
  }
}

if (process.argv[1] && import.meta.url === `file://${resolve(process.argv[1])}`) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    console.error((err as Error).stack ?? err);
    process.exitCode = 1;
  });
}
