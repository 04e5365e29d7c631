// The number to call back, asked the same way wherever a callback is requested (docs/sac.md):
// in the wait (callback-request.ts) and at a closed queue (closed.ts). The caller ID read
// back: 1 confirms it, 2 asks for another; a withheld caller ID goes straight to typing one
// (DDD and number, then #). Each caller of these steps gives the action URL of the next step
// and what follows a <Gather> that gets no key (the hold in the wait, a goodbye when closed).
import type { Localised } from '../../config/types.ts';
import type { VoiceResponse } from '../voice.ts';
import type { WebhookCall } from '../webhook.ts';

/** The key that confirms the number read back (and asks for the callback at the offers). */
export const CONFIRM_KEY = '1';
/** The key that asks to type another number. */
export const TYPE_ANOTHER_KEY = '2';

export const CONFIRM: Localised = {
  'pt-BR': 'Ligaremos para o número {number}. Para confirmar, tecle 1. Para digitar outro número, tecle 2.',
  en: 'We will call {number}. To confirm, press 1. To enter another number, press 2.',
  es: 'Llamaremos al número {number}. Para confirmar, marque 1. Para ingresar otro número, marque 2.',
};
export const TYPE_NUMBER: Localised = {
  'pt-BR': 'Digite o número com o DDD e tecle sustenido.',
  en: 'Enter the number with its area code, then press the pound key.',
  es: 'Marque el número con el código de área y luego la tecla numeral.',
};
export const INVALID: Localised = {
  'pt-BR': 'Número inválido.',
  en: 'That number is not valid.',
  es: 'Número no válido.',
};

/** Where the caller is in choosing the number: `confirm` (the caller ID read back, or an offer's key) or `typed`. */
export type NumberStep = 'confirm' | 'typed';

/** What the caller's keys at a step lead to. */
export type NumberChoice =
  | { next: 'register'; number: string }
  | { next: 'type'; invalid: boolean }
  | { next: 'none' };

/**
 * The caller's answer at `step`: at `confirm`, 1 takes the caller ID (none: type one) and 2
 * asks for another; at `typed`, a valid number is taken, anything else asks again. Any other
 * key, or none: no callback.
 */
export function chooseNumber(step: NumberStep, digits: string, callerId: string | null): NumberChoice {
  if (step === 'typed') {
    const typed = phoneNumber(digits);
    return typed ? { next: 'register', number: typed } : { next: 'type', invalid: true };
  }
  if (digits === CONFIRM_KEY && callerId) return { next: 'register', number: callerId };
  if (digits === TYPE_ANOTHER_KEY || (digits === CONFIRM_KEY && !callerId)) return { next: 'type', invalid: false };
  return { next: 'none' };
}

type AnyCall = WebhookCall<unknown, unknown>;

/** Reads `number` back in a <Gather> (1 confirms, 2 another) posting to `action`; `text` replaces the default prompt. */
export function confirmNumber(call: AnyCall, r: VoiceResponse, number: string, action: string, text: Localised = CONFIRM): VoiceResponse {
  const { voice, lang, settings } = call;
  const g = r.gather({ input: ['dtmf'], numDigits: 1, timeout: settings.ivr.gatherTimeoutSeconds, action, method: 'POST' });
  voice.say(g, voice.text(text, lang).replaceAll('{number}', spokenNumber(number)), lang);
  return r;
}

/** Asks for a number (DDD and number, then #) in a <Gather> posting to `action`; after "invalid" when `invalid`. */
export function askNumber(call: AnyCall, r: VoiceResponse, action: string, invalid = false): VoiceResponse {
  const { voice, lang, settings } = call;
  if (invalid) voice.say(r, INVALID, lang);
  const g = r.gather({ input: ['dtmf'], numDigits: 13, finishOnKey: '#', timeout: settings.ivr.gatherTimeoutSeconds, action, method: 'POST' });
  voice.say(g, TYPE_NUMBER, lang);
  return r;
}

/** The caller ID to call back, E.164; null when withheld, anonymous or not a phone number. */
export function callerNumber(body: { From?: string; Caller?: string }): string | null {
  return phoneNumber(body.From ?? body.Caller ?? '');
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
export function spokenNumber(number: string): string {
  const local = number.startsWith('+55') ? number.slice(3) : number.replace(/^\+/, '');
  return local.split('').join(' ');
}
