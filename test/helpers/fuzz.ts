// Seeded HTTP fuzzing of the whole Atende surface (see test/fuzz.test.ts).
//
// The server under fuzz runs in a child process (this very file, run with
// ATENDE_FUZZ_CHILD=1): a request that kills the process (a V8 fatal error, an
// abort) must be reported as that request, not take the test runner down with it.
// The parent generates every request (seeded, mulberry32), the child injects them
// into a real `startHarness()` stack and writes one JSON line per answer, so when
// it dies the last line tells which request killed it; the parent restarts it on
// the same database and goes on.
import { fork, type ChildProcess } from 'node:child_process';
import { STATUS_CODES } from 'node:http';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseForm } from 'fast-querystring';
import twilio from 'twilio';
import { mulberry32 } from '../../sim/random.ts';
import { createAtende } from '../../server/start.ts';
import { INCOMING_CALL_BODY_LIMIT, WEBHOOK_BODY_LIMIT } from '../../server/twilio/webhook.ts';
import { AUTH_TOKEN, callParams, local, PUBLIC_URL, startHarness, testSettings, type Harness } from './twilio.ts';

// ---- seeded choices -------------------------------------------------------------

export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) { this.next = mulberry32(seed); }
  float(): number { return this.next(); }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    const total = xs.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of xs) { if ((r -= w) < 0) return v; }
    return xs[xs.length - 1][1];
  }
  hex(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)]; return s; }
}

/** FUZZ_SEED=<n> replays a run; CI uses the fixed default. */
export const DEFAULT_SEED = 20261123;
export function fuzzSeed(): number {
  const env = process.env.FUZZ_SEED;
  if (env === undefined || env === '') return DEFAULT_SEED;
  if (env === 'random') return (Math.random() * 2 ** 32) >>> 0;
  const n = Number(env);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer or "random", got '${env}'`);
  return n >>> 0;
}

// ---- the routes, as the app itself lists them --------------------------------------

/** What the fuzzer reads of a route's schema: the shapes it knows, and whether answers are described. */
export interface RouteSchema { body?: unknown; querystring?: unknown; params?: unknown; response?: unknown; hide?: boolean }
export interface RouteKey { method: string; path: string; schema?: RouteSchema }
export const routeName = (r: RouteKey) => `${r.method} ${r.path}`;

/**
 * Every route the app registers, as its own onRoute hook sees them (HEAD twins of GET
 * routes included), from an Atende built as startHarness() builds the one under fuzz.
 */
export async function appRoutes(): Promise<RouteKey[]> {
  const found: RouteKey[] = [];
  const atende = await createAtende({
    settings: testSettings(), dbPath: ':memory:', logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
    twilio: { publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, rest: null },
    onRoute: (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) found.push({ method, path: route.url, schema: route.schema as RouteSchema | undefined });
    },
  });
  await atende.close();
  return found;
}

/**
 * The built pages: files served by @fastify/static, whose route has no schema to give
 * (its answers are the files). Every other route must describe its answers.
 */
export const isStaticFiles = (r: RouteKey) => r.path === '/*' || r.path === '*';

/** Routes with no schema, or no response schema, each named. HEAD twins share their GET's schema. */
export function schemaProblems(routes: RouteKey[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    if (r.method === 'HEAD' || isStaticFiles(r)) continue;
    if (!r.schema) problems.push(`${routeName(r)}: no schema`);
    else if (!r.schema.response || Object.keys(r.schema.response).length === 0) problems.push(`${routeName(r)}: no response schema`);
  }
  return problems;
}

/**
 * Parses `app.printRoutes({ commonPrefix: false })`: a tree whose children carry the
 * rest of their path ("/api/agents" then "/:id/state" below it). The server under fuzz
 * lists its routes this way, to check they are those appRoutes() found.
 */
export function parsePrintedRoutes(text: string): RouteKey[] {
  const out: RouteKey[] = [];
  const stack: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]].length / 4;
    const path = (depth > 0 ? stack[depth - 1] : '') + m[2];
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path: path === '*' ? '/*' : path });
  }
  return out;
}

// ---- a plausible value from a JSON Schema (for routes no generator below knows) ----------

type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  enum?: unknown[]; const?: unknown; default?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[];
  minimum?: number; exclusiveMinimum?: number; maximum?: number; minLength?: number; minItems?: number;
};

/** A value the schema accepts, as far as a quick reading can tell: the base a mutation starts from. */
export function sampleOf(r: Rng, schema: unknown, depth = 0): unknown {
  const s = (schema ?? {}) as JsonSchema;
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return r.pick(s.enum);
  const branches = (s.anyOf ?? s.oneOf)?.filter((b) => b.type !== 'null');
  if (branches?.length) return sampleOf(r, r.pick(branches), depth);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 3) return out;
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(k) || r.chance(0.5)) out[k] = sampleOf(r, sub, depth + 1);
      }
      return out;
    }
    case 'array': return depth > 3 || !s.minItems ? [] : Array.from({ length: s.minItems }, () => sampleOf(r, s.items, depth + 1));
    case 'string': return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer': case 'number': return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : Math.min(1, s.maximum ?? 1));
    case 'boolean': return true;
    case 'null': return null;
    default: return {};
  }
}

/** The same, as query parameters (strings). */
export function sampleQuery(r: Rng, schema: unknown): Record<string, string> {
  const v = sampleOf(r, schema);
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

// ---- requests and answers on the wire ------------------------------------------------

/** A request body: text, bytes, or a big repeat (so huge bodies do not cross the pipe whole). */
export type Wire = string | Uint8Array | { repeat: string; n: number; pre?: string; post?: string };

export interface Expect {
  /** Only these statuses are right (e.g. [403] for a forged signature, [413] for a huge body). */
  only?: number[];
  /** A 2xx is legitimate for this request. */
  ok2xx: boolean;
  /** A 2xx must be TwiML (`<?xml … <Response`). */
  twiml?: boolean;
  /** A 2xx may append events (an accepted webhook or supervisor action). */
  mayRecord?: boolean;
  /** A 3xx is legitimate (static files: directory redirects), to a same-origin path. */
  redirect?: boolean;
}

export interface FuzzRequest {
  route: string;
  mode: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Wire;
  expect: Expect;
}

export interface NewEvent { seq: number; type: string; id: string; source: string | null }
export interface FuzzAnswer {
  status: number;
  ctype: string;
  location: string | null;
  bodyLength: number;
  head: string;
  /** `message` of a JSON body, when it has one. */
  message: string | null;
  hasResponseTag: boolean;
  added: number;
  newEvents: NewEvent[];
  ms: number;
  /** The parsed body of a 4xx (undefined when it is not JSON), to check the one error shape. */
  errorBody?: unknown;
  threw?: string;
}

export function wireToBuffer(w: Wire | undefined): Buffer | undefined {
  if (w === undefined) return undefined;
  if (typeof w === 'string') return Buffer.from(w, 'utf8');
  if (w instanceof Uint8Array) return Buffer.from(w);
  return Buffer.from((w.pre ?? '') + w.repeat.repeat(w.n) + (w.post ?? ''), 'utf8');
}

/** Path and query as the server sees them after inject() parses the URL. */
export function seenUrl(url: string): string {
  const u = new URL(url.startsWith('//') ? `http://localhost${url}` : url, 'http://localhost');
  return u.pathname + u.search;
}

/** What the server verifies a signature against: the form or JSON parameters it parsed. */
export function serverParams(body: Buffer | undefined, kind: 'form' | 'json'): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  const text = body.toString();
  if (kind === 'form') return parseForm(text) as Record<string, unknown>;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? v as Record<string, unknown> : {};
  } catch { return {}; }
}

export function sign(url: string, params: Record<string, unknown>, base = PUBLIC_URL, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, base + seenUrl(url), params as Record<string, string>);
}

// ---- junk ------------------------------------------------------------------------------

const HEX32 = (r: Rng) => r.hex(32);
export const NUMBER_JUNK = [
  '-1', '0', '1', '2', '3', '7', '11', '-0', '+1', '1.5', '0.5', '1e30', '-1e30', '1e308', '1e309', '5e-324', '1e-300', '1e-6',
  'NaN', 'Infinity', '-Infinity', 'abc', '0x10', '0b1', '1_000', ' 5', '5 ', '٣', '１', '', ' ', 'null', 'true', '[]', '{}',
  '9'.repeat(20), '2147483648', '-2147483649', '9007199254740993', '1e', '.', '--1', '12345678',
] as const;
export const ODD_TEXT = [
  '\u0000', 'a\u0000b', '\u202Eevil', '\u200B', '\uFEFF', '\uD800', '\uDFFF', 'x\uD83D', '😀', '👩‍👩‍👧', 'é', 'e\u0301', '\r\n', '\t',
  '<Response><Dial>+15551234567</Dial></Response>', ']]>', '&amp;', '"\'`', '%00', '%', '${x}', '../../etc/passwd', '\\', 'ǅ', 'İ',
  'ﷺ', '𝔘𝔫𝔦', '\u0085', '\u2028', '<script>alert(1)</script>', 'SELECT 1; --', 'null', 'undefined', '__proto__', 'constructor',
] as const;
const LONG_LENGTHS = [33, 65, 129, 257, 501, 513, 2049, 4097, 9000] as const;
const LONG_CHARS = ['a', '9', 'é', '😀', ' ', '%', '\u0000', 'Ω'] as const;

