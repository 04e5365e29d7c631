// Opens the SQLite database that holds the event log (the truth) and the report
// projections (call detail records, agent state history), and brings its schema
// up to date with the ordered migrations below.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

interface Migration {
  /** Strictly increasing, starting at 1; never renumber a migration once shipped. */
  version: number;
  name: string;
  /** SQL run with `exec` (several statements allowed) inside the migration transaction. */
  up: string;
}

/** Thrown when the database cannot be used by this build (e.g. written by a newer one). */
export class StorageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, call detail records, offers, agent states',
    up: `
      -- The truth: every accepted event, in the order it was accepted.
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT    NOT NULL UNIQUE,
        type        TEXT    NOT NULL,
        at          INTEGER NOT NULL,            -- event time, epoch ms
        call_id     TEXT,
        agent_id    TEXT,
        body        TEXT    NOT NULL,            -- the DomainEvent as JSON
        source      TEXT,                        -- 'twilio:/twilio/ivr', 'api', 'timer', ...
        recorded_at INTEGER NOT NULL             -- wall clock when appended, epoch ms
      );
      CREATE INDEX events_call_id ON events (call_id) WHERE call_id IS NOT NULL;
      CREATE INDEX events_agent_id ON events (agent_id) WHERE agent_id IS NOT NULL;
      CREATE INDEX events_at ON events (at);

      -- Projection: one row per call (CDR), rewritten as the call progresses.
      CREATE TABLE calls (
        call_id                TEXT    PRIMARY KEY,
        status                 TEXT    NOT NULL,
        from_number            TEXT    NOT NULL,
        to_number              TEXT,
        arrived_at             INTEGER NOT NULL,
        ivr_path               TEXT    NOT NULL DEFAULT '[]',   -- JSON array of digits
        language               TEXT,
        attributes             TEXT    NOT NULL DEFAULT '{}',   -- JSON object
        queue                  TEXT,
        tier                   INTEGER,
        tier_rule_id           TEXT,
        tier_label             TEXT,
        tier_reason            TEXT,
        queued_at              INTEGER,
        offered_at             INTEGER,
        answered_at            INTEGER,
        ended_at               INTEGER,
        outcome                TEXT,
        agent_id               TEXT,
        level                  INTEGER NOT NULL DEFAULT 1,
        escalations            INTEGER NOT NULL DEFAULT 0,
        missed_by              TEXT    NOT NULL DEFAULT '[]',   -- JSON array of agent ids
        notes                  TEXT    NOT NULL DEFAULT '[]',   -- JSON array of strings
        survey_nps             INTEGER,
        survey_csat            INTEGER,
        resolved_first_contact INTEGER,                         -- 0/1/NULL
        twilio_queue_sid       TEXT,
        updated_at             INTEGER NOT NULL
      );
      CREATE INDEX calls_arrived_at ON calls (arrived_at);
      CREATE INDEX calls_queue_arrived_at ON calls (queue, arrived_at);
      CREATE INDEX calls_agent_id ON calls (agent_id, arrived_at);

      -- Every offer of a call to an agent and how it ended. No foreign key to calls:
      -- projections may be written in either order and are rebuilt from the log anyway.
      CREATE TABLE call_offers (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id    TEXT    NOT NULL,
        agent_id   TEXT    NOT NULL,
        offered_at INTEGER NOT NULL,
        result     TEXT,                  -- 'answered' | 'no-answer' | 'busy' | ... ; NULL while ringing
        result_at  INTEGER
      );
      CREATE INDEX call_offers_call_agent ON call_offers (call_id, agent_id, offered_at);
      CREATE INDEX call_offers_agent ON call_offers (agent_id, offered_at);

      -- Every agent status change, for occupancy and adherence reports.
      CREATE TABLE agent_states (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        agent_id TEXT    NOT NULL,
        status   TEXT    NOT NULL,
        reason   TEXT,
        at       INTEGER NOT NULL
      );
      CREATE INDEX agent_states_agent_at ON agent_states (agent_id, at);
    `,
  },
  {
    version: 2,
    name: 'readiness probe row',
    up: `
      -- /readyz writes here: a real committed write proves the disk takes data.
      CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);
    `,
  },
  {
    version: 3,
    name: 'audit log of supervisor changes',
    up: `
      -- Who changed what, when, with the value before and after (JSON).
      CREATE TABLE audit (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     INTEGER NOT NULL,
        actor  TEXT    NOT NULL,
        action TEXT    NOT NULL,
        target TEXT,
        before TEXT,
        after  TEXT
      );
      CREATE INDEX audit_at ON audit (at);
    `,
  },
  {
    version: 4,
    name: 'snapshots of the routing core',
    up: `
      -- The whole routing core (server/history), taken by the history worker right after
      -- the event at seq: a start loads the newest one that reads and replays the events after it.
      CREATE TABLE snapshots (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        seq      INTEGER NOT NULL,               -- last event the snapshot covers
        core_at  INTEGER NOT NULL,               -- the core's clock, epoch ms
        taken_at INTEGER NOT NULL,               -- wall clock, epoch ms
        version  INTEGER NOT NULL,               -- SNAPSHOT_VERSION of the code that wrote it
        encoding TEXT    NOT NULL,               -- 'json+gzip' | 'json'
        core     BLOB    NOT NULL,
        extra    TEXT    NOT NULL                -- JSON: settings patches logged so far, the worker's own trackers
      );
      CREATE INDEX snapshots_seq ON snapshots (seq);
    `,
  },
  {
    version: 5,
    name: 'interval figures',
    up: `
      -- Closed intervals, stored as they close: the interval reports read these rows.
      -- scope: 'center' (scope_id ''), 'queue' (queue id), 'tier' ('1'…), 'agent' (agent id).
      -- data: integer counters as JSON (server/history/counters.ts), never figures.
      CREATE TABLE interval_figures (
        scope    TEXT    NOT NULL,
        scope_id TEXT    NOT NULL,
        start_at INTEGER NOT NULL,
        end_at   INTEGER NOT NULL,
        data     TEXT    NOT NULL,
        PRIMARY KEY (scope, scope_id, start_at)
      ) WITHOUT ROWID;
      CREATE INDEX interval_figures_start ON interval_figures (start_at);
    `,
  },
  {
    version: 6,
    name: 'event archives',
    up: `
      -- Events moved out of the hot log into gzip'd JSON-lines files, one per local day
      -- (server/storage/archive.ts); one row per part written.
      CREATE TABLE archives (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        file        TEXT    NOT NULL,            -- file name inside the archive folder
        first_seq   INTEGER NOT NULL,
        last_seq    INTEGER NOT NULL,
        events      INTEGER NOT NULL,
        min_at      INTEGER NOT NULL,
        max_at      INTEGER NOT NULL,
        archived_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'SAC protocol numbers',
    up: `
      -- Every call's protocol number (server/sac/protocol.ts), unique, committed before the
      -- call's first event; period = the format without its sequence (the day, by default).
      CREATE TABLE protocols (
        protocol TEXT    PRIMARY KEY,
        call_id  TEXT    NOT NULL UNIQUE,
        period   TEXT    NOT NULL,
        seq      INTEGER NOT NULL,
        at       INTEGER NOT NULL                -- the call's arrival, epoch ms
      );
      CREATE INDEX protocols_period ON protocols (period, seq);
      -- The call records carry it, searchable (GET /api/calls?protocol=…).
      ALTER TABLE calls ADD COLUMN protocol TEXT;
      CREATE INDEX calls_protocol ON calls (protocol) WHERE protocol IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'snapshot bodies in parts',
    up: `
      -- A snapshot's body in parts of 256 KiB, each written in its own short transaction: a
      -- body of megabytes written in one would hold the write lock for tens of milliseconds,
      -- and every webhook's commit waits behind it. The snapshots row (encoding '<…>/parts')
      -- says 'pending' until its last part is in; only then does a start see it.
      CREATE TABLE snapshot_parts (
        id          INTEGER PRIMARY KEY,
        snapshot_id INTEGER NOT NULL,
        part        INTEGER NOT NULL,
        data        BLOB    NOT NULL
      );
      CREATE UNIQUE INDEX snapshot_parts_order ON snapshot_parts (snapshot_id, part);
    `,
  },
  {
    version: 9,
    name: 'call recordings on the call records',
    up: `
      -- Twilio's recording of the agent leg (docs/sac.md, "Gravações"): where it is and how
      -- long, never the audio itself (Twilio keeps it until it is deleted there).
      ALTER TABLE calls ADD COLUMN recording_sid TEXT;
      ALTER TABLE calls ADD COLUMN recording_url TEXT;
      ALTER TABLE calls ADD COLUMN recording_duration_seconds INTEGER;
      ALTER TABLE calls ADD COLUMN recording_status TEXT;
    `,
  },
  {
    version: 10,
    name: 'the leg that carries a call on the call records',
    up: `
      -- The Twilio leg Atende placed that carries a call (a callback's customer, or the
      -- customer an agent's <Dial> reached): read back at start, so its requests after a
      -- restart are still the call's (server/twilio/legs.ts), as the QueueSid is.
      ALTER TABLE calls ADD COLUMN twilio_carrier_sid TEXT;
    `,
  },
];

