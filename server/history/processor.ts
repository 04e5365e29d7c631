// The history worker's work, on one SQLite connection: tail the committed log by seq,
// feed each event to the tracker (its own routing core), store each interval as it
// closes, and write a snapshot every N events or M minutes. Runs in a worker thread
// on a database file (server/history/worker.ts); on an in-memory database (tests) it
// runs on the main thread, on demand, without snapshots.
import type { Settings } from '../config/types.ts';
import { readLog } from '../storage/archive.ts';
import type { Database } from '../storage/db.ts';
import type { LoggedEvent } from '../storage/event-log.ts';
import { IntervalStore, SnapshotStore, type IntervalRecord } from '../storage/history.ts';
import { encodeSnapshot } from './codec.ts';
import type { OpenInterval } from './link.ts';
import { freshCore, loadSnapshot, settingsHash } from './restore.ts';
import { HistoryTracker, type ClosedInterval } from './tracker.ts';

/** Where the tracker starts: the snapshot the main thread started from, or a fresh core at `startAt` (full log). */
export type HistoryOrigin = { snapshotId: number } | { startAt: number };

export interface ProcessorOptions {
  db: Database;
  archiveDir: string | null;
  /** The settings file (not the live settings: the log carries those). */
  settings: Settings;
  origin: HistoryOrigin;
  /** A snapshot after this many events (Infinity: never)… */
  snapshotEveryEvents: number;
  /** …or this many minutes after the last one when events came since. */
  snapshotEveryMinutes: number;
  /** Snapshots kept in the database (older ones are deleted). */
  keepSnapshots?: number;
  wallNow?: () => number;
}

export interface SnapshotWritten { seq: number; ms: number; jsonBytes: number; bytes: number }

const KEEP_SNAPSHOTS = 3;

export class HistoryProcessor {
  readonly tracker: HistoryTracker;
  /** Last event fed to the tracker. */
  lastSeq: number;
  private readonly intervals: IntervalStore;
  private readonly snapshots: SnapshotStore;
  private readonly hash: string;
  private readonly wallNow: () => number;
  private pending: IntervalRecord[] = [];
  private source: Iterator<LoggedEvent> | null = null;
  private sinceSnapshot = 0;
  private lastSnapshotWall: number;

  constructor(private readonly opts: ProcessorOptions) {
    this.intervals = new IntervalStore(opts.db);
    this.snapshots = new SnapshotStore(opts.db);
    this.hash = settingsHash(opts.settings);
    this.wallNow = opts.wallNow ?? Date.now;
    this.lastSnapshotWall = this.wallNow();
    const onClosed = (iv: ClosedInterval) => this.stage(iv);
    if ('snapshotId' in opts.origin) {
      const s = loadSnapshot(opts.db, opts.origin.snapshotId, opts.settings);
      this.tracker = new HistoryTracker(s.core, s.extra, onClosed);
      this.lastSeq = s.seq;
    } else {
      this.tracker = new HistoryTracker(freshCore(opts.settings, opts.origin.startAt), null, onClosed);
      this.lastSeq = 0;
    }
  }

  /** Feeds up to `limit` new events; returns how many there were. Snapshots are taken as they fall due. */
  pump(limit = 5000): number {
    let n = 0;
    while (n < limit) {
      this.source ??= readLog(this.opts.db, this.opts.archiveDir, { afterSeq: this.lastSeq });
      const next = this.source.next();
      if (next.done) { this.source = null; break; }
      this.tracker.feed(next.value.event);
      this.lastSeq = next.value.seq;
      n++;
      if (++this.sinceSnapshot >= this.opts.snapshotEveryEvents) this.snapshot();
    }
    if (n < limit) this.source = null; // caught up: the next pump reads the table again
    if (this.sinceSnapshot > 0 && this.wallNow() - this.lastSnapshotWall >= this.opts.snapshotEveryMinutes * 60_000) this.snapshot();
    this.flush();
    return n;
  }

  /** Everything logged so far fed, every interval ending by `now` stored; the interval holding `now` so far. */
  catchUp(now: number): OpenInterval {
    while (this.pump() > 0);
    const open = this.tracker.openInterval(now);
    this.flush();
    return {
      start: open.start, end: open.end, seq: this.lastSeq,
      scopes: open.scopes.map((s) => ({ scope: s.key.scope, id: s.key.id, counters: s.counters })),
      agents: [...open.agents].map(([id, counters]) => ({ id, counters })),
    };
  }

  /** Writes a snapshot of the tracker as it stands (with the intervals closed so far, in one transaction). */
  snapshot(): SnapshotWritten | null {
    if (!Number.isFinite(this.opts.snapshotEveryEvents)) return null;
    const t0 = performance.now();
    const encoded = encodeSnapshot(this.tracker.core, this.lastSeq, { ...this.tracker.state(), settingsHash: this.hash }, this.wallNow());
    const { jsonBytes, ...row } = encoded;
    this.opts.db.transaction(() => {
      this.flush();
      this.snapshots.write(row, this.opts.keepSnapshots ?? KEEP_SNAPSHOTS);
    })();
    this.sinceSnapshot = 0;
    this.lastSnapshotWall = this.wallNow();
    this.lastWritten = { seq: this.lastSeq, ms: performance.now() - t0, jsonBytes, bytes: row.core.length };
    return this.lastWritten;
  }

  /** The last snapshot written by this processor (for logs and figures). */
  lastWritten: SnapshotWritten | null = null;

  /** Events fed since the last snapshot. */
  get unsnapshotted(): number { return this.sinceSnapshot; }

  private stage(iv: ClosedInterval): void {
    for (const s of iv.scopes) {
      this.pending.push({ scope: s.key.scope, id: s.key.id, start: iv.start, end: iv.end, data: JSON.stringify(s.counters) });
    }
    for (const [id, c] of iv.agents) this.pending.push({ scope: 'agent', id, start: iv.start, end: iv.end, data: JSON.stringify(c) });
    // A long catch-up writes as it goes rather than holding a year of rows.
    if (this.pending.length >= 2000) this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    // Cleared only once written: a busy database (SQLITE_BUSY) keeps them for the next try.
    this.intervals.write(this.pending);
    this.pending = [];
  }
}
