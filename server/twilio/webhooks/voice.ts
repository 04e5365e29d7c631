// A call arrives (the number's Voice URL): record it, then the language menu, or the
// root menu when only one language is configured.
import { Type } from '@sinclair/typebox';
import { Party, twilioBody } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, INCOMING_CALL_BODY_LIMIT, type WebhookCall } from '../webhook.ts';

/** What an incoming call posts that Atende reads; AddOns, CallToken, geography… pass unread. */
export const IncomingCall = twilioBody({ From: Party, To: Type.Optional(Party) });

/**
 * The call enters Atende: its SAC protocol number first (durable, the same for a retried
 * request), logged as arrived with it, then the first menu, the greeting telling the number.
 */
export async function arrive(call: WebhookCall<{ CallSid: string; From: string; To?: string }, unknown>): Promise<VoiceResponse> {
  const { body, voice, sac, settings, now, commit } = call;
  const at = now();
  const protocol = await sac.protocolFor(body.CallSid, at);
  await commit({ type: 'call.arrived', id: `${body.CallSid}:arrived`, at, callId: body.CallSid, from: body.From, to: body.To, protocol });
  const first = voice.languages[0];
  const spoken = sac.speech(protocol, first.code);
  if (voice.languages.length > 1) return voice.languageMenu(1, undefined, spoken);
  return voice.menuPrompt(voice.response(), settings.ivr.menu, first, 1, true, spoken);
}

export default defineWebhook({
  url: '/twilio/voice',
  body: IncomingCall,
  // Marketplace Add-on results come with the incoming call.
  bodyLimit: INCOMING_CALL_BODY_LIMIT,
  handle: arrive,
});