export interface OpenOptions {
  /** Defaults to MIGRATIONS; tests may pass their own list. */
  migrations?: readonly Migration[];
  /** Milliseconds a statement waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /**
   * A database created before auto_vacuum was set gets it with one VACUUM at open, when it
   * is at most this many bytes (default 0: never). Only the server asks, before anyone else
   * has the file open; a bigger file is left as it is (docs/reliability.md says how).
   */
  vacuumIntoIncrementalUpTo?: number;
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}

/**
 * Opens (creating if needed) the database at `path` (`':memory:'` for tests),
 * sets the pragmas and applies pending migrations. Throws StorageError when the
 * database was migrated by a newer build than this one.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Database {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrationList(migrations);
  if (!isMemory(path)) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    // Space freed by retention goes back to the file system with `incremental_vacuum`.
    // It can only be chosen before the first table exists.
    if (!isMemory(path) && isEmpty(db)) db.pragma('auto_vacuum = INCREMENTAL');
    // WAL: readers never block the writer and a commit is one append to the -wal file.
    // synchronous=NORMAL: in WAL mode the WAL is fsynced only at checkpoints, not at
    // every commit. The database stays consistent in every case; a crash of this
    // process loses nothing (committed pages are already in the OS page cache), and
    // only an OS crash or power loss can lose the last few committed transactions.
    // FULL would fsync per commit (one fsync per webhook) for that last margin.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    migrate(db, migrations);
    if (!isMemory(path)) vacuumIntoIncremental(db, opts.vacuumIntoIncrementalUpTo ?? 0);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function isEmpty(db: Database): boolean {
  return (db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get() as number) === 0;
}

/** auto_vacuum = INCREMENTAL on a database made without it: one VACUUM, when the file is small enough. */
function vacuumIntoIncremental(db: Database, maxBytes: number): void {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 0) return;
  const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  if (bytes > maxBytes) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  try {
    db.exec('VACUUM');
  } catch {
    // Another connection holds the file: the next start tries again.
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  let prev = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= prev) {
      throw new Error(`migrations must have strictly increasing integer versions (got ${m.version} after ${prev})`);
    }
    prev = m.version;
  }
}

/** Highest migration version recorded in the database (0 for a new one). */
export function schemaVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: Database, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  // IMMEDIATE: take the write lock before reading the version, so two processes
  // opening the same file at once cannot both apply the same migration.
  const run = db.transaction(() => {
    const current = schemaVersion(db);
    if (current > known) {
      throw new StorageError(
        'ATENDE_SCHEMA_TOO_NEW',
        `database schema is at version ${current}, but this build knows only up to version ${known}; ` +
          'it was written by a newer Atende: upgrade Atende or use another database file',
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.up);
      record.run(m.version, m.name, Date.now());
    }
  });
  run.immediate();
}
