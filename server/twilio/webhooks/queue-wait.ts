// The <Enqueue> wait URL, called over and over while the caller holds: it tells the
// caller's QueueSid (legs.ts keeps it for the dequeue), and answers the position and
// estimated wait, then hold music or silence for one cycle.
import { Type } from '@sinclair/typebox';
import { LangQuery, Seconds, Sid, twilioBody } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook } from '../webhook.ts';
import { offerCallback } from './callback-request.ts';

const Body = twilioBody({ QueueSid: Sid('QU'), QueuePosition: Type.Optional(Seconds), QueueTime: Type.Optional(Seconds) });

export default defineWebhook({
  url: '/twilio/queue/wait',
  body: Body,
  query: LangQuery,
  handle(call) {
    const { body, core, voice, legs, lang, sac } = call;
    legs.waiting(body.CallSid, body.QueueSid);
    const c = core.call(body.CallSid);
    const r = voice.response();
    if (c?.status === 'queued') {
      const position = core.positionOf(c.id) ?? 1;
      voice.say(r, voice.waitAnnouncement(position, core.estimatedWaitSeconds(c.queue!, position), lang), lang);
      // Waited long enough with a long wait ahead (or the queue closed under them): a callback that keeps the place.
      if (sac.offersCallback(c.id)) offerCallback(call, r);
      return voice.hold(r);
    }
    // Being dequeued to an agent (or unknown here): a short pause keeps the heartbeat quick.
    return shortPause(r);
  },
  fallback: ({ voice }) => shortPause(voice.response()),
});

function shortPause(r: VoiceResponse): VoiceResponse {
  r.pause({ length: 2 });
  return r;
}
