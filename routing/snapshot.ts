// A complete, versioned snapshot of the routing core as one plain JSON value, so the
// server can start from the latest snapshot plus the events logged after it instead of
// replaying the whole log (issue 14). `RoutingCore.snapshot()` writes it and
// `RoutingCore.fromSnapshot()` reads it back; this module holds the shape, the table
// codec and the structural check they share.
//
// What is in it: the state itself (config in force, calls, agents, deadlines, seen ids,
// recent callers, the metrics core). What is not: anything that follows from it
// exactly — the heaps of waiting calls and free agents (rebuilt from the calls that are
// queued and the agents that are free and unblocked; their orders are total, so the
// rebuilt heaps decide as the old ones did), agent counts, tier rules, and every
// metrics value derived from its settings. The routing strategy, the number of tiers and how
// long repeat callers are remembered are read from `config`: LiveRoutingSettings cannot change them.
//
// Calls, agents and deadlines are tables — one field list, then one array per record —
// because thousands of records would otherwise repeat every key: the field list is the
// schema and the structural check reads it.
import type { AbandonRecord } from './core.ts';
import { metricsSnapshotProblem, type MetricsSnapshot } from './metrics/snapshot.ts';
import type { AgentState, CallState, QueueClosures } from './state.ts';
import type { Deadline, DeadlineKind } from './timers.ts';
import type { QueueConfig, RoutingConfig } from './types.ts';

/** Bump whenever the shape or the meaning of a field changes: a loader refuses every other version. */
export const SNAPSHOT_VERSION = 4;
export const SNAPSHOT_FORMAT = 'atende/routing-core';

export interface Table { fields: string[]; rows: unknown[][] }

export interface CoreSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** The core's clock (ms). */
  now: number;
  /** The config in force, `config.changed` effects included. */
  config: RoutingConfig;
  /** Queue configs in routing order (the order of the settings file at start), which live changes never reorder. */
  queues: QueueConfig[];
  /** Next call sequence number (ties between equal waits) and round-robin offer counter. */
  seq: number;
  offerSeq: number;
  /** Every call still kept, ended ones included (surveys and dispositions may follow), in arrival order. */
  calls: Table;
  /** Every agent, index = row. */
  agents: Table;
  /** Pending deadlines, stale ones included, and the next deadline sequence number. */
  deadlines: Table & { nextSeq: number };
  /** Ended calls not yet forgotten, oldest end first. */
  endedCalls: string[];
  /** Idempotency memory: event ids seen, oldest first (bounded as in the core). */
  seenIds: string[];
  /** Arrivals remembered for repeat-caller rules: [normalised number, at], oldest first. */
  repeatCallers: [string, number][];
  recentAbandons: AbandonRecord[];
  /** Queues closed by the schedule or a supervisor (and supervisor openings over the schedule); open queues are left out. */
  queueStates: QueueClosures[];
  /** Next supervisor-closure number (the version its reopen deadline carries). */
  closureSeq: number;
  metrics: MetricsSnapshot;
}

/** A snapshot that does not fit this version of the code; the caller falls back to a full replay. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`routing snapshot: ${message}`, options);
    this.name = 'SnapshotError';
  }
}

// ---- tables ------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object';
/** A column's kind; `?` allows null; a list is an enumeration. */
type Column = Kind | `${Kind}?` | readonly (string | null)[];
type Columns<T> = { readonly [K in keyof T]-?: Column };

