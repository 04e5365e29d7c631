// A caller who reaches a closed queue (business hours, a holiday, a center's date, a
// supervisor's closure): the configured message (hours, the channels open 24/7), then,
// when the queue takes callbacks, one key for a callback to the caller ID at its next
// opening (sac.requestCallback: the call waits as a callback, nobody on the line).
// Never <Enqueue>: the core would refuse the call anyway (ATENDE_QUEUE_CLOSED).
import type { LanguageSetting, Localised } from '../../config/types.ts';
import type { VoiceResponse } from '../voice.ts';
import type { WebhookCall } from '../webhook.ts';

/** Said when neither the queue nor `sac.closedMessage` has a message. */
const CLOSED: Localised = {
  'pt-BR': 'No momento esta fila está fechada.',
  en: 'This line is closed right now.',
  es: 'En este momento esta línea está cerrada.',
};
const OFFER: Localised = {
  'pt-BR': 'Para receber uma ligação de retorno neste número assim que abrirmos, tecle 1.',
  en: 'To be called back on this number as soon as we open, press 1.',
  es: 'Para recibir una llamada de vuelta a este número en cuanto abramos, marque 1.',
};
const CONFIRMED: Localised = {
  'pt-BR': 'Pedido de retorno registrado. Ligaremos para você assim que abrirmos. Obrigado.',
  en: 'Your callback request is registered. We will call you as soon as we open. Thank you.',
  es: 'Su pedido de llamada de vuelta quedó registrado. Le llamaremos en cuanto abramos. Gracias.',
};
const GOODBYE: Localised = { 'pt-BR': 'Obrigado por ligar.', en: 'Thank you for calling.', es: 'Gracias por llamar.' };
/** The key that asks for the callback. */
export const CLOSED_CALLBACK_KEY = '1';

type IvrCall = WebhookCall<{ CallSid: string; From?: string; Caller?: string }, unknown>;

/** The closed queue's message, then the callback offer (a caller ID to call back and a queue that takes them) or goodbye. */
export function closedQueue(call: IvrCall, queue: string, lang: LanguageSetting): VoiceResponse {
  const { sac, voice, settings, body } = call;
  const entry = sac.entry(queue);
  const r = voice.response();
  voice.say(r, entry.closedMessage ?? CLOSED, lang);
  if (!entry.callbacks || !callerNumber(body)) return voice.goodbye(r, GOODBYE, lang);
  const g = r.gather({
    input: ['dtmf'], numDigits: 1, timeout: settings.ivr.gatherTimeoutSeconds, method: 'POST',
    action: voice.url('/twilio/ivr', { step: 'closed-callback', queue, lang: lang.code }),
  });
  voice.say(g, OFFER, lang);
  return voice.goodbye(r, GOODBYE, lang);
}

/** The answer to the offer: the key registers the callback for the queue's next opening; anything else is goodbye. */
export async function closedCallbackAnswer(call: IvrCall, queue: string, digits: string): Promise<VoiceResponse> {
  const { sac, voice, lang, body } = call;
  const number = callerNumber(body);
  if (digits !== CLOSED_CALLBACK_KEY || !number) return voice.goodbye(voice.response(), GOODBYE, lang);
  const r = await sac.requestCallback(body.CallSid, number, queue);
  if (!r.ok) {
    call.log.warn({ callSid: body.CallSid, queue, code: r.error.code }, 'the callback request at a closed queue was refused');
    return voice.goodbye(voice.response(), GOODBYE, lang);
  }
  return voice.goodbye(voice.response(), CONFIRMED, lang);
}

/** The caller ID to call back: a withheld or anonymous number cannot be. */
function callerNumber(body: { From?: string; Caller?: string }): string | null {
  const n = body.From ?? body.Caller ?? '';
  return /^\+?\d{8,15}$/.test(n) ? n : null;
}
