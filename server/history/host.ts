// Starts the history worker for a database file or PostgreSQL (worker.ts, in a thread
// with its own connection: the main thread only posts messages), or, for an in-memory
// database, runs the same processor on the main thread on demand (no snapshots:
// nothing could start from them).
//
// The worker is TypeScript: it is loaded through tsx's loader registered inside the
// thread (a worker does not inherit the loader of the thread that starts it, and
// Node 20 ignores `--import` in a worker's execArgv). That works under `tsx` and under
// vitest alike.
import { Worker } from 'node:worker_threads';
import type { Settings } from '../config/types.ts';
import type { Store } from '../storage/store.ts';
import type { HistoryLink, OpenInterval } from './link.ts';
import { HistoryProcessor, type HistoryOrigin, type SnapshotWritten } from './processor.ts';
import type { RetentionResult } from './retention.ts';
import type { FromWorker, ToWorker, WorkerData } from './worker.ts';

const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => { setImmediate(() => { throw err; }); });
`;

export interface HistoryOptions {
  /** Where the worker thread connects: the SQLite file, or PostgreSQL; null for an in-memory database (no thread). */
  source: { dbPath: string } | { databaseUrl: string } | null;
  /** The server's store: used only for an in-memory database. */
  store: Store;
  archiveDir: string | null;
  settings: Settings;
  origin: HistoryOrigin;
  snapshotEveryEvents: number;
  snapshotEveryMinutes: number;
  eventDays: number;
  callDays: number;
  /** How often the worker looks for new events (default 200 ms). */
  pollMs?: number;
  /**
   * The worker thread starts this long after the server (default 2 s), or at the first
   * catch-up or snapshot asked for, whichever comes first: a server that lives a moment
   * (a test) never pays for a thread, a real one loses nothing (the worker catches up).
   */
  startDelayMs?: number;
  retentionAfterMs?: number;
  retentionEveryMs?: number;
  onError?: (message: string) => void;
  onSnapshot?: (s: SnapshotWritten) => void;
  onRetention?: (r: RetentionResult, ms: number) => void;
}

export interface History extends HistoryLink {
  /** A snapshot now (after feeding everything logged); tests and tools. */
  snapshotNow(): Promise<SnapshotWritten | null>;
  /**
   * Stops the worker, after one last snapshot unless `lastSnapshot` is false (a test's
   * crash); after `timeoutMs` (default 5 s) it is terminated.
   */
  stop(opts?: { timeoutMs?: number; lastSnapshot?: boolean }): Promise<void>;
}

export function startHistory(o: HistoryOptions): History {
  const source = o.source;
  return source === null ? inlineHistory(o) : lazily(() => workerHistory(o, source), o.startDelayMs ?? 2000);
}

/** The worker is started on first use or after `delayMs`; stopping one never started is free. */
function lazily(start: () => History, delayMs: number): History {
  let worker: History | null = null;
  let stopped = false;
  const get = () => {
    if (stopped) throw new Error('the history worker has been stopped');
    return (worker ??= start());
  };
  const timer = setTimeout(() => { if (!stopped) get(); }, delayMs);
  timer.unref();
  if (delayMs <= 0) get();
  return {
    catchUp: async (now) => get().catchUp(now),
    snapshotNow: async () => get().snapshotNow(),
    async stop(opts) {
      stopped = true;
      clearTimeout(timer);
      await worker?.stop(opts);
    },
  };
}

function inlineHistory(o: HistoryOptions): History {
  let processor: Promise<HistoryProcessor> | null = null;
  // One catch-up at a time: the processor's steps must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    catchUp: (now) => {
      processor ??= HistoryProcessor.open({
        store: o.store, settings: o.settings, origin: o.origin, snapshotEveryEvents: Infinity, snapshotEveryMinutes: Infinity,
      });
      const next = queue.then(async () => (await processor!).catchUp(now));
      queue = next.catch(() => {});
      return next;
    },
    snapshotNow: async () => null,
    stop: async () => {},
  };
}

function workerHistory(o: HistoryOptions, source: { dbPath: string } | { databaseUrl: string }): History {
  const data: WorkerData & { tsx: string; entry: string } = {
    dbPath: 'dbPath' in source ? source.dbPath : null, databaseUrl: 'databaseUrl' in source ? source.databaseUrl : null, archiveDir: o.archiveDir, settings: o.settings, origin: o.origin,
    snapshotEveryEvents: o.snapshotEveryEvents, snapshotEveryMinutes: o.snapshotEveryMinutes,
    eventDays: o.eventDays, callDays: o.callDays, pollMs: o.pollMs ?? 200,
    retentionAfterMs: o.retentionAfterMs ?? 60_000, retentionEveryMs: o.retentionEveryMs ?? 86_400_000,
    // The ESM entry of tsx's API (a CommonJS require would pick its .cjs twin, which cannot register ESM hooks here).
    tsx: import.meta.resolve('tsx/esm/api'),
    entry: new URL('./worker.ts', import.meta.url).href,
  };
  const worker = new Worker(BOOT, { eval: true, workerData: data });
  worker.unref();
  let nextId = 1;
  let dead: string | null = null;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let stopped: (() => void) | null = null;
  const fail = (message: string) => {
    dead ??= message;
    for (const w of waiting.values()) w.reject(new Error(message));
    waiting.clear();
    stopped?.();
  };
  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'caught-up': waiting.get(m.id)?.resolve(m.open); waiting.delete(m.id); break;
      case 'snapshot':
        o.onSnapshot?.({ seq: m.seq, ms: m.ms, jsonBytes: m.jsonBytes, bytes: m.bytes });
        if (m.id !== undefined) { waiting.get(m.id)?.resolve({ seq: m.seq, ms: m.ms, jsonBytes: m.jsonBytes, bytes: m.bytes }); waiting.delete(m.id); }
        break;
      case 'retention': o.onRetention?.(m.result, m.ms); break;
      case 'failed':
        o.onError?.(m.message);
        if (m.id !== undefined) { waiting.get(m.id)?.reject(new Error(m.message)); waiting.delete(m.id); }
        break;
      case 'stopped': stopped?.(); break;
      default: break;
    }
  });
  worker.on('error', (err) => { o.onError?.(`history worker: ${err.message}`); fail(`the history worker stopped: ${err.message}`); });
  worker.on('exit', (code) => fail(`the history worker exited (${code})`));
  const ask = <T>(m: ToWorker & { id: number }): Promise<T> => {
    if (dead) return Promise.reject(new Error(dead));
    return new Promise<T>((resolve, reject) => {
      waiting.set(m.id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(m);
    });
  };
  let stopping: Promise<void> | null = null;
  return {
    catchUp: (now) => ask<OpenInterval>({ type: 'catch-up', id: nextId++, now }),
    snapshotNow: () => ask<SnapshotWritten>({ type: 'snapshot', id: nextId++ }),
    stop({ timeoutMs = 5000, lastSnapshot = true } = {}) {
      stopping ??= new Promise<void>((resolve) => {
        if (dead) { resolve(); return; }
        const timer = setTimeout(() => { void worker.terminate(); }, timeoutMs);
        stopped = () => { clearTimeout(timer); resolve(); };
        worker.postMessage({ type: 'stop', lastSnapshot } satisfies ToWorker);
      });
      return stopping;
    },
  };
}
