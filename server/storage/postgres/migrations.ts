// The PostgreSQL schema, brought up to date at open with ordered migrations as for
// SQLite (server/storage/db.ts): the same tables and columns, in PostgreSQL's types
// (times in epoch ms as BIGINT, JSON kept as TEXT so a replay reads exactly what was
// written), plus what several nodes need: the lease row and the fence on the log.
// Everything lives in the connection's current schema (search_path), so one database
// can hold several centers, or a test file's throwaway schema.
import type { Pool } from './connect.ts';

interface Migration { version: number; name: string; up: string }

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log with fencing, call records, audit, snapshots, interval figures, protocols, lease',
    up: `
      -- The leader's lease (server/cluster/lease.ts): exactly one row. The epoch grows by
      -- one at every takeover; every append carries the epoch of the node that made it.
      CREATE TABLE lease (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        epoch      BIGINT  NOT NULL,
        holder     TEXT,
        address    TEXT,
        renewed_at TIMESTAMPTZ
      );
      INSERT INTO lease (id, epoch) VALUES (1, 0);

      -- The truth: every accepted event, in the order it was accepted.
      CREATE TABLE events (
        seq         BIGSERIAL PRIMARY KEY,
        id          TEXT   NOT NULL UNIQUE,
        type        TEXT   NOT NULL,
        at          BIGINT NOT NULL,
        call_id     TEXT,
        agent_id    TEXT,
        body        TEXT   NOT NULL,
        source      TEXT,
        recorded_at BIGINT NOT NULL,
        epoch       BIGINT NOT NULL
      );
      CREATE INDEX events_call_id ON events (call_id) WHERE call_id IS NOT NULL;
      CREATE INDEX events_agent_id ON events (agent_id) WHERE agent_id IS NOT NULL;
      CREATE INDEX events_at ON events (at);

      -- The fence: the database itself refuses an append whose epoch is not the lease's.
      -- FOR SHARE holds the lease row until the append commits, so a takeover (which
      -- updates that row) waits for an append under way, and every append after it sees
      -- the new epoch: a leader cut off or frozen cannot write once another took over.
      -- The table's own schema, whatever the search_path of the session that inserts.
      CREATE FUNCTION atende_fence() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE current_epoch BIGINT;
      BEGIN
        EXECUTE format('SELECT epoch FROM %I.lease WHERE id = 1 FOR SHARE', TG_TABLE_SCHEMA) INTO current_epoch;
        IF NEW.epoch IS DISTINCT FROM current_epoch THEN
          RAISE EXCEPTION 'stale epoch %: the lease is at epoch %', NEW.epoch, current_epoch USING ERRCODE = 'AT001';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER events_fence BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION atende_fence();

      -- Standbys tail the log by seq; this wakes them once per committed append.
      CREATE FUNCTION atende_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('atende_events.' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER events_appended AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION atende_events_appended();

      CREATE TABLE calls (
        call_id                TEXT    PRIMARY KEY,
        status                 TEXT    NOT NULL,
        from_number            TEXT    NOT NULL,
        to_number              TEXT,
        arrived_at             BIGINT  NOT NULL,
        ivr_path               TEXT    NOT NULL DEFAULT '[]',
        language               TEXT,
        attributes             TEXT    NOT NULL DEFAULT '{}',
        queue                  TEXT,
        tier                   INTEGER,
        tier_rule_id           TEXT,
        tier_label             TEXT,
        tier_reason            TEXT,
        queued_at              BIGINT,
        offered_at             BIGINT,
        answered_at            BIGINT,
        ended_at               BIGINT,
        outcome                TEXT,
        agent_id               TEXT,
        level                  INTEGER NOT NULL DEFAULT 1,
        escalations            INTEGER NOT NULL DEFAULT 0,
        missed_by              TEXT    NOT NULL DEFAULT '[]',
        notes                  TEXT    NOT NULL DEFAULT '[]',
        survey_nps             INTEGER,
        survey_csat            INTEGER,
        resolved_first_contact INTEGER,
        twilio_queue_sid       TEXT,
        protocol               TEXT,
        updated_at             BIGINT  NOT NULL
      );
      CREATE INDEX calls_arrived_at ON calls (arrived_at);
      CREATE INDEX calls_queue_arrived_at ON calls (queue, arrived_at);
      CREATE INDEX calls_agent_id ON calls (agent_id, arrived_at);
      CREATE INDEX calls_protocol ON calls (protocol) WHERE protocol IS NOT NULL;

      CREATE TABLE call_offers (
        id         BIGSERIAL PRIMARY KEY,
        call_id    TEXT   NOT NULL,
        agent_id   TEXT   NOT NULL,
        offered_at BIGINT NOT NULL,
        result     TEXT,
        result_at  BIGINT
      );
      CREATE INDEX call_offers_call_agent ON call_offers (call_id, agent_id, offered_at);
      CREATE INDEX call_offers_agent ON call_offers (agent_id, offered_at);

      CREATE TABLE agent_states (
        id       BIGSERIAL PRIMARY KEY,
        agent_id TEXT   NOT NULL,
        status   TEXT   NOT NULL,
        reason   TEXT,
        at       BIGINT NOT NULL
      );
      CREATE INDEX agent_states_agent_at ON agent_states (agent_id, at);

      CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at BIGINT NOT NULL);

      CREATE TABLE audit (
        id       BIGSERIAL PRIMARY KEY,
        at       BIGINT NOT NULL,
        actor    TEXT   NOT NULL,
        action   TEXT   NOT NULL,
        target   TEXT,
        "before" TEXT,
        "after"  TEXT
      );
      CREATE INDEX audit_at ON audit (at);

      CREATE TABLE snapshots (
        id       BIGSERIAL PRIMARY KEY,
        seq      BIGINT  NOT NULL,
        core_at  BIGINT  NOT NULL,
        taken_at BIGINT  NOT NULL,
        version  INTEGER NOT NULL,
        encoding TEXT    NOT NULL,
        core     BYTEA   NOT NULL,
        extra    TEXT    NOT NULL
      );
      CREATE INDEX snapshots_seq ON snapshots (seq);

      CREATE TABLE interval_figures (
        scope    TEXT   NOT NULL,
        scope_id TEXT   NOT NULL,
        start_at BIGINT NOT NULL,
        end_at   BIGINT NOT NULL,
        data     TEXT   NOT NULL,
        PRIMARY KEY (scope, scope_id, start_at)
      );
      CREATE INDEX interval_figures_start ON interval_figures (start_at);

      -- SAC protocol numbers (server/sac/protocol.ts): one per call, never twice.
      CREATE TABLE protocols (
        protocol TEXT   PRIMARY KEY,
        call_id  TEXT   NOT NULL UNIQUE,
        period   TEXT   NOT NULL,
        seq      BIGINT NOT NULL,
        at       BIGINT NOT NULL
      );
      CREATE INDEX protocols_period ON protocols (period, seq);
    `,
  },
  {
    version: 2,
    name: 'protocol sequence per period',
    up: `
      -- The last seq handed out per period: an allocation takes the next with one atomic
      -- upsert, so concurrent calls never pick the same number and retry (a MAX(seq) read would).
      CREATE TABLE protocol_seq (
        period TEXT   PRIMARY KEY,
        seq    BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
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
    version: 4,
    name: 'the leg that carries a call on the call records',
    up: `
      -- The Twilio leg Atende placed that carries a call (a callback's customer, or the
      -- customer an agent's <Dial> reached): read back at start, so its requests after a
      -- restart are still the call's (server/twilio/legs.ts), as the QueueSid is.
      ALTER TABLE calls ADD COLUMN twilio_carrier_sid TEXT;
    `,
  },
];

export class PostgresSchemaError extends Error {
  readonly code = 'ATENDE_SCHEMA_TOO_NEW';
}

/**
 * Applies the pending migrations in one transaction. A transaction-scoped advisory
 * lock (per schema) makes two nodes starting at once apply each migration once.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('atende.migrate.' || current_schema()))");
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
    if (current > known) {
      throw new PostgresSchemaError(`database schema is at version ${current}, but this build knows only up to version ${known}; `
        + 'it was written by a newer Atende: upgrade Atende or use another schema');
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.up);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    await client.query('COMMIT');
    return Math.max(current, known);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
