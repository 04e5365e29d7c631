// The Twilio emulator against a real Atende (in process, listening on 127.0.0.1):
// whole calls by script, Atende's figures checked through /api/snapshot.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { createAtende, type Atende } from '../../server/start.ts';
import { createTwilioRest } from '../../server/twilio/rest.ts';
import type { Snapshot } from '../../server/contract.ts';
import { startEmulator, type CallScript, type Emulator, type EmulatorEvent, type EmulatorOptions } from '../../sim/emulator/index.ts';

const PUBLIC_URL = 'https://atende.example.com.br';
const AUTH_TOKEN = 'emulator-auth-token-0123456789';
const ACCOUNT_SID = `AC${'c3'.repeat(16)}`;
const SPEED = 150;

interface Stack { atende: Atende; emulator: Emulator; events: EmulatorEvent[] }
let stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks) {
    await s.emulator.close();
    await s.atende.idle();
    await s.atende.close();
  }
  stacks = [];
});

async function stack(opts: Partial<EmulatorOptions> = {}, patch: (s: Settings) => void = () => {}): Promise<Stack> {
  const settings = loadSettings(DEFAULT_SETTINGS_PATH);
  patch(settings);
  const events: EmulatorEvent[] = [];
  const emulator = await startEmulator({
    accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, speed: SPEED, seed: 7,
    onEvent: (e) => events.push(e), ...opts,
  });
  const atende = await createAtende({
    settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-emu-')), 'atende.db'), logger: false,
    viewerToken: null, supervisorToken: null,
    twilio: {
      publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, dequeueBackoffMs: [20, 40, 80],
      rest: createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiUrl: emulator.apiUrl }),
    },
  });
  const url = await atende.app.listen({ host: '127.0.0.1', port: 0 });
  emulator.setAtendeUrl(url);
  const s = { atende, emulator, events };
  stacks.push(s);
  return s;
}

async function available(s: Stack, ...agents: string[]) {
  for (const id of agents) {
    const res = await s.atende.app.inject({ method: 'POST', url: `/api/agents/${id}/state`, payload: { state: 'available' } });
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 5)); // distinct idle times: the first one is the longest idle
  }
}

async function snapshot(s: Stack): Promise<Snapshot> {
  return (await s.atende.app.inject({ method: 'GET', url: '/api/snapshot' })).json() as Snapshot;
}

const caller = (patch: Partial<CallScript> = {}): CallScript => ({
  from: '+5511987650001', digits: ['1', '1', '1'], patienceSeconds: null, talkSeconds: 60, hangsUp: 'agent', surveyDigits: ['9', '5'], ...patch,
});

/** Atende's clock is real time: a 45 s emulated wait is 0.45 s to it, a "short abandon" unless that threshold is off. */
const noShortAbandons = (s: Settings) => { s.serviceLevel.shortAbandonSeconds = 0; };

function expectNoRefusals(s: Stack) {
  const st = s.emulator.stats();
  expect(st.errorsByStatus).toEqual({});
  expect(st.webhooksSent).toBeGreaterThan(0);
}

