// The number's status callback: the caller's leg is over. A terminal status ends the
// call once and never moves it backwards; earlier statuses are ignored.
import { Type } from '@sinclair/typebox';
import { CallStatus, Seconds, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { legIsOver } from './steps.ts';

const Body = twilioBody({ CallStatus, SequenceNumber: Type.Optional(Seconds), CallDuration: Type.Optional(Seconds) });

export default defineWebhook({
  url: '/twilio/status',
  body: Body,
  handle({ body, core, voice, now, commit }) {
    const c = core.call(body.CallSid);
    if (c && c.status !== 'ended' && legIsOver(body.CallStatus)) {
      commit({ type: 'call.ended', id: `${body.CallSid}:ended`, at: now(), callId: body.CallSid, by: 'caller' });
    }
    return voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});
