// A waiting caller asks to be called back (docs/sac.md, "Callbacks that keep the place").
// The wait URL offers the key (queue-wait.ts) when sac.offersCallback says so; this is
// its <Gather> action, in the queue's wait context (<Leave> allowed):
// - no `step`: the key was pressed: the caller ID read back, 1 confirms, 2 types another;
// - `step=confirm`: 1 registers the callback to the caller ID, 2 asks for a number;
// - `step=typed`: the number typed (area code and number, then #) is registered.
// Registered (call.callback-requested: the same place, tier and aging), the caller hears
// it and <Leave>s the queue; queue-exit.ts then hangs up without counting an abandon.
// Any other key or no key: back to the hold, nothing changed.
import { Type } from '@sinclair/typebox';
import type { Localised } from '../../config/types.ts';
import { Digits, OneOf, Party, Token, twilioBody, twilioQuery } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';

/** The key the wait offers, and the one that confirms. */
export const CALLBACK_KEY = '1';
const TYPE_ANOTHER_KEY = '2';

export const WAIT_OFFER: Localised = {
  'pt-BR': 'Para não esperar na linha e receber uma ligação de retorno sem perder a sua posição, tecle 1.',
  en: 'To hang up and be called back without losing your place in line, press 1.',
  es: 'Para no esperar en línea y recibir una llamada de vuelta sin perder su lugar, marque 1.',
};
const CONFIRM: Localised = {
  'pt-BR': 'Ligaremos para o número {number}. Para confirmar, tecle 1. Para digitar outro número, tecle 2.',
  en: 'We will call {number}. To confirm, press 1. To enter another number, press 2.',
  es: 'Llamaremos al número {number}. Para confirmar, marque 1. Para ingresar otro número, marque 2.',
};
const TYPE_NUMBER: Localised = {
  'pt-BR': 'Digite o número com o DDD e tecle sustenido.',
  en: 'Enter the number with its area code, then press the pound key.',
  es: 'Marque el número con el código de área y luego la tecla numeral.',
};
const DONE: Localised = {
  'pt-BR': 'Pronto. Ligaremos para você quando chegar a sua vez, sem perder a sua posição. Até logo.',
  en: 'Done. We will call you when your turn comes, without losing your place. Goodbye.',
  es: 'Listo. Le llamaremos cuando llegue su turno, sin perder su lugar. Hasta luego.',
};
const INVALID: Localised = {
  'pt-BR': 'Número inválido.',
  en: 'That number is not valid.',
  es: 'Número no válido.',
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
    const callerId = phoneNumber(body.From ?? body.Caller ?? '');
    // Served meanwhile, or no longer offered: back to where the wait was.
    if (!sac.offersCallback(body.CallSid)) return backToHold(call);
    if (query.step === 'typed') {
      const typed = phoneNumber(digits);
      if (!typed) return askNumber(call, INVALID);
      return register(call, typed);
    }
    if (query.step === 'confirm') {
      if (digits === CALLBACK_KEY && callerId) return register(call, callerId);
      if (digits === TYPE_ANOTHER_KEY || (digits === CALLBACK_KEY && !callerId)) return askNumber(call);
      return backToHold(call);
    }
    if (digits !== CALLBACK_KEY) return backToHold(call);
    if (!callerId) return askNumber(call);
    return confirm(call, callerId);
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

function confirm(call: Call, number: string): VoiceResponse {
  const { voice, lang, settings } = call;
  const r = voice.response();
  const g = r.gather({
    input: ['dtmf'], numDigits: 1, timeout: settings.ivr.gatherTimeoutSeconds,
    action: voice.url('/twilio/queue/callback', { lang: lang.code, step: 'confirm' }), method: 'POST',
  });
  voice.say(g, voice.text(CONFIRM, lang).replaceAll('{number}', spokenNumber(number)), lang);
  return voice.hold(r);
}

function askNumber(call: Call, before?: Localised): VoiceResponse {
  const { voice, lang, settings } = call;
  const r = voice.response();
  if (before) voice.say(r, before, lang);
  const g = r.gather({
    input: ['dtmf'], numDigits: 13, finishOnKey: '#', timeout: settings.ivr.gatherTimeoutSeconds,
    action: voice.url('/twilio/queue/callback', { lang: lang.code, step: 'typed' }), method: 'POST',
  });
  voice.say(g, TYPE_NUMBER, lang);
  return voice.hold(r);
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

/**
 * A number to call back, E.164: a caller ID as Twilio gives it, or digits typed in Brazil
 * (DDD and number, 10 or 11 digits; with the country code 55, 12 or 13). Null otherwise
 * (a withheld caller ID, a SIP address, too few digits).
 */
export function phoneNumber(text: string): string | null {
  if (/^\+\d{8,15}$/.test(text)) return text;
  const digits = text.replace(/^0+/, '');
  if (/^\d{10,11}$/.test(digits)) return `+55${digits}`;
  if (/^55\d{10,11}$/.test(digits)) return `+${digits}`;
  return null;
}

/** "+5511987650001" read digit by digit, the country code left out for a Brazilian number. */
function spokenNumber(number: string): string {
  const local = number.startsWith('+55') ? number.slice(3) : number.replace(/^\+/, '');
  return local.split('').join(' ');
}
