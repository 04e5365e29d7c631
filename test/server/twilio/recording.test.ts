// Recordings (issue 15, docs/sac.md "Gravações"): a queue that records gets `record` on the
// agent's <Dial> with a signed recording status callback; the callback's facts (sid, URL,
// duration, status) go through the log onto the call record, GET /api/calls/:id and the CSV;
// a forged callback leaves no trace; the agent pauses and resumes from the console through
// the REST Recording resource, and the file leaves the paused time out. Both through signed
// webhooks (inject, REST stand-in) and against the Twilio emulator over HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../../server/config/load.ts';
import { createAtende, type Atende } from '../../../server/start.ts';
import { createTwilioRest } from '../../../server/twilio/rest.ts';
import { startEmulator, type Emulator, type EmulatorEvent } from '../../../sim/emulator/index.ts';
import { ACCOUNT_SID, callParams, local, newSid, PUBLIC_URL, testSettings, type Harness } from '../../helpers/twilio.ts';
import { type Call, callIntoQueue, connect, dialDone, harness, holdOnce, login, whisper } from './call-steps.ts';

const FINANCEIRO = ['1', '3'];
const SUPORTE = ['1', '1', '1'];
const RE = (n: number) => `RE${n.toString(16).padStart(32, '0')}`;

/** A caller of `keys` answered by `agent`: returns the call, the <Dial> and the agent's leg. */
async function talking(h: Harness, keys: string[], agent: string) {
  await login(h, agent);
  const call = await callIntoQueue(h, keys);
  await holdOnce(h, call);
  const { dial, agentLeg } = await connect(h, call, agent);
  await whisper(h, call, dial, agentLeg);
  expect(h.atende.engine.core.call(call.sid)!.status).toBe('connected');
  return { call, dial, agentLeg };
}

