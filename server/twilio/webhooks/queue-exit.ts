// The <Enqueue> action: the caller left the Twilio queue. Hung up: abandoned. Queue
// full: overflow. Otherwise (our REST dequeue or redirect, or bridged) the caller
// carries on where the core says the call is.
//
// A QueueResult Atende does not know yet (Twilio adds values) is taken as `leave`:
// the queue stay is over and the caller, if still there, goes where the core says
// (back into its queue when it is still waiting). Never a 4xx, never an abandon
// counted on a guess; a caller who hung up says so by CallStatus=completed anyway.
import { Type } from '@sinclair/typebox';
import { LangQuery, QUEUE_RESULTS, Seconds, Sid, twilioBody, TwilioEnum } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { whereTheCallBelongs } from './steps.ts';

const Body = twilioBody({
  QueueResult: TwilioEnum,
  QueueSid: Type.Optional(Sid('QU')),
  QueueTime: Type.Optional(Seconds),
});

export default defineWebhook({
  url: '/twilio/queue/exit',
  body: Body,
  query: LangQuery,
  async handle(call) {
    const { body, core, voice, legs, lang, now, commit } = call;
    const sid = body.CallSid;
    const result = (QUEUE_RESULTS as readonly string[]).includes(body.QueueResult) ? body.QueueResult : 'leave';
    const callerGone = body.CallStatus === 'completed' || result === 'hangup';
    if (body.QueueSid) legs.left(sid, body.QueueSid);
    // Left for a callback (callback-request.ts): the place is kept with nobody on the line; no abandon.
    const callback = core.call(sid)?.callback ?? null;
    if (callback !== null && !callback.reached) return callerGone ? voice.response() : hangupNow(voice.response());
    if (callerGone) {
      if (core.call(sid)) await commit({ type: 'call.abandoned', id: legs.endedId(sid), at: now(), callId: sid });
      return voice.response();
    }
    const c = core.call(sid);
    if (result === 'queue-full') {
      if (c && c.status !== 'ended') await commit({ type: 'call.ended', id: legs.endedId(sid), at: now(), callId: sid, by: 'system' });
      return voice.overflow(lang);
    }
    return whereTheCallBelongs(call, sid, lang, result === 'error' || result === 'system-error');
  },
});

function hangupNow<R extends { hangup(): unknown }>(r: R): R {
  r.hangup();
  return r;
}
