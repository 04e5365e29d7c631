// Customer-first callbacks (callbacks.order "customer-first"): callbacks.ts called the
// customer (calls.create) while the core holds the offer for the agent.
// - /twilio/callback/customer: the customer picked up. Still offered, not yet reached:
//   their leg carries the call from now on (legs.carries: its requests are the call's own,
//   REST dequeues and redirects reach it), the callback is reached (sac.callbackResult
//   'answered': the core gives the agent a fresh offer timeout), they hear a short line in
//   their language (who calls back, the protocol, "hold on") and go to /twilio/agent/connect,
//   the ordinary caller's <Dial> to the offered agent with the whisper (and, for an agent on
//   a phone number, the accept key): the whisper's end is the answer. The agent misses: the
//   ordinary /twilio/dial/done reports call.offer-missed, the core turns the call into an
//   ordinary caller (callback: null) at the head of its tier with its original arrival, and
//   the customer's leg is <Enqueue>d into its queue.
// - /twilio/callback/customer-status: the customer's leg ended. Never picked up while the
//   offer stood (no-answer, busy, failed, canceled): sac.callbackResult with that result (the
//   core frees the agent, retries after callbacks.retryDelaySeconds or ends the callback as
//   not reached). Hung up after picking up: the call ends by the caller, as /twilio/status
//   ends an ordinary caller's.
import type { Localised } from '../../config/types.ts';
import type { CallbackResult } from '../../../routing/types.ts';
import { protocolGroups } from '../../sac/protocol.ts';
import { CallStatus, Sid, Token, twilioBody, twilioQuery } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { legIsOver, whereTheCallBelongs } from './steps.ts';

const Query = twilioQuery({ call: Sid('CA'), agent: Token });
type Q = { call: string; agent: string };

/** What the customer hears once they pick up, before the agent is rung. */
export const CUSTOMER_LINE: Localised = {
  'pt-BR': 'Olá! Aqui é o retorno da {center}, {queue}. Protocolo {protocol}. Aguarde, vamos conectar você a um atendente.',
  en: 'Hello, this is the callback from {center}, {queue}. Protocol {protocol}. Please hold while we connect you to an agent.',
  es: 'Hola, le devolvemos la llamada de {center}, {queue}. Protocolo {protocol}. Espere, vamos a conectarlo con un agente.',
};
const SORRY: Localised = {
  'pt-BR': 'Desculpe, não foi possível completar o retorno agora. Ligaremos de novo.',
  en: 'Sorry, we could not complete the callback now. We will call you again.',
  es: 'Disculpe, no fue posible completar la llamada ahora. Le llamaremos de nuevo.',
};
/** How the call to the customer ended, by its final CallStatus, when they never picked up. */
const RESULT: Record<string, CallbackResult> = { 'no-answer': 'no-answer', busy: 'busy', failed: 'failed', canceled: 'no-answer', completed: 'no-answer' };

const customer = defineWebhook({
  url: '/twilio/callback/customer',
  body: twilioBody({}),
  query: Query,
  async handle(call) {
    const { body, core, voice, legs, sac, log } = call;
    const q = call.query as Q;
    const c = core.call(q.call);
    // The factory reads a carrying leg's requests as the call's: a CallSid equal to the
    // call's id here is this very leg asking again (a hold's retry).
    const ours = body.CallSid === q.call;
    if (!c || c.status === 'ended') return sorry(call);
    if (c.status === 'offering' && c.agentId === q.agent && c.callback && !c.callback.reached) {
      const r = await sac.callbackResult(q.call, 'answered');
      if (!r.ok) {
        log.warn({ code: r.error.code }, 'callback: the customer\'s answer was refused; they will be called again');
        return sorry(call);
      }
      legs.carries(body.CallSid, q.call, c.callback.origin === 'dropped' ? c.callback.requestedAt : null);
    } else if (!ours) {
      // The offer moved on while the phone rang (it expired, the agent left): this leg carries nothing.
      log.info({ status: c.status }, 'callback: the customer picked up after the offer ended; they will be called again');
      return sorry(call);
    }
    const reached = core.call(q.call)!;
    const lang = voice.language(reached.language ?? undefined);
    const r = voice.response();
    voice.say(r, lineFor(call, reached.queue, reached.protocol, lang.code), lang);
    return whereTheCallBelongs(call, q.call, lang, false, r);
  },
  fallback: (call) => sorry(call),
});

const customerStatus = defineWebhook({
  url: '/twilio/callback/customer-status',
  body: twilioBody({ CallStatus }),
  query: Query,
  callback: true,
  async handle(call) {
    const { body, core, now, commit, sac } = call;
    const q = call.query as Q;
    const c = core.call(q.call);
    if (!legIsOver(body.CallStatus) || !c || c.status === 'ended') return call.voice.response();
    if (c.status === 'offering' && c.agentId === q.agent && c.callback && !c.callback.reached && body.CallSid !== q.call) {
      // Never picked up (Twilio: no-answer after the ring timeout, busy, failed).
      await sac.callbackResult(q.call, RESULT[body.CallStatus ?? ''] ?? 'failed');
    } else if (body.CallSid === q.call) {
      // This leg carried the call (read as the call's by the factory): the customer hung up.
      await commit({ type: 'call.ended', id: call.legs.endedId(q.call), at: now(), callId: q.call, by: 'caller' });
    }
    return call.voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});

/** "Aqui é o retorno da <central>, <fila>. Protocolo 2 0 2 6, 1 2, …" in the customer's language. */
function lineFor(call: WebhookCall<unknown, unknown>, queue: string | null, protocol: string | null, lang: string): string {
  const { voice, settings, core } = call;
  const name = core.queueConfigs().find((x) => x.id === queue)?.name ?? queue ?? '';
  const spoken = protocol ? protocolGroups(protocol, call.sac.protocols.format()).map((g) => g.split('').join(' ')).join(', ') : '';
  let text = voice.text(CUSTOMER_LINE, voice.language(lang))
    .replaceAll('{center}', settings.centerName).replaceAll('{queue}', name);
  text = spoken ? text.replaceAll('{protocol}', spoken) : text.replace(/ ?[^.!]*\{protocol\}\./, '');
  return text;
}

function sorry(call: WebhookCall<unknown, unknown>): VoiceResponse {
  const { voice } = call;
  return voice.goodbye(voice.response(), SORRY, call.lang);
}

export const CUSTOMER_FIRST_WEBHOOKS = [customer, customerStatus];