/** What Twilio posts to the recordingStatusCallback (twilio.com/docs/voice/api/recording). */
function recordingParams(call: Call, sid: string, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID, CallSid: call.sid, RecordingSid: sid, RecordingStatus: status,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${sid}`,
    RecordingDuration: '-1', RecordingChannels: '2', RecordingSource: 'DialVerb', RecordingTrack: 'both',
    RecordingStartTime: 'Sun, 06 Dec 2026 12:00:00 +0000', ...extra,
  };
}

const recordingEvents = (h: Harness, callId: string) =>
  h.atende.storage.db.prepare("SELECT id FROM events WHERE call_id = ? AND type = 'call.recording' ORDER BY seq").pluck().all(callId) as string[];

describe('the <Dial> of a queue that records', () => {
  it('records dual-channel from the answer with a signed status callback; a queue without the setting does not', async () => {
    const h = await harness();
    const fin = await talking(h, FINANCEIRO, 'gabriela');
    expect(fin.dial).toMatchObject({
      record: 'record-from-answer-dual', trim: 'do-not-trim',
      recordingStatusCallback: `${PUBLIC_URL}/twilio/recording?call=${fin.call.sid}`,
      recordingStatusCallbackMethod: 'POST', recordingStatusCallbackEvent: 'in-progress completed absent',
    });
    const sup = await talking(h, SUPORTE, 'bruno');
    for (const attr of ['record', 'trim', 'recordingStatusCallback', 'recordingStatusCallbackMethod', 'recordingStatusCallbackEvent']) {
      expect(sup.dial[attr], attr).toBeUndefined();
    }
  });

  it('a supervisor turns it on live (PATCH /api/settings): the next Dial records', async () => {
    const h = await harness();
    const queues = h.settings.queues.map((q) => (q.id === 'suporte' ? { ...q, recording: true } : q));
    const res = await h.atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: { queues } });
    expect(res.statusCode, res.body).toBe(200);
    const sup = await talking(h, SUPORTE, 'bruno');
    expect(sup.dial.record).toBe('record-from-answer-dual');
  });
});

describe('the recording status callback', () => {
  it('puts the SID, URL, duration and status on the call record, GET /api/calls/:id and the CSV; a retry changes nothing', async () => {
    const h = await harness();
    const { call, dial, agentLeg } = await talking(h, FINANCEIRO, 'gabriela');
    const sid = RE(0xa1);
    const started = await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, sid, 'in-progress'));
    expect(started.status).toBe(200);
    expect(h.atende.engine.core.call(call.sid)!.recording).toEqual({ sid, status: 'in-progress', callSid: call.sid, url: recordingParams(call, sid, 'x').RecordingUrl, durationSeconds: null, channels: 2 });
    const me = await h.api('GET', '/api/agent/me?agent=gabriela');
    expect(me.json.call.recording).toEqual({ status: 'in-progress' });

    h.tick(95);
    await dialDone(h, call, dial, agentLeg, 'completed', { DialCallDuration: '95', DialBridged: 'true' });
    const done = recordingParams(call, sid, 'completed', { RecordingDuration: '95' });
    expect((await h.post(`/twilio/recording?call=${call.sid}`, done)).status).toBe(200);
    // Twilio retries and duplicates: the same status of the same recording is one event.
    expect((await h.post(`/twilio/recording?call=${call.sid}`, done, { 'i-twilio-idempotency-token': 'retry-1' })).status).toBe(200);
    expect((await h.post(`/twilio/recording?call=${call.sid}`, done)).status).toBe(200);
    // A late in-progress (callbacks may come out of order) never takes the end back.
    await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, sid, 'in-progress'));
    expect(recordingEvents(h, call.sid)).toEqual([`${call.sid}:recording:${sid}:in-progress`, `${call.sid}:recording:${sid}:completed`]);

    const shown = await h.api('GET', `/api/calls/${call.sid}`);
    expect(shown.status).toBe(200);
    expect(shown.json.record).toMatchObject({
      recordingSid: sid, recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${sid}`,
      recordingDurationSeconds: 95, recordingStatus: 'completed',
    });
    expect(shown.json.live.recording).toMatchObject({ sid, status: 'completed', durationSeconds: 95 });
    const csv = await h.atende.app.inject({ method: 'GET', url: `/api/calls?protocol=${shown.json.protocol}&format=csv` });
    const [header, row] = csv.body.trim().split('\r\n');
    expect(header.split(',').slice(-4)).toEqual(['recordingSid', 'recordingUrl', 'recordingDurationSeconds', 'recordingStatus']);
    expect(row.split(',').slice(-4)).toEqual([sid, `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${sid}`, '95', 'completed']);
  });

  it('a forged callback is refused 403 and leaves no trace', async () => {
    const h = await harness();
    const { call } = await talking(h, FINANCEIRO, 'gabriela');
    const res = await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, RE(0xbad), 'completed', { RecordingDuration: '30' }), { 'x-twilio-signature': 'Zm9yZ2VkIHNpZ25hdHVyZQ==' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 403, code: 'ATENDE_ERR_BAD_SIGNATURE' });
    expect(recordingEvents(h, call.sid)).toEqual([]);
    expect(h.atende.engine.core.call(call.sid)!.recording).toBeNull();
    expect((await h.api('GET', `/api/calls/${call.sid}`)).json.record).toMatchObject({ recordingSid: null, recordingUrl: null, recordingDurationSeconds: null, recordingStatus: null });
  });

  it('an absent recording (too short, Twilio error 16101) is kept as absent, even when its in-progress comes after', async () => {
    const h = await harness();
    const { call } = await talking(h, FINANCEIRO, 'gabriela');
    const sid = RE(0xab);
    await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, sid, 'absent', { RecordingDuration: '0', ErrorCode: '16101' }));
    expect(h.atende.engine.core.call(call.sid)!.recording).toMatchObject({ sid, status: 'absent', durationSeconds: 0 });
    // Its in-progress callback arriving only now (out of order) does not bring it back.
    await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, sid, 'in-progress'));
    expect(h.atende.engine.core.call(call.sid)!.recording).toMatchObject({ sid, status: 'absent', durationSeconds: 0 });
    expect((await h.api('GET', `/api/calls/${call.sid}`)).json.record.recordingStatus).toBe('absent');
  });
});

