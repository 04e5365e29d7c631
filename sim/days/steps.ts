// What a live Atende logs for each step of a call and of an agent's day: the
// domain event, its id and its source, exactly as the Twilio webhooks
// (server/twilio/webhooks/*), the agents API and the calls API write them
// (docs/api.md, "Idempotency"). The history writer builds every event here, so a
// change at the edge has one place to be mirrored.
import type { DomainEvent } from '../../routing/types.ts';
import type { Settings } from '../../server/config/types.ts';

export interface Logged {
  event: DomainEvent;
  /** The events table's `source`: `twilio:<webhook URL>`, `api:agents`, `api:calls`. */
  source: string;
}

const twilio = (url: string, event: DomainEvent): Logged => ({ event, source: `twilio:${url}` });

/** /twilio/voice: the call reaches the number. */
export function arrived(sid: string, at: number, from: string, to: string): Logged {
  return twilio('/twilio/voice', { type: 'call.arrived', id: `${sid}:arrived`, at, callId: sid, from, to });
}

/** /twilio/ivr: the caller pressed a queue option (the path after the language menu). */
export function chose(sid: string, at: number, path: string[], language: string, queue: string, attributes: Record<string, string | number | boolean>): Logged[] {
  return [
    twilio('/twilio/ivr', { type: 'call.ivr', id: `${sid}:ivr`, at, callId: sid, path, language }),
    twilio('/twilio/ivr', { type: 'call.queued', id: `${sid}:queued`, at, callId: sid, queue, attributes }),
  ];
}

/**
 * Where /twilio/ivr puts a caller who keys `path` (after the language menu): the
 * queue option's queue and its own attributes (the edge does not merge those of
 * the menus on the way), or, when the keys stop at a menu, that menu's default
 * queue once its attempts run out. Scenario paths are checked against the menu tree.
 */
export function ivrChoice(ivr: Settings['ivr'], path: string[]): { path: string[]; queue: string; attributes: Record<string, string | number | boolean> } {
  let node = ivr.menu;
  for (let i = 0; i < path.length; i++) {
    const option = node.options.find((o) => o.digit === path[i]);
    if (option?.queue !== undefined) return { path: path.slice(0, i + 1), queue: option.queue, attributes: { ...option.attributes } };
    if (!option?.menu) break;
    node = option.menu;
  }
  return { path: [...path], queue: node.defaultQueue ?? ivr.defaultQueue, attributes: {} };
}

/** /twilio/agent/whisper: the agent's leg picked up (the answer time). */
export function answered(sid: string, at: number, agentId: string, legSid: string): Logged {
  return twilio('/twilio/agent/whisper', { type: 'call.answered', id: `${sid}:answered:${legSid}`, at, callId: sid, agentId });
}

/** /twilio/dial/done: the agent's leg rang out (the Dial timeout is the offer timeout). */
export function rangOut(sid: string, at: number, agentId: string, legSid: string): Logged {
  return twilio('/twilio/dial/done', { type: 'call.offer-missed', id: `${sid}:missed:${legSid}`, at, callId: sid, agentId, reason: 'no-answer' });
}

/** /twilio/dial/done: the talk is over, or the caller hung up while an agent's leg rang. */
export function dialEnded(sid: string, at: number, by: 'caller' | 'agent'): Logged {
  return twilio('/twilio/dial/done', { type: 'call.ended', id: `${sid}:ended`, at, callId: sid, by });
}

/** server/sac/schedule.ts: business hours close a queue (reason "hours", "holiday: Natal", "date: …"). */
export function scheduleClosed(queue: string, at: number, reason: string, until: number | null, waiting: 'serve' | 'offer-callback'): Logged {
  return {
    event: { id: `sac:schedule:${queue}:closed:${at}`, at, type: 'queue.closed', queue, by: 'schedule', reason, ...(until !== null ? { until } : {}), waiting },
    source: 'sac:schedule',
  };
}

/** server/sac/schedule.ts: business hours open a queue again. */
export function scheduleOpened(queue: string, at: number): Logged {
  return { event: { id: `sac:schedule:${queue}:opened:${at}`, at, type: 'queue.opened', queue, by: 'schedule' }, source: 'sac:schedule' };
}

/** /twilio/status: the caller hung up in the IVR (at a closed queue, after its message). */
export function hungUpInIvr(sid: string, at: number): Logged {
  return { event: { type: 'call.ended', id: `${sid}:ended`, at, callId: sid, by: 'caller' }, source: 'twilio:/twilio/status' };
}

/** /twilio/queue/exit: the caller hung up while waiting in the Twilio queue. */
export function leftQueue(sid: string, at: number): Logged {
  return twilio('/twilio/queue/exit', { type: 'call.abandoned', id: `${sid}:ended`, at, callId: sid });
}

/** /twilio/survey: one answer (NPS first, then CSAT), each its own event. */
export function surveyed(sid: string, at: number, step: 'nps' | 'csat', value: number): Logged {
  return twilio('/twilio/survey', { type: 'call.survey', id: `${sid}:survey:${step}`, at, callId: sid, ...(step === 'nps' ? { nps: value } : { csat: value }) });
}

/**
 * The agents and calls APIs: ids unique per request (`api:<kind>:<target>:<ms>:<n>`,
 * n a per-process counter), built as server/agents/routes.ts and server/calls/routes.ts build them.
 */
export class ApiSteps {
  private seq = 0;

  /** POST /api/agents/:id/state */
  agentState(agentId: string, at: number, state: 'available' | 'away' | 'offline', reason?: string): Logged {
    const event: DomainEvent = { id: `api:state:${agentId}:${at}:${this.seq++}`, at, agentId, type: 'agent.state', state, ...(reason ? { reason } : {}) };
    return { event, source: 'api:agents' };
  }

  /** POST /api/agents/:id/ready (wrap-up ended by hand). */
  agentReady(agentId: string, at: number): Logged {
    return { event: { id: `api:ready:${agentId}:${at}:${this.seq++}`, at, agentId, type: 'agent.ready' }, source: 'api:agents' };
  }

  /** POST /api/calls/:id/disposition (the agent, during wrap-up). */
  disposition(callId: string, at: number, resolvedFirstContact: boolean): Logged {
    return { event: { id: `api:disposition:${callId}:${at}:${this.seq++}`, at, callId, type: 'call.disposition', resolvedFirstContact }, source: 'api:calls' };
  }
}
