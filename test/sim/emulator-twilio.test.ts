// The emulator behaves like Twilio where Atende's reliability depends on it
// (issue 13): the documented parameter sets (geography, STIR/SHAKEN, long CallTokens,
// Add-on results, status callback fields), no retry of a 5xx unless the URL's
// connection overrides ask for one (then exactly as documented, signed without the
// fragment), one retry when the connection fails, the number's fallback URL with
// ErrorCode and ErrorUrl when the Voice URL fails, and the REST Calls resource in
// Twilio's JSON shape for reconciliation. A small fake Atende records what arrives.
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import { createAtende } from '../../server/start.ts';
import { createTwilioRest } from '../../server/twilio/rest.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../sim/emulator/index.ts';

const PUBLIC_URL = 'https://atende.example.com.br';
const AUTH_TOKEN = 'emulator-twilio-token-0123456789';
const ACCOUNT_SID = `AC${'e7'.repeat(16)}`;
const SPEED = 200;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
});

interface Seen { path: string; body: Record<string, string>; signatureOk: boolean; token: string }
type Answer = { status?: number; twiml?: string; raw?: string; hang?: boolean };

/** A fake Atende: records every request (and whether its signature is right for the URL without fragment), answers by path. */
async function fakeAtende(answer: (path: string, n: number, body: Record<string, string>) => Answer): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const app: FastifyInstance = Fastify();
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  app.post('/*', async (req, reply) => {
    const body = req.body as Record<string, string>;
    const path = req.url.split('?')[0];
    const signatureOk = twilio.validateRequest(AUTH_TOKEN, String(req.headers['x-twilio-signature']), PUBLIC_URL + req.url, body);
    seen.push({ path, body, signatureOk, token: String(req.headers['i-twilio-idempotency-token']) });
    const a = answer(path, seen.filter((s) => s.path === path).length, body);
    if (a.hang) return new Promise(() => {}); // never answers
    return reply.code(a.status ?? 200).type('text/xml').send(a.raw ?? `<?xml version="1.0" encoding="UTF-8"?><Response>${a.twiml ?? ''}</Response>`);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => { app.server.closeAllConnections(); await app.close(); });
  return { url, seen };
}

async function emulator(atendeUrl: string, opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const e = await startEmulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, atendeUrl, speed: SPEED, seed: 11, ...opts });
  cleanups.push(() => e.close());
  return e;
}