describe('a callback on a queue that records', () => {
  it("the callback's <Dial> to the customer records; the recording belongs to the call to the agent, where the pause goes", async () => {
    const h = await harness({ settings: testSettings((s) => { s.callbacks = { ...s.callbacks!, offerAfterSeconds: 30, minEstimatedWaitSeconds: 0 }; }) });
    const first = await callIntoQueue(h, FINANCEIRO, '+5511987650501');
    h.tick(40);
    const wait = await holdOnce(h, first, 40);
    const confirm = await h.post(local(wait.twiml!.Gather[0].action), callParams(first.sid, first.from, { Digits: '1' }));
    await h.post(local(confirm.twiml!.Gather[0].action), callParams(first.sid, first.from, { Digits: '1' }));
    await h.post(local(first.enqueue.action), callParams(first.sid, first.from, { QueueResult: 'leave', QueueSid: first.queueSid, QueueTime: '40' }));
    await h.post('/twilio/status', callParams(first.sid, first.from, { CallStatus: 'completed', CallDuration: '60' }));
    await login(h, 'gabriela');
    await h.atende.idle();
    const [created] = h.rest.creates();
    expect(created).toMatchObject({ to: 'client:gabriela' });
    const agentLeg = { ...callParams(created.callSid, '+551130001000'), To: 'client:gabriela', Direction: 'outbound-api' };
    const leg = await h.post(local(created.url), agentLeg);
    const dial = leg.twiml!.Dial[0];
    expect(dial).toMatchObject({ record: 'record-from-answer-dual', recordingStatusCallback: `${PUBLIC_URL}/twilio/recording?call=${first.sid}` });
    await h.post(local(dial.Number[0].url), { ...callParams(newSid('CA'), '+551130001000'), To: first.from, Direction: 'outbound-dial', ParentCallSid: created.callSid });
    // Twilio's callback names the Dial's parent leg: the call to the agent.
    const sid = RE(0xcb);
    await h.post(local(dial.recordingStatusCallback), { ...recordingParams(first, sid, 'in-progress'), CallSid: created.callSid });
    expect(h.atende.engine.core.call(first.sid)!.recording).toMatchObject({ sid, status: 'in-progress', callSid: created.callSid });
    const paused = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'pause' });
    expect(paused.status, JSON.stringify(paused.json)).toBe(200);
    expect(h.rest.recordingUpdates().map((r) => [r.callSid, r.recordingSid, r.status])).toEqual([[created.callSid, sid, 'paused']]);
  });
});

describe('pausing and resuming from the console (POST /api/agent/recording)', () => {
  it('asks Twilio to pause (skip) then resume the recording of the parent call, and the console shows it', async () => {
    const h = await harness();
    const { call } = await talking(h, FINANCEIRO, 'gabriela');
    const sid = RE(0xc1);
    await h.post(`/twilio/recording?call=${call.sid}`, recordingParams(call, sid, 'in-progress'));
    const paused = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'pause' });
    expect(paused.status, JSON.stringify(paused.json)).toBe(200);
    expect(paused.json).toMatchObject({ callId: call.sid, recording: { sid, status: 'paused', callSid: call.sid } });
    expect((await h.api('GET', '/api/agent/me?agent=gabriela')).json.call.recording).toEqual({ status: 'paused' });
    const resumed = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'resume' });
    expect(resumed.json.recording.status).toBe('in-progress');
    expect(h.rest.recordingUpdates().map((r) => ({ callSid: r.callSid, recordingSid: r.recordingSid, status: r.status, pauseBehavior: r.pauseBehavior })))
      .toEqual([
        { callSid: call.sid, recordingSid: sid, status: 'paused', pauseBehavior: 'skip' },
        { callSid: call.sid, recordingSid: sid, status: 'in-progress', pauseBehavior: undefined },
      ]);
    expect((await h.api('GET', `/api/calls/${call.sid}`)).json.record.recordingStatus).toBe('in-progress');
  });

  it('coded errors in the one shape: no call, not recorded, not reported yet, over, Twilio failing', async () => {
    const h = await harness();
    await login(h, 'diego');
    const none = await h.api('POST', '/api/agent/recording?agent=diego', { action: 'pause' });
    expect(none).toEqual({ status: 409, json: { statusCode: 409, code: 'ATENDE_ERR_NO_CALL', error: 'Conflict', message: "agent 'diego' has no call in progress" } });

    const sup = await talking(h, SUPORTE, 'bruno');
    const notRecorded = await h.api('POST', '/api/agent/recording?agent=bruno', { action: 'pause' });
    expect(notRecorded.json).toEqual({ statusCode: 409, code: 'ATENDE_ERR_NOT_RECORDED', error: 'Conflict', message: `call ${sup.call.sid} is not recorded: queue suporte does not record calls` });

    const fin = await talking(h, FINANCEIRO, 'gabriela');
    const early = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'pause' });
    expect(early.json).toMatchObject({ statusCode: 409, code: 'ATENDE_ERR_NOT_RECORDED', message: `call ${fin.call.sid} is not being recorded yet: Twilio has not reported the recording of queue financeiro` });

    const sid = RE(0xd1);
    await h.post(`/twilio/recording?call=${fin.call.sid}`, recordingParams(fin.call, sid, 'in-progress'));
    h.rest.failNext(1, 500);
    const failed = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'pause' });
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ statusCode: 502, code: 'ATENDE_ERR_TWILIO', error: 'Bad Gateway' });
    expect(failed.json.message).toMatch(/^Twilio did not carry it out: HTTP 500 \(Twilio error 20500\)/);
    // Nothing changed: the recording still runs.
    expect(h.atende.engine.core.call(fin.call.sid)!.recording!.status).toBe('in-progress');

    const bad = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'stop' });
    expect(bad.json).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION' });

    await h.post(`/twilio/recording?call=${fin.call.sid}`, recordingParams(fin.call, sid, 'completed', { RecordingDuration: '12' }));
    const over = await h.api('POST', '/api/agent/recording?agent=gabriela', { action: 'resume' });
    expect(over.json).toMatchObject({ statusCode: 409, code: 'ATENDE_ERR_NOT_RECORDED', message: `the recording ${sid} of call ${fin.call.sid} is over (completed)` });
  });
});

