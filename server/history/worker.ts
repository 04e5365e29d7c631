// The history worker thread (started by host.ts): its own SQLite connection, its own
// routing core. Every `pollMs` it feeds the events committed since, storing closed
// intervals and writing snapshots as they fall due; once a day it runs retention. The
// main thread asks it to catch up before a report, and to stop (after one last snapshot)
// when the server closes. Nothing here runs on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Settings } from '../config/types.ts';
import { HistoryProcessor, type HistoryOrigin } from './processor.ts';
import { runRetention } from './retention.ts';

export interface WorkerData {
  dbPath: string;
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
  | { type: 'caught-up'; id: number; open: ReturnType<HistoryProcessor['catchUp']> }
  | { type: 'snapshot'; id?: number; seq: number; ms: number; jsonBytes: number; bytes: number }
  | { type: 'retention'; result: ReturnType<typeof runRetention>; ms: number }
  | { type: 'failed'; id?: number; message: string }
  | { type: 'stopped' };

const data = workerData as WorkerData;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

const db = new BetterSqlite3(data.dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
let processor: HistoryProcessor;
try {
  processor = new HistoryProcessor({
    db, archiveDir: data.archiveDir, settings: data.settings, origin: data.origin,
    snapshotEveryEvents: data.snapshotEveryEvents, snapshotEveryMinutes: data.snapshotEveryMinutes,
  });
} catch (err) {
  send({ type: 'failed', message: `the history worker cannot start: ${(err as Error).message}` });
  db.close();
  throw err;
}
send({ type: 'ready' });

let stopping = false;
let timer: NodeJS.Timeout | null = null;
let lastSnapshotSent: unknown = null;

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
  try {
    // One batch per turn, so a catch-up or stop message is never stuck behind a long backlog.
    const n = processor.pump(5000);
    tellSnapshot();
    schedule(n > 0 ? 0 : data.pollMs);
  } catch (err) {
    send({ type: 'failed', message: `history: ${(err as Error).message}` });
    schedule(data.pollMs * 10);
  }
}

function schedule(ms: number): void {
  if (!stopping && !timer) timer = setTimeout(tick, ms);
}

function retention(): void {
  if (stopping) return;
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
const firstRetention = setTimeout(retention, data.retentionAfterMs);
const dailyRetention = setInterval(retention, data.retentionEveryMs);

port.on('message', (m: ToWorker) => {
  if (m.type === 'catch-up') {
    try {
      const open = processor.catchUp(m.now);
      tellSnapshot();
      send({ type: 'caught-up', id: m.id, open });
    } catch (err) {
      send({ type: 'failed', id: m.id, message: `history: ${(err as Error).message}` });
    }
  } else if (m.type === 'snapshot') {
    try {
      while (processor.pump() > 0);
      processor.snapshot();
      tellSnapshot(m.id);
    } catch (err) {
      send({ type: 'failed', id: m.id, message: `history: ${(err as Error).message}` });
    }
  } else if (m.type === 'stop') {
    stopping = true;
    if (timer) clearTimeout(timer);
    clearTimeout(firstRetention);
    clearInterval(dailyRetention);
    try {
      // One last snapshot, so the next start replays (almost) nothing.
      if (m.lastSnapshot) {
        while (processor.pump() > 0);
        if (processor.unsnapshotted > 0) processor.snapshot();
      }
    } catch (err) {
      send({ type: 'failed', message: `history: ${(err as Error).message}` });
    }
    db.close();
    send({ type: 'stopped' });
    port.close();
  }
});
schedule(0);
