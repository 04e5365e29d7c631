// Keeps the database from growing without bound, once a day, in the history worker.
//
// Events: those older than `eventDays` AND covered by the newest snapshot (a start never
// needs them again; a fallback to an older snapshot or a full replay reads the archives)
// are written to the day's archive file (server/storage/archive.ts), the file is synced
// and renamed into place, an `archives` row records it, and only then are they deleted
// from the hot log, a few thousand per transaction so a webhook never waits long for the
// write lock. The archived part is always a prefix of the log (seq order), so the
// archives followed by the table are the whole log in order; a day is the center's local
// day of the latest event time seen so far, so days never go back along the log.
//
// Call records, offers, agent states and interval figures older than `callDays` are
// deleted the same way, except what a live call or a current agent state still uses
// (a call not ended, an offer still ringing, each agent's latest state); so are the
// protocol numbers handed out to calls whose records are gone, except each period's
// latest (a period's next number is its highest plus one: server/storage/protocols.ts).
// Freed pages go back to the file system with `incremental_vacuum` (new databases are
// auto_vacuum = INCREMENTAL; server/storage/db.ts).
import { Zone } from '../reports/zone.ts';
import { archiveLine, openDayArchive, type DayArchive } from '../storage/archive.ts';
import type { Database } from '../storage/db.ts';
import { SnapshotStore } from '../storage/history.ts';

const DAY = 86_400_000;

export interface RetentionOptions {
  db: Database;
  /** null (in-memory database): events are never archived. */
  archiveDir: string | null;
  eventDays: number;
  callDays: number;
  /** The log's present (epoch ms): the history core's clock. */
  now: number;
  /** Archive days are local days of this zone. */
  timezone: string;
  /** Rows per delete transaction. */
  batch?: number;
  /** Wall clock for archived_at. */
  wallNow?: () => number;
}

export interface RetentionResult {
  archivedEvents: number;
  /** Archive files written to (names). */
  files: string[];
  deletedEvents: number;
  deletedCalls: number;
  /** Protocol numbers of calls whose records are gone (the records keep theirs, searchable). */
  deletedProtocols: number;
  deletedOffers: number;
  deletedAgentStates: number;
  deletedIntervals: number;
  freedPages: number;
}

interface EventRow { seq: number; at: number; source: string | null; recorded_at: number; body: string }

export function runRetention(o: RetentionOptions): RetentionResult {
  const batch = Math.max(1, o.batch ?? 2000);
  const out: RetentionResult = {
    archivedEvents: 0, files: [], deletedEvents: 0, deletedCalls: 0, deletedProtocols: 0, deletedOffers: 0, deletedAgentStates: 0, deletedIntervals: 0, freedPages: 0,
  };
  if (o.archiveDir) archiveEvents(o, batch, out);
  // Events archived by an earlier run that stopped before deleting them go now.
  const archivedUpTo = (o.db.prepare('SELECT MAX(last_seq) FROM archives').pluck().get() as number | null) ?? 0;
  out.deletedEvents = deleteInBatches(o.db, 'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? ORDER BY seq LIMIT ?)', [archivedUpTo], batch);
  deleteOldRecords(o, batch, out);
  out.freedPages = vacuum(o.db);
  return out;
}

