// The agent leg's status callback: only "answered" matters here (the answer time, the
// same event id as the whisper's); the end of the talk comes from the Dial's action.
import { Type } from '@sinclair/typebox';
import { AgentQuery, CallStatus, Seconds, Sid, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { answered } from './steps.ts';

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
  handle(call) {
    const { body, query, voice } = call;
    const callId = String(query.call ?? body.ParentCallSid ?? '');
    if (body.CallStatus === 'in-progress' && (body.StatusCallbackEvent ?? 'answered') === 'answered') {
      answered(call, callId, String(query.agent), body.CallSid);
    }
    return voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});
