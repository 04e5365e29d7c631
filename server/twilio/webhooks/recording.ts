// Recordings (docs/sac.md, "Gravações"). A queue whose settings say `recording` has its
// agent leg recorded by Twilio, dual-channel (caller on one channel, agent on the other):
// `record` on the <Dial> that reaches the agent (agent-connect.ts) or, for a callback, the
// customer (callback-call.ts), with a recording status callback to /twilio/recording.
// Atende never stores audio: the call record keeps the recording's sid, URL, duration and
// status; the file stays at Twilio until someone deletes it there.
//
// The callback (twilio.com/docs/voice/twiml/dial#recordingstatuscallback, and the
// Recording resource: twilio.com/docs/voice/api/recording) posts AccountSid, CallSid (the
// parent leg of a two-leg call: the one that ran the <Dial>), RecordingSid, RecordingUrl,
// RecordingStatus (in-progress, completed, absent, failed), RecordingDuration,
// RecordingChannels, RecordingSource (DialVerb), RecordingStartTime, RecordingTrack, and
// ErrorCode when there is no file (16101 too short, 16102 silent). Each becomes a
// `call.recording` event, logged then applied, keyed by recording and status, so a retry
// or a duplicate changes nothing; an ended recording is never taken back by a late one.
import { Type } from '@sinclair/typebox';
import { recordingOf } from '../../config/load.ts';
import type { Settings } from '../../config/types.ts';
import { Sid, twilioBody, twilioQuery, TwilioEnum } from '../schemas.ts';
import type { Voice } from '../voice.ts';
import { defineWebhook } from '../webhook.ts';

/** Asked of Twilio: the start (the console shows "Gravando"), the file, and its absence. */
export const RECORDING_EVENTS: ('in-progress' | 'completed' | 'absent')[] = ['in-progress', 'completed', 'absent'];

/**
 * The <Dial> attributes that record the agent leg when `queue` records: from the answer,
 * one channel per party, untrimmed (a record for the SAC keeps every second), with the
 * status callback naming Atende's call. Empty when the queue does not record.
 */
export function recordingAttributes(voice: Voice, settings: Settings, queue: string | null, callId: string) {
  if (!recordingOf(settings, queue)) return {};
  return {
    record: 'record-from-answer-dual' as const,
    trim: 'do-not-trim' as const,
    recordingStatusCallback: voice.url('/twilio/recording', { call: callId }),
    recordingStatusCallbackMethod: 'POST',
    recordingStatusCallbackEvent: RECORDING_EVENTS,
  };
}

/** Whole seconds, or -1 while Twilio does not know yet. */
const Duration = Type.String({ pattern: '^-?[0-9]{1,9}$' });

const Body = twilioBody({
  RecordingSid: Sid('RE'),
  RecordingStatus: TwilioEnum,
  RecordingUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  RecordingDuration: Type.Optional(Duration),
  RecordingChannels: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$' })),
  RecordingSource: Type.Optional(Type.String({ maxLength: 64 })),
  RecordingStartTime: Type.Optional(Type.String({ maxLength: 64 })),
  RecordingTrack: Type.Optional(Type.String({ maxLength: 32 })),
  ErrorCode: Type.Optional(Type.String({ maxLength: 16 })),
});

export default defineWebhook({
  url: '/twilio/recording',
  body: Body,
  query: twilioQuery({ call: Sid('CA') }),
  callback: true,
  async handle({ body, query, core, voice, legs, now, commit, log }) {
    const callId = query.call;
    // The call that owns the recording, where a pause goes: Twilio's CallSid (the Dial's parent
    // leg: an agent-first callback's call to the agent). A leg that carries the call (a
    // customer-first callback's customer) reaches us as the call's own id (webhook.ts): its
    // Twilio CallSid is the carrier's.
    const owner = body.CallSid !== callId ? body.CallSid : legs.twilioSidOf(callId);
    if (!core.call(callId)) {
      // The core forgets an ended call after 30 minutes: a file Twilio took longer to finish is only in Twilio's logs.
      log.warn({ callSid: callId, recordingSid: body.RecordingSid, status: body.RecordingStatus, url: body.RecordingUrl }, 'a recording of a call Atende no longer keeps; not recorded');
      return voice.response();
    }
    const duration = body.RecordingDuration === undefined ? -1 : Number(body.RecordingDuration);
    if (body.ErrorCode) log.warn({ recordingSid: body.RecordingSid, status: body.RecordingStatus, errorCode: body.ErrorCode }, 'Twilio kept no recording file');
    await commit({
      type: 'call.recording', id: `${callId}:recording:${body.RecordingSid}:${body.RecordingStatus}`, at: now(), callId,
      recordingSid: body.RecordingSid, status: body.RecordingStatus, callSid: owner,
      ...(body.RecordingUrl ? { url: body.RecordingUrl } : {}),
      ...(duration >= 0 ? { durationSeconds: duration } : {}),
      ...(body.RecordingChannels ? { channels: Number(body.RecordingChannels) } : {}),
    });
    return voice.response();
  },
  fallback: ({ voice }) => voice.response(),
});
