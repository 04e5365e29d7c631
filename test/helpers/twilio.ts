// Drives Atende the way Twilio does: signed form posts to the webhooks, TwiML
// parsed as XML, and a local REST stand-in that records queue-member updates.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { createAtende, type Atende } from '../../server/start.ts';
import { createTwilioRest } from '../../server/twilio/rest.ts';
import type { Snapshot } from '../../server/contract.ts';
import { T0 } from './core.ts';

export const PUBLIC_URL = 'https://atende.example.com.br';
export const AUTH_TOKEN = 'test-auth-token-9f8e7d6c5b4a';
export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;

let sidCounter = 1;
/** A fresh Twilio-shaped sid: prefix + 32 hex digits. */
export function newSid(prefix: 'CA' | 'QU'): string {
  return prefix + (sidCounter++).toString(16).padStart(32, '0');
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'atende-test-')), 'atende.db');
}

// ---- the REST stand-in -------------------------------------------------------

export interface RestRequest {
  kind: 'dequeue' | 'redirect' | 'fetch' | 'create' | 'recording'; queueSid?: string; callSid: string; url: string; method: string; auth: string;
  /** A Recording resource update (POST …/Calls/{CallSid}/Recordings/{Sid}.json): which recording, Status and PauseBehavior. */
  recordingSid?: string; status?: string; pauseBehavior?: string;
  /** calls.create (POST …/Calls.json): the call placed. */
  to?: string; from?: string; statusCallback?: string;
}

export class RestStandIn {
  readonly requests: RestRequest[] = [];
  private failures = 0;
  private failStatus = 500;
  private app: FastifyInstance | null = null;
  url = '';

  /** The next n requests fail with this HTTP status (Twilio-shaped error body). */
  failNext(n: number, status = 500): void {
    this.failures = n;
    this.failStatus = status;
  }

  dequeues(): RestRequest[] { return this.requests.filter((r) => r.kind === 'dequeue'); }
  /** Calls placed (calls.create): callbacks. */
  creates(): RestRequest[] { return this.requests.filter((r) => r.kind === 'create'); }
  /** Recording resource updates (pause/resume from the agent console). */
  recordingUpdates(): RestRequest[] { return this.requests.filter((r) => r.kind === 'recording'); }
  /** Calls resource reads (GET …/Calls/{CallSid}.json): reconciliation. */
  fetches(): RestRequest[] { return this.requests.filter((r) => r.kind === 'fetch'); }

  /** What GET …/Calls/{sid}.json answers for this call (Twilio's JSON); unknown calls get 404. */
  readonly calls = new Map<string, Record<string, unknown>>();

  async start(): Promise<string> {
    const app = Fastify();
    await app.register(formbody);
    const answer = (kind: RestRequest['kind']) => async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const p = req.params as { account: string; queue?: string; call: string };
      const body = req.body as { Url?: string; Method?: string };
      this.requests.push({ kind, queueSid: p.queue, callSid: p.call, url: body.Url ?? '', method: body.Method ?? '', auth: req.headers.authorization ?? '' });
      if (this.failures > 0) {
        this.failures--;
        return reply.code(this.failStatus).send({ code: 20500, message: 'stand-in failure', status: this.failStatus });
      }
      return { call_sid: p.call, queue_sid: p.queue ?? null, account_sid: p.account, position: 1, wait_time: 0 };
    };
    app.post('/2010-04-01/Accounts/:account/Queues/:queue/Members/:call.json', answer('dequeue'));
    app.post('/2010-04-01/Accounts/:account/Calls/:call.json', answer('redirect'));
    app.post('/2010-04-01/Accounts/:account/Calls.json', async (req) => {
      const p = req.params as { account: string };
      const b = req.body as { To: string; From: string; Url: string; Method?: string; StatusCallback?: string };
      const sid = newSid('CA');
      this.requests.push({ kind: 'create', callSid: sid, url: b.Url, method: b.Method ?? '', auth: req.headers.authorization ?? '', to: b.To, from: b.From, statusCallback: b.StatusCallback });
      return { sid, account_sid: p.account, to: b.To, from: b.From, status: 'queued' };
    });
    app.post('/2010-04-01/Accounts/:account/Calls/:call/Recordings/:rec', async (req, reply) => {
      const p = req.params as { account: string; call: string; rec: string };
      const b = req.body as { Status?: string; PauseBehavior?: string };
      const sid = p.rec.replace(/\.json$/, '');
      this.requests.push({ kind: 'recording', callSid: p.call, url: '', method: 'POST', auth: req.headers.authorization ?? '', recordingSid: sid, status: b.Status, pauseBehavior: b.PauseBehavior });
      if (this.failures > 0) {
        this.failures--;
        return reply.code(this.failStatus).send({ code: 20500, message: 'stand-in failure', status: this.failStatus });
      }
      return { sid, account_sid: p.account, call_sid: p.call, status: b.Status, channels: 2, source: 'DialVerb', duration: '-1' };
    });
    app.get('/2010-04-01/Accounts/:account/Calls/:call.json', async (req, reply) => {
      const p = req.params as { account: string; call: string };
      this.requests.push({ kind: 'fetch', callSid: p.call, url: '', method: 'GET', auth: req.headers.authorization ?? '' });
      if (this.failures > 0) {
        this.failures--;
        return reply.code(this.failStatus).send({ code: 20500, message: 'stand-in failure', status: this.failStatus });
      }
      const call = this.calls.get(p.call);
      if (!call) return reply.code(404).send({ code: 20404, message: `The requested resource ${req.url} was not found`, status: 404 });
      return { sid: p.call, account_sid: p.account, ...call };
    });
    this.url = await app.listen({ host: '127.0.0.1', port: 0 });
    this.app = app;
    return this.url;
  }

  async close(): Promise<void> { await this.app?.close(); }
}

