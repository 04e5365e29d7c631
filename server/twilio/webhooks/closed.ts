// A caller who reaches a closed queue (business hours, a holiday, a center's date, a
// supervisor's closure): the configured message (hours, the channels open 24/7), then,
// when the queue takes callbacks, a callback at its next opening (sac.requestCallback: the
// call waits as a callback, nobody on the line). The number is chosen as in the wait
// (callback-number.ts): the caller ID read back in the offer itself, 1 takes it, 2 asks for
// another (DDD and number, then #); a withheld caller ID presses 1 and types one.
// Never <Enqueue>: the core would refuse the call anyway (ATENDE_QUEUE_CLOSED).
import type { LanguageSetting, Localised } from '../../config/types.ts';
import type { VoiceResponse } from '../voice.ts';
import type { WebhookCall } from '../webhook.ts';
import { askNumber, callerNumber, chooseNumber, confirmNumber, type NumberStep } from './callback-number.ts';

/** Said when neither the queue nor `sac.closedMessage` has a message. */
const CLOSED: Localised = {
  'pt-BR': 'No momento esta fila está fechada.',
  en: 'This line is closed right now.',
  es: 'En este momento esta línea está cerrada.',
};
/** The offer with the caller ID read back: 1 takes it, 2 another number. */
const OFFER: Localised = {
  'pt-BR': 'Para receber uma ligação de retorno no número {number} assim que abrirmos, tecle 1. Para informar outro número, tecle 2.',
  en: 'To be called back on {number} as soon as we open, press 1. To give another number, press 2.',
  es: 'Para recibir una llamada de vuelta al número {number} en cuanto abramos, marque 1. Para indicar otro número, marque 2.',
};
/** The offer to a withheld caller ID: 1, then the number is typed. */
const OFFER_WITHHELD: Localised = {
  'pt-BR': 'Para receber uma ligação de retorno assim que abrirmos, tecle 1 e informe o seu número.',
  en: 'To be called back as soon as we open, press 1 and enter your number.',
  es: 'Para recibir una llamada de vuelta en cuanto abramos, marque 1 e indique su número.',
};
const CONFIRMED: Localised = {
  'pt-BR': 'Pedido de retorno registrado. Ligaremos para você assim que abrirmos. Obrigado.',
  en: 'Your callback request is registered. We will call you as soon as we open. Thank you.',
  es: 'Su pedido de llamada de vuelta quedó registrado. Le llamaremos en cuanto abramos. Gracias.',
};
const GOODBYE: Localised = { 'pt-BR': 'Obrigado por ligar.', en: 'Thank you for calling.', es: 'Gracias por llamar.' };

type IvrCall = WebhookCall<{ CallSid: string; From?: string; Caller?: string }, unknown>;

/** The IVR step (`/twilio/ivr?step=…`) of each of the number's steps at a closed queue. */
export const CLOSED_STEPS = { confirm: 'closed-callback', typed: 'closed-typed' } as const satisfies Record<NumberStep, string>;

function stepUrl(call: IvrCall, queue: string, lang: LanguageSetting, step: NumberStep): string {
  return call.voice.url('/twilio/ivr', { step: CLOSED_STEPS[step], queue, lang: lang.code });
}

/** The closed queue's message, then (a queue that takes callbacks) the callback offer, or goodbye. */
export function closedQueue(call: IvrCall, queue: string, lang: LanguageSetting): VoiceResponse {
  const { sac, voice, body } = call;
  const entry = sac.entry(queue);
  const r = voice.response();
  voice.say(r, entry.closedMessage ?? CLOSED, lang);
  if (!entry.callbacks) return voice.goodbye(r, GOODBYE, lang);
  const callerId = callerNumber(body);
  const at = { ...call, lang };
  confirmNumber(at, r, callerId ?? '', stepUrl(call, queue, lang, 'confirm'), callerId ? OFFER : OFFER_WITHHELD);
  return voice.goodbye(r, GOODBYE, lang);
}

/**
 * The caller's keys at a closed queue's offer (`step` confirm) or typed number (`typed`):
 * a number registers the callback for the queue's next opening; an invalid one is asked
 * again; anything else is goodbye.
 */
export async function closedCallbackAnswer(call: IvrCall, queue: string, digits: string, step: NumberStep = 'confirm'): Promise<VoiceResponse> {
  const { sac, voice, lang, body } = call;
  if (!sac.entry(queue).callbacks) return voice.goodbye(voice.response(), GOODBYE, lang);
  const choice = chooseNumber(step, digits, callerNumber(body));
  if (choice.next === 'type') return voice.goodbye(askNumber(call, voice.response(), stepUrl(call, queue, lang, 'typed'), choice.invalid), GOODBYE, lang);
  if (choice.next === 'none') return voice.goodbye(voice.response(), GOODBYE, lang);
  const r = await sac.requestCallback(body.CallSid, choice.number, queue);
  if (!r.ok) {
    call.log.warn({ callSid: body.CallSid, queue, code: r.error.code }, 'the callback request at a closed queue was refused');
    return voice.goodbye(voice.response(), GOODBYE, lang);
  }
  return voice.goodbye(voice.response(), CONFIRMED, lang);
}
