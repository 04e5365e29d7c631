// The number's status callback: the caller's leg is over. A terminal status ends the
// call once and never moves it backwards; earlier statuses are ignored.
//
// A CallStatus Atende does not know yet is taken as not terminal (ending a call that
// goes on would drop a caller from the queue), unless the request says it is the
// end in Twilio's own words: `CallDuration` or `StatusCallbackEvent=completed`, sent
// only when the call is over (twilio.md §1). Either way the reconciler is asked to
// read the call from Twilio (reconcile.ts), which settles it by the Call resource.
import { Type } from '@sinclair/typebox';
import { CALL_STATUSES, CallStatus, Seconds, twilioBody, TwilioEnum } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { legIsOver } from './steps.ts';

const Body = twilioBody({
  CallStatus, SequenceNumber: Type.Optional(Seconds), CallDuration: Type.Optional(Seconds), StatusCallbackEvent: Type.Optional(TwilioEnum),
});

export default defineWebhook({
  url: '/twilio/status',
  body: Body,
  callback: true,
  async handle({ body, core, voice, now, commit, reconciler }) {
    const known = (CALL_STATUSES as readonly string[]).includes(body.CallStatus ?? '');
    const over = known ? legIsOver(body.CallStatus) : body.CallDuration !== undefined || body.StatusCallbackEvent === 'completed';
    if (!known) reconciler.lookUp(body.CallSid);
    const c = core.call(body.CallSid);
    // A callback (asked for at a closed queue or in the wait, or a drop) has nobody on this
    // leg any more: its hang-up must not end the place it keeps.
    if (c && c.status !== 'ended' && c.callback === null && over) {
      await commit({ type: 'call.ended', id: `${body.CallSid}:ended`, at: now(), callId: body.CallSid, by: 'caller' });
    }
    return voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});
