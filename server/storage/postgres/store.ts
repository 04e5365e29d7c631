// The Store (../store.ts) on PostgreSQL: several Atende nodes of one center share it.
// A batch of events is ONE statement (INSERT … SELECT FROM unnest, in the batch's
// order), so a group commit costs one round trip whatever its size. Every row carries
// the epoch this node holds the lease under; the database refuses any other
// (migrations.ts, atende_fence), which the store reports as StaleEpochError.
import { callRowOf, toCdr, type CallDbRow } from '../cdr.ts';
import type { IntervalRecord, SnapshotRow } from '../history.ts';
import type { LogAppend, RecordOp, Store } from '../store.ts';
import { createPool, describeUrl, type Pool, type PoolClient } from './connect.ts';
import { migrate } from './migrations.ts';

/** Thrown by an append made under an epoch the lease has moved past: this node is no longer the leader. */
export class StaleEpochError extends Error {
  override readonly name = 'StaleEpochError';
  readonly code = 'ATENDE_STALE_EPOCH';
}

export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  readonly pool: Pool;
  readonly url: string;
  /** The schema the tables are in (the connection's current_schema). */
  readonly schema: string;
  /** The NOTIFY channel woken at every append. */
  readonly channel: string;
  /** The epoch appends are made under; null until this node leads. */
  epoch: number | null;
  /** Told when the database refused an append for a stale epoch. */
  onFenced: ((err: StaleEpochError) => void) | null;
}

export interface PostgresStoreOptions {
  /** Connections in the pool (default 4). */
  poolSize?: number;
  applicationName?: string;
  /** Wall clock for recorded_at / updated_at. */
  now?: () => number;
}

const callIdOf = (e: LogAppend['event']): string | null => ('callId' in e && typeof e.callId === 'string' ? e.callId : null);
const agentIdOf = (e: LogAppend['event']): string | null => {
  if ('agentId' in e && typeof e.agentId === 'string') return e.agentId;
  if (e.type === 'agent.configured' && typeof e.agent?.id === 'string') return e.agent.id;
  return null;
};

const CALL_COLUMNS = [
  'call_id', 'status', 'from_number', 'to_number', 'arrived_at', 'ivr_path', 'language', 'attributes', 'queue', 'tier',
  'tier_rule_id', 'tier_label', 'tier_reason', 'queued_at', 'offered_at', 'answered_at', 'ended_at', 'outcome',
  'agent_id', 'level', 'escalations', 'missed_by', 'notes', 'survey_nps', 'survey_csat', 'resolved_first_contact',
  'twilio_queue_sid', 'twilio_carrier_sid', 'protocol', 'recording_sid', 'recording_url', 'recording_duration_seconds', 'recording_status', 'updated_at',
] as const;
/** Left out of a later upsert (null), these keep what an earlier one stored, as in SQLite. */
const KEPT_WHEN_NULL = new Set(['to_number', 'offered_at', 'ended_at', 'survey_nps', 'survey_csat', 'resolved_first_contact', 'twilio_queue_sid', 'twilio_carrier_sid', 'protocol',
  'recording_sid', 'recording_url', 'recording_duration_seconds', 'recording_status']);
const UPSERT_CALL = `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (call_id) DO UPDATE SET ${CALL_COLUMNS.slice(1).map((c) => (KEPT_WHEN_NULL.has(c) ? `${c} = COALESCE(excluded.${c}, calls.${c})` : `${c} = excluded.${c}`)).join(', ')}`;

