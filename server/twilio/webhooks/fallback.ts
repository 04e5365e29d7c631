// The number's Voice fallback URL (README: Twilio console setup). Twilio posts here,
// with `ErrorCode` and `ErrorUrl`, when the Voice URL failed: a timeout, no
// connection, a non-2xx answer or TwiML it could not run (docs: usage/security/
// availability-reliability). Without it the caller hears "an application error has
// occurred" and is hung up on. Here the caller is kept and entry is tried again: a
// call Atende already follows goes where the core says it is (its queue, its agent);
// any other call enters afresh (logged as arrived, then the first menu). Should the
// log refuse the arrival, the factory holds the caller and tries this step again.
import { Type } from '@sinclair/typebox';
import { defineWebhook, INCOMING_CALL_BODY_LIMIT } from '../webhook.ts';
import { arrive, IncomingCall } from './voice.ts';
import { hangup, whereTheCallBelongs } from './steps.ts';

const Body = Type.Composite([IncomingCall, Type.Object({
  ErrorCode: Type.Optional(Type.String({ maxLength: 16 })),
  ErrorUrl: Type.Optional(Type.String({ maxLength: 4096 })),
})], { additionalProperties: true });

export default defineWebhook({
  url: '/twilio/fallback',
  body: Body,
  // The fallback gets what the Voice URL got, Add-on results included.
  bodyLimit: INCOMING_CALL_BODY_LIMIT,
  handle(call) {
    const { body, core, log, lang } = call;
    log.warn({ callSid: body.CallSid, errorCode: body.ErrorCode, errorUrl: body.ErrorUrl }, 'Twilio could not use a webhook and called the fallback URL; the caller is kept');
    const c = core.call(body.CallSid);
    if (c?.status === 'ended') return hangup(call);
    if (c && c.status !== 'ivr') return whereTheCallBelongs(call, c.id, lang);
    return arrive(call);
  },
});
