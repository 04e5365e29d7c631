// The emulator's recordings, as Twilio makes them (twilio.com/docs/voice/twiml/dial#record,
// twilio.com/docs/voice/api/recording): a <Dial record> records from the bridge, owned by the
// call that runs the Dial; the REST Recording resource pauses (PauseBehavior skip leaves the
// pause out of the file, silence keeps it), resumes, names the active one Twilio.CURRENT,
// lists, fetches and deletes; the recording status callback is signed and carries Twilio's
// parameters for the events asked for. A small fake Atende answers the TwiML.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../sim/emulator/index.ts';

const PUBLIC_URL = 'https://atende.example.com.br';
const AUTH_TOKEN = 'emulator-recordings-token-0123456789';
const ACCOUNT_SID = `AC${'4d'.repeat(16)}`;
const SPEED = 100;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
});

interface Seen { path: string; body: Record<string, string>; signatureOk: boolean }

/** Answers the voice URL with a recorded <Dial> to a number, and records every request. */
async function fakeAtende(dialAttrs: string): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  app.post('/*', async (req, reply) => {
    const body = req.body as Record<string, string>;
    seen.push({ path: req.url.split('?')[0], body, signatureOk: twilio.validateRequest(AUTH_TOKEN, String(req.headers['x-twilio-signature']), PUBLIC_URL + req.url, body) });
    const twiml = req.url.startsWith('/twilio/voice') ? `<Dial ${dialAttrs}><Number>+5511987650000</Number></Dial>` : '';
    return reply.type('text/xml').send(`<?xml version="1.0" encoding="UTF-8"?><Response>${twiml}</Response>`);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => { app.server.closeAllConnections(); await app.close(); });
  return { url, seen };
}

async function emulator(atendeUrl: string): Promise<Emulator> {
  const e = await startEmulator({
    accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, atendeUrl, speed: SPEED, seed: 7,
    statusCallbackPath: null, agents: () => ({ answer: true, afterSeconds: 1 }),
  });
  cleanups.push(() => e.close());
  return e;
}