const CALL_STATUSES = ['ivr', 'queued', 'offering', 'connected', 'ended'] as const;
const AGENT_STATUSES = ['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'away'] as const;
const DEADLINE_KINDS: readonly DeadlineKind[] = ['wrap-end', 'offer-expire', 'aging', 'widen', 'unblock', 'exclusion-end', 'callback-retry', 'queue-reopen'];

// `satisfies Columns<…>` makes a field added to CallState, AgentState or Deadline a type
// error here until the snapshot carries it (and SNAPSHOT_VERSION is bumped).
export const CALL_COLUMNS = {
  id: 'string', from: 'string', to: 'string?', status: CALL_STATUSES, queue: 'string?', queueIndex: 'number',
  tier: 'number', tierRule: 'object?', tierSince: 'number', arrivedAt: 'number', queuedAt: 'number?',
  orderAt: 'number', seq: 'number', version: 'number', level: 'number', maxLevel: 'number', agentId: 'string?',
  offeredAt: 'number?', answeredAt: 'number?', firstAnsweredAt: 'number?', holdStartedAt: 'number?', holdMs: 'number',
  ivrPath: 'array', language: 'string?', attributes: 'object', notes: 'array', escalations: 'number', missedBy: 'array',
  excludedAgent: 'string?', outcome: ['answered', 'abandoned', 'ended-in-ivr', 'overflowed', 'not-reached', null], endedAt: 'number?',
  surveyNps: 'number?', surveyCsat: 'number?', resolvedFirstContact: 'boolean?', countedQueue: 'string?',
  countedTier: 'number?', protocol: 'string?', callback: 'object?', offerCallback: 'boolean', recording: 'object?',
} as const satisfies Columns<CallState>;

export const AGENT_COLUMNS = {
  config: 'object', index: 'number', status: AGENT_STATUSES, reason: 'string?', since: 'number', version: 'number',
  callId: 'string?', idleSince: 'number', callsHandled: 'number', lastOfferSeq: 'number', consecutiveMisses: 'number',
  blockedUntil: 'number', pending: 'object?', wrap: 'object?',
} as const satisfies Columns<AgentState>;

export const DEADLINE_COLUMNS = {
  at: 'number', seq: 'number', kind: DEADLINE_KINDS, ref: 'string', version: 'number',
} as const satisfies Columns<Deadline>;

export function writeTable<T>(columns: Columns<T>, records: Iterable<T>): Table {
  const fields = Object.keys(columns) as (keyof T & string)[];
  const rows: unknown[][] = [];
  for (const r of records) {
    const row = new Array(fields.length);
    for (let i = 0; i < fields.length; i++) row[i] = r[fields[i]];
    rows.push(row);
  }
  return { fields, rows };
}

/** A column's check, built once per table rather than parsed again for every cell. */
function checkerOf(column: Column): (v: unknown) => boolean {
  if (typeof column !== 'string') return (v) => column.includes(v as string | null);
  const nullable = column.endsWith('?');
  const kind = nullable ? column.slice(0, -1) : column;
  const fits = kind === 'number' ? isNumber : kind === 'array' ? Array.isArray : kind === 'object' ? isObject : (v: unknown) => typeof v === kind;
  return nullable ? (v) => v === null || fits(v) : fits;
}

/** Records of a table, every cell checked against its column (a few ms for thousands of calls). */
function readTable<T>(columns: Columns<T>, table: unknown, name: string): T[] {
  const fields = Object.keys(columns) as (keyof T & string)[];
  if (!isObject(table) || !Array.isArray(table.rows)) throw new SnapshotError(`${name} is not a table`);
  if (!Array.isArray(table.fields) || table.fields.join() !== fields.join()) {
    throw new SnapshotError(`${name} has fields [${String(table.fields)}], this code expects [${fields.join()}]`);
  }
  const checks = fields.map((f) => checkerOf(columns[f]));
  return table.rows.map((row: unknown, r: number) => {
    if (!Array.isArray(row) || row.length !== fields.length) throw new SnapshotError(`${name} row ${r} needs ${fields.length} cells`);
    const record = {} as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      if (!checks[i](row[i])) throw new SnapshotError(`${name} row ${r}: ${fields[i]} = ${JSON.stringify(row[i])} is not ${String(columns[fields[i]])}`);
      record[fields[i]] = row[i];
    }
    return record as T;
  });
}

// ---- reading ---------------------------------------------------------------------

/** A snapshot checked and decoded: what `RoutingCore.fromSnapshot` rebuilds from. */
export interface SnapshotState extends Omit<CoreSnapshot, 'calls' | 'agents' | 'deadlines'> {
  calls: CallState[];
  agents: AgentState[];
  deadlines: Deadline[];
  deadlineSeq: number;
}


/**
 * Checks a parsed snapshot cheaply — format, version, every table cell's type, the
 * references a later event would follow (agent ↔ call, ended list, queues) — and
 * decodes it. Throws a SnapshotError naming the first problem.
 */
