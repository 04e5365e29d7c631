// The agent leg's status callback. It records nothing: Twilio reports the leg
// "answered" when the agent's phone is picked up (twilio.com/docs/voice/twiml/number,
// statusCallbackEvent), which is before the whisper runs and so before the caller is
// connected; a voicemail or an agent who drops during the whisper is "answered" too.
// The answer time is the end of the whisper (whisper.ts), the end of the talk comes
// from the Dial's action (dial-done.ts). Kept so each leg's progress is in the logs.
import { Type } from '@sinclair/typebox';
import { AgentQuery, CallStatus, Seconds, Sid, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';

const Body = twilioBody({
  CallStatus,
  ParentCallSid: Type.Optional(Sid('CA')),
  SequenceNumber: Type.Optional(Seconds),
  CallbackSource: Type.Optional(Type.String()),
  StatusCallbackEvent: Type.Optional(Type.String({ maxLength: 2048 })),
});

export default defineWebhook({
  url: '/twilio/agent/status',
  body: Body,
  query: AgentQuery,
  callback: true,
  handle({ body, query, log, voice }) {
    log.debug({ agent: query.agent, parentCallSid: query.call ?? body.ParentCallSid, event: body.StatusCallbackEvent, status: body.CallStatus }, 'agent leg status');
    return voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});