// ---- against the Twilio emulator, over HTTP -------------------------------------------

const AUTH = 'recording-emulator-token-0123456789';
const EMU_ACCOUNT = `AC${'5e'.repeat(16)}`;
const SPEED = 50;

interface Stack { atende: Atende; emulator: Emulator; events: EmulatorEvent[] }
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
});

async function stack(): Promise<Stack> {
  const events: EmulatorEvent[] = [];
  const emulator = await startEmulator({
    accountSid: EMU_ACCOUNT, authToken: AUTH, publicUrl: PUBLIC_URL, speed: SPEED, seed: 5,
    agents: () => ({ answer: true, afterSeconds: 1 }), onEvent: (e) => events.push(e),
  });
  const atende = await createAtende({
    settings: loadSettings(DEFAULT_SETTINGS_PATH), dbPath: join(mkdtempSync(join(tmpdir(), 'atende-rec-')), 'atende.db'),
    logger: false, viewerToken: null, supervisorToken: null,
    twilio: { publicUrl: PUBLIC_URL, authToken: AUTH, rest: createTwilioRest({ accountSid: EMU_ACCOUNT, authToken: AUTH, apiUrl: emulator.apiUrl }) },
  });
  emulator.setAtendeUrl(await atende.app.listen({ host: '127.0.0.1', port: 0 }));
  cleanups.push(async () => { await emulator.close(); await atende.idle(); await atende.close(); });
  return { atende, emulator, events };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timeout after ${ms} ms: ${what}`);
    await sleep(5);
  }
}
async function inject(s: Stack, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await s.atende.app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, json: res.json() };
}

describe('against the Twilio emulator', () => {
  it('the emulator records the financeiro call, the agent pauses and resumes it, and the file leaves the pause out', async () => {
    const s = await stack();
    expect((await inject(s, 'POST', '/api/agents/gabriela/state', { state: 'available' })).status).toBe(200);
    const callSid = `CA${'f1'.repeat(16)}`;
    const done = s.emulator.placeCall({ callSid, from: '+5511987650301', digits: FINANCEIRO, patienceSeconds: null, talkSeconds: 120, hangsUp: 'caller' });
    // Twilio reports the recording started (in-progress callback): the console offers the pause.
    await until(() => s.atende.engine.core.call(callSid)?.recording?.status === 'in-progress', 5000, 'the in-progress callback');
    expect((await inject(s, 'GET', '/api/agent/me?agent=gabriela')).json.call.recording).toEqual({ status: 'in-progress' });
    const paused = await inject(s, 'POST', '/api/agent/recording?agent=gabriela', { action: 'pause' });
    expect(paused.status, JSON.stringify(paused.json)).toBe(200);
    expect(s.emulator.recordings()[0].status).toBe('paused');
    const pausedAt = s.emulator.clock.now();
    await until(() => s.emulator.clock.now() - pausedAt >= 30_000, 5000, 'the card number: 30 emulated seconds');
    const resumed = await inject(s, 'POST', '/api/agent/recording?agent=gabriela', { action: 'resume' });
    expect(resumed.status, JSON.stringify(resumed.json)).toBe(200);
    const record = await done;
    expect(record.outcome).toBe('answered');
    await until(async () => (await inject(s, 'GET', `/api/calls/${callSid}`)).json.record?.recordingStatus === 'completed', 5000, 'the completed callback');

    const [rec] = s.emulator.recordings();
    expect(s.emulator.recordings()).toHaveLength(1);
    expect(rec).toMatchObject({ callSid, status: 'completed', channels: 2, updates: [{ status: 'paused', pauseBehavior: 'skip' }, { status: 'in-progress', pauseBehavior: null }] });
    expect(rec.pausedSeconds).toBeGreaterThanOrEqual(29);
    // The file is the talk without the pause (emulated seconds, rounded).
    expect(Math.abs(rec.durationSeconds - (record.talkSeconds - rec.pausedSeconds))).toBeLessThanOrEqual(1);
    expect(rec.durationSeconds).toBeLessThanOrEqual(120 - 29 + 1);
    const shown = await inject(s, 'GET', `/api/calls/${callSid}`);
    expect(shown.json.record).toMatchObject({
      recordingSid: rec.sid, recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${EMU_ACCOUNT}/Recordings/${rec.sid}`,
      recordingDurationSeconds: rec.durationSeconds, recordingStatus: 'completed',
    });
    // Signed as Twilio signs: every recording callback was accepted (200).
    const hooks = record.webhooks.filter((w) => w.path === '/twilio/recording');
    expect(hooks.map((w) => w.status)).toEqual([200, 200]);
  });

  it('a queue that does not record: no recording at Twilio, none on the record', async () => {
    const s = await stack();
    expect((await inject(s, 'POST', '/api/agents/bruno/state', { state: 'available' })).status).toBe(200);
    const callSid = `CA${'f2'.repeat(16)}`;
    const record = await s.emulator.placeCall({ callSid, from: '+5511987650302', digits: SUPORTE, patienceSeconds: null, talkSeconds: 20, hangsUp: 'caller' });
    expect(record.outcome).toBe('answered');
    expect(s.emulator.recordings()).toEqual([]);
    expect((await inject(s, 'GET', `/api/calls/${callSid}`)).json.record).toMatchObject({ recordingSid: null, recordingStatus: null });
  });
});

