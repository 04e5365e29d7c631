// TypeBox building blocks for the Twilio webhooks. Twilio's parameters are Twilio's
// business: it adds parameters and enum values over time, posts Marketplace Add-on
// results (AddOns, tens of KB) and STIR/SHAKEN tokens (CallToken, over 2 KB), and
// may repeat a key (X=1&X=2, parsed as an array). So every body accepts any extra
// field, of any length, once or repeated (the body limit bounds the whole); each
// webhook declares the fields it reads, and only those are checked. A Twilio enum
// is checked as a short token, not against today's values: an unknown one is logged
// with the CallSid (webhook.ts) and handled by each webhook's safest rule.
import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { errorReplies } from '../schemas.ts';

/** A Twilio sid: prefix + 32 hex digits. */
export const Sid = (prefix: 'CA' | 'AC' | 'QU' | 'RE') => Type.String({ pattern: `^${prefix}[0-9a-fA-F]{32}$` });
/** One of these strings (a plain JSON Schema enum: Ajv then names the allowed values). */
export function OneOf<const T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: 'string', enum: values });
}

/** The values Atende knows of the Twilio enums it reads (twilio.md §1–2); Twilio may add others. */
export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export const QUEUE_RESULTS = ['bridged', 'bridging-in-process', 'error', 'hangup', 'leave', 'redirected', 'redirected-from-bridged', 'queue-full', 'system-error'] as const;
export const DIAL_CALL_STATUSES = ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export const STATUS_CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
/** A recording's statuses (twilio.com/docs/voice/api/recording): the status callback names one of them. */
export const RECORDING_STATUSES = ['in-progress', 'paused', 'stopped', 'processing', 'completed', 'absent', 'failed', 'deleted'] as const;
/** By parameter name: the factory logs a value not listed here (webhook.ts). */
export const KNOWN_VALUES: Readonly<Record<string, readonly string[]>> = {
  CallStatus: CALL_STATUSES, QueueResult: QUEUE_RESULTS, DialCallStatus: DIAL_CALL_STATUSES, StatusCallbackEvent: STATUS_CALLBACK_EVENTS,
  RecordingStatus: RECORDING_STATUSES,
};
/** A value of a Twilio enum: any short token, so a value Twilio adds tomorrow is not a 400 today. */
export const TwilioEnum = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });
export const CallStatus = TwilioEnum;
export const Seconds = Type.String({ pattern: '^[0-9]{1,7}$' });
export const Digits = Type.String({ pattern: '^[0-9*#]{0,32}$' });
/**
 * A caller or called party as Twilio gives it (E.164, `client:<identity>`, a SIP URI,
 * `anonymous`): printable ASCII. Recorded in the call's events, so its size is bounded.
 */
export const Party = Type.String({ maxLength: 256, pattern: '^[\\x20-\\x7E]*$' });
/** A menu id, language code or agent id in a query we built ourselves. */
export const Token = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });

/**
 * A webhook body: `CallSid` always, `AccountSid` and `CallStatus` checked when
 * present, plus the fields the webhook reads (wrap optional ones in Type.Optional).
 */
export function twilioBody<P extends TProperties>(fields: P) {
  return Type.Object({
    CallSid: Sid('CA'),
    AccountSid: Type.Optional(Sid('AC')),
    CallStatus: Type.Optional(CallStatus),
    ...fields,
  }, { additionalProperties: true });
}

/** A query of ours: only the listed parameters. */
export function twilioQuery<P extends TProperties>(fields: P) {
  return Type.Object(fields, { additionalProperties: false });
}

export const LangQuery = twilioQuery({ lang: Type.Optional(Token) });
export const AgentQuery = twilioQuery({ agent: Token, lang: Type.Optional(Token), call: Type.Optional(Sid('CA')) });

/** TwiML on 200; every error in the one shape. */
export const twimlReplies: Record<number, TSchema> = {
  200: Type.String({ description: 'TwiML (text/xml)' }),
  ...errorReplies(400, 403, 413, 415, 503),
};