const RECORDED = `record="record-from-answer-dual" recordingStatusCallback="${PUBLIC_URL}/twilio/recording?call=x" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="in-progress completed absent"`;
const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const rest = (e: Emulator, method: string, path: string, form?: Record<string, string>) => fetch(`${e.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
  method, headers: { authorization: auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body: form ? new URLSearchParams(form).toString() : undefined,
});
const until = async (check: () => boolean, what: string) => {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > 5000) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('recordings in the emulator', () => {
  it('records a <Dial record> from the bridge, owned by the parent call; Twilio.CURRENT pauses (silence) and resumes it; the callbacks are signed with Twilio\'s parameters', async () => {
    const fake = await fakeAtende(RECORDED);
    const e = await emulator(fake.url);
    const callSid = `CA${'a7'.repeat(16)}`;
    const done = e.placeCall({ callSid, from: '+5511987650001', digits: [], patienceSeconds: null, talkSeconds: 60, hangsUp: 'caller' });
    await until(() => e.recordings().length === 1, 'the recording starts at the bridge');
    const [started] = e.recordings();
    expect(started).toMatchObject({ callSid, status: 'in-progress', channels: 2 });
    expect(started.sid).toMatch(/^RE[0-9a-f]{32}$/);

    const paused = await rest(e, 'POST', `/Calls/${callSid}/Recordings/Twilio.CURRENT.json`, { Status: 'paused', PauseBehavior: 'silence' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ sid: started.sid, call_sid: callSid, status: 'paused', channels: 2, source: 'DialVerb', duration: '-1' });
    const at = e.clock.now();
    await until(() => e.clock.now() - at >= 10_000, '10 emulated seconds paused');
    expect((await rest(e, 'POST', `/Calls/${callSid}/Recordings/${started.sid}.json`, { Status: 'in-progress' })).status).toBe(200);
    const record = await done;

    const [rec] = e.recordings();
    expect(rec).toMatchObject({ status: 'completed', updates: [{ status: 'paused', pauseBehavior: 'silence' }, { status: 'in-progress', pauseBehavior: null }] });
    expect(rec.pausedSeconds).toBeGreaterThanOrEqual(10);
    // Silence: the pause stays in the file, as long as the talk.
    expect(Math.abs(rec.durationSeconds - record.talkSeconds)).toBeLessThanOrEqual(1);
    const hooks = fake.seen.filter((s) => s.path === '/twilio/recording');
    expect(hooks.map((h) => h.body.RecordingStatus)).toEqual(['in-progress', 'completed']);
    expect(hooks.every((h) => h.signatureOk)).toBe(true);
    expect(hooks[1].body).toMatchObject({
      AccountSid: ACCOUNT_SID, CallSid: callSid, RecordingSid: rec.sid, RecordingStatus: 'completed',
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${rec.sid}`,
      RecordingDuration: String(rec.durationSeconds), RecordingChannels: '2', RecordingSource: 'DialVerb', RecordingTrack: 'both',
    });
    expect(Date.parse(hooks[1].body.RecordingStartTime)).not.toBeNaN();
    expect(hooks[0].body.RecordingDuration).toBe('-1');

    // The resource: listed under the call, fetched, no longer changeable, deleted (then 404).
    expect((await (await rest(e, 'GET', `/Calls/${callSid}/Recordings.json`)).json()).recordings.map((r: { sid: string }) => r.sid)).toEqual([rec.sid]);
    expect(await (await rest(e, 'GET', `/Recordings/${rec.sid}.json`)).json()).toMatchObject({ sid: rec.sid, status: 'completed', duration: String(rec.durationSeconds) });
    const late = await rest(e, 'POST', `/Calls/${callSid}/Recordings/${rec.sid}.json`, { Status: 'paused' });
    expect(late.status).toBe(400);
    expect((await rest(e, 'POST', `/Calls/${callSid}/Recordings/Twilio.CURRENT.json`, { Status: 'paused' })).status).toBe(404);
    expect((await rest(e, 'DELETE', `/Recordings/${rec.sid}.json`)).status).toBe(204);
    expect((await rest(e, 'GET', `/Recordings/${rec.sid}.json`)).status).toBe(404);
    expect(e.recordings()).toEqual([]);
  });

  it('PauseBehavior=skip leaves the pause out of the file; only the events asked for are posted', async () => {
    const fake = await fakeAtende(`record="record-from-answer" recordingStatusCallback="${PUBLIC_URL}/twilio/recording"`);
    const e = await emulator(fake.url);
    const callSid = `CA${'b8'.repeat(16)}`;
    const done = e.placeCall({ callSid, from: '+5511987650002', digits: [], patienceSeconds: null, talkSeconds: 60, hangsUp: 'caller' });
    await until(() => e.recordings().length === 1, 'the recording starts');
    const sid = e.recordings()[0].sid;
    expect((await rest(e, 'POST', `/Calls/${callSid}/Recordings/${sid}.json`, { Status: 'paused', PauseBehavior: 'skip' })).status).toBe(200);
    const at = e.clock.now();
    await until(() => e.clock.now() - at >= 20_000, '20 emulated seconds paused');
    expect((await rest(e, 'POST', `/Calls/${callSid}/Recordings/${sid}.json`, { Status: 'in-progress' })).status).toBe(200);
    const record = await done;
    const [rec] = e.recordings();
    expect(rec.channels).toBe(1);
    expect(Math.abs(rec.durationSeconds - (record.talkSeconds - rec.pausedSeconds))).toBeLessThanOrEqual(1);
    expect(rec.durationSeconds).toBeLessThanOrEqual(41);
    // Default recordingStatusCallbackEvent: completed only.
    expect(fake.seen.filter((s) => s.path === '/twilio/recording').map((s) => s.body.RecordingStatus)).toEqual(['completed']);
    // Another call's recording is not this call's: 404.
    expect((await rest(e, 'POST', `/Calls/CA${'c9'.repeat(16)}/Recordings/${sid}.json`, { Status: 'paused' })).status).toBe(404);
  });

  it('a <Dial> without record records nothing', async () => {
    const fake = await fakeAtende('');
    const e = await emulator(fake.url);
    await e.placeCall({ from: '+5511987650003', digits: [], patienceSeconds: null, talkSeconds: 10, hangsUp: 'caller' });
    expect(e.recordings()).toEqual([]);
    expect(fake.seen.filter((s) => s.path === '/twilio/recording')).toEqual([]);
  });
});
