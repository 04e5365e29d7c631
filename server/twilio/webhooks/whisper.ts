// The whisper, on the agent's leg (the <Client>/<Number> url): the agent has picked
// up, the caller is not connected yet. Answered means bridged, so the answer time is
// the end of the whisper, which comes back here as a second request (voice.ts):
// - no `step`: the agent picked up; the whisper of queue, tier and why, ending in
//   the accept <Gather> (a phone number) or a <Redirect> (the softphone);
// - `step=accept`: the agent pressed a key; `step=bridge`: the whisper was spoken.
//   Either is the bridge: `call.answered` now, and an empty document so Twilio
//   connects the caller. A call no longer there for this agent: "no longer
//   available" and <Hangup/> (the Dial then reports DialBridged=false).
import { Type } from '@sinclair/typebox';
import type { CallView } from '../../../routing/types.ts';
import { protocolGroups } from '../../sac/protocol.ts';
import { Digits, OneOf, Sid, Token, twilioBody, twilioQuery } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { answered } from './steps.ts';

const GONE = { 'pt-BR': 'Esta chamada não está mais disponível.', en: 'This call is no longer available.', es: 'Esta llamada ya no está disponible.' };

const Query = twilioQuery({
  agent: Token, call: Type.Optional(Sid('CA')), lang: Type.Optional(Token),
  step: Type.Optional(OneOf(['accept', 'bridge'])),
});
const Body = twilioBody({ ParentCallSid: Type.Optional(Sid('CA')), Digits: Type.Optional(Digits) });
type Call = WebhookCall<{ CallSid: string; ParentCallSid?: string; Digits?: string }, { agent: string; call?: string; step?: 'accept' | 'bridge' }>;

export default defineWebhook({
  url: '/twilio/agent/whisper',
  body: Body,
  query: Query,
  handle(call) {
    const { body, query, core } = call;
    const callId = String(query.call ?? body.ParentCallSid ?? '');
    const agentId = String(query.agent);
    if (query.step === 'accept' && !body.Digits) return gone(call); // no key is no acceptance
    if (query.step) return bridge(call, callId, agentId);
    const c = core.call(callId);
    if (!c || c.status !== 'offering' || c.agentId !== agentId) return gone(call);
    return whisperFor(call, c, callId, agentId);
  },
  // The whisper could not be built: connect the agent who picked up rather than drop
  // the caller (the Dial's DialBridged=true then records the answer).
  fallback: ({ voice }) => voice.response(),
});

/** The end of the whisper is the bridge: the answer time, then nothing more to say. */
async function bridge(call: Call, callId: string, agentId: string): Promise<VoiceResponse> {
  await answered(call, callId, agentId, call.body.CallSid);
  const c = call.core.call(callId);
  // Connected to this agent (now, or by a retry of this very request): let Twilio bridge.
  if (c?.status === 'connected' && c.agentId === agentId) return call.voice.response();
  return gone(call);
}

function gone(call: Call): VoiceResponse {
  const { voice } = call;
  const r = voice.response();
  voice.say(r, GONE, voice.languages[0]);
  r.hangup();
  return r;
}

function whisperFor(call: Call, c: CallView, callId: string, agentId: string): VoiceResponse {
  const { core, voice } = call;
  const agent = core.agent(agentId);
  const contact = agent?.contact ?? `client:${agentId}`;
  const next = (step: 'accept' | 'bridge') => voice.url('/twilio/agent/whisper', { call: callId, agent: agentId, step });
  const text = whisperText(call, c);
  return voice.acceptsWithKey(agentId, contact) ? voice.whisper(text, { acceptUrl: next('accept') }) : voice.whisper(text, { bridgeUrl: next('bridge') });
}

function whisperText(call: Call, c: CallView): string {
  const { core, voice } = call;
  const queue = core.queueConfigs().find((q) => q.id === c.queue)?.name ?? c.queue ?? '';
  const parts = [`${queue}. Prioridade ${c.tier ?? ''}${c.tierRule && c.tierRule.reason !== 'default' ? `: ${c.tierRule.label}` : ''}.`];
  // A callback whose customer is already on the line (customer-first): why the call comes.
  if (c.callback) parts.unshift(`Retorno${c.callback.origin === 'dropped' ? ' de chamada que caiu' : ''}, cliente na linha.`);
  if (c.escalations > 0) parts.push(`Escalada para N${c.level}.${c.notes.length ? ` ${c.notes[c.notes.length - 1]}.` : ''}`);
  if (c.language && c.language !== voice.languages[0].code) parts.push(`Idioma: ${c.language}.`);
  // The SAC protocol, in its groups, so the agent can confirm it with the caller.
  if (c.protocol) parts.push(`Protocolo ${protocolGroups(c.protocol, call.sac.protocols.format()).join(' ')}.`);
  return parts.join(' ');
}
