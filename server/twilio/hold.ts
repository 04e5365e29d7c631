// When a TwiML webhook's event cannot be logged (disk full, database locked), a 5xx
// would not make Twilio retry: by default Twilio retries only a failed connection,
// ignores Retry-After, and on a 5xx the caller hears "an application error has
// occurred" (twilio.md §4; docs usage/webhooks/webhooks-connection-overrides). So the
// call flow retries itself: the answer holds the caller (a short message, a <Pause>)
// and <Redirect>s to the very step again. A <Redirect> posts only the standard call
// parameters, so what this step's request carried beyond them (the Digits the caller
// pressed, QueueResult, DialCallStatus…) travels in the redirect's query; Twilio signs
// that URL as given, and the factory puts those values back into the body before
// validation (signature first: the redirect's own body is what Twilio signed).
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import type { LanguageSetting } from '../config/types.ts';
import type { Voice, VoiceResponse } from './voice.ts';

/** Parameters Twilio posts on every request of a leg: a redirect carries them anyway. */
const STANDARD = new Set(['CallSid', 'AccountSid', 'CallStatus', 'From', 'To', 'Caller', 'Called', 'Direction', 'ApiVersion', 'ParentCallSid']);
/** Seconds of silence between two tries: long enough for a lock to clear, short enough not to lose the caller. */
export const HOLD_PAUSE_SECONDS = 3;
/** The message is said on the first hold and then every this many holds (≈ every 20 s). */
const SAY_EVERY = 5;
/** Only a bound for the query schema: the caller is held as long as the log refuses (they may hang up). */
const MAX_HELD = 100_000;

/** Said while the step is tried again; a language not listed here just hears the pause. */
const ONE_MOMENT: Record<string, string> = { pt: 'Um momento, por favor.', en: 'One moment, please.', es: 'Un momento, por favor.' };

/** The body fields of a webhook that a hold must carry in its redirect's query. */
export function carriedFields(body: TObject): string[] {
  return Object.keys(body.properties).filter((k) => !STANDARD.has(k));
}

/**
 * The webhook's query schema plus what a hold redirect adds: the carried body
 * fields (optional, checked as in the body) and `held`, the number of the try.
 */
export function holdQuery(query: TObject | undefined, body: TObject): TObject {
  const extra: TProperties = { held: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HELD })) };
  for (const k of carriedFields(body)) extra[k] = Type.Optional(body.properties[k]);
  // Without a query schema of its own (the number's Voice URL), any query stays allowed.
  return query
    ? Type.Object({ ...query.properties, ...extra }, { additionalProperties: false })
    : Type.Object(extra, { additionalProperties: true });
}

/**
 * Before validation, on a hold redirect only (`held` in the query): the carried
 * values go back into the body where the redirect did not post them.
 */
export function restoreCarried(fields: string[]) {
  return async function restore(req: { query: unknown; body: unknown }): Promise<void> {
    const query = req.query as Record<string, unknown> | null;
    const body = req.body as Record<string, unknown> | null;
    if (!query || !body || query.held === undefined) return;
    for (const k of fields) if (body[k] === undefined && typeof query[k] === 'string') body[k] = query[k];
  };
}

/** The TwiML that holds the caller and tries `path` again with what this request carried. */
export function holdTwiml(voice: Voice, lang: LanguageSetting, path: string, query: Record<string, unknown>, body: Record<string, unknown>, fields: string[]): VoiceResponse {
  const held = Number(query.held ?? 0) + 1;
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (k !== 'held' && typeof v !== 'object' && v !== undefined) next[k] = String(v);
  for (const k of fields) if (typeof body[k] === 'string') next[k] = body[k] as string;
  next.held = String(Math.min(held, MAX_HELD));
  const r = voice.response();
  const text = ONE_MOMENT[lang.code.split('-')[0]];
  if (text && (held === 1 || held % SAY_EVERY === 0)) voice.say(r, text, lang);
  r.pause({ length: HOLD_PAUSE_SECONDS });
  r.redirect({ method: 'POST' }, voice.url(path, next));
  return r;
}