// ---- TwiML -----------------------------------------------------------------------

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: '#text', isArray: (name) => ['Say', 'Gather', 'Client', 'Number', 'Play', 'Pause', 'Redirect', 'Enqueue', 'Dial', 'Hangup', 'Leave'].includes(name) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TwimlNode = Record<string, any>;

export function parseTwiml(xml: string): TwimlNode {
  const doc = parser.parse(xml) as TwimlNode;
  if (!('Response' in doc)) throw new Error(`not TwiML: ${xml}`);
  return doc.Response === '' ? {} : doc.Response;
}

/** Every <Say> text anywhere in the document, in order. */
export function saysOf(node: TwimlNode): string[] {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n as TwimlNode)) {
      if (k === 'Say') for (const s of v as TwimlNode[]) out.push(typeof s === 'string' ? s : s['#text']);
      else if (Array.isArray(v)) v.forEach(walk);
      else walk(v);
    }
  };
  walk(node);
  return out;
}

/** Path and query of one of our absolute URLs, ready for inject(). */
export function local(url: string): string {
  if (!url.startsWith(PUBLIC_URL)) throw new Error(`${url} is not under ${PUBLIC_URL}`);
  return url.slice(PUBLIC_URL.length);
}

// ---- the stack under test ------------------------------------------------------------

export interface Harness {
  atende: Atende;
  rest: RestStandIn;
  settings: Settings;
  clock: { t: number };
  dbPath: string;
  /** Moves the clock and lets the core's timers fire. */
  tick(seconds: number): void;
  post(url: string, params: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; body: string; twiml: TwimlNode | null }>;
  api(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: any }>;
  snapshot(): Promise<Snapshot>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function testSettings(patch: (s: Settings) => void = () => {}): Settings {
  const s = loadSettings(DEFAULT_SETTINGS_PATH);
  patch(s);
  return s;
}

export interface HarnessOptions {
  settings?: Settings;
  dbPath?: string;
  rest?: RestStandIn;
  startAt?: number;
  /** Wall-clock time instead of the test clock (for a browser watching the screen). */
  realClock?: boolean;
  staticDir?: string;
  hub?: { minIntervalMs?: number; heartbeatMs?: number; pingMs?: number };
  rateLimitPerMinute?: number | false;
  /** Proxies whose X-Forwarded-For is believed (ATENDE_TRUST_PROXY); none by default. */
  trustProxy?: string[];
  access?: import('../../server/auth/access.ts').Access;
  /** The softphone's API key (GET /api/agent/voice-token); none by default. */
  voice?: import('../../server/plugins/services.ts').VoiceCredentials | null;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const settings = opts.settings ?? testSettings();
  const dbPath = opts.dbPath ?? tempDb();
  const rest = opts.rest ?? new RestStandIn();
  if (!rest.url) await rest.start();
  const clock = { t: opts.startAt ?? (opts.realClock ? Date.now() : T0) };
  const build = () => createAtende({
    settings, dbPath, now: opts.realClock ? Date.now : () => clock.t, logger: false, viewerToken: null, supervisorToken: null,
    staticDir: opts.staticDir, hub: opts.hub, rateLimitPerMinute: opts.rateLimitPerMinute, trustProxy: opts.trustProxy, access: opts.access, voice: opts.voice,
    twilio: {
      publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, dequeueBackoffMs: [5, 10, 20],
      rest: createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiUrl: rest.url }),
    },
  });
  let atende = await build();
  const h: Harness = {
    get atende() { return atende; },
    rest, settings, clock, dbPath,
    tick(seconds: number) {
      clock.t += seconds * 1000;
      atende.engine.advance();
    },
    async post(url, params, headers = {}) {
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + url, params);
      const res = await atende.app.inject({
        method: 'POST', url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, ...headers },
        payload: new URLSearchParams(params).toString(),
      });
      const isXml = String(res.headers['content-type'] ?? '').startsWith('text/xml');
      return { status: res.statusCode, body: res.body, twiml: isXml ? parseTwiml(res.body) : null };
    },
    async api(method, url, body) {
      const res = await atende.app.inject({ method, url, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : null };
    },
    async snapshot() {
      const res = await atende.app.inject({ method: 'GET', url: '/api/snapshot' });
      return res.json() as Snapshot;
    },
    async restart() {
      await atende.idle();
      await atende.close();
      atende = await build();
    },
    async close() {
      await atende.idle();
      await atende.close();
      await rest.close();
    },
  };
  return h;
}

/** Standard parameters Twilio sends with every request on a caller's leg. */
export function callParams(callSid: string, from: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: callSid, From: from, To: '+551130001000',
    Caller: from, Called: '+551130001000', Direction: 'inbound', CallStatus: 'in-progress', ...extra,
  };
}

/**
 * The agent picks up and hears the whisper to its end: Twilio fetches the whisper URL on
 * the agent's leg, then follows its <Redirect> (a softphone) — that request is the bridge,
 * the answer time. For a phone-number agent the accept <Gather> is answered with a key.
 */
export async function bridge(h: Harness, whisperUrl: string, agentLeg: Record<string, string>): Promise<void> {
  const spoken = await h.post(whisperUrl, agentLeg);
  const gather = spoken.twiml!.Gather?.[0];
  const next = gather ? local(gather.action) : local(spoken.twiml!.Redirect[0]['#text']);
  await h.post(next, gather ? { ...agentLeg, Digits: '1' } : agentLeg);
}
