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
