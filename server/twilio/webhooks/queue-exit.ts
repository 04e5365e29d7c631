// The <Enqueue> action: the caller left the Twilio queue. Hung up: abandoned. Queue
// full: overflow. Otherwise (our REST dequeue or redirect, or bridged) the caller
// carries on where the core says the call is.
import { Type } from '@sinclair/typebox';
import { LangQuery, OneOf, Seconds, Sid, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { whereTheCallBelongs } from './steps.ts';

const Body = twilioBody({
  QueueResult: OneOf(['bridged', 'bridging-in-process', 'error', 'hangup', 'leave', 'redirected', 'redirected-from-bridged', 'queue-full', 'system-error']),
  QueueSid: Type.Optional(Sid('QU')),
  QueueTime: Type.Optional(Seconds),
});

export default defineWebhook({
  url: '/twilio/queue/exit',
  body: Body,
  query: LangQuery,
  handle(call) {
    const { body, core, voice, legs, lang, now, commit } = call;
    const sid = body.CallSid;
    const callerGone = body.CallStatus === 'completed' || body.QueueResult === 'hangup';
    if (body.QueueSid) legs.left(sid, body.QueueSid);
    if (callerGone) {
      if (core.call(sid)) commit({ type: 'call.abandoned', id: `${sid}:ended`, at: now(), callId: sid });
      return voice.response();
    }
    const c = core.call(sid);
    if (body.QueueResult === 'queue-full') {
      if (c && c.status !== 'ended') commit({ type: 'call.ended', id: `${sid}:ended`, at: now(), callId: sid, by: 'system' });
      return voice.overflow(lang);
    }
    return whereTheCallBelongs(call, sid, lang, body.QueueResult === 'error' || body.QueueResult === 'system-error');
  },
});
