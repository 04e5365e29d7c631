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

/** Snapshots, newest first; the body is read only for the one being tried. */
export class SnapshotStore {
  private readonly insertStmt;
  private readonly idsStmt;
  private readonly getStmt;
  private readonly pruneStmt;
  private readonly latestSeqStmt;

  constructor(db: Database) {
    this.insertStmt = db.prepare(`INSERT INTO snapshots (seq, core_at, taken_at, version, encoding, core, extra)
      VALUES (@seq, @coreAt, @takenAt, @version, @encoding, @core, @extra)`);
    this.idsStmt = db.prepare('SELECT id, seq FROM snapshots ORDER BY seq DESC, id DESC');
    this.getStmt = db.prepare(`SELECT id, seq, core_at AS coreAt, taken_at AS takenAt, version, encoding, core, extra
      FROM snapshots WHERE id = ?`);
    this.pruneStmt = db.prepare('DELETE FROM snapshots WHERE id NOT IN (SELECT id FROM snapshots ORDER BY seq DESC, id DESC LIMIT ?)');
    this.latestSeqStmt = db.prepare('SELECT MAX(seq) FROM snapshots').pluck();
  }

  /** Adds a snapshot and keeps only the newest `keep`; returns its id. */
  write(row: Omit<SnapshotRow, 'id'>, keep: number): number {
    const id = Number(this.insertStmt.run(row).lastInsertRowid);
    this.pruneStmt.run(Math.max(1, keep));
    return id;
  }

  /** Ids and seqs of the stored snapshots, newest first. */
  list(): { id: number; seq: number }[] {
    return this.idsStmt.all() as { id: number; seq: number }[];
  }

  get(id: number): SnapshotRow | null {
    return (this.getStmt.get(id) as SnapshotRow | undefined) ?? null;
  }

  /** Seq covered by the newest snapshot (0 when there is none). */
  latestSeq(): number {
    return (this.latestSeqStmt.get() as number | null) ?? 0;
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
