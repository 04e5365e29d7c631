// Storage facade: one SQLite file with the event log (truth) and the report projections.
import { CallRecords } from './cdr.ts';
import { openDatabase, type Database, type OpenOptions } from './db.ts';
import { EventLog } from './event-log.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { AuditLog } from './audit.ts';
import { archiveDirFor } from './archive.ts';
import { IntervalStore } from './history.ts';
import type { HistoryLink } from '../history/link.ts';

export { CallRecords } from './cdr.ts';
export type { CallExtra } from './cdr.ts';
export { MIGRATIONS, StorageError, openDatabase } from './db.ts';

export interface Storage {
  db: Database;
  events: EventLog;
  records: CallRecords;
  audit: AuditLog;
  /** Closed intervals' counters, written by the history worker, read by the reports. */
  intervals: IntervalStore;
  /** Folder of the event archives beside the database (null in memory). */
  archiveDir: string | null;
  /** The history worker, once the server has started it (server/start.ts); reports ask it to catch up. */
  history: HistoryLink | null;
  /** Runs fn in one transaction (nested calls become savepoints); rolls back if it throws. */
  transaction<T>(fn: () => T): T;
  /** Commits a tiny write; throws (SQLITE_BUSY, SQLITE_FULL, read-only…) when the database cannot take data. */
  checkWritable(): void;
  close(): void;
}

export interface StorageOptions extends OpenOptions {
  /** A background checkpoint failed (the WAL then grows until the next one succeeds). */
  onCheckpointError?: (message: string) => void;
  /** Wall clock for recorded_at / updated_at; defaults to Date.now. */
  now?: () => number;
}

export function openStorage(path: string, opts: StorageOptions = {}): Storage {
  const db = openDatabase(path, opts);
  let checkpointer: Checkpointer | null = null;
  if (db.name !== ':memory:' && db.name !== '') {
    // Checkpoints belong to the worker; this high mark only matters if it stops.
    db.pragma('wal_autocheckpoint = 10000');
    checkpointer = startCheckpointer(db.name, 1000, opts.onCheckpointError);
  }
  const events = new EventLog(db, { now: opts.now });
  const records = new CallRecords(db, { now: opts.now });
  const audit = new AuditLog(db);
  return {
    db,
    events,
    records,
    audit,
    intervals: new IntervalStore(db),
    archiveDir: archiveDirFor(path),
    history: null,
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    checkWritable(): void {
      db.prepare('INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at').run(Date.now());
    },
    close(): void {
      checkpointer?.stop();
      checkpointer = null;
      if (!db.open) return;
      try {
        db.pragma('optimize');
      } catch {
        // Best effort: another writer holding the lock (or a full disk) must not keep the database open.
      } finally {
        db.close();
      }
    },
  };
}
