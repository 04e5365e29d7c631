// TypeBox building blocks for the Twilio webhooks. Twilio adds parameters over time,
// so every body accepts extra fields (strings ≤ 2048 chars); each webhook file
// declares the fields it reads, and those are checked.
import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { errorReplies } from '../schemas.ts';

/** A Twilio sid: prefix + 32 hex digits. */
export const Sid = (prefix: 'CA' | 'AC' | 'QU') => Type.String({ pattern: `^${prefix}[0-9a-fA-F]{32}$` });
/** One of these strings (a plain JSON Schema enum: Ajv then names the allowed values). */
export function OneOf<const T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: 'string', enum: values });
}
export const CallStatus = OneOf(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled']);
export const Seconds = Type.String({ pattern: '^[0-9]{1,7}$' });
export const Digits = Type.String({ pattern: '^[0-9*#]{0,32}$' });
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
  }, { additionalProperties: Type.String({ maxLength: 2048 }) });
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
