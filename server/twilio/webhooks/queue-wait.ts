// The <Enqueue> wait URL, called over and over while the caller holds: it tells the
// caller's QueueSid (legs.ts keeps it for the dequeue), and answers the position and
// estimated wait, then hold music or silence for one cycle.
import { Type } from '@sinclair/typebox';
import { LangQuery, Seconds, Sid, twilioBody } from '../schemas.ts';
import type { VoiceResponse } from '../voice.ts';
import { defineWebhook } from '../webhook.ts';

const Body = twilioBody({ QueueSid: Sid('QU'), QueuePosition: Type.Optional(Seconds), QueueTime: Type.Optional(Seconds) });

export default defineWebhook({
  url: '/twilio/queue/wait',
  body: Body,
  query: LangQuery,
  handle({ body, core, voice, legs, lang }) {
    legs.waiting(body.CallSid, body.QueueSid);
    const c = core.call(body.CallSid);
    const r = voice.response();
    if (c?.status === 'queued') {
      const position = core.positionOf(c.id) ?? 1;
      voice.say(r, voice.waitAnnouncement(position, core.estimatedWaitSeconds(c.queue!, position), lang), lang);
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
