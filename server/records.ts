// Keeps the report tables (CDRs, offers, agent state history) in step with the
// core, from live events and decisions. The event log stays the truth; these rows
// are a projection for reports and are not rebuilt from replays.
//
// Writes are batched: every change of one event-loop turn goes into one SQLite
// transaction (one WAL commit) instead of one commit per row; reads flush first.
import type { RoutingCore } from '../routing/core.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import type { Engine } from './engine.ts';
import type { CallExtra, CallRecords } from './storage/index.ts';

export interface Projection {
  stop(): void;
  flush(): void;
  /** Rewrites a call's row with extra facts (e.g. its Twilio QueueSid), in the next batch. */
  note(callId: string, extra: CallExtra): void;
}

export function projectRecords(engine: Engine, records: CallRecords, transaction: (fn: () => void) => void): Projection {
  const core: RoutingCore = engine.core;
  let pending: (() => void)[] = [];
  // A call touched several times in one turn (event, offer, agent status…) is written once.
  let calls = new Map<string, CallExtra>();
  let scheduled: NodeJS.Immediate | null = null;
  const flush = () => {
    if (scheduled) { clearImmediate(scheduled); scheduled = null; }
    if (!pending.length && !calls.size) return;
    const batch = pending, touched = calls;
    pending = [];
    calls = new Map();
    transaction(() => {
      for (const [callId, extra] of touched) {
        const view = core.call(callId);
        if (view) records.upsertCall(view, extra);
      }
      for (const write of batch) write();
    });
  };
  const schedule = () => { scheduled ??= setImmediate(flush); };
  const later = (write: () => void) => {
    pending.push(write);
    schedule();
  };
  records.beforeRead = flush;
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
        if (agentId) later(() => records.recordOfferResult(e.callId, agentId, 'answered', e.at));
        return upsert(e.callId);
      }
      case 'call.offer-missed':
        if (e.agentId) { const agentId = e.agentId; later(() => records.recordOfferResult(e.callId, agentId, e.reason, e.at)); }
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
          later(() => records.recordOffer(d.callId, d.agentId, at));
          upsert(d.callId, { offeredAt: at });
          break;
        case 'offer-withdrawn':
          later(() => records.recordOfferResult(d.callId, d.agentId, 'withdrawn', at));
          upsert(d.callId);
          break;
        case 'agent-status':
          later(() => records.recordAgentState(d.agentId, d.status, d.reason, at));
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
  return {
    flush,
    note: upsert,
    stop() { off1(); off2(); flush(); records.beforeRead = null; },
  };
}
