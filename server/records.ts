// Keeps the report tables (CDRs, offers, agent state history) in step with the
// core, from live events and decisions. The event log stays the truth; these rows
// are a projection for reports and are not rebuilt from replays.
//
// Writes are batched: every change of one event-loop turn goes into one transaction
// of the store (one WAL commit on SQLite, one transaction on PostgreSQL) instead of
// one commit per row; reads flush first.
import type { RoutingCore } from '../routing/core.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import type { Engine } from './engine.ts';
import type { CallExtra } from './storage/index.ts';
import type { RecordOp, RecordRows } from './storage/store.ts';

export interface Projection {
  stop(): void;
  /** Writes what is pending now (SQLite: at once; PostgreSQL: reads issued after it wait for it). */
  flush(): void;
  /** Rewrites a call's row with extra facts (e.g. its Twilio QueueSid), in the next batch. */
  note(callId: string, extra: CallExtra): void;
  /** The records, read after whatever is pending is written. */
  readonly rows: RecordRows;
}

export interface ProjectionOptions {
  /** Told when a batch could not be written (the rows are a projection: the log keeps the truth). */
  onError?: (err: unknown) => void;
}

/**
 * `installBeforeRead` lets a synchronous reader of the same tables (SQLite's CallRecords)
 * flush first too; it is given the flush and returns how to take it back.
 */
export function projectRecords(engine: Engine, records: RecordRows, installBeforeRead: (flush: () => void) => () => void = () => () => {}, opts: ProjectionOptions = {}): Projection {
  const core: RoutingCore = engine.core;
  let pending: RecordOp[] = [];
  // A call touched several times in one turn (event, offer, agent status…) is written once.
  let calls = new Map<string, CallExtra>();
  let scheduled: NodeJS.Immediate | null = null;
  const flush = () => {
    if (scheduled) { clearImmediate(scheduled); scheduled = null; }
    if (!pending.length && !calls.size) return;
    const batch = pending, touched = calls;
    pending = [];
    calls = new Map();
    const ops: RecordOp[] = [];
    for (const [callId, extra] of touched) {
      const view = core.call(callId);
      if (view) ops.push({ kind: 'call', view, extra });
    }
    ops.push(...batch);
    records.write(ops).catch((err) => opts.onError?.(err));
  };
  const schedule = () => { scheduled ??= setImmediate(flush); };
  const later = (op: RecordOp) => {
    pending.push(op);
    schedule();
  };
  const uninstall = installBeforeRead(flush);
  /** The row is written at the end of the turn from the call as it is then; extras given now are kept. */
  const upsert = (callId: string, extra?: CallExtra) => {
    const merged = calls.get(callId) ?? {};
    for (const [k, v] of Object.entries(extra ?? {})) if (v != null) (merged as Record<string, unknown>)[k] = v;
    calls.set(callId, merged);
    schedule();
  };
  const onEvent = (e: DomainEvent) => {
    switch (e.type) {
      case 'call.arrived': return upsert(e.callId, { toNumber: e.to ?? null });
      case 'call.answered': {
        const agentId = e.agentId ?? core.call(e.callId)?.agentId;
        if (agentId) later({ kind: 'offer-result', callId: e.callId, agentId, result: 'answered', at: e.at });
        return upsert(e.callId);
      }
      case 'call.offer-missed':
        if (e.agentId) later({ kind: 'offer-result', callId: e.callId, agentId: e.agentId, result: e.reason, at: e.at });
        return upsert(e.callId);
      case 'call.ended':
      case 'call.abandoned': return upsert(e.callId, { endedAt: e.at });
      case 'call.survey': return upsert(e.callId, { surveyNps: e.nps ?? null, surveyCsat: e.csat ?? null });
      case 'call.disposition': return upsert(e.callId, { resolvedFirstContact: e.resolvedFirstContact });
      default:
        if ('callId' in e) upsert(e.callId);
    }
  };
  const onDecisions = (decisions: Decision[]) => {
    const at = core.now;
    for (const d of decisions) {
      switch (d.type) {
        case 'offer':
          later({ kind: 'offer', callId: d.callId, agentId: d.agentId, at });
          upsert(d.callId, { offeredAt: at });
          break;
        case 'offer-withdrawn':
          later({ kind: 'offer-result', callId: d.callId, agentId: d.agentId, result: 'withdrawn', at });
          upsert(d.callId);
          break;
        case 'agent-status':
          later({ kind: 'agent-state', agentId: d.agentId, status: d.status, reason: d.reason, at });
          break;
        case 'overflow':
          upsert(d.callId, d.toQueue === null ? { endedAt: at } : undefined);
          break;
        default:
          upsert(d.callId);
      }
    }
  };
  const off1 = engine.onEvent(onEvent);
  const off2 = engine.onDecisions(onDecisions);
  const read = <A extends unknown[], T>(fn: (...a: A) => Promise<T>) => (...a: A): Promise<T> => { flush(); return fn(...a); };
  return {
    flush,
    note: upsert,
    rows: {
      write: (ops) => { flush(); return records.write(ops); },
      getCall: read(records.getCall),
      listCalls: read(records.listCalls),
      offersFor: read(records.offersFor),
      agentStateHistory: read(records.agentStateHistory),
    },
    stop() { off1(); off2(); flush(); uninstall(); },
  };
}
