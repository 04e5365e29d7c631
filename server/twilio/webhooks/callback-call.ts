// The callback's legs (callbacks.ts rang the agent with calls.create):
// - /twilio/callback/agent: the agent picked up. Still offered to them: `call.answered`
//   (agent-first: the agent is reached), the whisper (who, why, the protocol), then
//   <Dial> to the customer's number with the center's caller ID. Otherwise "no longer
//   available" and <Hangup/>.
// - /twilio/callback/reached: <Number url> on the customer's leg: they answered, the
//   callback is reached (sac.callbackResult 'answered'), and their leg carries the call
//   (legs.carries: an escalation moves that leg); the empty answer bridges.
// - /twilio/callback/dial-done: the Dial's action. Talked: the call ends. The customer
//   did not answer (no-answer / busy / failed): reported to the core, which frees the
//   agent and retries later or ends the callback as not reached.
// - /twilio/callback/agent-status: the agent's leg ended; never picked up while the offer
//   stood: the offer is missed (the callback waits again in its place).
import { Type } from '@sinclair/typebox';
import type { CallbackResult, OfferMissReason } from '../../../routing/types.ts';
import { protocolGroups } from '../../sac/protocol.ts';
import { CallStatus, Seconds, Sid, Token, twilioBody, twilioQuery, TwilioEnum } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { CUSTOMER_FIRST_WEBHOOKS } from './callback-customer.ts';
import { spokenNumber } from './callback-number.ts';
import { recordingAttributes } from './recording.ts';
import { answered, legIsOver } from './steps.ts';

const Query = twilioQuery({ call: Sid('CA'), agent: Type.Optional(Token) });
type Q = { call: string; agent?: string };

const RESULT: Record<string, CallbackResult> = { 'no-answer': 'no-answer', busy: 'busy', failed: 'failed', canceled: 'no-answer' };
const MISS: Record<string, OfferMissReason> = { 'no-answer': 'no-answer', busy: 'busy', failed: 'failed', canceled: 'no-answer' };
/** How long the customer's phone rings: long enough to pick up, short of most voicemails. */
const CUSTOMER_RING_SECONDS = 30;
const NOT_REACHED = { 'pt-BR': 'O cliente não atendeu. O retorno será tentado de novo.', en: 'The customer did not answer. The callback will be tried again.', es: 'El cliente no contestó. Se intentará de nuevo.' };
const GONE = { 'pt-BR': 'Este retorno não está mais disponível.', en: 'This callback is no longer available.', es: 'Esta llamada de vuelta ya no está disponible.' };

function sayAndHangUp(call: WebhookCall<unknown, unknown>, text: Record<string, string>): VoiceResponse {
  const { voice } = call;
  return voice.goodbye(voice.response(), text, voice.languages[0]);
}

const agentLeg = defineWebhook({
  url: '/twilio/callback/agent',
  body: twilioBody({}),
  query: Query,
  async handle(call) {
    const { query, core, voice, body } = call;
    const q = query as Q;
    const c = core.call(q.call);
    if (!c || c.status !== 'offering' || c.agentId !== q.agent || !c.callback) return sayAndHangUp(call, GONE);
    await answered(call, q.call, q.agent!, body.CallSid);
    const lang = voice.languages[0]; // agents hear the center's first language
    const queue = core.queueConfigs().find((x) => x.id === c.queue)?.name ?? c.queue ?? '';
    const why = c.callback.origin === 'dropped' ? 'chamada que caiu' : 'pedido de retorno';
    const protocol = c.protocol ? ` Protocolo ${protocolGroups(c.protocol, call.sac.protocols.format()).join(' ')}.` : '';
    const r = voice.response();
    voice.say(r, `Retorno para ${spokenNumber(c.callback.number)}, ${why}, fila ${queue}.${protocol} Ligando para o cliente.`, lang);
    // No callerId: a <Dial> shows the caller ID of the call it runs on, here the `from` of
    // calls.create, the center's number the customer called (twilio.com/docs/voice/twiml/dial#callerid).
    const dial = r.dial({
      timeout: CUSTOMER_RING_SECONDS,
      action: voice.url('/twilio/callback/dial-done', { call: q.call, agent: q.agent }), method: 'POST',
      // A queue that records: the agent and the customer, one channel each (recording.ts); the
      // recording belongs to this call to the agent, the Dial's parent leg.
      ...recordingAttributes(voice, call.settings, c.queue, q.call),
    });
    dial.number({ url: voice.url('/twilio/callback/reached', { call: q.call }), method: 'POST' }, c.callback.number);
    return r;
  },
  fallback: (call) => sayAndHangUp(call, GONE),
});


const reached = defineWebhook({
  url: '/twilio/callback/reached',
  body: twilioBody({}),
  query: Query,
  async handle(call) {
    const q = call.query as Q;
    const c = call.core.call(q.call);
    if (c?.callback && !c.callback.reached) {
      const r = await call.sac.callbackResult(q.call, 'answered');
      // The customer's leg carries the call from now on: an escalation or a transfer moves
      // that leg (REST redirect) back into a queue, and its requests are the call's.
      if (r.ok) call.legs.carries(call.body.CallSid, q.call, c.callback.origin === 'dropped' ? c.callback.requestedAt : null);
    }
    return call.voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});

const dialDone = defineWebhook({
  url: '/twilio/callback/dial-done',
  body: twilioBody({ DialCallStatus: TwilioEnum, DialCallSid: Type.Optional(Sid('CA')), DialCallDuration: Type.Optional(Seconds) }),
  query: Query,
  async handle(call) {
    const { body, core, now, commit, sac } = call;
    const q = call.query as Q;
    const c = core.call(q.call);
    if (!c || c.status === 'ended') return call.voice.response();
    if (c.callback?.reached || (body.DialCallStatus === 'completed' && c.status === 'connected' && !c.callback)) {
      if (c.status === 'connected') await commit({ type: 'call.ended', id: call.legs.endedId(q.call), at: now(), callId: q.call, by: legIsOver(body.CallStatus) ? 'agent' : 'caller' });
      return call.voice.response();
    }
    if (c.callback && c.status === 'connected' && c.agentId === q.agent) {
      await sac.callbackResult(q.call, RESULT[body.DialCallStatus] ?? 'failed');
      return sayAndHangUp(call, NOT_REACHED);
    }
    return call.voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});

const agentStatus = defineWebhook({
  url: '/twilio/callback/agent-status',
  body: twilioBody({ CallStatus }),
  query: Query,
  callback: true,
  async handle(call) {
    const { body, core, now, commit } = call;
    const q = call.query as Q;
    const c = core.call(q.call);
    if (legIsOver(body.CallStatus) && c?.status === 'offering' && c.agentId === q.agent) {
      await commit({ type: 'call.offer-missed', id: `${q.call}:missed:${body.CallSid}`, at: now(), callId: q.call, agentId: q.agent, reason: MISS[body.CallStatus ?? ''] ?? 'failed' });
    }
    return call.voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});

/** Every callback leg's webhook, agent-first and customer-first (callback-customer.ts). */
export const CALLBACK_WEBHOOKS = [agentLeg, reached, dialDone, agentStatus, ...CUSTOMER_FIRST_WEBHOOKS];
