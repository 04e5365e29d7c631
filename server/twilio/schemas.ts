// JSON Schemas of the Twilio webhook bodies. Twilio adds parameters over time, so
// every body accepts extra fields; the ones Atende reads are checked.
const SID = (prefix: string) => ({ type: 'string', pattern: `^${prefix}[0-9a-fA-F]{32}$` });
const CALL_STATUS = { type: 'string', enum: ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] };
const SECONDS = { type: 'string', pattern: '^[0-9]{1,7}$' };

function body(required: string[], properties: Record<string, unknown>) {
  return {
    type: 'object',
    required: ['CallSid', ...required],
    additionalProperties: { type: 'string', maxLength: 2048 },
    properties: { CallSid: SID('CA'), AccountSid: SID('AC'), CallStatus: CALL_STATUS, ...properties },
  };
}

export const voiceBody = body(['From'], { From: { type: 'string', maxLength: 256 }, To: { type: 'string', maxLength: 256 } });
export const ivrBody = body([], { Digits: { type: 'string', pattern: '^[0-9*#]{0,32}$' } });
export const waitBody = body(['QueueSid'], { QueueSid: SID('QU'), QueuePosition: SECONDS, QueueTime: SECONDS });
export const exitBody = body(['QueueResult'], {
  QueueResult: { type: 'string', enum: ['bridged', 'bridging-in-process', 'error', 'hangup', 'leave', 'redirected', 'redirected-from-bridged', 'queue-full', 'system-error'] },
  QueueSid: SID('QU'), QueueTime: SECONDS,
});
export const connectBody = body([], {});
export const whisperBody = body([], { ParentCallSid: SID('CA') });
export const agentStatusBody = body(['CallStatus'], { ParentCallSid: SID('CA'), SequenceNumber: SECONDS, CallbackSource: { type: 'string' } });
export const dialDoneBody = body(['DialCallStatus'], {
  DialCallStatus: { type: 'string', enum: ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] },
  DialCallSid: SID('CA'), DialCallDuration: SECONDS,
});
export const surveyBody = body([], { Digits: { type: 'string', pattern: '^[0-9*#]{0,32}$' } });
export const statusBody = body(['CallStatus'], { SequenceNumber: SECONDS, CallDuration: SECONDS });

const TOKEN = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' };
export const ivrQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    step: { type: 'string', enum: ['language'] }, menu: TOKEN, lang: TOKEN,
    attempt: { type: 'integer', minimum: 1, maximum: 20, default: 1 }, silent: { type: 'integer', enum: [1] },
  },
};
export const langQuery = { type: 'object', additionalProperties: false, properties: { lang: TOKEN } };
export const agentQuery = {
  type: 'object', additionalProperties: false, required: ['agent'],
  properties: { agent: TOKEN, lang: TOKEN, call: SID('CA') },
};
export const surveyQuery = {
  type: 'object', additionalProperties: false, required: ['step'],
  properties: { step: { type: 'string', enum: ['nps', 'csat'] }, lang: TOKEN, attempt: { type: 'integer', minimum: 1, maximum: 5, default: 1 } },
};

export const twimlResponse = { 200: { type: 'string', description: 'TwiML (text/xml)' } };