/** encodeURIComponent that writes a lone surrogate as the (invalid UTF-8) bytes it would have. */
export function enc(s: string): string {
  return s.split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/)
    .map((part, i) => {
      if (i % 2 === 0) return encodeURIComponent(part);
      const cp = part.charCodeAt(0);
      return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    })
    .join('');
}

export function longText(r: Rng): string { return r.pick(LONG_CHARS).repeat(r.pick(LONG_LENGTHS)); }

export function junkText(r: Rng): string {
  return r.weighted<() => string>([
    [4, () => r.pick(NUMBER_JUNK)],
    [4, () => r.pick(ODD_TEXT)],
    [2, () => longText(r)],
    [1, () => r.pick(ODD_TEXT) + r.pick(NUMBER_JUNK)],
    [1, () => `CA${HEX32(r)}`],
  ])();
}

export function junkSid(r: Rng, prefix = 'CA'): string {
  return r.weighted<() => string>([
    [3, () => `${prefix}${HEX32(r)}`], // well-formed, unknown
    [1, () => `${prefix}${r.hex(31)}`],
    [1, () => `${prefix}${r.hex(33)}`],
    [1, () => `${prefix.toLowerCase()}${HEX32(r)}`],
    [1, () => `${prefix}${'g'.repeat(32)}`],
    [1, () => `${prefix}${HEX32(r)}\n`],
    [1, () => ` ${prefix}${HEX32(r)}`],
    [1, () => `СА${HEX32(r)}`], // Cyrillic look-alike
    [1, () => `${prefix}${'０'.repeat(32)}`],
    [1, () => (prefix === 'CA' ? 'QU' : 'CA') + HEX32(r)],
    [1, () => ''],
    [1, () => prefix],
    [1, () => `${prefix}${HEX32(r)}${HEX32(r)}`],
    [1, () => junkText(r)],
  ])();
}

/** A junk JSON value (numbers as strings and the reverse, nulls, nesting, huge numbers). */
export function junkJson(r: Rng, like?: unknown): unknown {
  return r.weighted<() => unknown>([
    [2, () => (typeof like === 'number' ? String(like) : typeof like === 'string' && like !== '' && !Number.isNaN(Number(like)) ? Number(like) : r.pick(NUMBER_JUNK))],
    [2, () => r.pick([-1, 0, 1, 2, 9, 10, 11, 1.5, -0.5, 1e30, -1e30, 1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31)])],
    [1, () => r.pick([true, false, null])],
    [1, () => [like ?? 1]],
    [1, () => [like, like]],
    [1, () => ({ value: like ?? 1 })],
    [1, () => ({})],
    [2, () => junkText(r)],
    [1, () => longText(r)],
    [1, () => (typeof like === 'boolean' ? String(like) : typeof like === 'string' ? like.toUpperCase() : 'true')],
  ])();
}

/** A junk query string: unknown names, duplicate keys, bad encodings, long values. */
export function junkQuery(r: Rng, base: Record<string, string> = {}): string {
  const parts = Object.entries(base).map(([k, v]) => `${enc(k)}=${enc(v)}`);
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    parts.push(r.weighted<() => string>([
      [3, () => `${r.pick(['x', 'foo', '__proto__', 'constructor', 'a[b]', 'a.b', 'token', 'ticket', ''])}=${enc(junkText(r))}`],
      [2, () => { const k = Object.keys(base)[0] ?? 'lang'; return `${k}=${enc(junkText(r))}`; }], // duplicate key
      [1, () => '%zz=%zz'],
      [1, () => '%E0%A4%A=1'],
      [1, () => '%FF%FE=%C0%AF'],
      [1, () => '&&&=&'],
      [1, () => `q=${'%41'.repeat(r.pick([10, 400, 2000]))}`],
      [1, () => `${'k'.repeat(300)}=1`],
      [1, () => 'a=1;b=2'],
      [1, () => 'x'],
    ])());
  }
  return parts.join('&');
}

/** Junk in a path segment (already percent-encoded where it has to be). */
export function junkSegment(r: Rng): string {
  return r.weighted<() => string>([
    [3, () => enc(junkText(r))],
    [1, () => '%zz'],
    [1, () => '%00'],
    [1, () => '%C0%AF'],
    [1, () => '%FF'],
    [1, () => '..%2F..%2Fetc%2Fpasswd'],
    [1, () => '%2e%2e'],
    [1, () => r.pick(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype'])],
    [1, () => 'x'.repeat(r.pick([64, 65, 300, 3000]))],
    [1, () => `CA${HEX32(r)}`],
    [1, () => ''],
    [1, () => enc(' ')],
  ])();
}

const CONTENT_TYPES_ODD = [
  'text/plain', 'text/plain; charset=utf-8', 'multipart/form-data; boundary=----x', 'multipart/form-data', 'application/xml', 'text/xml',
  'application/octet-stream', 'application/x-www-form-urlencoded; charset=iso-8859-1', 'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/vnd.api+json', 'application/jsonx', 'json',
  '*/*', '', 'application/x-www-form-urlencoded, application/json', 'application/json;;;', 'text/html', 'image/png',
] as const;

const MULTIPART_GARBAGE = [
  '------x\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\nCA00\r\n------x--\r\n',
  '------x\r\n\r\n\r\n',
  '--\r\n--\r\n',
  '------x\r\nContent-Disposition: form-data; name="file"; filename="../../a"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001\u0002\r\n------x',
] as const;

/** Bytes that are not UTF-8 (lone continuation bytes, overlongs, surrogates, truncated sequences). */
export const BAD_UTF8: readonly number[][] = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];

function bytes(...parts: (string | readonly number[])[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p as number[])))));
}

// ---- what the fuzzer knows about the center -----------------------------------------------

export interface FuzzContext {
  agents: string[];
  queues: string[];
  languages: string[];
  /** Calls that exist in the core (created by the child's setup). */
  liveCalls: string[];
  /** Every route of the app, to replay signatures to other URLs. */
  twilioPaths: string[];
}

export function contextFromSettings(liveCalls: string[], routes: RouteKey[]): FuzzContext {
  const s = testSettings();
  return {
    agents: s.agents.map((a) => a.id),
    queues: s.queues.map((q) => q.id),
    languages: s.ivr.languages.map((l) => l.code),
    liveCalls,
    twilioPaths: [...new Set(routes.filter((r) => r.path.startsWith('/twilio/')).map((r) => r.path))],
  };
}

// ---- Twilio webhooks ------------------------------------------------------------------------

interface TwilioShape { body: (r: Rng, c: FuzzContext, sid: string) => Record<string, string>; query: (r: Rng, c: FuzzContext, sid: string) => Record<string, string> }

