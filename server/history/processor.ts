// The history worker's work, on a store of its own (server/storage/store.ts): tail the
// committed log by seq, feed each event to the tracker (its own routing core), store
// each interval as it closes, and write a snapshot every N events or M minutes. Runs in
// a worker thread on a database file or on PostgreSQL (server/history/worker.ts); on
// an in-memory database (tests) it runs on the main thread, on demand, without
// snapshots. Its methods must not overlap: callers run one at a time (worker.ts queues them).
import type { RoutingCore } from '../../routing/core.ts';
import type { Settings } from '../config/types.ts';
import type { IntervalRecord, Store } from '../storage/store.ts';
import { encodeSnapshot, type SnapshotExtra } from './codec.ts';
import type { OpenInterval } from './link.ts';
import { freshCore, loadSnapshot, settingsHash } from './restore.ts';
import { HistoryTracker, type ClosedInterval } from './tracker.ts';

/** Where the tracker starts: the snapshot the main thread started from, or a fresh core at `startAt` (full log). */
export type HistoryOrigin = { snapshotId: number } | { startAt: number };

export interface ProcessorOptions {
  store: Store;
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
/** Events read from the store at a time. */
const PAGE = 2000;

export class HistoryProcessor {
  readonly tracker: HistoryTracker;
  /** Last event fed to the tracker. */
  lastSeq: number;
  private readonly hash: string;
  private readonly wallNow: () => number;
  private pending: IntervalRecord[] = [];
  private sinceSnapshot = 0;
  private lastSnapshotWall: number;

  private constructor(private readonly opts: ProcessorOptions, start: { core: RoutingCore; extra: SnapshotExtra | null; seq: number }) {
    this.tracker = new HistoryTracker(start.core, start.extra, (iv) => this.stage(iv));
    this.lastSeq = start.seq;
    this.hash = settingsHash(opts.settings);
    this.wallNow = opts.wallNow ?? Date.now;
    this.lastSnapshotWall = this.wallNow();
  }

  /** The processor at its origin: the snapshot loaded, or a fresh core. */
  static async open(opts: ProcessorOptions): Promise<HistoryProcessor> {
    if ('snapshotId' in opts.origin) return new HistoryProcessor(opts, await loadSnapshot(opts.store, opts.origin.snapshotId, opts.settings));
    return new HistoryProcessor(opts, { core: freshCore(opts.settings, opts.origin.startAt), extra: null, seq: 0 });
  }

  /** Feeds up to `limit` new events; returns how many there were. Snapshots are taken as they fall due. */
  async pump(limit = 5000): Promise<number> {
    let n = 0;
    while (n < limit) {
      const page = await this.opts.store.events.after(this.lastSeq, Math.min(PAGE, limit - n));
      if (!page.length) break;
      for (const { seq, event } of page) {
        this.tracker.feed(event);
        this.lastSeq = seq;
        n++;
        if (++this.sinceSnapshot >= this.opts.snapshotEveryEvents) await this.snapshot();
      }
      // A long catch-up writes as it goes rather than holding a year of rows.
      if (this.pending.length >= 2000) await this.flush();
    }
    if (this.sinceSnapshot > 0 && this.wallNow() - this.lastSnapshotWall >= this.opts.snapshotEveryMinutes * 60_000) await this.snapshot();
    await this.flush();
    return n;
  }

  /** Everything logged so far fed, every interval ending by `now` stored; the interval holding `now` so far. */
  async catchUp(now: number): Promise<OpenInterval> {
    while (await this.pump() > 0);
    const open = this.tracker.openInterval(now);
    await this.flush();
    return {
      start: open.start, end: open.end, seq: this.lastSeq,
      scopes: open.scopes.map((s) => ({ scope: s.key.scope, id: s.key.id, counters: s.counters })),
      agents: [...open.agents].map(([id, counters]) => ({ id, counters })),
    };
  }

  /** Writes a snapshot of the tracker as it stands (with the intervals closed so far, in one transaction). */
  async snapshot(): Promise<SnapshotWritten | null> {
    if (!Number.isFinite(this.opts.snapshotEveryEvents)) return null;
    const t0 = performance.now();
    const encoded = encodeSnapshot(this.tracker.core, this.lastSeq, { ...this.tracker.state(), settingsHash: this.hash }, this.wallNow());
    const { jsonBytes, ...row } = encoded;
    const intervals = this.pending;
    await this.opts.store.snapshots.write(row, { keep: this.opts.keepSnapshots ?? KEEP_SNAPSHOTS, intervals });
    // Cleared only once written: a store that failed keeps them for the next try.
    if (this.pending === intervals) this.pending = [];
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
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const rows = this.pending;
    // Cleared only once written: a busy database keeps them for the next try.
    await this.opts.store.intervals.write(rows);
    if (this.pending === rows) this.pending = [];
  }
}