describe('Twilio emulator against Atende', () => {
  it('a call answered end to end: IVR, queue, dequeue by REST, Dial, whisper, talk, survey', async () => {
    const s = await stack({ agents: () => ({ answer: true, afterSeconds: 4 }) });
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller());

    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana', queue: 'suporte', survey: ['9', '5'], error: null });
    expect(record.waitSeconds).toBeGreaterThan(0);
    expect(record.talkSeconds).toBeGreaterThanOrEqual(55);
    expect(record.attempts).toEqual([expect.objectContaining({ contact: 'client:ana', result: 'answered' })]);
    const paths = record.webhooks.filter((w) => w.leg === 'caller' && w.kind === 'twiml').map((w) => w.path);
    expect(paths).toEqual(expect.arrayContaining(['/twilio/voice', '/twilio/ivr', '/twilio/queue/wait', '/twilio/queue/exit', '/twilio/agent/connect', '/twilio/dial/done', '/twilio/survey']));
    expect(record.webhooks.filter((w) => w.leg === 'agent').map((w) => w.path)).toEqual(expect.arrayContaining(['/twilio/agent/whisper', '/twilio/agent/status']));
    expect(record.webhooks.at(-1)).toMatchObject({ path: '/twilio/status', kind: 'callback' });
    expect(record.webhooks.every((w) => w.status === 200)).toBe(true);

    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(snap.center.nps).toMatchObject({ score: 100, responses: 1 });
    expect(snap.center.csat).toMatchObject({ responses: 1 });
    expect(s.atende.storage.records.getCall(record.sid)).toMatchObject({ agentId: 'ana', outcome: 'answered', surveyNps: 9, surveyCsat: 5, twilioQueueSid: record.queueSid });

    const st = s.emulator.stats();
    expect(st.restByStatus).toEqual({ 200: 1 }); // one dequeue
    expect(st.outcomes.answered).toBe(1);
    expect(st.latencyMs.p50).toBeGreaterThan(0);
    expectNoRefusals(s);
    const types = s.events.map((e) => e.type);
    for (const t of ['call.started', 'call.enqueued', 'call.left-queue', 'agent.ringing', 'call.bridged', 'call.ended'] as const) expect(types).toContain(t);
  });

  it('the caller hangs up first: no survey, Atende ends the call once', async () => {
    const s = await stack();
    await available(s, 'bruno');
    const record = await s.emulator.placeCall(caller({ hangsUp: 'caller', talkSeconds: 30 }));
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:bruno', survey: [] });
    expect(record.webhooks.some((w) => w.path === '/twilio/survey')).toBe(false);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(snap.center.nps.responses).toBe(0);
    expectNoRefusals(s);
  });

  it('abandoned in the queue: nobody available, patience runs out', async () => {
    const s = await stack({}, noShortAbandons);
    const record = await s.emulator.placeCall(caller({ digits: ['1', '2'], patienceSeconds: 45 })); // Vendas
    expect(record).toMatchObject({ outcome: 'abandoned', agent: null, queue: 'vendas' });
    expect(record.waitSeconds).toBeGreaterThanOrEqual(40);
    expect(record.webhooks.filter((w) => w.path === '/twilio/queue/wait').length).toBeGreaterThanOrEqual(1);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 0, abandoned: 1 });
    expect(snap.center.waiting).toBe(0);
    expect(s.emulator.stats().restRequests).toBe(0);
    expectNoRefusals(s);
  });

  it('silence in the IVR lands in the default queue; an IVR hang-up is not offered', async () => {
    const s = await stack();
    await available(s, 'bruno');
    const silent = await s.emulator.placeCall(caller({ digits: [], talkSeconds: 10, surveyDigits: [] }));
    expect(silent).toMatchObject({ outcome: 'answered', queue: 'suporte', survey: [] });
    const gone = await s.emulator.placeCall(caller({ from: '+5511911112222', digits: ['1'], ivrHangup: true }));
    expect(gone).toMatchObject({ outcome: 'ivr-hangup', queue: null, waitSeconds: null });
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expectNoRefusals(s);
  });

  it('ring-no-answer: the first agent does not pick up, the next one answers', async () => {
    const s = await stack({ agents: (contact) => (contact === 'client:ana' ? { answer: false, afterSeconds: 0 } : { answer: true, afterSeconds: 3 }) });
    await available(s, 'ana', 'bruno');
    const record = await s.emulator.placeCall(caller());
    expect(record.outcome).toBe('answered');
    expect(record.agent).toBe('client:bruno');
    expect(record.attempts.map((a) => [a.contact, a.result])).toEqual([['client:ana', 'no-answer'], ['client:bruno', 'answered']]);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(s.atende.storage.records.offersFor(record.sid).map((o) => [o.agentId, o.result])).toEqual([['ana', 'no-answer'], ['bruno', 'answered']]);
    expect(snap.agents.find((a) => a.id === 'ana')!.state).toBe('away');
    expectNoRefusals(s);
  });

  it('the caller abandons while an agent rings (patience counts the whole wait)', async () => {
    const s = await stack({ agents: () => ({ answer: false, afterSeconds: 0 }) }, noShortAbandons);
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller({ patienceSeconds: 10 })); // the Dial rings 20 s
    expect(record.outcome).toBe('abandoned');
    expect(record.attempts).toEqual([expect.objectContaining({ contact: 'client:ana', result: 'canceled' })]);
    const done = record.webhooks.find((w) => w.path === '/twilio/dial/done');
    expect(done?.status).toBe(200);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 0, abandoned: 1 });
    expectNoRefusals(s);
  });

  it('REST failures are retried by Atende and the call is still answered', async () => {
    const s = await stack({ faults: { restFailureRate: 0.5, restFailStatus: 503, restDelayMs: 5 }, seed: 5 });
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller({ talkSeconds: 20 }));
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana' });
    const st = s.emulator.stats();
    expect(st.restFailuresInjected).toBe(2); // seed 5: fail, fail, succeed
    expect(st.restByStatus['503']).toBe(st.restFailuresInjected);
    expect(st.restByStatus['200']).toBe(1);
    expect((await snapshot(s)).center.today).toMatchObject({ offered: 1, answered: 1 });
    expectNoRefusals(s);
  });

  it('duplicated, reordered and retried webhooks change nothing', async () => {
    const s = await stack({ faults: { duplicateCallbacks: 1, reorderCallbacks: 1, webhookRetries: 1 } });
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller());
    expect(record).toMatchObject({ outcome: 'answered', survey: ['9', '5'] });
    // Every request went twice; the agent leg's callbacks arrived newest first.
    expect(record.webhooks.filter((w) => w.repeat).length).toBeGreaterThan(record.webhooks.length / 3);
    const agentStatus = record.webhooks.filter((w) => w.path === '/twilio/agent/status' && !w.repeat);
    expect(agentStatus.map((w) => w.event)).toEqual(['completed', 'answered', 'ringing']); // newest first
    expect(agentStatus.map((w) => w.sequence)).toEqual([2, 1, 0]);
    expect(record.webhooks.filter((w) => w.path === '/twilio/status').length).toBeGreaterThanOrEqual(2);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(snap.center.nps).toMatchObject({ responses: 1 });
    const types = s.atende.storage.db.prepare('SELECT type, COUNT(*) AS n FROM events WHERE call_id = ? GROUP BY type').all(record.sid) as { type: string; n: number }[];
    expect(Object.fromEntries(types.map((r) => [r.type, r.n]))).toMatchObject({ 'call.arrived': 1, 'call.queued': 1, 'call.answered': 1, 'call.ended': 1 });
    expectNoRefusals(s);
  });

  it('escalation: Atende redirects the bridged call by REST, the Dial ends and an N2 agent answers', async () => {
    const escalation: { done?: Promise<{ statusCode: number }> } = {};
    const s = await stack({ speed: 200, onEvent: (e) => {
      if (e.type === 'call.bridged' && e.contact === 'client:ana' && !escalation.done) {
        escalation.done = Promise.resolve(s.atende.app.inject({ method: 'POST', url: `/api/calls/${e.callSid}/escalate`, payload: { toLevel: 2, note: 'Modem não sincroniza' } }));
      }
    } });
    await available(s, 'ana', 'carla');
    const record = await s.emulator.placeCall(caller({ talkSeconds: 300, hangsUp: 'caller' }));
    expect((await escalation.done)?.statusCode).toBe(200);
    expect(record.outcome).toBe('answered');
    expect(record.attempts.map((a) => [a.contact, a.result])).toEqual([['client:ana', 'answered'], ['client:carla', 'answered']]);
    expect(record.agent).toBe('client:carla');
    expect(record.webhooks.filter((w) => w.path === '/twilio/queue/reenter')).toHaveLength(1);
    expect(s.emulator.stats().restByStatus).toEqual({ 200: 2 }); // dequeue, then the call redirect
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expectNoRefusals(s);
  });

  it('signatures: every request is accepted; a wrong token gets 403s and REST refuses bad credentials', async () => {
    const s = await stack();
    await available(s, 'ana', 'bruno', 'isabela');
    const records = await Promise.all([1, 2, 3].map((i) => s.emulator.placeCall(caller({ from: `+55119876500${i}0`, talkSeconds: 15 + i }))));
    expect(records.map((r) => r.outcome)).toEqual(['answered', 'answered', 'answered']);
    expect(new Set(records.map((r) => r.sid)).size).toBe(3);
    expectNoRefusals(s);
    expect(new Set(records.map((r) => r.agent))).toEqual(new Set(['client:ana', 'client:bruno', 'client:isabela']));
    expect((await snapshot(s)).center.today).toMatchObject({ offered: 3, answered: 3 });

    const { port } = s.atende.app.server.address() as { port: number };
    const forged = await startEmulator({ accountSid: ACCOUNT_SID, authToken: 'not-the-token', publicUrl: PUBLIC_URL, atendeUrl: `http://127.0.0.1:${port}`, speed: SPEED });
    try {
      const bad = await forged.placeCall(caller({ from: '+5511900000000' }));
      expect(bad.outcome).toBe('error');
      expect(forged.stats().errorsByStatus['403']).toBeGreaterThanOrEqual(1);
      const auth = await fetch(`${s.emulator.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${records[0].sid}.json`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:wrong`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Url=x',
      });
      expect(auth.status).toBe(401);
      expect(await auth.json()).toMatchObject({ code: 20003, status: 401 });
      const ended = await fetch(`${s.emulator.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${records[0].sid}.json`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Url=x',
      });
      expect(ended.status).toBe(400);
      const unknown = await fetch(`${s.emulator.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Queues/QU${'0'.repeat(32)}/Members/${records[0].sid}.json`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Url=x',
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 20404 });
    } finally {
      await forged.close();
    }
  });
});

const offers = (s: Stack, sid: string) => s.atende.storage.records.offersFor(sid).map((o) => [o.agentId, o.result]);

describe('the emulator is Twilio where answered means bridged', () => {
  const ANA_PHONE = '+5511955550001';
  const anaOnAPhone = (s: Settings) => { s.agents.find((a) => a.id === 'ana')!.contact = ANA_PHONE; };
  const results = (record: { attempts: { contact: string; result: string }[] }) => record.attempts.map((a) => [a.contact, a.result]);

  it('an agent who hangs up during the whisper: DialCallStatus=completed, DialBridged=false; Atende gives the caller to the next agent', async () => {
    const s = await stack({ agents: (contact) => ({ answer: true, afterSeconds: 2, atWhisper: contact === 'client:ana' ? 'hangs-up' : 'accepts' }) });
    await available(s, 'ana', 'bruno');
    const record = await s.emulator.placeCall(caller());
    expect(results(record)).toEqual([['client:ana', 'not-bridged'], ['client:bruno', 'answered']]);
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:bruno', survey: ['9', '5'] });
    // Only a completed Dial that says it was not bridged is recorded as not-bridged (no-answer otherwise).
    expect(offers(s, record.sid)).toEqual([['ana', 'not-bridged'], ['bruno', 'answered']]);
    const snap = await snapshot(s);
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1 });
    expect(snap.center.nps.responses).toBe(1);
    // Each leg reports "answered" when picked up (before its whisper), Ana's though she was never bridged.
    const legEvents = record.webhooks.filter((w) => w.path === '/twilio/agent/status' && !w.repeat).map((w) => w.event);
    expect(legEvents.filter((e) => e === 'answered')).toHaveLength(2);
    expect(legEvents.filter((e) => e === 'completed')).toHaveLength(2);
    expectNoRefusals(s);
  });

  it('a voicemail answers an agent\'s phone number: it presses no key at the whisper\'s <Gather>, the whisper hangs up, DialBridged=false', async () => {
    const s = await stack({ agents: (contact) => ({ answer: true, afterSeconds: 2, atWhisper: contact === ANA_PHONE ? 'voicemail' : 'accepts' }) }, anaOnAPhone);
    await available(s, 'ana', 'bruno');
    const record = await s.emulator.placeCall(caller());
    expect(results(record)).toEqual([[ANA_PHONE, 'not-bridged'], ['client:bruno', 'answered']]);
    expect(offers(s, record.sid)).toEqual([['ana', 'not-bridged'], ['bruno', 'answered']]);
    expect(record.survey).toEqual(['9', '5']); // once, after Bruno
    expect((await snapshot(s)).center.today).toMatchObject({ offered: 1, answered: 1 });
    expectNoRefusals(s);
  });

  it('an agent on a phone number who presses a key takes the call: the whisper\'s <Gather> action, then the bridge', async () => {
    const s = await stack({}, anaOnAPhone);
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller());
    expect(results(record)).toEqual([[ANA_PHONE, 'answered']]);
    const whispers = record.webhooks.filter((w) => w.path === '/twilio/agent/whisper');
    expect(whispers.map((w) => new URL(w.url).searchParams.get('step'))).toEqual([null, 'accept']);
    expect(offers(s, record.sid)).toEqual([['ana', 'answered']]);
    expectNoRefusals(s);
  });
});

describe('the emulator is Twilio in its REST answers', () => {
  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  async function rest(s: Stack, method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
    const res = await fetch(`${s.emulator.apiUrl}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
      method, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  }
  async function waitingInSuporte(s: Stack): Promise<{ queueSid: string; callSid: string; done: Promise<unknown> }> {
    const callSid = `CA${'7'.repeat(32)}`;
    const done = s.emulator.placeCall({ ...caller(), callSid });
    for (let i = 0; i < 200 && !s.emulator.queues().find((q) => q.name === 'suporte' && q.size > 0); i++) await new Promise((r) => setTimeout(r, 10));
    return { queueSid: s.emulator.queues().find((q) => q.name === 'suporte')!.sid, callSid, done };
  }

  it('a queue member can be read while it waits, not once dequeued (404); a second dequeue of it is refused with 400; the call can be read', async () => {
    const s = await stack(); // nobody available: the caller waits in Suporte
    const { queueSid, callSid, done } = await waitingInSuporte(s);
    const member = `/Queues/${queueSid}/Members/${callSid}.json`;
    const before = await rest(s, 'GET', member);
    expect(before).toMatchObject({ status: 200, json: { call_sid: callSid, queue_sid: queueSid, position: 1 } });

    // Dequeued to a document that hangs up (Atende's connect for an agent the call is not offered to re-enqueues; a 404 path ends it).
    const first = await rest(s, 'POST', member, { Url: `${PUBLIC_URL}/nowhere`, Method: 'POST' });
    expect(first).toMatchObject({ status: 200, json: { call_sid: callSid } });
    const after = await rest(s, 'GET', member);
    expect(after).toMatchObject({ status: 404, json: { code: 20404, status: 404 } });
    const second = await rest(s, 'POST', member, { Url: `${PUBLIC_URL}/nowhere`, Method: 'POST' });
    expect(second.status).toBe(400);
    expect(second.json).toMatchObject({ code: 20001, status: 400, more_info: 'https://www.twilio.com/docs/errors/20001' });
    expect(String(second.json.message)).toContain(callSid);
    const call = await rest(s, 'GET', `/Calls/${callSid}.json`);
    expect(call).toMatchObject({ status: 200, json: { sid: callSid } });
    await done;
    expect((await rest(s, 'GET', `/Calls/${callSid}.json`)).json).toMatchObject({ status: 'completed' });
  });

  it('a lost answer (faults.restLostResponseRate): the dequeue is done, the connection drops; Atende\'s retry gets 400, it reads the member and the call, and the caller reaches the agent', async () => {
    const s = await stack({ faults: { restLostResponseRate: 1 } });
    await available(s, 'ana');
    const record = await s.emulator.placeCall(caller({ talkSeconds: 20 }));
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana' });
    const st = s.emulator.stats();
    expect(st.restResponsesLost).toBe(1);
    expect(st.restByStatus).toEqual({ 0: 1, 400: 1, 404: 1, 200: 1 }); // lost dequeue, refused retry, member read, call read
    const rests = s.events.filter((e): e is Extract<EmulatorEvent, { type: 'rest' }> => e.type === 'rest').map((e) => [e.method, e.status]);
    expect(rests).toEqual([['POST', 0], ['POST', 400], ['GET', 404], ['GET', 200]]);
    expect(offers(s, record.sid)).toEqual([['ana', 'answered']]);
    expect((await snapshot(s)).center.today).toMatchObject({ offered: 1, answered: 1 });
    expectNoRefusals(s);
  });
});

describe('Twilio emulator: callbacks that keep the place (calls.create)', () => {
  const offerAtOnce = (s: Settings) => { s.callbacks = { ...s.callbacks!, offerAfterSeconds: 0, minEstimatedWaitSeconds: 0 }; };

  it('a caller asks for a callback and leaves; a later caller waits; the agent is called first, then the customer, and they talk', async () => {
    const s = await stack({ agents: () => ({ answer: true, afterSeconds: 2 }), callbackTalkSeconds: 30 }, offerAtOnce);
    const asked = await s.emulator.placeCall(caller({ from: '+5511987650001', asksCallback: true }));
    expect(asked.outcome).toBe('callback-requested');
    expect(s.atende.engine.core.call(asked.sid)).toMatchObject({ status: 'queued', callback: { number: '+5511987650001' } });

    void s.emulator.placeCall(caller({ from: '+5511987650002', patienceSeconds: null }));
    await until(() => s.emulator.queues().some((q) => q.size > 0));
    await available(s, 'ana');
    await until(() => s.atende.engine.core.call(asked.sid)!.status === 'ended');
    expect(s.emulator.outbound()[0]).toMatchObject({ to: 'client:ana', from: '+551130001000' });
    expect(s.atende.engine.core.call(asked.sid)).toMatchObject({ outcome: 'answered', agentId: 'ana', callback: { reached: true } });
    // The caller on the line who came later was not served first: still waiting (ana is in wrap-up).
    const waiting = s.atende.engine.core.waitingCalls().filter((c) => c.from === '+5511987650002');
    expect(waiting.map((c) => [c.status, c.agentId])).toEqual([['queued', null]]);
  });

  it('the customer misses the callback call: reported, the callback waits to be tried again', async () => {
    const customer = '+5511987650003';
    const s = await stack({ agents: (contact) => (contact === customer ? { answer: false, afterSeconds: 0 } : { answer: true, afterSeconds: 2 }) }, offerAtOnce);
    const asked = await s.emulator.placeCall(caller({ from: customer, asksCallback: true }));
    await available(s, 'ana');
    await until(() => (s.atende.engine.core.call(asked.sid)!.callback?.attempts ?? 0) === 1);
    expect(s.atende.engine.core.call(asked.sid)).toMatchObject({ status: 'queued', callback: { attempts: 1, reached: false } });
    expect(s.emulator.outbound()).toHaveLength(1);
  });
});

async function until(ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