const APPEND = `INSERT INTO events (id, type, at, call_id, agent_id, body, source, recorded_at, epoch)
  SELECT b.id, b.type, b.at, b.call_id, b.agent_id, b.body, b.source, $8, $9
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
    WITH ORDINALITY AS b(id, type, at, call_id, agent_id, body, source, ord)
  ORDER BY b.ord
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const now = opts.now ?? Date.now;
  const pool = createPool(url, { max: opts.poolSize, applicationName: opts.applicationName });
  let schema: string;
  try {
    const { rows } = await pool.query<{ s: string | null }>('SELECT current_schema() AS s');
    if (!rows[0]?.s) throw new Error('no schema: the search_path of DATABASE_URL names no schema that exists (create it first)');
    schema = rows[0].s;
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  // Record writes are chained: a read waits for the writes issued before it.
  let writes: Promise<void> = Promise.resolve();
  const afterWrites = () => writes.catch(() => {});
  const inTransaction = async <T>(fn: (c: PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  };
  const writeIntervals = async (c: Pool | PoolClient, rows: readonly IntervalRecord[]) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await c.query(`INSERT INTO interval_figures (scope, scope_id, start_at, end_at, data)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
        ON CONFLICT (scope, scope_id, start_at) DO UPDATE SET end_at = excluded.end_at, data = excluded.data`,
      [part.map((r) => r.scope), part.map((r) => r.id), part.map((r) => r.start), part.map((r) => r.end), part.map((r) => r.data)]);
    }
  };
  const recordOp = async (c: PoolClient, op: RecordOp) => {
    switch (op.kind) {
      case 'call': {
        const row = callRowOf(op.view, op.extra, now());
        await c.query(UPSERT_CALL, CALL_COLUMNS.map((k) => row[k] ?? null));
        return;
      }
      case 'offer':
        await c.query('INSERT INTO call_offers (call_id, agent_id, offered_at) VALUES ($1, $2, $3)', [op.callId, op.agentId, op.at]);
        return;
      case 'offer-result':
        await c.query(`UPDATE call_offers SET result = $1, result_at = $2 WHERE id = (
          SELECT id FROM call_offers WHERE call_id = $3 AND agent_id = $4 AND result IS NULL
          ORDER BY offered_at DESC, id DESC LIMIT 1)`, [op.result, op.at, op.callId, op.agentId]);
        return;
      case 'agent-state':
        await c.query('INSERT INTO agent_states (agent_id, status, reason, at) VALUES ($1, $2, $3, $4)', [op.agentId, op.status, op.reason, op.at]);
    }
  };

  const store: PostgresStore = {
    kind: 'postgres',
    where: describeUrl(url),
    url,
    pool,
    schema,
    channel: `atende_events.${schema}`,
    epoch: null,
    onFenced: null,
    events: {
      async append(batch) {
        if (!batch.length) return [];
        for (const { event } of batch) {
          if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('an event needs a non-empty string id');
          if (!Number.isFinite(event.at)) throw new TypeError(`event ${event.id} needs a finite time`);
        }
        if (store.epoch === null) throw new StaleEpochError('this node holds no lease: it cannot append to the log');
        let inserted: Set<string>;
        try {
          const { rows } = await pool.query<{ id: string }>(APPEND, [
            batch.map((a) => a.event.id), batch.map((a) => a.event.type), batch.map((a) => a.event.at),
            batch.map((a) => callIdOf(a.event)), batch.map((a) => agentIdOf(a.event)), batch.map((a) => JSON.stringify(a.event)),
            batch.map((a) => a.source), now(), store.epoch,
          ]);
          inserted = new Set(rows.map((r) => r.id));
        } catch (err) {
          if ((err as { code?: string }).code === 'AT001') {
            const fenced = new StaleEpochError((err as Error).message);
            store.onFenced?.(fenced);
            throw fenced;
          }
          throw err;
        }
        // A retry of an id within the batch is a duplicate of its first occurrence.
        return batch.map((a) => inserted.delete(a.event.id));
      },
      async remove(ids) {
        if (ids.length) await pool.query('DELETE FROM events WHERE id = ANY($1::text[])', [ids]);
      },
      async has(id) {
        return (await pool.query('SELECT 1 FROM events WHERE id = $1', [id])).rowCount === 1;
      },
      async after(afterSeq, limit) {
        const { rows } = await pool.query<{ seq: number; body: string }>('SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
        return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.body) }));
      },
      async lastSeq() {
        return (await pool.query<{ s: number | null }>('SELECT MAX(seq) AS s FROM events')).rows[0]?.s ?? 0;
      },
      async bounds() {
        const r = (await pool.query<{ n: number; first: number | null; last: number | null }>(
          'SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM events')).rows[0]!;
        return { events: r.n, firstAt: r.first, lastAt: r.last };
      },
      async lastAtOf(callId) {
        return (await pool.query<{ at: number | null }>('SELECT MAX(at) AS at FROM events WHERE call_id = $1', [callId])).rows[0]?.at ?? null;
      },
    },
    snapshots: {
      write: (row, { keep, intervals }) => inTransaction(async (c) => {
        if (intervals?.length) await writeIntervals(c, intervals);
        const { rows } = await c.query<{ id: number }>(`INSERT INTO snapshots (seq, core_at, taken_at, version, encoding, core, extra)
          VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, [row.seq, row.coreAt, row.takenAt, row.version, row.encoding, row.core, row.extra]);
        await c.query('DELETE FROM snapshots WHERE id NOT IN (SELECT id FROM snapshots ORDER BY seq DESC, id DESC LIMIT $1)', [Math.max(1, keep)]);
        return rows[0]!.id;
      }),
      async list() {
        return (await pool.query<{ id: number; seq: number }>('SELECT id, seq FROM snapshots ORDER BY seq DESC, id DESC')).rows;
      },
      async get(id) {
        const { rows } = await pool.query<SnapshotRow>(`SELECT id, seq, core_at AS "coreAt", taken_at AS "takenAt", version, encoding, core, extra
          FROM snapshots WHERE id = $1`, [id]);
        return rows[0] ?? null;
      },
      async latestSeq() {
        return (await pool.query<{ s: number | null }>('SELECT MAX(seq) AS s FROM snapshots')).rows[0]?.s ?? 0;
      },
    },
    intervals: {
      write: (rows) => writeIntervals(pool, rows),
      async range(scope, id, from, to) {
        return (await pool.query<{ start: number; end: number; data: string }>(`SELECT start_at AS start, end_at AS "end", data FROM interval_figures
          WHERE scope = $1 AND scope_id = $2 AND start_at < $3 AND end_at > $4 ORDER BY start_at`, [scope, id, to, from])).rows;
      },
    },
    records: {
      write(ops) {
        if (!ops.length) return afterWrites();
        const list = [...ops];
        const done = afterWrites().then(() => inTransaction(async (c) => {
          // Fenced like the log: a node that lost the lease does not overwrite the new leader's rows.
          const { rows } = await c.query<{ epoch: number }>('SELECT epoch FROM lease WHERE id = 1 FOR SHARE');
          if (store.epoch === null || rows[0]?.epoch !== store.epoch) throw new StaleEpochError(`records not written: this node's epoch ${store.epoch} is not the lease's ${rows[0]?.epoch}`);
          for (const op of list) await recordOp(c, op);
        }));
        writes = done;
        return done;
      },
      async getCall(callId) {
        await afterWrites();
        const { rows } = await pool.query<CallDbRow>('SELECT * FROM calls WHERE call_id = $1', [callId]);
        return rows[0] ? toCdr(rows[0]) : null;
      },
      async listCalls(opts = {}) {
        await afterWrites();
        const limit = opts.limit === undefined ? 500 : Math.max(0, Math.floor(opts.limit));
        const { rows } = await pool.query<CallDbRow>(`SELECT * FROM calls
          WHERE ($1::bigint IS NULL OR arrived_at >= $1) AND ($2::bigint IS NULL OR arrived_at < $2)
            AND ($3::text IS NULL OR queue = $3) AND ($4::text IS NULL OR protocol = $4)
          ORDER BY arrived_at DESC, call_id DESC LIMIT $5`,
        [opts.from ?? null, opts.to ?? null, opts.queue ?? null, (opts as { protocol?: string }).protocol ?? null, limit]);
        return rows.map(toCdr);
      },
      async offersFor(callId) {
        await afterWrites();
        return (await pool.query(`SELECT agent_id AS "agentId", offered_at AS "offeredAt", result, result_at AS "resultAt"
          FROM call_offers WHERE call_id = $1 ORDER BY offered_at, id`, [callId])).rows;
      },
      async agentStateHistory(agentId, opts = {}) {
        await afterWrites();
        return (await pool.query(`SELECT status, reason, at FROM agent_states
          WHERE agent_id = $1 AND ($2::bigint IS NULL OR at >= $2) AND ($3::bigint IS NULL OR at < $3) ORDER BY at, id`,
        [agentId, opts.from ?? null, opts.to ?? null])).rows;
      },
    },
    audit: {
      async record(e) {
        await pool.query('INSERT INTO audit (at, actor, action, target, "before", "after") VALUES ($1, $2, $3, $4, $5, $6)',
          [e.at, e.actor, e.action, e.target, JSON.stringify(e.before ?? null), JSON.stringify(e.after ?? null)]);
      },
      async recent(limit = 100) {
        const { rows } = await pool.query<{ id: number; at: number; actor: string; action: string; target: string | null; before: string; after: string }>(
          'SELECT id, at, actor, action, target, "before", "after" FROM audit ORDER BY id DESC LIMIT $1', [limit]);
        return rows.map((r) => ({ ...r, before: JSON.parse(r.before), after: JSON.parse(r.after) }));
      },
    },
    protocols: {
      // No lock held across round trips: the call's number if it has one, else the period's next
      // seq by one atomic upsert (started from the numbers already given), then the row. A number
      // an earlier format rendered the same is skipped; a retry of this call that got one wins.
      async allocate(callId, period, at, render) {
        for (;;) {
          const known = (await pool.query<{ protocol: string }>('SELECT protocol FROM protocols WHERE call_id = $1', [callId])).rows[0];
          if (known) return known.protocol;
          const { rows } = await pool.query<{ seq: number }>(`INSERT INTO protocol_seq (period, seq)
            SELECT $1, COALESCE(MAX(seq), 0) + 1 FROM protocols WHERE period = $1
            ON CONFLICT (period) DO UPDATE SET seq = protocol_seq.seq + 1 RETURNING seq`, [period]);
          const seq = rows[0]!.seq;
          const protocol = render(seq);
          const ins = await pool.query('INSERT INTO protocols (protocol, call_id, period, seq, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
            [protocol, callId, period, seq, at]);
          if (ins.rowCount === 1) return protocol;
        }
      },
      async protocolOf(callId) {
        return (await pool.query<{ protocol: string }>('SELECT protocol FROM protocols WHERE call_id = $1', [callId])).rows[0]?.protocol ?? null;
      },
      async callOf(protocol) {
        return (await pool.query<{ call_id: string }>('SELECT call_id FROM protocols WHERE protocol = $1', [protocol])).rows[0]?.call_id ?? null;
      },
    },
    async checkWritable() {
      await pool.query('INSERT INTO health (id, checked_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at', [Date.now()]);
    },
    async close() {
      await afterWrites();
      await pool.end();
    },
  };
  return store;
}
