// The IVR: the language menu first, then the menu tree; an option with a queue puts
// the caller in it (<Enqueue>), invalid or no input repeats the menu, then the
// menu's (or the configured) default queue.
import { Type } from '@sinclair/typebox';
import type { LanguageSetting } from '../../config/types.ts';
import { Digits, OneOf, Party, Token, twilioBody, twilioQuery } from '../schemas.ts';
import { REPEAT_PROTOCOL_KEY, type VoiceResponse } from '../voice.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { closedCallbackAnswer, closedQueue } from './closed.ts';

const Body = twilioBody({
  Digits: Type.Optional(Digits),
  // Read only to adopt a call whose arrival was lost.
  From: Type.Optional(Party),
  Caller: Type.Optional(Party),
});
const Query = twilioQuery({
  // closed-callback: the answer to a closed queue's callback offer (closed.ts), for `queue`;
  // closed-typed: the number the caller typed there.
  step: Type.Optional(OneOf(['language', 'closed-callback', 'closed-typed'])),
  queue: Type.Optional(Token),
  menu: Type.Optional(Token),
  lang: Type.Optional(Token),
  attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 1 })),
  silent: Type.Optional(Type.Unsafe<1>({ type: 'integer', enum: [1] })),
});

export default defineWebhook({
  url: '/twilio/ivr',
  body: Body,
  query: Query,
  async handle(call) {
    const { body, query: q, voice, settings } = call;
    const attempt = Number(q.attempt ?? 1);
    const digits = q.silent ? '' : (body.Digits ?? '');
    const ivr = settings.ivr;
    if (q.step === 'closed-callback') return closedCallbackAnswer(call, String(q.queue ?? ivr.defaultQueue), digits, 'confirm');
    if (q.step === 'closed-typed') return closedCallbackAnswer(call, String(q.queue ?? ivr.defaultQueue), digits, 'typed');
    if (q.step === 'language') {
      const chosen = voice.languages.find((l) => l.digit === digits);
      // The greeting told the protocol in the first language: once more in the caller's own.
      if (chosen) return voice.menuPrompt(voice.response(), ivr.menu, chosen, 1, false, chosen === voice.languages[0] ? undefined : await protocolSpeech(call, chosen));
      if (attempt < ivr.maxAttempts) return voice.languageMenu(attempt + 1, ivr.invalidInput);
      return voice.menuPrompt(voice.response(), ivr.menu, voice.languages[0], 1, false);
    }
    const lang = call.lang;
    const found = voice.menu(q.menu) ?? voice.menu(undefined)!;
    const option = found.node.options.find((o) => o.digit === digits);
    // The caller asks to hear their protocol again: told, then the same menu (no attempt used).
    if (!option && digits === REPEAT_PROTOCOL_KEY) return voice.menuPrompt(voice.response(), found.node, lang, attempt, false, await protocolSpeech(call, lang));
    if (option?.menu) return voice.menuPrompt(voice.response(), option.menu, lang, 1, false);
    if (option?.queue) return enqueueCall(call, [...found.path, option.digit], option.queue, option.attributes ?? {}, lang);
    if (attempt < ivr.maxAttempts) {
      const r = voice.response();
      voice.say(r, ivr.invalidInput, lang);
      return voice.menuPrompt(r, found.node, lang, attempt + 1, false);
    }
    return enqueueCall(call, found.path, found.node.defaultQueue ?? ivr.defaultQueue, {}, lang);
  },
});

type IvrCall = WebhookCall<{ CallSid: string; From?: string; Caller?: string }, unknown>;

/** The call's protocol as <Say> reads it in `lang` (allocated now for a call whose arrival was lost). */
async function protocolSpeech(call: IvrCall, lang: LanguageSetting): Promise<string> {
  const sid = call.body.CallSid;
  const protocol = call.core.call(sid)?.protocol ?? await call.sac.protocolFor(sid, call.now());
  return call.sac.speech(protocol, lang.code);
}

async function enqueueCall(call: IvrCall, path: string[], queue: string, attributes: Record<string, string | number | boolean>, lang: LanguageSetting): Promise<VoiceResponse> {
  const { body, core, voice, now, commit } = call;
  const sid = body.CallSid;
  if (!core.call(sid)) {
    // State lost (e.g. the log was reset): adopt the call rather than drop the caller.
    const at = now();
    await commit({ type: 'call.arrived', id: `${sid}:arrived`, at, callId: sid, from: body.From ?? body.Caller ?? '', protocol: await call.sac.protocolFor(sid, at) });
  }
  await commit({ type: 'call.ivr', id: `${sid}:ivr`, at: now(), callId: sid, path, language: lang.code });
  // Nobody is enqueued into a closed queue (schedule, holiday, a supervisor's closure).
  if (!call.sac.entry(queue).open) return closedQueue(call, queue, lang);
  await commit({ type: 'call.queued', id: `${sid}:queued`, at: now(), callId: sid, queue, attributes });
  const c = core.call(sid);
  if (c?.status === 'ended' && c.outcome === 'overflowed') return voice.overflow(lang);
  return voice.enqueue(voice.response(), c?.queue ?? queue, lang);
}
