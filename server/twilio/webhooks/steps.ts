// Steps several webhooks share: putting a caller where the core says the call is,
// and recording the answer time of an agent's leg.
import type { LanguageSetting } from '../../config/types.ts';
import type { DispatchResult } from '../../engine.ts';
import type { VoiceResponse } from '../voice.ts';
import type { WebhookCall } from '../webhook.ts';

type AnyCall = WebhookCall<unknown, unknown>;

/** Call statuses after which the caller's leg is gone. */
const TERMINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export function legIsOver(callStatus: string | undefined): boolean {
  return TERMINAL.has(callStatus ?? '');
}

/**
 * TwiML that carries on where the core says the call is: back into its queue,
 * straight to the agent it is offered to, or nothing (the call is over or unknown);
 * appended to `r` when given (after what it already says).
 */
export function whereTheCallBelongs(call: AnyCall, sid: string, lang: LanguageSetting, sayError = false, r: VoiceResponse = call.voice.response()): VoiceResponse {
  const { core, voice } = call;
  const c = core.call(sid);
  if (!c) return r;
  if (sayError) voice.say(r, call.settings.ivr.errorMessage, lang);
  if (c.status === 'queued') return voice.enqueue(r, c.queue!, lang);
  if (c.status === 'offering') {
    r.redirect({ method: 'POST' }, voice.url('/twilio/agent/connect', { agent: c.agentId!, lang: lang.code }));
    return r;
  }
  return r;
}

/** The answer time: the end of the whisper (the bridge); one event per agent leg, by its sid. */
export function answered(call: AnyCall, callId: string, agentId: string, agentLegSid: string): Promise<DispatchResult> {
  return call.commit({ type: 'call.answered', id: `${callId}:answered:${agentLegSid}`, at: call.now(), callId, agentId });
}

export function hangup(call: AnyCall): VoiceResponse {
  const r = call.voice.response();
  r.hangup();
  return r;
}