const lang = (r: Rng, c: FuzzContext) => ({ lang: r.pick(c.languages) });
const TWILIO_SHAPES: Record<string, TwilioShape> = {
  '/twilio/voice': { body: (r) => ({ CallStatus: r.pick(['ringing', 'in-progress']) }), query: () => ({}) },
  '/twilio/ivr': {
    body: (r) => ({ Digits: r.pick(['1', '2', '3', '9', '', '#', '12']) }),
    query: (r, c) => r.pick<Record<string, string>>([
      { step: 'language' }, { menu: 'principal', ...lang(r, c) }, { menu: 'suporte', ...lang(r, c), attempt: '2' }, { ...lang(r, c), silent: '1' },
      // A closed queue's callback offer, and the number typed there (closed.ts).
      { step: 'closed-callback', queue: r.pick(c.queues), ...lang(r, c) }, { step: 'closed-typed', queue: r.pick(c.queues), ...lang(r, c) },
    ]),
  },
  '/twilio/queue/wait': {
    body: (r) => ({ QueueSid: `QU${r.hex(32)}`, QueuePosition: String(r.int(1, 9)), QueueTime: String(r.int(0, 900)), AvgQueueTime: '30', CurrentQueueSize: '2', MaxQueueSize: '1000' }),
    query: lang,
  },
  '/twilio/queue/exit': {
    body: (r) => ({ QueueResult: r.pick(['bridged', 'hangup', 'redirected', 'queue-full', 'error', 'leave']), QueueSid: `QU${r.hex(32)}`, QueueTime: String(r.int(0, 900)) }),
    query: lang,
  },
  '/twilio/queue/reenter': { body: () => ({}), query: lang },
  '/twilio/agent/connect': { body: () => ({}), query: (r, c) => ({ agent: r.pick(c.agents), ...lang(r, c) }) },
  '/twilio/agent/whisper': {
    body: (_r, _c, sid) => ({ Direction: 'outbound-dial', ParentCallSid: sid }),
    query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }),
  },
  '/twilio/agent/status': {
    body: (r, _c, sid) => ({ Direction: 'outbound-dial', ParentCallSid: sid, CallStatus: r.pick(['ringing', 'in-progress', 'completed']), StatusCallbackEvent: r.pick(['initiated', 'ringing', 'answered', 'completed']), SequenceNumber: String(r.int(0, 3)), CallbackSource: 'call-progress-events' }),
    query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }),
  },
  '/twilio/dial/done': {
    body: (r) => ({ DialCallStatus: r.pick(['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled']), DialCallSid: `CA${r.hex(32)}`, DialCallDuration: String(r.int(0, 900)) }),
    query: (r, c) => ({ agent: r.pick(c.agents), ...lang(r, c) }),
  },
  '/twilio/survey': {
    body: (r) => ({ Digits: r.pick(['0', '5', '9', '10', '10#', '3#', '11', '']) }),
    query: (r, c) => ({ step: r.pick(['nps', 'csat']), ...lang(r, c), attempt: String(r.int(1, 2)) }),
  },
  // The callback's legs: the URLs Atende hands Twilio carry the waiting call's sid (`call`).
  '/twilio/callback/agent': { body: () => ({ Direction: 'outbound-api' }), query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }) },
  '/twilio/callback/reached': { body: () => ({ Direction: 'outbound-dial' }), query: (_r, _c, sid) => ({ call: sid }) },
  '/twilio/callback/dial-done': {
    body: (r) => ({ DialCallStatus: r.pick(['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled']), DialCallSid: `CA${r.hex(32)}`, DialCallDuration: String(r.int(0, 900)) }),
    query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }),
  },
  // Customer-first: the call to the customer, and its status callback.
  '/twilio/callback/customer': { body: () => ({ Direction: 'outbound-api' }), query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }) },
  '/twilio/callback/customer-status': {
    body: (r) => ({ Direction: 'outbound-api', CallStatus: r.pick(['ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']) }),
    query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }),
  },
  '/twilio/callback/agent-status': {
    body: (r) => ({ CallStatus: r.pick(['ringing', 'in-progress', 'completed', 'busy', 'no-answer']) }),
    query: (r, c, sid) => ({ call: sid, agent: r.pick(c.agents) }),
  },
  // The recording status callback of a recorded <Dial> (twilio.com/docs/voice/twiml/dial#recordingstatuscallback).
  '/twilio/recording': {
    body: (r) => {
      const sid = `RE${r.hex(32)}`;
      return {
        RecordingSid: sid, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC${r.hex(32)}/Recordings/${sid}`,
        RecordingStatus: r.pick(['in-progress', 'completed', 'absent', 'failed']), RecordingDuration: String(r.int(-1, 900)),
        RecordingChannels: r.pick(['1', '2']), RecordingSource: 'DialVerb', RecordingStartTime: 'Mon, 23 Nov 2026 12:00:00 +0000',
      };
    },
    query: (_r, _c, sid) => ({ call: sid }),
  },
  '/twilio/status': {
    body: (r) => ({ CallStatus: r.pick(['ringing', 'in-progress', 'completed', 'busy', 'no-answer']), CallDuration: String(r.int(0, 900)), SequenceNumber: String(r.int(0, 3)) }),
    query: () => ({}),
  },
};
const GENERIC_TWILIO: TwilioShape = { body: () => ({}), query: () => ({}) };

/** Fields whose values the fuzzer likes to break (durations, sids, enums, digits). */
const TWILIO_FIELDS = [
  'CallSid', 'AccountSid', 'CallStatus', 'From', 'To', 'Digits', 'QueueSid', 'QueuePosition', 'QueueTime', 'QueueResult', 'DialCallStatus',
  'DialCallSid', 'DialCallDuration', 'CallDuration', 'ParentCallSid', 'SequenceNumber', 'StatusCallbackEvent', 'CallbackSource',
] as const;
const DURATION_JUNK = ['-1', '1e30', 'abc', '', '1.5', '99999999', '0x1', ' 1', '-0', 'NaN', 'Infinity', '٣', '1e3'] as const;

function breakTwilioField(r: Rng, p: Record<string, string>, field: string): void {
  if (/Sid$/.test(field)) p[field] = junkSid(r, field === 'QueueSid' ? 'QU' : field === 'AccountSid' ? 'AC' : 'CA');
  else if (/Duration|Time|Position|SequenceNumber/.test(field)) p[field] = r.chance(0.6) ? r.pick(DURATION_JUNK) : junkText(r);
  else if (field === 'Digits') p[field] = r.pick(['a', '1'.repeat(33), '١', '*#*', '-1', '1 ', '\u0000', '10##', longText(r)]);
  else p[field] = r.chance(0.3) ? p[field]?.toUpperCase() ?? 'COMPLETED' : junkText(r);
}

function mutateTwilioParams(r: Rng, p: Record<string, string>, required: boolean): void {
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    r.weighted<() => void>([
      [4, () => breakTwilioField(r, p, r.pick(TWILIO_FIELDS))],
      [2, () => { delete p[r.pick(required ? ['CallSid', 'From', 'QueueSid', 'QueueResult', 'CallStatus', 'DialCallStatus'] : Object.keys(p))]; }],
      [2, () => { p[r.pick(['Extra', 'FooBar', 'constructor', 'hasOwnProperty', 'toString', 'x'.repeat(200), 'Ünïcode', ''])] = r.chance(0.3) ? 'x'.repeat(r.pick([2049, 5000])) : junkText(r); }],
      [1, () => { const k = r.pick(Object.keys(p)); if (k) p[k] = longText(r); }],
    ])();
  }
}

function formOf(p: Record<string, string>): string { return new URLSearchParams(p).toString(); }

/** A raw form body the URLSearchParams encoder would never write. */
function rawForm(r: Rng, p: Record<string, string>): Wire {
  const encoded = formOf(p);
  return r.weighted<() => Wire>([
    [2, () => bytes(encoded, '&From=', r.pick(BAD_UTF8), '&Extra=', r.pick(BAD_UTF8))],
    [1, () => bytes(encoded.replace(/CallSid=/, 'CallSid='), '&CallSid=', `CA${r.hex(32)}`)], // duplicate key: an array
    [1, () => `${encoded}&&&=&==&%zz=%zz&a=%E0%A4%A`],
    [1, () => `${encoded}&Digits=%00%01%02&To=%FF%FE`],
    [1, () => encoded.replace(/=/g, '%3D')],
    [1, () => `${encoded}&${'k'.repeat(100)}`],
    [1, () => encoded.replace(/&/g, ';')],
    [1, () => bytes([0xef, 0xbb, 0xbf], encoded)], // BOM
    [1, () => `${encoded}&CallSid[]=CA${r.hex(32)}&CallSid[a]=1`],
    [1, () => `${encoded}&${enc(r.pick(ODD_TEXT))}=${enc(r.pick(ODD_TEXT))}`],
  ])();
}

/** A Twilio route's body limit: the incoming call's carries Add-on results (server/twilio/webhook.ts). */
const hugeTwilio = (path: string) => (path === '/twilio/voice' || path === '/twilio/fallback' ? INCOMING_CALL_BODY_LIMIT : WEBHOOK_BODY_LIMIT);
const HUGE_API = 64 * 1024;

export function twilioRequest(r: Rng, c: FuzzContext, path: string): FuzzRequest {
  const shape = TWILIO_SHAPES[path] ?? GENERIC_TWILIO;
  const sid = r.chance(0.35) && c.liveCalls.length ? r.pick(c.liveCalls) : `CA${r.hex(32)}`;
  const from = r.pick(['+5511987650001', '+14155550100', 'client:ana', 'anonymous', '+5511' + r.int(100000000, 999999999)]);
  const params: Record<string, string> = { ...callParams(sid, from), ...shape.body(r, c, sid) };
  const query = shape.query(r, c, sid);
  const q = new URLSearchParams(query).toString();
  let url = q ? `${path}?${q}` : path;
  const route = `POST ${path}`;
  const formCt = { 'content-type': 'application/x-www-form-urlencoded' };
  const signedForm = (u: string, body: Wire, extraHeaders: Record<string, string> = {}) => {
    const buf = wireToBuffer(body);
    return { 'x-twilio-signature': sign(u, serverParams(buf, 'form')), ...formCt, ...extraHeaders };
  };
  const mode = r.weighted([
    [26, 'signed-bad-body'], [6, 'signed-unknown-call'], [8, 'signed-raw-bytes'], [10, 'signed-junk-query'], [6, 'signed-json'],
    [8, 'content-type'], [8, 'unsigned'], [9, 'forged'], [9, 'replayed'], [5, 'huge'], [2, 'idempotency-replay'], [3, 'other-method'],
  ] as const);
  const req = (headers: Record<string, string>, body: Wire | undefined, expect: Expect, u = url, method = 'POST'): FuzzRequest =>
    ({ route, mode, method, url: u, headers, body, expect });
  const mayAnswer: Expect = { ok2xx: true, twiml: true, mayRecord: true };
  // A forged request is refused for its signature (403), unless its body is already too big (413 comes first).
  const refused = (body: Wire): Expect => ({ ok2xx: false, only: [wireToBuffer(body)!.length > hugeTwilio(path) ? 413 : 403] });
  switch (mode) {
    case 'signed-bad-body': {
      mutateTwilioParams(r, params, true);
      const body = formOf(params);
      return req(signedForm(url, body), body, mayAnswer);
    }
    case 'signed-unknown-call': {
      // Well-formed in every field: the route must take it (TwiML 200), known call or not.
      const body = formOf(params);
      const token: Record<string, string> = r.chance(0.3) ? { 'i-twilio-idempotency-token': r.pick(['fuzz-token-1', 'fuzz-token-2']) } : {};
      return req(signedForm(url, body, token), body, { ...mayAnswer, only: [200] });
    }
    case 'signed-raw-bytes': {
      const body = rawForm(r, params);
      return req(signedForm(url, body), body, mayAnswer);
    }
    case 'signed-junk-query': {
      url = `${path}?${junkQuery(r, r.chance(0.5) ? query : {})}`;
      if (r.chance(0.3)) url = `${path}?${r.pick(['attempt=-1', 'attempt=1e30', 'attempt=abc', 'attempt=0', 'attempt=21', 'step=foo', 'step=csat&step=nps', 'agent=', `agent=${'a'.repeat(65)}`, 'agent=ana&agent=bruno', `call=${junkSid(r)}`, 'lang=xx', 'lang=../../x', 'silent=2', 'menu=%00'])}&${q}`;
      if (r.chance(0.5)) mutateTwilioParams(r, params, false);
      const body = formOf(params);
      return req(signedForm(url, body), body, mayAnswer);
    }
    case 'signed-json': {
      const obj: Record<string, unknown> = { ...params };
      if (r.chance(0.7)) { const k = r.pick(Object.keys(obj)); obj[k] = junkJson(r, obj[k]); }
      const text = r.chance(0.15) ? r.pick(['[]', 'null', '"CallSid"', '1', `[${JSON.stringify(params)}]`]) : JSON.stringify(obj);
      const buf = wireToBuffer(text);
      return req({ 'content-type': 'application/json', 'x-twilio-signature': sign(url, serverParams(buf, 'json')) }, text, mayAnswer);
    }
    case 'content-type': {
      const ct = r.pick(CONTENT_TYPES_ODD);
      const body: Wire = ct.startsWith('multipart') ? r.pick(MULTIPART_GARBAGE) : r.chance(0.7) ? formOf(params) : r.pick(['', '<Response/>', 'CallSid', '{"CallSid":1}']);
      const headers: Record<string, string> = { 'x-twilio-signature': sign(url, serverParams(wireToBuffer(body), 'form')) };
      if (ct !== '' || r.chance(0.5)) headers['content-type'] = ct;
      return req(headers, body, mayAnswer);
    }
    case 'unsigned': {
      if (r.chance(0.5)) mutateTwilioParams(r, params, false);
      const body = formOf(params);
      const h: Record<string, string> = { ...formCt };
      if (r.chance(0.3)) h['x-twilio-signature'] = r.pick(['', ' ', 'null', 'undefined']);
      return req(h, body, refused(body));
    }
    case 'forged': {
      const body = formOf(params);
      const real = sign(url, serverParams(wireToBuffer(body), 'form'));
      const sig = r.weighted<() => string>([
        [2, () => Buffer.from(r.hex(40), 'hex').toString('base64')],
        [2, () => sign(url, serverParams(wireToBuffer(body), 'form'), PUBLIC_URL, 'wrong-auth-token')],
        [2, () => sign(url, { ...params, CallSid: `CA${r.hex(32)}` })], // signed for another body
        [1, () => sign(url, {})],
        [1, () => real.slice(0, -2)],
        [1, () => real.toLowerCase() === real ? real.toUpperCase() : real.toLowerCase()],
        [1, () => `${real} `.repeat(2)],
        [1, () => `${real},${real}`],
        [1, () => longText(r)],
      ])();
      return req({ ...formCt, 'x-twilio-signature': sig }, body, refused(body));
    }
    case 'replayed': {
      // A genuine signature, but for another URL (or the same URL and another body).
      const body = formOf(params);
      const others = c.twilioPaths.filter((p2) => p2 !== path);
      const target = r.weighted<() => { base: string; u: string; params?: Record<string, string> }>([
        [3, () => ({ base: PUBLIC_URL, u: r.pick(others) + (q ? `?${q}` : '') })],
        [2, () => ({ base: PUBLIC_URL, u: `${path}?${q ? `${q}&` : ''}replay=1` })],
        [1, () => ({ base: PUBLIC_URL.replace('https:', 'http:'), u: url })],
        [1, () => ({ base: 'https://evil.example.com', u: url })],
        [1, () => ({ base: PUBLIC_URL, u: `${path}/` + (q ? `?${q}` : '') })],
        [1, () => ({ base: `${PUBLIC_URL}/prefix`, u: url })],
        [1, () => ({ base: PUBLIC_URL, u: url, params: { ...params, Digits: '9', QueueResult: 'hangup', CallStatus: 'completed' } })],
      ])();
      const sig = sign(target.u, target.params ?? serverParams(wireToBuffer(body), 'form'), target.base);
      return req({ ...formCt, 'x-twilio-signature': sig }, body, refused(body));
    }
    case 'huge': {
      const kind = r.pick(['form', 'form', 'json', 'text'] as const);
      const n = hugeTwilio(path) + r.pick([1, 10, 5000, 60_000]);
      const body: Wire = kind === 'json' ? { pre: '{"CallSid":"', repeat: 'a', n, post: '"}' } : kind === 'text' ? { repeat: 'x', n } : { pre: `${formOf(params)}&Extra=`, repeat: r.pick(['a', '%41', 'é']), n };
      const ct = kind === 'form' ? 'application/x-www-form-urlencoded' : kind === 'json' ? 'application/json' : 'text/plain';
      const buf = wireToBuffer(body)!;
      const headers: Record<string, string> = { 'content-type': ct };
      if (r.chance(0.7)) headers['x-twilio-signature'] = sign(url, serverParams(buf, kind === 'json' ? 'json' : 'form'));
      return req(headers, body, { ok2xx: false, only: [413] });
    }
    case 'idempotency-replay': {
      // The same idempotency token on a forged request (must not get the cached TwiML).
      const body = formOf(params);
      return req({ ...formCt, 'x-twilio-signature': 'forged', 'i-twilio-idempotency-token': r.pick(['fuzz-token-1', 'fuzz-token-2']) }, body, refused(body));
    }
    default: {
      const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const);
      const body = formOf(params);
      return req(signedForm(url, body), method === 'GET' || method === 'OPTIONS' ? undefined : body, { ok2xx: false }, url, method);
    }
  }
}

// ---- JSON API (POST) ---------------------------------------------------------------------

interface ApiShape {
  body: ((r: Rng, c: FuzzContext) => Record<string, unknown>) | null;
  ids: (r: Rng, c: FuzzContext) => string;
  /** Query parameters the route takes besides its body. */
  query?: (r: Rng, c: FuzzContext) => Record<string, string>;
}
const SETTINGS_PATCHES: readonly Record<string, unknown>[] = [
  { centerName: 'Central de Atendimento Atende' }, { serviceLevel: { thresholdSeconds: 20, target: 0.8 } }, { wrapUpSeconds: 30 },
  { offerTimeoutSeconds: 20 }, { colours: { waiting: { amberAbove: 3, redAbove: 6 } } }, { queues: [{ id: 'vendas', target: 0.8 }] },
];
const API_SHAPES: Record<string, ApiShape> = {
  '/api/agents/:id': {
    body: (r, c) => r.pick<Record<string, unknown>>([{ name: 'Ana Souza' }, { skills: [r.pick(c.queues)] }, { level: r.int(1, 2) }, { contact: 'client:ana' }]),
    ids: (r, c) => r.pick(c.agents),
  },
  '/api/settings': { body: (r) => structuredClone(r.pick(SETTINGS_PATCHES)), ids: () => '' },
  '/api/agent/ticket': { body: null, ids: () => '', query: (r, c): Record<string, string> => (r.chance(0.7) ? { agent: r.pick(c.agents) } : {}) },
  '/api/agents/:id/state': { body: (r) => ({ state: r.pick(['available', 'away', 'offline']), ...(r.chance(0.5) ? { reason: r.pick(['pausa', 'almoço', 'treino']) } : {}) }), ids: (r, c) => r.pick(c.agents) },
  '/api/agents/:id/ready': { body: null, ids: (r, c) => r.pick(c.agents) },
  '/api/calls/:id/escalate': { body: (r, c) => ({ toLevel: r.int(2, 3), ...(r.chance(0.5) ? { note: 'cliente pediu' } : {}), ...(r.chance(0.3) ? { queue: r.pick(c.queues) } : {}) }), ids: (r, c) => (c.liveCalls.length ? r.pick(c.liveCalls) : `CA${r.hex(32)}`) },
  '/api/calls/:id/disposition': { body: (r) => ({ resolvedFirstContact: r.chance(0.5), ...(r.chance(0.5) ? { note: 'ok' } : {}) }), ids: (r, c) => (c.liveCalls.length ? r.pick(c.liveCalls) : `CA${r.hex(32)}`) },
  '/api/calls/:id/move': { body: (r, c) => (r.chance(0.5) ? { queue: r.pick(c.queues) } : { tier: r.int(1, 3) }), ids: (r, c) => (c.liveCalls.length ? r.pick(c.liveCalls) : `CA${r.hex(32)}`) },
  '/api/wallboard/ticket': { body: null, ids: () => '' },
};
/** A route no shape above knows: its body and query as its own schema describes them. */
function shapeFromSchema(route: RouteKey): ApiShape {
  return {
    body: (r) => { const v = sampleOf(r, route.schema?.body); return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {}; },
    ids: (r, c) => r.pick([...c.agents, ...c.liveCalls, 'x']),
    query: route.schema?.querystring ? (r) => sampleQuery(r, route.schema?.querystring) : undefined,
  };
}

function fillPath(path: string, value: () => string): string {
  return path.replace(/:[A-Za-z_]+/g, () => value()).replace(/\*$/, () => value());
}

/** An object one level down (a value, or the first item of an array value), to break a field inside it. */
function nestedOf(r: Rng, o: Record<string, unknown>): Record<string, unknown> | null {
  const inner = Object.values(o).map((v) => (Array.isArray(v) ? v[0] : v)).filter((v) => v && typeof v === 'object' && !Array.isArray(v));
  return inner.length ? r.pick(inner) as Record<string, unknown> : null;
}

function mutateObject(r: Rng, o: Record<string, unknown>): Record<string, unknown> {
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    const keys = Object.keys(o);
    r.weighted<() => void>([
      [3, () => { if (keys.length) { const k = r.pick(keys); o[k] = junkJson(r, o[k]); } else o.state = junkJson(r); }],
      // Nested fields (a settings change's serviceLevel.target, a queue's threshold): junk one of them.
      [2, () => { const inner = nestedOf(r, o); const ks = inner ? Object.keys(inner) : []; if (inner && ks.length) { const k = r.pick(ks); inner[k] = junkJson(r, inner[k]); } }],
      [2, () => { if (keys.length) delete o[r.pick(keys)]; }],
      [2, () => { o[r.pick(['extra', 'State', 'toLevel', 'note', 'queue', 'tier', 'reason', 'resolvedFirstContact', 'id', 'at', 'type', 'agentId', 'callId', 'hasOwnProperty'])] = junkJson(r); }],
      [1, () => { const k = r.pick(keys.length ? keys : ['note']); o[k] = longText(r); }],
      [1, () => { const k = r.pick(keys.length ? keys : ['reason']); o[k] = r.pick(ODD_TEXT); }],
    ])();
  }
  return o;
}

function rawJson(r: Rng, o: Record<string, unknown>): Wire {
  const text = JSON.stringify(o);
  return r.weighted<() => Wire>([
    [2, () => r.pick(['[]', '"x"', '1', 'null', 'true', '""', '[{}]', '-0', '1e999'])],
    [1, () => text.slice(0, Math.max(1, text.length - r.int(1, 5)))],
    [1, () => `${text} trailing`],
    [1, () => `${text}${text}`],
    [1, () => text.replace(/^\{/, '{"state":"away","toLevel":2,')], // duplicate keys
    [2, () => text.replace(/^\{/, r.pick(['{"__proto__":{"isAdmin":true},', '{"constructor":{"prototype":{"x":1}},', '{"__proto__":null,']))],
    [1, () => bytes([0xef, 0xbb, 0xbf], text)],
    [2, () => bytes('{"state":"away","reason":"', r.pick(BAD_UTF8), '","note":"', r.pick(BAD_UTF8), '"}')],
    [2, () => { const d = r.pick([1000, 5000, 20_000, 32_000]); return { pre: '{"note":', repeat: '[', n: d, post: ']'.repeat(d) + '}' }; }],
    [1, () => '{"toLevel": NaN, "tier": Infinity}'],
    [1, () => "{'state':'away'}"],
    [1, () => '{"state":"away"} // comment'],
    [1, () => '\u0000'],
    [1, () => ''],
    [1, () => `{"note":"${'\\u0000'.repeat(100)}","reason":"\\ud800"}`],
    [1, () => '{"toLevel":1e400,"tier":-1e400}'],
  ])();
}

export function apiPostRequest(r: Rng, c: FuzzContext, route: RouteKey): FuzzRequest {
  const shape = API_SHAPES[route.path] ?? shapeFromSchema(route);
  const name = routeName(route);
  const query = shape.query?.(r, c) ?? {};
  const withQuery = (u: string) => (Object.keys(query).length ? `${u}?${new URLSearchParams(query)}` : u);
  let url = withQuery(fillPath(route.path, () => enc(shape.ids(r, c))));
  const base = shape.body ? shape.body(r, c) : {};
  const mode = r.weighted([
    [30, 'json-mutated'], [18, 'json-raw'], [14, 'content-type'], [6, 'huge'], [16, 'path-junk'], [8, 'query-junk'], [4, 'no-body'], [4, 'other-method'],
  ] as const);
  const json = { 'content-type': 'application/json' };
  // Fastify's defaults coerce scalars ("3" is 3), so a mutation can still be valid: a 2xx is
  // allowed here, and the final scan of the event log checks whatever it let in.
  const may: Expect = { ok2xx: true, mayRecord: true };
  const req = (headers: Record<string, string>, body: Wire | undefined, expect: Expect, method = route.method): FuzzRequest =>
    ({ route: name, mode, method, url, headers, body, expect });
  switch (mode) {
    case 'json-mutated': return req(json, JSON.stringify(mutateObject(r, base)), may);
    case 'json-raw': return req(json, rawJson(r, base), may);
    case 'content-type': {
      const ct = r.pick([...CONTENT_TYPES_ODD, 'application/x-www-form-urlencoded']);
      const body: Wire = ct.startsWith('multipart') ? r.pick(MULTIPART_GARBAGE)
        : ct.includes('urlencoded') ? new URLSearchParams(Object.fromEntries(Object.entries(mutateObject(r, { ...base })).map(([k, v]) => [k, String(v)]))).toString()
          : r.chance(0.5) ? JSON.stringify(base) : r.pick(['state=away', 'toLevel=3', '<x/>', 'junk', '']);
      const headers: Record<string, string> = ct === '' && r.chance(0.5) ? {} : { 'content-type': ct };
      return req(headers, body, may);
    }
    case 'huge': {
      const kind = r.pick(['json', 'json', 'form', 'text'] as const);
      const limit = kind === 'form' ? WEBHOOK_BODY_LIMIT : HUGE_API; // no form parser outside the Twilio routes: 415 (or 413)
      const n = limit + r.pick([1, 100, 70_000]);
      const body: Wire = kind === 'json' ? { pre: '{"state":"away","note":"', repeat: 'a', n, post: '"}' } : kind === 'form' ? { pre: 'state=away&note=', repeat: 'a', n } : { repeat: 'z', n };
      // 415 when the route has no parser for forms at all.
      return req({ 'content-type': kind === 'json' ? 'application/json' : kind === 'form' ? 'application/x-www-form-urlencoded' : 'text/plain' }, body, { ok2xx: false, only: kind === 'form' ? [413, 415] : [413] });
    }
    case 'path-junk': {
      url = withQuery(fillPath(route.path, () => junkSegment(r)));
      return req(json, JSON.stringify(base), may);
    }
    case 'query-junk': {
      url = `${url.split('?')[0]}?${junkQuery(r, query)}`;
      return req(json, JSON.stringify(r.chance(0.5) ? mutateObject(r, base) : base), may);
    }
    case 'no-body': return req(r.chance(0.5) ? json : {}, r.chance(0.5) ? undefined : '', may);
    default: {
      const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'POST'].filter((m) => m !== route.method));
      // Another method on this path may be another route (GET /api/calls/:id): it must not write.
      return req(json, method === 'GET' ? undefined : JSON.stringify(base), { ok2xx: method === 'GET' }, method);
    }
  }
}

// ---- reads (GET and HEAD) -----------------------------------------------------------------

type QueryShape = (r: Rng, c: FuzzContext) => Record<string, string>;
const GET_QUERIES: Record<string, QueryShape> = {
  '/api/forecast': (r) => {
    const q: Record<string, string> = { callsPerHour: String(r.pick([0, 60, 120, 600, 5000])), ahtSeconds: String(r.pick([60, 180, 300])), thresholdSeconds: String(r.pick([0, 20, 60])), targetServiceLevel: String(r.pick([0.5, 0.8, 0.95])) };
    if (r.chance(0.4)) q.maxOccupancy = String(r.pick([0.8, 0.9, 1]));
    if (r.chance(0.4)) q.shrinkage = String(r.pick([0, 0.3]));
    if (r.chance(0.4)) q.patienceSeconds = String(r.pick([30, 120, 600]));
    return q;
  },
  '/api/forecast/now': (r): Record<string, string> => (r.chance(0.5) ? { maxOccupancy: '0.85', patienceSeconds: '90' } : { shrinkage: '0.3' }),
  '/api/reports/intervals': (r, c) => {
    const q: Record<string, string> = {};
    if (r.chance(0.5)) q.from = r.pick(['2026-11-23', '2026-11-23T08:00', String(Date.UTC(2026, 10, 23, 11))]);
    if (r.chance(0.5)) q.to = r.pick(['2026-11-23', '2026-11-23T10:00-03:00', String(Date.UTC(2026, 10, 23, 13))]);
    if (r.chance(0.5)) q.granularity = r.pick(['15m', 'interval', 'hour', 'day']);
    if (r.chance(0.5)) { q.scope = r.pick(['center', 'queue', 'tier']); if (q.scope === 'queue') q.id = r.pick(c.queues); if (q.scope === 'tier') q.id = String(r.int(1, 3)); }
    if (r.chance(0.3)) q.format = r.pick(['json', 'csv']);
    return q;
  },
  '/ws/wallboard': (r): Record<string, string> => r.pick<Record<string, string>>([{ ticket: r.hex(24) }, { token: r.hex(24) }, {}]),
  '/ws/agent': (r, c): Record<string, string> => r.pick<Record<string, string>>([{ ticket: r.hex(24) }, { token: r.hex(24) }, { agent: r.pick(c.agents) }]),
  '/api/agent/me': (r, c): Record<string, string> => (r.chance(0.8) ? { agent: r.pick(c.agents) } : {}),
  '/api/audit': (r): Record<string, string> => (r.chance(0.7) ? { limit: String(r.pick([1, 10, 100, 1000])) } : {}),
};
const REPORT_BOUNDS = [
  '2026-02-30', '2026-13-01', '0000-01-01', '9999-12-31', '2026-11-23T25:00', '2026-11-23T09:60', '2026-11-23T09:15+99:99', '2026-11-23T09:15+23:59',
  '2026-11-23T09:15:59.9999', '2026-11-23 09:15', '2026-11-23T09:15z', '1'.repeat(15), '1'.repeat(16), '-1', '0', '99999999999999',
  '2026-03-08T02:30', '2026-10-04T00:30', '1970-01-01', '1900-01-01', '+275760-09-13', '2026-11-23T09:15-03:00 ', ' 2026-11-23',
] as const;

function junkValueFor(r: Rng, key: string): string {
  if (key === 'from' || key === 'to') return r.chance(0.6) ? r.pick(REPORT_BOUNDS) : junkText(r);
  if (/Seconds|PerHour|Occupancy|shrinkage|Level/.test(key)) return r.chance(0.75) ? r.pick(NUMBER_JUNK) : junkText(r);
  if (key === 'granularity' || key === 'scope' || key === 'format') return r.pick(['', 'HOUR', 'week', '15', 'json,csv', junkText(r)]);
  return junkText(r);
}

export function readRequest(r: Rng, c: FuzzContext, route: RouteKey): FuzzRequest {
  const name = routeName(route);
  const isStatic = route.path === '*' || route.path.endsWith('/*');
  const query = GET_QUERIES[route.path]?.(r, c) ?? sampleQuery(r, route.schema?.querystring);
  const idFill = () => enc(r.chance(0.4) && c.liveCalls.length ? r.pick(c.liveCalls) : junkSid(r));
  let path = isStatic ? `/${r.pick(['index.html', 'assets', 'favicon.ico', 'nope', ''])}` : fillPath(route.path, idFill);
  const mode = r.weighted([
    [isStatic ? 10 : 40, 'query-junk'], [12, 'body-on-get'], [10, 'headers-junk'], [route.path.includes(':') || isStatic ? 30 : 0, 'path-junk'],
    [isStatic ? 20 : 0, 'traversal'], [5, 'huge-query'],
  ] as const);
  const may: Expect = { ok2xx: true, redirect: isStatic };
  const req = (u: string, headers: Record<string, string>, body: Wire | undefined, expect: Expect = may): FuzzRequest =>
    ({ route: name, mode, method: route.method, url: u, headers, body, expect });
  const withQuery = (p: string, q: string) => (q ? `${p}?${q}` : p);
  switch (mode) {
    case 'query-junk': {
      const q = { ...query };
      const keys = Object.keys(q);
      if (keys.length && r.chance(0.7)) {
        const n = r.int(1, 2);
        for (let i = 0; i < n; i++) {
          const k = r.pick(keys);
          if (r.chance(0.2)) delete q[k]; else q[k] = junkValueFor(r, k);
        }
        const extra = r.chance(0.3) ? `&${junkQuery(r)}` : '';
        return req(withQuery(path, new URLSearchParams(q).toString()) + extra, {}, undefined);
      }
      return req(withQuery(path, junkQuery(r, q)), {}, undefined);
    }
    case 'body-on-get': {
      const ct = r.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', '']);
      const body: Wire = r.chance(0.1) ? { repeat: 'x', n: HUGE_API + 1 } : r.pick(['{"a":1}', '[', 'a=1&b=2', '\u0000', '--x\r\n\r\n', '']);
      return req(withQuery(path, new URLSearchParams(query).toString()), ct ? { 'content-type': ct } : {}, body);
    }
    case 'headers-junk': {
      const headers: Record<string, string> = r.pick<Record<string, string>>([
        { accept: 'text/csv' }, { accept: 'application/xml' }, { accept: '*/*;q=abc' }, { 'accept-encoding': 'br;q=2, gzip;q=-1, x' },
        { range: 'bytes=999999-1' }, { range: 'bytes=abc' }, { 'if-none-match': '"x"'.repeat(100) }, { 'if-modified-since': 'yesterday' },
        { authorization: 'Bearer ' + 'a'.repeat(5000) }, { authorization: 'Basic Og==' }, { authorization: 'Bearer \u00ff' }, { cookie: 'a=' + 'b'.repeat(3000) },
        { 'x-forwarded-for': '1.2.3.4, ::1, junk' }, { 'content-length': '0' }, { 'x-twilio-signature': 'junk' }, { 'sec-websocket-key': 'x', upgrade: 'websocket' },
      ]);
      return req(withQuery(path, new URLSearchParams(query).toString()), headers, undefined);
    }
    case 'path-junk': {
      path = isStatic ? `/${junkSegment(r)}${r.chance(0.3) ? `/${junkSegment(r)}` : ''}` : fillPath(route.path, () => junkSegment(r));
      return req(withQuery(path, new URLSearchParams(query).toString()), {}, undefined);
    }
    case 'traversal': {
      const p = r.pick(['/..%2f..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/%252e%252e%252fpackage.json', '/.env', '/.git/config', '/assets/%00.js', '/index.html%00.txt', '//evil.example.com/', '/%2F%2Fevil.example.com', '/%5Cevil.example.com']);
      return req(p, {}, undefined, { ok2xx: false, redirect: true });
    }
    default: {
      const q = `${Object.keys(query)[0] ?? 'x'}=${'y'.repeat(r.pick([5000, 20_000, 60_000]))}`;
      return req(withQuery(path, q), {}, undefined);
    }
  }
}

export function generate(r: Rng, c: FuzzContext, route: RouteKey): FuzzRequest {
  if (route.method === 'POST' && route.path.startsWith('/twilio/')) return twilioRequest(r, c, route.path);
  if (route.method === 'GET' || route.method === 'HEAD') return readRequest(r, c, route);
  return apiPostRequest(r, c, route);
}

// ---- the judge -------------------------------------------------------------------------------

/** Event sources that act on their own (timers, retries), not in answer to the request at hand. */
const BACKGROUND_SOURCES = new Set(['twilio:dequeue']);

/** Everything wrong with one answer (empty when it is right). */
export function judge(q: FuzzRequest, a: FuzzAnswer): string[] {
  const problems: string[] = [];
  const s = a.status;
  if (a.threw) return [`inject threw: ${a.threw}`];
  if (s >= 500) problems.push(`server error ${s}`);
  if (q.expect.only && !q.expect.only.includes(s)) problems.push(`status ${s}, expected ${q.expect.only.join('/')}`);
  const own = a.newEvents.filter((e) => !BACKGROUND_SOURCES.has(e.source ?? ''));
  const recorded = a.added > 0 && own.length > 0;
  if (s >= 200 && s < 300) {
    if (!q.expect.ok2xx) problems.push(`status ${s} for a request this route must refuse`);
    if (q.expect.twiml && q.method !== 'HEAD') {
      if (!a.head.startsWith('<?xml') || !a.hasResponseTag) problems.push(`2xx that is not TwiML: ${JSON.stringify(a.head.slice(0, 120))}`);
      if (!a.ctype.startsWith('text/xml')) problems.push(`TwiML with content-type '${a.ctype}'`);
    }
    if (recorded && !q.expect.mayRecord) problems.push(`a read recorded ${own.length} event(s): ${own.map((e) => e.type).join(', ')}`);
  } else if (s >= 300 && s < 400) {
    if (!q.expect.redirect) problems.push(`unexpected redirect ${s}`);
    else if (!a.location || !a.location.startsWith('/') || a.location.startsWith('//') || a.location.startsWith('/\\')) problems.push(`redirect ${s} off the site: ${a.location}`);
  } else if (s >= 400 && s < 500) {
    if (q.method !== 'HEAD' && (a.message === null || a.message.trim() === '')) {
      problems.push(`${s} without a JSON message (content-type '${a.ctype}', body ${JSON.stringify(a.head.slice(0, 80))})`);
    } else if (q.method !== 'HEAD') {
      const wrong = errorShapeProblem(s, a.errorBody);
      if (wrong) problems.push(`${s} not in the one error shape: ${wrong}`);
    }
    if (recorded) problems.push(`${s} but recorded ${own.length} event(s): ${own.map((e) => `${e.type} ${e.id}`).join(', ')}`);
  } else if (s < 500) {
    problems.push(`unexpected status ${s}`);
  }
  return problems;
}

/** What keeps a 4xx body from being the one error shape { statusCode, code, error, message } (null: nothing). */
export function errorShapeProblem(status: number, body: unknown): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b).sort().join(',');
  if (keys !== 'code,error,message,statusCode') return `keys ${keys}`;
  if (b.statusCode !== status) return `statusCode ${String(b.statusCode)} in a ${status} answer`;
  if (typeof b.code !== 'string' || b.code === '') return 'no code';
  if (b.error !== STATUS_CODES[status]) return `error ${JSON.stringify(b.error)}, not ${JSON.stringify(STATUS_CODES[status])}`;
  return null;
}

/** One line per request, enough to replay it by hand. */
export function describeRequest(q: FuzzRequest): string {
  const body = q.body === undefined ? '' : typeof q.body === 'string' ? q.body : q.body instanceof Uint8Array ? `hex:${Buffer.from(q.body).toString('hex')}` : `${q.body.pre ?? ''}<${JSON.stringify(q.body.repeat)}×${q.body.n}>${q.body.post ?? ''}`;
  const shown = body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body;
  return `${q.method} ${q.url.length > 300 ? `${q.url.slice(0, 300)}…` : q.url} [${q.mode}] headers=${JSON.stringify(q.headers).slice(0, 300)} body=${JSON.stringify(shown)}`;
}

// ---- the event log: every row a known, well-formed event ------------------------------------

export const EVENT_TYPES = [
  'call.arrived', 'call.ivr', 'call.queued', 'call.offered', 'call.answered', 'call.offer-missed', 'call.hold', 'call.ended', 'call.abandoned',
  'agent.ready', 'agent.state', 'agent.configured', 'call.escalated', 'call.moved', 'call.survey', 'call.disposition', 'config.changed',
  // SAC (docs/sac.md): callbacks, drops, queue closures.
  'call.callback-requested', 'call.callback-attempt', 'call.dropped', 'queue.closed', 'queue.opened',
  // Recordings of the agent leg (docs/sac.md "Gravações"): Twilio's status callback, the console's pause/resume.
  'call.recording',
] as const;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

export interface EventRow { seq: number; id: string; type: string; at: number; call_id: string | null; agent_id: string | null; body: string; source: string | null }

/** What is wrong with one row of `events` (null when nothing). */
export function checkEventRow(row: EventRow, c: Pick<FuzzContext, 'agents' | 'queues' | 'languages'>): string | null {
  let e: Record<string, unknown>;
  try { e = JSON.parse(row.body) as Record<string, unknown>; } catch { return 'body is not JSON'; }
  if (!e || typeof e !== 'object' || Array.isArray(e)) return 'body is not an object';
  const type = e.type as string;
  if (!(EVENT_TYPES as readonly string[]).includes(type)) return `unknown type ${JSON.stringify(type)}`;
  if (type !== row.type || e.id !== row.id) return `columns (${row.type}, ${row.id}) disagree with the body (${type}, ${String(e.id)})`;
  if (typeof e.id !== 'string' || e.id === '') return 'no id';
  if (typeof e.at !== 'number' || !Number.isFinite(e.at) || e.at !== row.at) return `bad time ${String(e.at)}`;
  const str = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
  const opt = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
  const int = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  const agent = (v: unknown) => typeof v === 'string' && c.agents.includes(v);
  const queue = (v: unknown) => typeof v === 'string' && c.queues.includes(v);
  if (type.startsWith('call.')) {
    if (typeof e.callId !== 'string' || !CALL_SID.test(e.callId)) return `callId ${JSON.stringify(e.callId)} is not a CallSid`;
    if (row.call_id !== e.callId) return 'call_id column disagrees with the body';
  }
  switch (type) {
    case 'call.arrived': return str(e.from, 256) && opt(e.to, (v) => str(v, 256)) ? null : `bad from/to ${JSON.stringify([e.from, e.to])}`;
    case 'call.ivr': return Array.isArray(e.path) && e.path.every((d) => typeof d === 'string' && /^[0-9*#]{1,32}$/.test(d)) && opt(e.language, (v) => c.languages.includes(v as string)) ? null : `bad ivr ${JSON.stringify([e.path, e.language])}`;
    case 'call.queued': return queue(e.queue) && opt(e.attributes, (v) => !!v && typeof v === 'object' && !Array.isArray(v)) ? null : `bad queue ${JSON.stringify(e.queue)}`;
    case 'call.answered': return opt(e.agentId, agent) ? null : `unknown agent ${JSON.stringify(e.agentId)}`;
    case 'call.offer-missed': return opt(e.agentId, agent) && ['no-answer', 'busy', 'failed', 'rejected', 'timeout', 'not-delivered', 'not-bridged'].includes(e.reason as string) ? null : `bad miss ${JSON.stringify([e.agentId, e.reason])}`;
    case 'call.ended': return ['caller', 'agent', 'system'].includes(e.by as string) ? null : `bad by ${JSON.stringify(e.by)}`;
    case 'call.survey': {
      const nps = e.nps !== undefined, csat = e.csat !== undefined;
      if (nps === csat) return 'a survey answer needs exactly one of nps, csat';
      return (nps ? int(e.nps, 0, 10) : int(e.csat, 1, 5)) ? null : `bad survey ${JSON.stringify([e.nps, e.csat])}`;
    }
    case 'call.escalated': return int(e.toLevel, 2, 9) && opt(e.note, (v) => str(v, 500)) && opt(e.queue, queue) ? null : `bad escalation ${JSON.stringify([e.toLevel, e.queue, typeof e.note])}`;
    case 'call.moved': return (e.queue !== undefined || e.tier !== undefined) && opt(e.queue, queue) && opt(e.tier, (v) => int(v, 1, 9)) ? null : `bad move ${JSON.stringify([e.queue, e.tier])}`;
    case 'call.disposition': return typeof e.resolvedFirstContact === 'boolean' && opt(e.note, (v) => str(v, 500)) ? null : `bad disposition ${JSON.stringify([e.resolvedFirstContact, typeof e.note])}`;
    case 'agent.state': return agent(e.agentId) && ['available', 'away', 'offline'].includes(e.state as string) && opt(e.reason, (v) => str(v, 64) && (v as string).length > 0) ? null : `bad agent state ${JSON.stringify([e.agentId, e.state, e.reason])}`;
    case 'agent.ready': return agent(e.agentId) ? null : `unknown agent ${JSON.stringify(e.agentId)}`;
    case 'call.dropped': return opt(e.number, (v) => typeof v === 'string' && /^\+?[0-9]{4,20}$/.test(v)) ? null : `bad number ${JSON.stringify(e.number)}`;
    case 'call.callback-requested': return str(e.number, 32) && opt(e.queue, queue) ? null : `bad callback ${JSON.stringify([e.number, e.queue])}`;
    case 'call.callback-attempt': return ['answered', 'no-answer', 'busy', 'failed'].includes(e.result as string) ? null : `bad callback result ${JSON.stringify(e.result)}`;
    case 'queue.closed': return queue(e.queue) && str(e.reason, 200) && opt(e.until, (v) => typeof v === 'number' && v > (e.at as number)) ? null : `bad closure ${JSON.stringify([e.queue, e.reason, e.until])}`;
    case 'queue.opened': return queue(e.queue) ? null : `bad opening ${JSON.stringify(e.queue)}`;
    case 'call.recording': return typeof e.recordingSid === 'string' && /^RE[0-9a-fA-F]{32}$/.test(e.recordingSid)
      // A status Twilio adds later is kept as sent (the schema's TwilioEnum), the figures as the schema bounds them.
      && str(e.status, 64) && (e.status as string).length > 0
      && opt(e.url, (v) => str(v, 2048) && /^https?:\/\//.test(v as string)) && opt(e.durationSeconds, (v) => int(v, 0, 999_999_999))
      && opt(e.channels, (v) => int(v, 0, 99)) && opt(e.callSid, (v) => typeof v === 'string' && CALL_SID.test(v))
      ? null : `bad recording ${JSON.stringify([e.recordingSid, e.status, e.durationSeconds])}`;
    case 'config.changed': {
      // A supervisor's accepted change: the core's and the metrics' settings, and the patch that made them.
      const obj = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
      return obj(e.routing) && obj(e.metrics) && obj(e.settings) ? null : 'a settings change without its routing, metrics and patch';
    }
    default: return null;
  }
}

// ---- the child process: the server under fuzz -------------------------------------------------

type ToChild =
  | { t: 'run'; file: string; reqs: FuzzRequest[] }
  | { t: 'routes' }
  | { t: 'scan' }
  | { t: 'health' }
  | { t: 'listen' }
  | { t: 'setup' };
type FromChild =
  | { t: 'ready' }
  | { t: 'ran'; n: number }
  | { t: 'routes'; text: string }
  | { t: 'scan'; count: number; problems: string[]; types: Record<string, number> }
  | { t: 'health'; status: number; body: string }
  | { t: 'listen'; port: number }
  | { t: 'setup'; calls: string[] };

/** Puts a few callers in queue (and one talking to an agent) so fuzzed ids sometimes exist. */
async function setupCalls(h: Harness): Promise<string[]> {
  const calls: string[] = [];
  for (let i = 0; i < 4; i++) {
    const sid = `CA${'f'.repeat(28)}${String(i).padStart(4, '0')}`;
    const from = `+55119876500${10 + i}`;
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    for (const digit of ['1', String((i % 3) + 1), '1', '1', '1']) {
      const gather = res.twiml?.Gather?.[0];
      if (!gather) break;
      res = await h.post(local(gather.action), callParams(sid, from, { Digits: digit }));
    }
    const enqueue = res.twiml?.Enqueue?.[0];
    if (enqueue) {
      await h.post(local(enqueue.waitUrl), callParams(sid, from, { QueueSid: `QU${'e'.repeat(28)}${String(i).padStart(4, '0')}`, QueuePosition: '1', QueueTime: '0' }));
    }
    calls.push(sid);
  }
  // The first caller talks to ana: escalation and disposition have something to act on.
  await h.api('POST', '/api/agents/ana/state', { state: 'available' });
  await h.atende.idle();
  const dq = h.rest.dequeues().at(-1);
  if (dq) {
    const res = await h.post(local(dq.url), callParams(dq.callSid, '+5511987650010'));
    const noun = (res.twiml?.Dial?.[0]?.Client ?? res.twiml?.Dial?.[0]?.Number)?.[0];
    if (noun) await h.post(local(noun.url), { ...callParams(`CA${'d'.repeat(32)}`, '+5511987650010'), Direction: 'outbound-dial', ParentCallSid: dq.callSid });
  }
  return calls;
}

async function childMain(): Promise<void> {
  const dbPath = process.env.ATENDE_FUZZ_DB!;
  const h = await startHarness({ rateLimitPerMinute: false, dbPath });
  const app = h.atende.app;
  const events = h.atende.storage.events;
  const db = h.atende.storage.db;
  const newRows = db.prepare('SELECT seq, type, id, source FROM events WHERE seq > ? ORDER BY seq LIMIT 20');
  const maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM events').pluck();
  const send = (m: FromChild) => process.send!(m);
  process.on('message', (raw) => {
    const m = raw as ToChild;
    void (async () => {
      if (m.t === 'run') {
        const fd = openSync(m.file, 'a');
        try {
          for (const q of m.reqs) {
            const before = events.count();
            const seq0 = maxSeq.get() as number;
            const t0 = performance.now();
            let a: FuzzAnswer;
            try {
              const payload = wireToBuffer(q.body);
              const res = await app.inject({ method: q.method as 'POST', url: q.url, headers: q.headers, ...(payload ? { payload } : {}) });
              const body = res.body;
              let message: string | null = null;
              let errorBody: unknown;
              try {
                const j = JSON.parse(body) as { message?: unknown };
                if (j && typeof j.message === 'string') message = j.message;
                if (res.statusCode >= 400 && res.statusCode < 500) errorBody = j;
              } catch { /* not JSON */ }
              const after = events.count();
              a = {
                status: res.statusCode, ctype: String(res.headers['content-type'] ?? ''), location: res.headers.location === undefined ? null : String(res.headers.location),
                bodyLength: body.length, head: body.slice(0, 200), message, hasResponseTag: body.includes('<Response'),
                added: after - before, newEvents: after !== before ? newRows.all(seq0) as NewEvent[] : [], ms: performance.now() - t0, errorBody,
              };
            } catch (err) {
              a = { status: 0, ctype: '', location: null, bodyLength: 0, head: '', message: null, hasResponseTag: false, added: 0, newEvents: [], ms: 0, threw: String((err as Error)?.stack ?? err).slice(0, 500) };
            }
            writeSync(fd, `${JSON.stringify(a)}\n`);
          }
        } finally { closeSync(fd); }
        send({ t: 'ran', n: m.reqs.length });
      } else if (m.t === 'routes') {
        send({ t: 'routes', text: app.printRoutes({ commonPrefix: false }) });
      } else if (m.t === 'setup') {
        send({ t: 'setup', calls: await setupCalls(h) });
      } else if (m.t === 'listen') {
        const address = await app.listen({ host: '127.0.0.1', port: 0 });
        send({ t: 'listen', port: Number(new URL(address).port) });
      } else if (m.t === 'health') {
        const res = await app.inject({ method: 'GET', url: '/healthz' });
        send({ t: 'health', status: res.statusCode, body: res.body });
      } else if (m.t === 'scan') {
        const s = testSettings();
        const ctx = { agents: s.agents.map((x) => x.id), queues: s.queues.map((x) => x.id), languages: s.ivr.languages.map((l) => l.code) };
        const problems: string[] = [];
        const types: Record<string, number> = {};
        let count = 0;
        for (const row of db.prepare('SELECT seq, id, type, at, call_id, agent_id, body, source FROM events ORDER BY seq').iterate() as Iterable<EventRow>) {
          count++;
          types[row.type] = (types[row.type] ?? 0) + 1;
          const p = checkEventRow(row, ctx);
          if (p && problems.length < 50) problems.push(`seq ${row.seq} ${row.type} ${row.id} (from ${row.source}): ${p}: ${row.body.slice(0, 300)}`);
        }
        send({ t: 'scan', count, problems, types });
      }
    })();
  });
  process.on('disconnect', () => { void h.close().finally(() => process.exit(0)); });
  send({ t: 'ready' });
}

// ---- the parent's handle on it --------------------------------------------------------------------

export interface Incident { kind: 'crash' | 'hang'; request: FuzzRequest; output: string }

const HELPER = fileURLToPath(import.meta.url);

export class FuzzServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'atende-fuzz-'));
  readonly dbPath = join(this.dir, 'atende.db');
  readonly incidents: Incident[] = [];
  starts = 0;
  private child: ChildProcess | null = null;
  private output = '';
  private waiting: { t: FromChild['t']; resolve: (m: FromChild) => void; reject: (e: Error) => void } | null = null;
  private batch = 0;

  /** A request that blocks the server this long (no answer written) counts as a hang: FUZZ_HANG_MS. */
  constructor(private readonly hangMs = Number(process.env.FUZZ_HANG_MS ?? 3000)) {}

  async start(): Promise<void> {
    this.output = '';
    const child = fork(HELPER, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=256'],
      env: { ...process.env, ATENDE_FUZZ_CHILD: '1', ATENDE_FUZZ_DB: this.dbPath },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    this.starts++;
    const keep = (d: Buffer) => { this.output = (this.output + d.toString()).slice(-4000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('message', (m: FromChild) => {
      const w = this.waiting;
      if (w && w.t === m.t) { this.waiting = null; w.resolve(m); }
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const w = this.waiting;
      if (w) { this.waiting = null; w.reject(new Error(`the server process exited (code ${code}, signal ${signal})`)); }
    });
    await this.ask({ t: 'ready' } as never, 'ready', 60_000);
  }

  get alive(): boolean { return this.child !== null && this.child.exitCode === null && this.child.signalCode === null; }

  private ask<T extends FromChild['t']>(msg: ToChild | null, t: T, timeoutMs = 60_000): Promise<Extract<FromChild, { t: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting = null; reject(new Error(`no '${t}' from the server process in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiting = {
        t, resolve: (m) => { clearTimeout(timer); resolve(m as Extract<FromChild, { t: T }>); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      if (msg && (msg as { t: string }).t !== 'ready') this.child!.send(msg);
    });
  }

  /** One conversation with the process at a time, in call order; restarted first if a request killed it. */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => { if (!this.alive) await this.start(); return fn(); });
    this.queue = next.catch(() => undefined);
    return next;
  }
  routes(): Promise<RouteKey[]> { return this.serial(async () => parsePrintedRoutes((await this.ask({ t: 'routes' }, 'routes')).text)); }
  setup(): Promise<string[]> { return this.serial(async () => (await this.ask({ t: 'setup' }, 'setup')).calls); }
  listen(): Promise<number> { return this.serial(async () => (await this.ask({ t: 'listen' }, 'listen')).port); }
  health(): Promise<{ status: number; body: string }> { return this.serial(() => this.ask({ t: 'health' }, 'health')); }
  scan(): Promise<{ count: number; problems: string[]; types: Record<string, number> }> { return this.serial(() => this.ask({ t: 'scan' }, 'scan', 120_000)); }
  run(reqs: FuzzRequest[], maxIncidents = 1): Promise<(FuzzAnswer | null)[]> { return this.serial(() => this.runNow(reqs, maxIncidents)); }

  /**
   * Runs the requests in order and answers each (null for one that killed or hung the
   * server: it is then an incident, and the server is started again on the same log).
   */
  private async runNow(reqs: FuzzRequest[], maxIncidents: number): Promise<(FuzzAnswer | null)[]> {
    const answers: (FuzzAnswer | null)[] = [];
    let incidents = 0;
    while (answers.length < reqs.length) {
      if (!this.alive) await this.start();
      const rest = reqs.slice(answers.length);
      const file = join(this.dir, `batch-${this.batch++}.jsonl`);
      const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
      let lastSize = -1, lastChange = Date.now(), hung = false;
      const watchdog = setInterval(() => {
        const size = existsSync(file) ? statSync(file).size : 0;
        if (size !== lastSize) { lastSize = size; lastChange = Date.now(); return; }
        if (Date.now() - lastChange > this.hangMs && this.child) { hung = true; this.child.kill('SIGKILL'); }
      }, 250);
      try {
        await this.ask({ t: 'run', file, reqs: rest }, 'ran', 10 * 60_000);
      } catch { /* died or was killed: the lines written tell how far it got */ } finally {
        clearInterval(watchdog);
      }
      const done = lines().map((l) => JSON.parse(l) as FuzzAnswer);
      answers.push(...done);
      if (answers.length < reqs.length) {
        const request = reqs[answers.length];
        await new Promise((r) => setTimeout(r, 50));
        this.incidents.push({ kind: hung ? 'hang' : 'crash', request, output: this.output.slice(-1500) });
        if (this.child) { this.child.kill('SIGKILL'); this.child = null; }
        answers.push(null);
        if (++incidents >= maxIncidents) {
          // This route keeps killing the server: stop here, the incidents say why.
          while (answers.length < reqs.length) answers.push(null);
        }
      }
    }
    return answers;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000);
        child.once('exit', () => { clearTimeout(t); resolve(); });
        child.disconnect();
      });
      this.child = null;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

if (process.env.ATENDE_FUZZ_CHILD === '1' && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void childMain();
}