const caller = { from: '+5511987654321', digits: [], patienceSeconds: null, talkSeconds: 10, hangsUp: 'caller' as const };
const HANGUP = '<Hangup/>';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('the parameters Twilio posts', () => {
  it('geography, StirVerstat and a CallToken on every caller request; a long CallToken and AddOns on the incoming call when drawn; status callbacks carry SequenceNumber, Timestamp, CallbackSource', async () => {
    const fake = await fakeAtende((path) => (path === '/twilio/voice' ? { twiml: '<Pause length="1"/><Redirect>/twilio/next</Redirect>' } : { twiml: HANGUP }));
    const e = await emulator(fake.url, { params: { addOnsShare: 1, addOnsBytes: 40_000, longTokenShare: 1, longTokenLength: 3000 } });
    const record = await e.placeCall(caller);
    expect(record.error).toBeNull();
    const [voice, next, status] = ['/twilio/voice', '/twilio/next', '/twilio/status'].map((p) => fake.seen.find((s) => s.path === p)!.body);
    expect(fake.seen.every((s) => s.signatureOk)).toBe(true);
    for (const body of [voice, next, status]) {
      expect(body).toMatchObject({ FromCountry: 'BR', FromState: 'SP', ToCountry: 'BR', CallerCountry: 'BR', CalledState: 'SP', FromCity: '', FromZip: '' });
      expect(body.CallToken).toHaveLength(3000);
      expect(body.StirVerstat).toMatch(/^(TN-Validation-(Passed|Failed)-[ABC]|No-TN-Validation)$/);
    }
    expect(voice.CallStatus).toBe('ringing');
    expect(JSON.parse(voice.AddOns)).toMatchObject({ status: 'successful', results: expect.any(Object) });
    expect(voice.AddOns.length).toBeGreaterThanOrEqual(40_000);
    expect(next.AddOns).toBeUndefined(); // only on the incoming call
    expect(status).toMatchObject({ CallStatus: 'completed', CallbackSource: 'call-progress-events', SequenceNumber: '0', CallDuration: expect.stringMatching(/^\d+$/) });
    expect(Date.parse(status.Timestamp)).not.toBeNaN();
    expect(status.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('by default some calls get a long CallToken and some AddOns, drawn from the seed', async () => {
    const fake = await fakeAtende(() => ({ twiml: HANGUP }));
    const e = await emulator(fake.url, { statusCallbackPath: null });
    for (let i = 0; i < 20; i++) await e.placeCall(caller);
    const voices = fake.seen.filter((s) => s.path === '/twilio/voice').map((s) => s.body);
    expect(voices.filter((b) => b.CallToken.length > 2048).length).toBeGreaterThan(0);
    expect(voices.filter((b) => b.CallToken.length <= 2048).length).toBeGreaterThan(0);
    expect(voices.filter((b) => b.AddOns !== undefined).length).toBeGreaterThan(0);
    expect(voices.filter((b) => b.AddOns === undefined).length).toBeGreaterThan(0);
  });
});

describe('retries as Twilio documents them', () => {
  it('a 5xx is final (no retry, Retry-After ignored), so is a 4xx: the caller gets an application error', async () => {
    for (const status of [503, 500, 404]) {
      const fake = await fakeAtende(() => ({ status, twiml: '' }));
      const e = await emulator(fake.url, { statusCallbackPath: null });
      const record = await e.placeCall(caller);
      expect(record.outcome, String(status)).toBe('error');
      expect(fake.seen, String(status)).toHaveLength(1);
      expect(record.webhooks.map((w) => w.status)).toEqual([status]);
    }
  });

  it('a connection that cannot be made is tried once more, and only once', async () => {
    const e = await emulator(`http://127.0.0.1:${await freePort()}`, { statusCallbackPath: null });
    const record = await e.placeCall(caller);
    expect(record.outcome).toBe('error');
    expect(record.webhooks.map((w) => [w.status, w.repeat])).toEqual([[0, false], [0, true]]);
  });

  it('connection overrides in the URL fragment: #rc=2&rp=5xx retries a 5xx twice with the same idempotency token, signed without the fragment', async () => {
    const fake = await fakeAtende((path, n) => (n < 3 ? { status: 500 } : { twiml: HANGUP }));
    const e = await emulator(fake.url, { voicePath: '/twilio/voice#rc=2&rp=5xx', statusCallbackPath: null });
    const record = await e.placeCall(caller);
    expect(record.error).toBeNull();
    expect(fake.seen.map((s) => s.path)).toEqual(['/twilio/voice', '/twilio/voice', '/twilio/voice']);
    expect(fake.seen.every((s) => s.signatureOk)).toBe(true);
    expect(new Set(fake.seen.map((s) => s.token)).size).toBe(1);
    expect(record.webhooks[0].url).toBe(`${PUBLIC_URL}/twilio/voice`);
    // Signed over the URL with its fragment, the signature would not be Twilio's.
    const body = fake.seen[0].body;
    expect(twilio.validateRequest(AUTH_TOKEN, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice#rc=2&rp=5xx`, body), `${PUBLIC_URL}/twilio/voice`, body)).toBe(false);
  });

  it('#rc=1&rp=rt&rt=300 retries a read timeout once; rc stops at its count', async () => {
    const fake = await fakeAtende(() => ({ hang: true }));
    const e = await emulator(fake.url, { voicePath: '/twilio/voice#rc=1&rp=rt&rt=300', statusCallbackPath: null });
    const t0 = performance.now();
    const record = await e.placeCall(caller);
    expect(record.outcome).toBe('error');
    expect(fake.seen).toHaveLength(2);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe("the number's fallback URL", () => {
  for (const [name, answer, code] of [
    ['a 5xx', { status: 500 }, '11200'],
    ['a document that is not TwiML', { raw: '<html><body>Bad gateway</body></html>' }, '12100'],
    ['no answer within the read timeout', { hang: true }, '11205'],
  ] as [string, Answer, string][]) {
    it(`${name} from the Voice URL: the fallback is asked at once with ErrorCode ${code} and ErrorUrl, and its TwiML runs`, async () => {
      const fake = await fakeAtende((path) => (path === '/twilio/voice' ? answer : { twiml: '<Say>Um momento.</Say><Hangup/>' }));
      const e = await emulator(fake.url, { voicePath: '/twilio/voice#rt=300', voiceFallbackPath: '/twilio/fallback', statusCallbackPath: null, params: { addOnsShare: 1 } });
      const record = await e.placeCall(caller);
      expect(record.error).toBeNull();
      expect(record.outcome).toBe('overflowed'); // ended by the fallback's <Hangup/>
      const fallback = fake.seen.find((s) => s.path === '/twilio/fallback')!;
      expect(fallback.body).toMatchObject({ ErrorCode: code, ErrorUrl: `${PUBLIC_URL}/twilio/voice`, CallSid: record.sid });
      expect(fallback.body.AddOns).toBeDefined(); // what the Voice URL got
      expect(fallback.signatureOk).toBe(true);
    });
  }

  it('a failure after the Voice URL is not the fallback\'s: the call ends in an application error', async () => {
    const fake = await fakeAtende((path) => (path === '/twilio/voice' ? { twiml: '<Redirect>/twilio/broken</Redirect>' } : { status: 500 }));
    const e = await emulator(fake.url, { voiceFallbackPath: '/twilio/fallback', statusCallbackPath: null });
    const record = await e.placeCall(caller);
    expect(record.outcome).toBe('error');
    expect(fake.seen.some((s) => s.path === '/twilio/fallback')).toBe(false);
  });
});

describe('the REST Calls resource', () => {
  it("GET …/Calls/{sid}.json in Twilio's shape: in-progress while under way; completed with end_time and duration after; the twilio client reads it", async () => {
    const fake = await fakeAtende((path) => (path === '/twilio/voice' ? { twiml: '<Pause length="120"/><Hangup/>' } : { twiml: '' }));
    const e = await emulator(fake.url, { statusCallbackPath: null });
    const sid = `CA${'ab'.repeat(16)}`;
    const done = e.placeCall({ ...caller, callSid: sid });
    const get = async () => {
      const res = await fetch(`${e.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`, { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` } });
      return { status: res.status, json: await res.json() as Record<string, unknown> };
    };
    // Under way: the Voice URL was asked and its <Pause> plays (120 emulated s, 0.6 s here).
    while (!fake.seen.length) await new Promise((r) => setTimeout(r, 5));
    const during = await get();
    expect(during.status).toBe(200);
    expect(during.json).toMatchObject({ sid, account_sid: ACCOUNT_SID, status: 'in-progress', end_time: null, duration: null, direction: 'inbound', from: caller.from });
    await done;
    const after = await get();
    expect(after.json).toMatchObject({ status: 'completed', start_time: during.json.start_time });
    const start = Date.parse(String(after.json.start_time));
    const end = Date.parse(String(after.json.end_time));
    expect(end - start).toBeGreaterThanOrEqual(119_000); // 120 emulated seconds of <Pause>
    // start_time and end_time are whole seconds (RFC 2822) while the duration is rounded from milliseconds: ±1 s.
    expect(Math.abs(Number(after.json.duration) - (end - start) / 1000)).toBeLessThanOrEqual(1);
    // Fixed once over: asked again later, the same end.
    await new Promise((r) => setTimeout(r, 50));
    expect((await get()).json.end_time).toBe(after.json.end_time);

    const call = await createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiUrl: e.apiUrl }).calls(sid).fetch();
    expect(call.status).toBe('completed');
    expect(call.endTime?.getTime()).toBe(end);
    expect(call.duration).toBe(after.json.duration);
    expect((await fetch(`${e.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/CA${'0'.repeat(32)}.json`, { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` } })).status).toBe(404);
  });
});

describe('against Atende', () => {
  async function stack(opts: Partial<EmulatorOptions>) {
    const e = await startEmulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, speed: 150, seed: 3, agents: () => ({ answer: true, afterSeconds: 2 }), ...opts });
    const atende = await createAtende({
      settings: loadSettings(DEFAULT_SETTINGS_PATH), dbPath: join(mkdtempSync(join(tmpdir(), 'atende-emu-twilio-')), 'a.db'), logger: false,
      viewerToken: null, supervisorToken: null,
      twilio: { publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, dequeueBackoffMs: [20, 40], rest: createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiUrl: e.apiUrl }) },
    });
    e.setAtendeUrl(await atende.app.listen({ host: '127.0.0.1', port: 0 }));
    cleanups.push(async () => { await e.close(); await atende.idle(); await atende.close(); });
    await atende.app.inject({ method: 'POST', url: '/api/agents/ana/state', payload: { state: 'available' } });
    return { e, atende };
  }
  const script = { from: '+5511987650777', digits: ['1', '1', '1'], patienceSeconds: null, talkSeconds: 10, hangsUp: 'agent' as const, surveyDigits: [] };

  it('every request carries long CallTokens and the incoming call 40 KB of Add-ons, on a Voice URL with overrides: answered, nothing refused', async () => {
    const { e, atende } = await stack({ voicePath: '/twilio/voice#rc=2&rp=ct,rt', params: { addOnsShare: 1, addOnsBytes: 40_000, longTokenShare: 1 } });
    const record = await e.placeCall(script);
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana', error: null });
    expect(e.stats().errorsByStatus).toEqual({});
    expect(atende.storage.records.getCall(record.sid)).toMatchObject({ outcome: 'answered' });
  });

  it('a Voice URL that fails falls back to /twilio/fallback, which keeps the caller: the call is still answered', async () => {
    const { e } = await stack({ voicePath: '/twilio/voice-gone', voiceFallbackPath: '/twilio/fallback' });
    const record = await e.placeCall(script);
    expect(record.webhooks.slice(0, 2).map((w) => [w.path, w.status])).toEqual([['/twilio/voice-gone', 404], ['/twilio/fallback', 200]]);
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana' });
  });
});
