// The history worker thread (started by host.ts): its own connection to the store (the
// SQLite file, or PostgreSQL), its own routing core. Every `pollMs` it feeds the events
// committed since, storing closed intervals and writing snapshots as they fall due; once
// a day it runs retention (SQLite). The main thread asks it to catch up before a report,
// and to stop (after one last snapshot) when the server closes. Nothing here runs on the
// main thread. The processor's work is asynchronous (a store's reads are), so every piece
// of it goes through one queue: a catch-up never interleaves with a poll.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Settings } from '../config/types.ts';
import type { OpenInterval } from './link.ts';
import { openPostgresStore } from '../storage/postgres/store.ts';
import { storeOfDatabase } from '../storage/sqlite-store.ts';
import type { Store } from '../storage/store.ts';
import { HistoryProcessor, type HistoryOrigin } from './processor.ts';
import { runRetention } from './retention.ts';

export interface WorkerData {
  /** The SQLite file, or null on PostgreSQL. */
  dbPath: string | null;
  /** PostgreSQL (DATABASE_URL), or null on SQLite. */
  databaseUrl: string | null;
  archiveDir: string | null;
  settings: Settings;
  origin: HistoryOrigin;
  snapshotEveryEvents: number;
  snapshotEveryMinutes: number;
  eventDays: number;
  callDays: number;
  pollMs: number;
  /** First retention run this long after the start, then every retentionEveryMs. */
  retentionAfterMs: number;
  retentionEveryMs: number;
}

export type ToWorker = { type: 'catch-up'; id: number; now: number } | { type: 'snapshot'; id: number } | { type: 'stop'; lastSnapshot: boolean };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'caught-up'; id: number; open: OpenInterval }
  | { type: 'snapshot'; id?: number; seq: number; ms: number; jsonBytes: number; bytes: number }
  | { type: 'retention'; result: ReturnType<typeof runRetention>; ms: number }
  | { type: 'failed'; id?: number; message: string }
  | { type: 'stopped' };

const data = workerData as WorkerData;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

let db: BetterSqlite3.Database | null = null;
let store: Store;
let processor: HistoryProcessor;
try {
  if (data.databaseUrl) {
    store = await openPostgresStore(data.databaseUrl, { poolSize: 2, applicationName: 'atende-history' });
  } else {
    db = new BetterSqlite3(data.dbPath!, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    store = storeOfDatabase(db, data.archiveDir);
  }
  processor = await HistoryProcessor.open({
    store, settings: data.settings, origin: data.origin,
    snapshotEveryEvents: data.snapshotEveryEvents, snapshotEveryMinutes: data.snapshotEveryMinutes,
  });
} catch (err) {
  send({ type: 'failed', message: `the history worker cannot start: ${(err as Error).message}` });
  db?.close();
  throw err;
}
send({ type: 'ready' });

let stopping = false;
let timer: NodeJS.Timeout | null = null;
let lastSnapshotSent: unknown = null;
/** The processor's work, one piece at a time. */
let queue: Promise<unknown> = Promise.resolve();
const serially = <T>(fn: () => Promise<T>): Promise<T> => {
  const next = queue.then(fn, fn);
  queue = next.catch(() => {});
  return next;
};

/** Reports a snapshot taken while feeding, once. */
function tellSnapshot(id?: number): void {
  const w = processor.lastWritten;
  if (w && (w !== lastSnapshotSent || id !== undefined)) {
    lastSnapshotSent = w;
    send({ type: 'snapshot', id, ...w });
  }
}

function tick(): void {
  timer = null;
  if (stopping) return;
  void serially(async () => {
    if (stopping) return;
    try {
      // One batch per turn, so a catch-up or stop message is never stuck behind a long backlog.
      const n = await processor.pump(5000);
      tellSnapshot();
      schedule(n > 0 ? 0 : data.pollMs);
    } catch (err) {
      send({ type: 'failed', message: `history: ${(err as Error).message}` });
      schedule(data.pollMs * 10);
    }
  });
}

function schedule(ms: number): void {
  if (!stopping && !timer) timer = setTimeout(tick, ms);
}

function retention(): void {
  if (stopping || !db) return;
  const t0 = performance.now();
  try {
    const result = runRetention({
      db, archiveDir: data.archiveDir, eventDays: data.eventDays, callDays: data.callDays,
      now: processor.tracker.core.now, timezone: data.settings.timezone,
    });
    send({ type: 'retention', result, ms: Math.round(performance.now() - t0) });
  } catch (err) {
    send({ type: 'failed', message: `retention: ${(err as Error).message}` });
  }
}
// Retention archives SQLite's hot log to files; on PostgreSQL the log stays whole (docs/deploy.md).
const firstRetention = db ? setTimeout(() => { void serially(async () => retention()); }, data.retentionAfterMs) : null;
const dailyRetention = db ? setInterval(() => { void serially(async () => retention()); }, data.retentionEveryMs) : null;

port.on('message', (m: ToWorker) => {
  if (m.type === 'catch-up') {
    void serially(async () => {
      try {
        const open = await processor.catchUp(m.now);
        tellSnapshot();
        send({ type: 'caught-up', id: m.id, open });
      } catch (err) {
        send({ type: 'failed', id: m.id, message: `history: ${(err as Error).message}` });
      }
    });
  } else if (m.type === 'snapshot') {
    void serially(async () => {
      try {
        while (await processor.pump() > 0);
        await processor.snapshot();
        tellSnapshot(m.id);
      } catch (err) {
        send({ type: 'failed', id: m.id, message: `history: ${(err as Error).message}` });
      }
    });
  } else if (m.type === 'stop') {
    stopping = true;
    if (timer) clearTimeout(timer);
    if (firstRetention) clearTimeout(firstRetention);
    if (dailyRetention) clearInterval(dailyRetention);
    void serially(async () => {
      try {
        // One last snapshot, so the next start replays (almost) nothing.
        if (m.lastSnapshot) {
          while (await processor.pump() > 0);
          if (processor.unsnapshotted > 0) await processor.snapshot();
        }
      } catch (err) {
        send({ type: 'failed', message: `history: ${(err as Error).message}` });
      }
      await store.close().catch(() => {});
      send({ type: 'stopped' });
      port.close();
    });
  }
});
schedule(0);