/** Writes the oldest events (older than eventDays, covered by the newest snapshot) to day files. */
function archiveEvents(o: RetentionOptions, batch: number, out: RetentionResult): void {
  const coveredUpTo = new SnapshotStore(o.db).latestSeq();
  const cutoff = o.now - o.eventDays * DAY;
  const last = o.db.prepare('SELECT last_seq AS seq, max_at AS at, file FROM archives ORDER BY last_seq DESC LIMIT 1').get() as
    { seq: number; at: number; file: string } | undefined;
  const zone = new Zone(o.timezone);
  let after = last?.seq ?? 0;
  let latestAt = last?.at ?? -Infinity;
  let lastDay = last ? /events-(\d{4}-\d{2}-\d{2})/.exec(last.file)?.[1] ?? '' : '';
  const read = o.db.prepare('SELECT seq, at, source, recorded_at, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
  const record = o.db.prepare(`INSERT INTO archives (file, first_seq, last_seq, events, min_at, max_at, archived_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);

  let day: { name: string; file: DayArchive; first: number; last: number; count: number; minAt: number; maxAt: number } | null = null;
  const commitDay = () => {
    if (!day) return;
    const { file } = day.file.commit();
    // The file is in place before the row says so; the rows are deleted only after both.
    record.run(file, day.first, day.last, day.count, day.minAt, day.maxAt, (o.wallNow ?? Date.now)());
    out.files.push(file);
    out.archivedEvents += day.count;
    day = null;
  };
  try {
    for (;;) {
      const rows = read.all(after, coveredUpTo, batch) as EventRow[];
      const old: EventRow[] = [];
      for (const r of rows) {
        if (r.at >= cutoff) break; // the archived part stays a prefix of the log
        old.push(r);
      }
      let pending: string[] = [];
      for (const r of old) {
        latestAt = Math.max(latestAt, r.at);
        const name = maxDay(lastDay, zone.iso(latestAt).slice(0, 10));
        if (!day || day.name !== name) {
          if (day) day.file.add(pending);
          pending = [];
          commitDay();
          day = { name, file: openDayArchive(o.archiveDir!, name), first: r.seq, last: r.seq, count: 0, minAt: r.at, maxAt: r.at };
          lastDay = name;
        }
        pending.push(archiveLine(r));
        day.last = r.seq;
        day.count++;
        day.minAt = Math.min(day.minAt, r.at);
        day.maxAt = Math.max(day.maxAt, latestAt);
      }
      if (day) day.file.add(pending);
      if (old.length) after = old[old.length - 1].seq;
      if (old.length < rows.length || rows.length < batch) break;
    }
    commitDay();
  } catch (err) {
    day?.file.abort();
    throw err;
  }
}

const maxDay = (a: string, b: string) => (a > b ? a : b);

/** Call records and their projections, and interval figures, older than callDays. */
function deleteOldRecords(o: RetentionOptions, batch: number, out: RetentionResult): void {
  const cutoff = o.now - o.callDays * DAY;
  const { db } = o;
  out.deletedCalls = deleteInBatches(db,
    "DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls WHERE arrived_at < ? AND status = 'ended' LIMIT ?)", [cutoff], batch);
  out.deletedProtocols = deleteInBatches(db, `DELETE FROM protocols WHERE protocol IN (
      SELECT p.protocol FROM protocols p WHERE p.at < ?
        AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.call_id = p.call_id)
        AND p.seq < (SELECT MAX(q.seq) FROM protocols q WHERE q.period = p.period) LIMIT ?)`, [cutoff], batch);
  out.deletedOffers = deleteInBatches(db,
    'DELETE FROM call_offers WHERE id IN (SELECT id FROM call_offers WHERE offered_at < ? AND result IS NOT NULL LIMIT ?)', [cutoff], batch);
  // Each agent's latest state stays: it says what the agent is doing now.
  out.deletedAgentStates = deleteInBatches(db, `DELETE FROM agent_states WHERE id IN (
      SELECT id FROM agent_states WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM agent_states GROUP BY agent_id) LIMIT ?)`, [cutoff], batch);
  out.deletedIntervals = deleteInBatches(db, `DELETE FROM interval_figures WHERE (scope, scope_id, start_at) IN (
      SELECT scope, scope_id, start_at FROM interval_figures WHERE start_at < ? AND end_at <= ? LIMIT ?)`, [cutoff, cutoff], batch);
}

/** Runs a `… LIMIT ?` delete until it deletes nothing; each run is its own short transaction. */
function deleteInBatches(db: Database, sql: string, params: unknown[], batch: number): number {
  const stmt = db.prepare(sql);
  let total = 0;
  for (;;) {
    const n = stmt.run(...params, batch).changes;
    total += n;
    if (n < batch) return total;
  }
}

/** Gives free pages back to the file system, a thousand at a time. */
function vacuum(db: Database): number {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2) return 0;
  let freed = 0;
  for (;;) {
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (free === 0) return freed;
    db.pragma(`incremental_vacuum(${Math.min(free, 1000)})`);
    const after = db.pragma('freelist_count', { simple: true }) as number;
    if (after >= free) return freed;
    freed += free - after;
  }
}