export function readSnapshot(snapshot: unknown): SnapshotState {
  const s = snapshot;
  if (!isObject(s) || s.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`not a routing core snapshot (format ${JSON.stringify(isObject(s) ? s.format : s)})`);
  if (s.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`version ${JSON.stringify(s.version)} cannot be read by this code (version ${SNAPSHOT_VERSION}); replay the log instead`);
  }
  for (const k of ['now', 'seq', 'offerSeq'] as const) if (!isNumber(s[k])) throw new SnapshotError(`${k} must be a finite number`);
  const config = s.config;
  if (!isObject(config) || !isNumber(config.tiers) || !Array.isArray(config.queues) || !Array.isArray(config.agingSeconds) ||
    !Array.isArray(config.tierRules) || !Array.isArray(config.vipNumbers)) {
    throw new SnapshotError('config is not a routing config');
  }
  if (!Array.isArray(s.queues) || !s.queues.every((q) => isObject(q) && typeof q.id === 'string')) throw new SnapshotError('queues must be queue configs');
  const queues = new Set((s.queues as QueueConfig[]).map((q) => q.id));
  if (queues.size !== s.queues.length) throw new SnapshotError('queues lists a queue twice');

  const calls = readTable(CALL_COLUMNS, s.calls, 'calls') as CallState[];
  const agents = readTable(AGENT_COLUMNS, s.agents, 'agents') as AgentState[];
  const deadlines = readTable(DEADLINE_COLUMNS, s.deadlines, 'deadlines') as Deadline[];
  if (!isNumber((s.deadlines as { nextSeq?: unknown }).nextSeq)) throw new SnapshotError('deadlines.nextSeq must be a number');

  const callById = new Map<string, CallState>();
  for (const c of calls) {
    if (callById.has(c.id)) throw new SnapshotError(`call ${c.id} listed twice`);
    callById.set(c.id, c);
    if (c.queue !== null && !queues.has(c.queue)) throw new SnapshotError(`call ${c.id} is in unknown queue ${c.queue}`);
    if (c.status === 'queued' && (c.queue === null || c.queuedAt === null || !(c.tier >= 1 && c.tier <= config.tiers))) {
      throw new SnapshotError(`call ${c.id} waits without a queue or a tier`);
    }
  }
  const agentIds = new Set<string>();
  agents.forEach((a, i) => {
    const cfg = a.config as Partial<AgentState['config']>;
    if (typeof cfg.id !== 'string' || !Array.isArray(cfg.skills) || !isNumber(cfg.level)) throw new SnapshotError(`agent row ${i} has no valid config`);
    if (agentIds.has(cfg.id)) throw new SnapshotError(`agent ${cfg.id} listed twice`);
    if (a.index !== i) throw new SnapshotError(`agent ${cfg.id} has index ${a.index} in row ${i}`);
    agentIds.add(cfg.id);
    if (a.callId !== null && !callById.has(a.callId)) throw new SnapshotError(`agent ${cfg.id} holds unknown call ${a.callId}`);
    if (a.callId === null && (a.status === 'ringing' || a.status === 'on-call' || a.status === 'wrap-up')) {
      throw new SnapshotError(`agent ${cfg.id} is ${a.status} without a call`);
    }
    if ((a.status === 'wrap-up') !== (a.wrap !== null)) throw new SnapshotError(`agent ${cfg.id} is ${a.status} with wrap ${JSON.stringify(a.wrap)}`);
  });
  for (const c of calls) {
    if ((c.status === 'offering' || c.status === 'connected') && (c.agentId === null || !agentIds.has(c.agentId))) {
      throw new SnapshotError(`call ${c.id} is ${c.status} with unknown agent ${c.agentId}`);
    }
  }
  if (!Array.isArray(s.endedCalls) || !s.endedCalls.every((id) => callById.get(id as string)?.status === 'ended')) {
    throw new SnapshotError('endedCalls must list ended calls');
  }
  if (!Array.isArray(s.seenIds) || !s.seenIds.every((id) => typeof id === 'string')) throw new SnapshotError('seenIds must be strings');
  if (!Array.isArray(s.repeatCallers) || !s.repeatCallers.every((e) => Array.isArray(e) && typeof e[0] === 'string' && isNumber(e[1]))) {
    throw new SnapshotError('repeatCallers must be [number, at] pairs');
  }
  if (!Array.isArray(s.recentAbandons) || !s.recentAbandons.every((a) => isObject(a) && typeof a.callId === 'string')) {
    throw new SnapshotError('recentAbandons must be abandon records');
  }
  if (!isNumber(s.closureSeq)) throw new SnapshotError('closureSeq must be a finite number');
  if (!Array.isArray(s.queueStates) || !s.queueStates.every((q) => isObject(q) && typeof q.queue === 'string' && queues.has(q.queue) &&
    (q.schedule === null || isObject(q.schedule)) && (q.supervisor === null || isObject(q.supervisor)) && typeof q.override === 'boolean')) {
    throw new SnapshotError('queueStates must be the closures of known queues');
  }
  for (const c of calls) {
    if (c.callback !== null && (typeof c.callback.number !== 'string' || !isNumber(c.callback.attempts))) throw new SnapshotError(`call ${c.id} has a broken callback`);
  }
  const problem = metricsSnapshotProblem(s.metrics);
  if (problem) throw new SnapshotError(`metrics${problem.startsWith('.') ? '' : ' '}${problem}`);

  const decoded = s as unknown as CoreSnapshot;
  return {
    ...decoded, calls, agents, deadlines, deadlineSeq: decoded.deadlines.nextSeq,
  };
}
