// An escalated caller comes back here (Atende's REST redirect out of the Dial) and is
// put where the core says: back in a queue, or straight to the next agent.
import { LangQuery, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { hangup, whereTheCallBelongs } from './steps.ts';

export default defineWebhook({
  url: '/twilio/queue/reenter',
  body: twilioBody({}),
  query: LangQuery,
  handle(call) {
    const c = call.core.call(call.body.CallSid);
    if (!c || c.status === 'ended') return hangup(call);
    return whereTheCallBelongs(call, c.id, call.lang);
  },
});
