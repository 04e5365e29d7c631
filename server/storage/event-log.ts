// The event log: every accepted DomainEvent, appended before the HTTP answer and
// replayed into the routing core at start. Append-only; the event id is the
// idempotency key (a webhook retried by Twilio lands once).
import type { Statement } from 'better-sqlite3';
import type { DomainEvent } from '../../routing/types.ts';
import type { Database } from './db.ts';

interface EventLogOptions {
  /** Wall clock for `recorded_at`; defaults to Date.now. */
  now?: () => number;
}

function callIdOf(e: DomainEvent): string | null {
  return 'callId' in e && typeof e.callId === 'string' ? e.callId : null;
}

function agentIdOf(e: DomainEvent): string | null {
  if ('agentId' in e && typeof e.agentId === 'string') return e.agentId;
  if (e.type === 'agent.configured' && typeof e.agent?.id === 'string') return e.agent.id;
  return null;
}

/** A logged event with its sequence number (the history worker tails the log by it). */
export interface LoggedEvent { seq: number; event: DomainEvent }

export class EventLog {
  private readonly now: () => number;
  private readonly insertStmt: Statement<[string, string, number, string | null, string | null, string, string | null, number]>;
  private readonly hasStmt: Statement<[string]>;
  private readonly countStmt: Statement<[]>;
  private readonly replayStmt: Statement<[number]>;
  private readonly afterStmt: Statement<[number, number]>;
  private readonly firstAtStmt: Statement<[]>;
  private readonly lastAtStmt: Statement<[]>;
  private readonly lastSeqStmt: Statement<[]>;
  private readonly removeStmt: Statement<[string]>;

  constructor(db: Database, opts: EventLogOptions = {}) {
    this.now = opts.now ?? Date.now;
    // ON CONFLICT(id) DO NOTHING rather than INSERT OR IGNORE: only a duplicate id is
    // skipped; any other constraint failure (e.g. a NULL column) still throws.
    this.insertStmt = db.prepare(
      `INSERT INTO events (id, type, at, call_id, agent_id, body, source, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.hasStmt = db.prepare('SELECT 1 FROM events WHERE id = ?').pluck();
    this.countStmt = db.prepare('SELECT COUNT(*) FROM events').pluck();
    this.replayStmt = db.prepare('SELECT body FROM events WHERE seq > ? ORDER BY seq').pluck();
    this.afterStmt = db.prepare('SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.firstAtStmt = db.prepare('SELECT MIN(at) FROM events').pluck();
    this.lastAtStmt = db.prepare('SELECT MAX(at) FROM events').pluck();
    this.lastSeqStmt = db.prepare('SELECT MAX(seq) FROM events').pluck();
    this.removeStmt = db.prepare('DELETE FROM events WHERE id = ?');
  }

  /** Appends the event; false (and nothing written) when its id is already in the log. */
  append(event: DomainEvent, source?: string): boolean {
    if (typeof event?.id !== 'string' || event.id === '') throw new TypeError('an event needs a non-empty string id');
    if (!Number.isFinite(event.at)) throw new TypeError(`event ${event.id} needs a finite time`);
    const info = this.insertStmt.run(
      event.id, event.type, event.at, callIdOf(event), agentIdOf(event),
      JSON.stringify(event), source ?? null, this.now(),
    );
    return info.changes === 1;
  }

  /** Takes back an event the core refused right after it was appended. */
  remove(id: string): boolean {
    return this.removeStmt.run(id).changes > 0;
  }

  has(id: string): boolean {
    return this.hasStmt.get(id) !== undefined;
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /**
   * Events with seq > afterSeq, in the order they were appended. Streams rows with
   * `iterate()`, so memory stays flat for any log size. The connection is busy while
   * the iterator is open: finish (or `return()`) it before writing to the database.
   */
  *replay({ afterSeq = 0 }: { afterSeq?: number } = {}): Iterable<DomainEvent> {
    for (const body of this.replayStmt.iterate(afterSeq)) yield JSON.parse(body as string) as DomainEvent;
  }

  /** At most `limit` events with seq > afterSeq, oldest first: one read, the connection is free again after it. */
  after(afterSeq: number, limit: number): LoggedEvent[] {
    return (this.afterStmt.all(afterSeq, limit) as { seq: number; body: string }[])
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as DomainEvent }));
  }

  /** Earliest event time (epoch ms) still in this table, or null when it is empty. */
  firstAt(): number | null {
    return (this.firstAtStmt.get() as number | null) ?? null;
  }

  /** Time (epoch ms) of the latest event in the log, or null when the log is empty. */
  lastAt(): number | null {
    return (this.lastAtStmt.get() as number | null) ?? null;
  }

  /** Sequence number of the last appended event (0 when empty); pass it to replay() to resume. */
  lastSeq(): number {
    return (this.lastSeqStmt.get() as number | null) ?? 0;
  }
}
