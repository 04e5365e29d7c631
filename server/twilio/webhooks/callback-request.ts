// A waiting caller asks to be called back (docs/sac.md, "Callbacks that keep the place").
// The wait URL offers the key (queue-wait.ts) when sac.offersCallback says so; this is
// its <Gather> action, in the queue's wait context (<Leave> allowed):
// - no `step`: the key was pressed: the caller ID read back, 1 confirms, 2 types another;
// - `step=confirm`: 1 registers the callback to the caller ID, 2 asks for a number;
// - `step=typed`: the number typed (area code and number, then #) is registered.
// The number's steps are shared with the closed queue's offer (callback-number.ts).
// Registered (call.callback-requested: the same place, tier and aging), the caller hears
// it and <Leave>s the queue; queue-exit.ts then hangs up without counting an abandon.
// Any other key or no key: back to the hold, nothing changed.
import { Type } from '@sinclair/typebox';
import type { Localised } from '../../config/types.ts';
import { Digits, OneOf, Party, Token, twilioBody, twilioQuery } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { askNumber, callerNumber, chooseNumber, CONFIRM_KEY, confirmNumber, type NumberStep } from './callback-number.ts';

/** The key the wait offers. */
export const CALLBACK_KEY = CONFIRM_KEY;

export const WAIT_OFFER: Localised = {
  'pt-BR': 'Para não esperar na linha e receber uma ligação de retorno sem perder a sua posição, tecle 1.',
  en: 'To hang up and be called back without losing your place in line, press 1.',
  es: 'Para no esperar en línea y recibir una llamada de vuelta sin perder su lugar, marque 1.',
};
const DONE: Localised = {
  'pt-BR': 'Pronto. Ligaremos para você quando chegar a sua vez, sem perder a sua posição. Até logo.',
  en: 'Done. We will call you when your turn comes, without losing your place. Goodbye.',
  es: 'Listo. Le llamaremos cuando llegue su turno, sin perder su lugar. Hasta luego.',
};

const Body = twilioBody({ Digits: Type.Optional(Digits), From: Type.Optional(Party), Caller: Type.Optional(Party) });
const Query = twilioQuery({ lang: Type.Optional(Token), step: Type.Optional(OneOf(['confirm', 'typed'])) });
type Call = WebhookCall<{ CallSid: string; Digits?: string; From?: string; Caller?: string }, { lang?: string; step?: 'confirm' | 'typed' }>;

export default defineWebhook({
  url: '/twilio/queue/callback',
  body: Body,
  query: Query,
  handle(call) {
    const { body, query, sac } = call;
    const digits = body.Digits ?? '';
    const callerId = callerNumber(body);
    // Served meanwhile, or no longer offered: back to where the wait was.
    if (!sac.offersCallback(body.CallSid)) return backToHold(call);
    // The offer's key: the caller ID read back (or, withheld, a number to type).
    if (!query.step) {
      if (digits !== CALLBACK_KEY) return backToHold(call);
      if (callerId) return call.voice.hold(confirmNumber(call, call.voice.response(), callerId, stepUrl(call, 'confirm')));
    }
    const choice = chooseNumber(query.step ?? 'confirm', digits, callerId);
    if (choice.next === 'register') return register(call, choice.number);
    if (choice.next === 'type') return call.voice.hold(askNumber(call, call.voice.response(), stepUrl(call, 'typed'), choice.invalid));
    return backToHold(call);
  },
  fallback: ({ voice }) => voice.hold(voice.response()),
});

/** The wait TwiML's offer: one <Gather> for the key, inside the hold cycle. */
export function offerCallback(call: WebhookCall<unknown, unknown>, r: VoiceResponse): void {
  const { voice, lang, settings } = call;
  const g = r.gather({
    input: ['dtmf'], numDigits: 1, timeout: Math.min(5, settings.ivr.gatherTimeoutSeconds),
    action: voice.url('/twilio/queue/callback', { lang: lang.code }), method: 'POST',
  });
  voice.say(g, WAIT_OFFER, lang);
}

function stepUrl(call: Call, step: NumberStep): string {
  return call.voice.url('/twilio/queue/callback', { lang: call.lang.code, step });
}

async function register(call: Call, number: string): Promise<VoiceResponse> {
  const { sac, voice, lang, body, log } = call;
  const r = await sac.requestCallback(body.CallSid, number);
  if (!r.ok) {
    log.warn({ callSid: body.CallSid, code: r.error.code }, 'the callback request was refused; the caller keeps waiting');
    return backToHold(call);
  }
  const twiml = voice.response();
  voice.say(twiml, DONE, lang);
  twiml.leave();
  return twiml;
}

function backToHold(call: Call): VoiceResponse {
  return call.voice.hold(call.voice.response());
}
