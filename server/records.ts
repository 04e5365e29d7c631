// Keeps the report tables (CDRs, offers, agent state history) in step with the
// core, from live events and decisions. The event log stays the truth; these rows
// are a projection for reports and are not rebuilt from replays.
import type { RoutingCore } from '../routing/core.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import type { Engine } from './engine.ts';
import type { CallExtra, CallRecords } from './storage/index.ts';

export function projectRecords(engine: Engine, records: CallRecords): () => void {
  const core: RoutingCore = engine.core;
  const upsert = (callId: string, extra?: CallExtra) => {
    const view = core.call(callId);
    if (view) records.upsertCall(view, extra);
  };
  const onEvent = (e: DomainEvent) => {
    switch (e.type) {
      case 'call.arrived': return upsert(e.callId, { toNumber: e.to ?? null });
      case 'call.answered': {
        const agentId = e.agentId ?? core.call(e.callId)?.agentId;
        if (agentId) records.recordOfferResult(e.callId, agentId, 'answered', e.at);
        return upsert(e.callId);
      }
      case 'call.offer-missed':
        if (e.agentId) records.recordOfferResult(e.callId, e.agentId, e.reason, e.at);
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
          records.recordOffer(d.callId, d.agentId, at);
          upsert(d.callId, { offeredAt: at });
          break;
        case 'offer-withdrawn':
          records.recordOfferResult(d.callId, d.agentId, 'withdrawn', at);
          upsert(d.callId);
          break;
        case 'agent-status':
          records.recordAgentState(d.agentId, d.status, d.reason, at);
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
  return () => { off1(); off2(); };
}