describe("the console's recording bar (wallboard/agent/view.ts)", () => {
  const base = (state: string, status: string, recording: { status: string } | null) => ({
    type: 'agent' as const, serverTime: 0, pauseReasons: [], escalateTo: [],
    agent: { id: 'gabriela', name: 'Gabriela', contact: 'client:gabriela', softphone: true, voice: 'external' as const, state, reason: null, stateSeconds: 0, level: 1, skills: ['financeiro'], callsHandled: 0, pending: null, wrapUpEndsAt: null },
    call: { id: 'CA1', from: '+5511', status, queue: 'financeiro', queueName: 'Financeiro', tier: 3, tierLabel: null, tierReason: null, vip: false, repeatCaller: false, ivrPath: [], ivrLabels: [], language: null, arrivedAt: 0, queuedAt: 0, answeredAt: 0, waitedSeconds: 0, level: 1, escalations: 0, notes: [], resolvedFirstContact: null, recording } as never,
  });
  it('shows "Gravando" / "Pausar gravação" and "Gravação pausada" / "Retomar gravação" only on a recorded call in progress', async () => {
    const { buildConsoleView } = await import('../../../wallboard/agent/view.ts');
    const { pt } = await import('../../../wallboard/agent/i18n.ts');
    expect(buildConsoleView(base('on-call', 'connected', { status: 'in-progress' }), 0, pt).recording).toEqual({ status: 'in-progress', label: 'Gravando', action: 'pause', button: 'Pausar gravação' });
    expect(buildConsoleView(base('on-call', 'connected', { status: 'paused' }), 0, pt).recording).toEqual({ status: 'paused', label: 'Gravação pausada', action: 'resume', button: 'Retomar gravação' });
    expect(buildConsoleView(base('on-call', 'connected', null), 0, pt).recording).toBeNull();
    expect(buildConsoleView(base('on-call', 'connected', { status: 'completed' }), 0, pt).recording).toBeNull();
    expect(buildConsoleView(base('wrap-up', 'ended', { status: 'in-progress' }), 0, pt).recording).toBeNull();
    expect(buildConsoleView(base('ringing', 'offering', { status: 'in-progress' }), 0, pt).recording).toBeNull();
  });
});
