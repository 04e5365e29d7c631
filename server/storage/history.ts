// What the history worker (server/history) keeps in the database beside the log:
// snapshots of the routing core and the closed intervals' counters. Plain SQL here;
// what goes into the rows is the history module's business.
import type { Database } from './db.ts';

export interface SnapshotRow {
  id: number;
  /** Last event the snapshot covers. */
  seq: number;
  coreAt: number;
  takenAt: number;
  version: number;
  encoding: string;
  core: Buffer;
  extra: string;
}

/** Bytes per part of a snapshot body: each part is one short write transaction (~64 pages). */
export const SNAPSHOT_PART_BYTES = 256 * 1024;
const PENDING = 'pending';

/**
 * Snapshots, newest first; a body is read only for the one being tried. A body is
 * written in parts, one short transaction each, and the row turns from 'pending' to
 * its encoding in a last small transaction: the write lock is never held for long,
 * and a start never sees a snapshot half written.
 */
export class SnapshotStore {
  private readonly insertStmt;
  private readonly partStmt;
  private readonly completeStmt;
  private readonly idsStmt;
  private readonly getStmt;
  private readonly partsStmt;
  private readonly staleStmt;
  private readonly deletePartsStmt;
  private readonly deleteRowStmt;
  private readonly orphansStmt;
  private readonly latestSeqStmt;

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO snapshots (seq, core_at, taken_at, version, encoding, core, extra)
      VALUES (@seq, @coreAt, @takenAt, @version, @encoding, @core, @extra)`);
    this.partStmt = db.prepare('INSERT INTO snapshot_parts (snapshot_id, part, data) VALUES (?, ?, ?)');
    this.completeStmt = db.prepare('UPDATE snapshots SET encoding = ? WHERE id = ?');
    this.idsStmt = db.prepare(`SELECT id, seq FROM snapshots WHERE encoding <> '${PENDING}' ORDER BY seq DESC, id DESC`);
    this.getStmt = db.prepare(`SELECT id, seq, core_at AS coreAt, taken_at AS takenAt, version, encoding, core, extra
      FROM snapshots WHERE id = ?`);
    this.partsStmt = db.prepare('SELECT data FROM snapshot_parts WHERE snapshot_id = ? ORDER BY part').pluck();
    // Beyond the newest `keep` complete ones, and pending rows a crash left behind (the only writer is done with them).
    this.staleStmt = db.prepare(`SELECT id FROM snapshots WHERE id NOT IN (
        SELECT id FROM snapshots WHERE encoding <> '${PENDING}' ORDER BY seq DESC, id DESC LIMIT ?)`).pluck();
    this.deletePartsStmt = db.prepare('DELETE FROM snapshot_parts WHERE id IN (SELECT id FROM snapshot_parts WHERE snapshot_id = ? LIMIT 4)');
    this.deleteRowStmt = db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.orphansStmt = db.prepare('SELECT DISTINCT snapshot_id FROM snapshot_parts WHERE snapshot_id NOT IN (SELECT id FROM snapshots)').pluck();
    this.latestSeqStmt = db.prepare(`SELECT MAX(seq) FROM snapshots WHERE encoding <> '${PENDING}'`).pluck();
  }

  /**
   * Adds a snapshot and keeps only the newest `keep`; returns its id. Each part is its own
   * transaction, and `beforeVisible` runs inside the last one, the transaction that makes
   * the snapshot visible with its seq. Called inside a transaction of the caller's, it all
   * lands in that one: still whole or not at all, but the write lock is held throughout.
   */
  write(row: Omit<SnapshotRow, 'id'>, keep: number, beforeVisible?: () => void): number {
    const id = Number(this.insertStmt.run({ ...row, encoding: PENDING, core: Buffer.alloc(0) }).lastInsertRowid);
    for (let part = 0, at = 0; at < row.core.length; part++, at += SNAPSHOT_PART_BYTES) {
      this.partStmt.run(id, part, row.core.subarray(at, at + SNAPSHOT_PART_BYTES));
    }
    this.db.transaction(() => {
      beforeVisible?.();
      this.completeStmt.run(`${row.encoding}/parts`, id);
    })();
    this.prune(keep);
    return id;
  }

  /** Ids and seqs of the stored snapshots, newest first. */
  list(): { id: number; seq: number }[] {
    return this.idsStmt.all() as { id: number; seq: number }[];
  }

  /** A snapshot with its whole body (parts put back together), or null. */
  get(id: number): SnapshotRow | null {
    const row = this.getStmt.get(id) as SnapshotRow | undefined;
    if (!row || row.encoding === PENDING) return null;
    if (!row.encoding.endsWith('/parts')) return row;
    return { ...row, encoding: row.encoding.slice(0, -'/parts'.length), core: Buffer.concat(this.partsStmt.all(id) as Buffer[]) };
  }

  /** Seq covered by the newest snapshot (0 when there is none). */
  latestSeq(): number {
    return (this.latestSeqStmt.get() as number | null) ?? 0;
  }

  /** Deletes old snapshots a few parts at a time (a megabyte per transaction at most). */
  private prune(keep: number): void {
    const ids = [...(this.staleStmt.all(Math.max(1, keep)) as number[]), ...(this.orphansStmt.all() as number[])];
    for (const id of ids) {
      while (this.deletePartsStmt.run(id).changes > 0);
      this.deleteRowStmt.run(id);
    }
  }
}

export type IntervalScope = 'center' | 'queue' | 'tier' | 'agent';

export interface IntervalRecord {
  scope: IntervalScope;
  /** '' for the center, the queue id, the tier number, the agent id. */
  id: string;
  start: number;
  end: number;
  /** Counters as JSON text. */
  data: string;
}

/** Closed intervals' counters per scope, written once per interval (again on a re-run: same values). */
export class IntervalStore {
  private readonly upsertStmt;
  private readonly rangeStmt;

  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(`INSERT INTO interval_figures (scope, scope_id, start_at, end_at, data)
      VALUES (@scope, @id, @start, @end, @data)
      ON CONFLICT (scope, scope_id, start_at) DO UPDATE SET end_at = excluded.end_at, data = excluded.data`);
    this.rangeStmt = db.prepare(`SELECT start_at AS start, end_at AS end, data FROM interval_figures
      WHERE scope = ? AND scope_id = ? AND start_at < ? AND end_at > ? ORDER BY start_at`);
  }

  /** Writes the rows in one transaction. */
  write(rows: IntervalRecord[]): void {
    if (!rows.length) return;
    this.db.transaction(() => { for (const r of rows) this.upsertStmt.run(r); })();
  }

  /** The scope's stored intervals overlapping [from, to), oldest first. */
  range(scope: IntervalScope, id: string, from: number, to: number): { start: number; end: number; data: string }[] {
    return this.rangeStmt.all(scope, id, to, from) as { start: number; end: number; data: string }[];
  }
}
