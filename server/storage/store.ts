// The store: everything Atende keeps (the event log, which is the truth, and what is
// derived from it: snapshots of the core, closed intervals' counters, call records,
// the audit log) behind one interface with two implementations:
//   - SQLite, embedded, the default (sqlite-store.ts over the classes beside it);
//   - PostgreSQL, with DATABASE_URL (postgres/store.ts), for several nodes of one center.
// The engine, the start, the history worker and the route groups read and write through
// this interface only, so none of them knows which store it has. It is asynchronous
// because PostgreSQL is; SQLite answers at once (already-settled promises), and also
// offers the log's append synchronously (SyncEventLog) to the in-process simulator.
import type { AgentStatus, CallView, DomainEvent } from '../../routing/types.ts';
import type { CallExtra, CdrRow, OfferResult, OfferRow, AgentStateRow, ListCallsOptions } from './cdr.ts';
import type { LoggedEvent } from './event-log.ts';
import type { IntervalRecord, IntervalScope, SnapshotRow } from './history.ts';
import type { AuditEntry } from './audit.ts';

export type { LoggedEvent, IntervalRecord, IntervalScope, SnapshotRow, AuditEntry, CallExtra, CdrRow, OfferRow, AgentStateRow, ListCallsOptions };

/** One event to append, and where it came from ('twilio:/twilio/ivr', 'api:agents', …). */
export interface LogAppend { event: DomainEvent; source: string | null }

/** The event log: append-only, ordered by seq; the event id is the idempotency key. */
export interface EventLogStore {
  /**
   * Appends the batch in ONE transaction, in its order (so seq order is batch order).
   * Per event: true when written, false when its id was already in the log (a retry).
   * Throws when the store cannot take the write, and then nothing of the batch is
   * written; a node whose lease was taken over gets a StaleEpochError (postgres).
   */
  append(batch: readonly LogAppend[]): Promise<boolean[]>;
  /** Takes back events the core refused right after they were appended. */
  remove(ids: readonly string[]): Promise<void>;
  has(id: string): Promise<boolean>;
  /** At most `limit` events with seq > afterSeq, oldest first (SQLite: archived days included). */
  after(afterSeq: number, limit: number): Promise<LoggedEvent[]>;
  /** Seq of the last appended event (0 when empty). */
  lastSeq(): Promise<number>;
  /** Size and time span of the whole log. */
  bounds(): Promise<{ events: number; firstAt: number | null; lastAt: number | null }>;
  /** Time of the call's last logged event, archived days included; null when the log has none. */
  lastAtOf(callId: string): Promise<number | null>;
}

/** The same log, synchronously (SQLite only): the virtual-time simulator and `Engine.dispatch`. */
export interface SyncEventLog {
  appendSync(batch: readonly LogAppend[]): boolean[];
  removeSync(ids: readonly string[]): void;
}

/** Snapshots of the routing core written by the history worker, newest first. */
export interface SnapshotRows {
  /**
   * Adds a snapshot with the intervals closed up to it, in one transaction, and keeps
   * only the newest `keep`; returns its id.
   */
  write(row: Omit<SnapshotRow, 'id'>, opts: { keep: number; intervals?: readonly IntervalRecord[] }): Promise<number>;
  /** Ids and seqs, newest first. */
  list(): Promise<{ id: number; seq: number }[]>;
  get(id: number): Promise<SnapshotRow | null>;
  /** Seq covered by the newest snapshot (0 when there is none). */
  latestSeq(): Promise<number>;
}

/** Closed intervals' counters, one row per scope and interval (written again: same values). */
export interface IntervalRows {
  write(rows: readonly IntervalRecord[]): Promise<void>;
  /** The scope's stored intervals overlapping [from, to), oldest first. */
  range(scope: IntervalScope, id: string, from: number, to: number): Promise<{ start: number; end: number; data: string }[]>;
}

/** One write of the call-records projection (server/records.ts builds them). */
export type RecordOp =
  | { kind: 'call'; view: CallView; extra: CallExtra }
  | { kind: 'offer'; callId: string; agentId: string; at: number }
  | { kind: 'offer-result'; callId: string; agentId: string; result: OfferResult; at: number }
  | { kind: 'agent-state'; agentId: string; status: AgentStatus; reason: string | null; at: number };

/** Call detail records, offers and agent states: a projection of the log for reports. */
export interface RecordRows {
  /** Writes the ops in one transaction, in order. Reads issued after see them. */
  write(ops: readonly RecordOp[]): Promise<void>;
  getCall(callId: string): Promise<CdrRow | null>;
  /** Calls by arrival time, newest first; `from` inclusive, `to` exclusive. */
  listCalls(opts?: ListCallsOptions): Promise<CdrRow[]>;
  offersFor(callId: string): Promise<OfferRow[]>;
  agentStateHistory(agentId: string, opts?: { from?: number; to?: number }): Promise<AgentStateRow[]>;
}

/** Who changed what, when, before and after. */
export interface AuditRows {
  record(e: Omit<AuditEntry, 'id'>): Promise<void>;
  recent(limit?: number): Promise<AuditEntry[]>;
}

/** SAC protocol numbers: one per call, never given twice (server/sac/protocol.ts decides their shape). */
export interface ProtocolRows {
  /** The call's number, or the period's next one (`render` turns a seq into the number), committed before it is returned. */
  allocate(callId: string, period: string, at: number, render: (seq: number) => string): Promise<string>;
  protocolOf(callId: string): Promise<string | null>;
  callOf(protocol: string): Promise<string | null>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is, for logs: the file, or the URL without its password. */
  readonly where: string;
  readonly events: EventLogStore & Partial<SyncEventLog>;
  readonly snapshots: SnapshotRows;
  readonly intervals: IntervalRows;
  readonly records: RecordRows;
  readonly audit: AuditRows;
  readonly protocols: ProtocolRows;
  /** Commits a tiny write; throws (disk full, locked, connection lost, fenced…) when the store cannot take data. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

/** The log can be appended to synchronously (SQLite). */
export function hasSyncLog<T extends Partial<SyncEventLog>>(events: T): events is T & SyncEventLog {
  return typeof events.appendSync === 'function' && typeof events.removeSync === 'function';
}
