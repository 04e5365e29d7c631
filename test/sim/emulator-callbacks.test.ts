// Callbacks through the Twilio emulator, Atende running on the emulator's clock (issue 15):
// customer-first (the customer called first with calls.create, then the agent rung by the
// customer's <Dial> with the whisper; an agent who misses: the customer <Enqueue>d; a
// customer who never answers: retried, then not reached), a typed number at a closed
// queue, and a call dropped on the company's side called back to the right number. Times
// are the emulator's (emulated seconds): `emulator.outbound()` says when each call was placed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import type { AgentBehaviour, CallScript, EmulatorEvent } from '../../sim/emulator/index.ts';
import { startLocalStack, type LocalStack } from '../../sim/stack.ts';

const SPEED = 25;
const CENTER = '+551130001000';
const CUSTOMER = '+5511987650001';

let stacks: LocalStack[] = [];
afterEach(async () => {
  for (const s of stacks) await s.close();
  stacks = [];
});

async function stack(patch: (s: Settings) => void, agents: AgentBehaviour): Promise<LocalStack & { events: EmulatorEvent[] }> {
  const settings = loadSettings(DEFAULT_SETTINGS_PATH);
  settings.callbacks = { ...settings.callbacks!, offerAfterSeconds: 0, minEstimatedWaitSeconds: 0, retryDelaySeconds: 30, maxAttempts: 3 };
  settings.ivr.languages = settings.ivr.languages.slice(0, 1);
  patch(settings);
  const s = await startLocalStack({ settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-emu-cb-')), 'atende.db'), speed: SPEED, secondsPerWord: 0.05 });
  stacks.push(s);
  s.emulator.setAgentBehaviour(agents);
  const events: EmulatorEvent[] = [];
  s.emulator.onEvent((e) => events.push(e));
  return Object.assign(s, { events });
}

async function state(s: LocalStack, agent: string, to: 'available' | 'away') {
  const res = await s.atende.app.inject({ method: 'POST', url: `/api/agents/${agent}/state`, payload: { state: to } });
  expect(res.statusCode, res.body).toBe(200);
}

const caller = (patch: Partial<CallScript> = {}): CallScript => ({
  from: CUSTOMER, digits: ['1', '1'], patienceSeconds: null, talkSeconds: 30, hangsUp: 'agent', ...patch,
});
const customerFirst = (s: Settings) => { s.callbacks = { ...s.callbacks!, order: 'customer-first' }; };
const answers: AgentBehaviour = () => ({ answer: true, afterSeconds: 2 });

async function until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Twilio emulator: customer-first callbacks', () => {
  it('the customer is called first (calls.create to the callback number), then the agent is rung by their <Dial>; they talk', async () => {
    const s = await stack(customerFirst, answers);
    const asked = await s.emulator.placeCall(caller({ asksCallback: true }));
    expect(asked.outcome).toBe('callback-requested');
    await state(s, 'ana', 'available');
    await until(() => s.atende.engine.core.call(asked.sid)?.status === 'ended', 'the callback to end');
    const outbound = s.emulator.outbound();
    // One call placed, to the customer from the center's number; the agent is not called with calls.create.
    expect(outbound.map((o) => [o.to, o.from])).toEqual([[CUSTOMER, CENTER]]);
    // The customer's leg rings the agent after it was placed and picked up.
    const order = s.events
      .filter((e) => (e.type === 'call.started' || e.type === 'agent.ringing' || e.type === 'call.bridged') && e.callSid === outbound[0].sid)
      .map((e) => (e.type === 'agent.ringing' || e.type === 'call.bridged' ? `${e.type} ${e.contact}` : e.type));
    expect(order).toEqual(['call.started', 'agent.ringing client:ana', 'call.bridged client:ana']);
    const c = s.atende.engine.core.call(asked.sid)!;
    expect(c).toMatchObject({ outcome: 'answered', agentId: 'ana', callback: { reached: true } });
    await s.atende.idle();
    expect(await s.atende.storage.records.getCall(asked.sid)).toMatchObject({ agentId: 'ana', outcome: 'answered', protocol: c.protocol });
  }, 60_000);

  it('a customer who never answers: 3 calls 50 s apart on the emulator clock (20 s of ringing + 30 s of delay), then not reached', async () => {
    const s = await stack(customerFirst, (contact) => (contact === CUSTOMER ? { answer: false, afterSeconds: 0 } : { answer: true, afterSeconds: 2 }));
    const asked = await s.emulator.placeCall(caller({ asksCallback: true }));
    await state(s, 'ana', 'available');
    await until(() => s.atende.engine.core.call(asked.sid)?.status === 'ended', 'the callback to end');
    const c = s.atende.engine.core.call(asked.sid)!;
    expect(c).toMatchObject({ outcome: 'not-reached', callback: { attempts: 3, reached: false }, missedBy: [] });
    const outbound = s.emulator.outbound();
    expect(outbound.map((o) => o.to)).toEqual([CUSTOMER, CUSTOMER, CUSTOMER]);
    const gaps = outbound.slice(1).map((o, i) => (o.at - outbound[i].at) / 1000);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(50);
      expect(gap).toBeLessThan(56); // the requests between them: a few emulated seconds at ×25 (40 ms real each)
    }
    // No fourth call, and ana was never charged a miss.
    await s.emulator.clock.sleep(120_000);
    expect(s.emulator.outbound()).toHaveLength(3);
    expect(s.atende.engine.core.agent('ana')!.status).toBe('available');
  }, 60_000);

  it('the agent misses after the customer answered: the customer is enqueued, then dequeued to the next agent', async () => {
    const s = await stack(customerFirst, (contact) => (contact === 'client:ana' ? { answer: false, afterSeconds: 0 } : { answer: true, afterSeconds: 2 }));
    const asked = await s.emulator.placeCall(caller({ asksCallback: true }));
    await state(s, 'ana', 'available');
    await until(() => s.emulator.outbound().length === 1, 'the call to the customer');
    const leg = s.emulator.outbound()[0].sid;
    await until(() => s.events.some((e) => e.type === 'call.enqueued' && e.callSid === leg), 'the customer to be enqueued');
    expect(s.atende.engine.core.call(asked.sid)).toMatchObject({ status: 'queued', queue: 'suporte', callback: null, missedBy: ['ana'] });
    await state(s, 'ana', 'away');
    await state(s, 'bruno', 'available');
    await until(() => s.atende.engine.core.call(asked.sid)?.status === 'ended', 'the call to end');
    expect(s.atende.engine.core.call(asked.sid)).toMatchObject({ outcome: 'answered', agentId: 'bruno' });
    await until(() => s.events.some((e) => e.type === 'call.ended' && e.callSid === leg), 'the customer\'s leg to end');
    const onLeg = s.events.filter((e) => e.type !== 'webhook' && e.type !== 'rest' && 'callSid' in e && e.callSid === leg).map((e) => e.type);
    expect(onLeg).toEqual(['call.started', 'agent.ringing', 'agent.missed', 'call.enqueued', 'call.left-queue', 'agent.ringing', 'call.bridged', 'call.ended']);
    expect(s.emulator.outbound()).toHaveLength(1);
  }, 60_000);
});

describe('Twilio emulator: the number called back', () => {
  it('a closed queue: the caller presses 2 and types a number; never enqueued; that number is called back when it opens', async () => {
    const s = await stack(() => {}, answers);
    const closed = await s.atende.app.inject({ method: 'POST', url: '/api/queues/vendas/close', payload: { reason: 'Inventário' } });
    expect(closed.statusCode, closed.body).toBe(200);
    const record = await s.emulator.placeCall(caller({ digits: ['2', '2'], callbackNumber: '21912345678' }));
    expect(record.queue).toBeNull();
    expect(s.events.some((e) => e.type === 'call.enqueued' && e.callSid === record.sid)).toBe(false);
    expect(s.atende.engine.core.call(record.sid)).toMatchObject({ status: 'queued', queue: 'vendas', callback: { number: '+5521912345678' } });
    await s.atende.app.inject({ method: 'POST', url: '/api/queues/vendas/open', payload: {} });
    await state(s, 'ana', 'available');
    await until(() => s.atende.engine.core.call(record.sid)?.status === 'ended', 'the callback to end');
    const placed = s.emulator.outbound();
    expect(placed.map((o) => o.to)).toEqual(['client:ana']);
    const rung = s.events.filter((e): e is Extract<EmulatorEvent, { type: 'agent.ringing' }> => e.type === 'agent.ringing' && e.callSid === placed[0].sid);
    expect(rung.map((e) => e.contact)).toEqual(['+5521912345678']);
    expect(s.atende.engine.core.call(record.sid)).toMatchObject({ outcome: 'answered', agentId: 'ana' });
  }, 60_000);

  it('in the wait: 2 and a typed number; that number is called back', async () => {
    const s = await stack(() => {}, answers);
    const asked = await s.emulator.placeCall(caller({ asksCallback: true, callbackNumber: '31987654321' }));
    expect(asked.outcome).toBe('callback-requested');
    expect(s.atende.engine.core.call(asked.sid)!.callback).toMatchObject({ number: '+5531987654321' });
    await state(s, 'ana', 'available');
    await until(() => s.atende.engine.core.call(asked.sid)?.status === 'ended', 'the callback to end');
    const placed = s.emulator.outbound()[0];
    expect(s.events.filter((e) => e.type === 'agent.ringing' && e.callSid === placed.sid).map((e) => (e as { contact: string }).contact)).toEqual(['+5531987654321']);
  }, 60_000);

  it('a call dropped on the company side is called back to the caller ID, with the same protocol on the record', async () => {
    const s = await stack(() => {}, answers);
    await state(s, 'ana', 'available');
    const record = await s.emulator.placeCall(caller({ hangsUp: 'caller', talkSeconds: 20 }));
    expect(record).toMatchObject({ outcome: 'answered', agent: 'client:ana' });
    const protocol = s.atende.engine.core.call(record.sid)!.protocol!;
    const marked = await s.atende.app.inject({ method: 'POST', url: `/api/calls/${record.sid}/dropped`, payload: {} });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(s.atende.engine.core.call(record.sid)).toMatchObject({ status: 'queued', callback: { origin: 'dropped', number: CUSTOMER } });
    // After ana's wrap-up the callback is hers: her leg is called, then the caller's number.
    await until(() => s.atende.engine.core.call(record.sid)?.status === 'ended', 'the callback to end');
    const placed = s.emulator.outbound();
    expect(placed.map((o) => [o.to, o.from])).toEqual([['client:ana', CENTER]]);
    expect(s.events.filter((e) => e.type === 'agent.ringing' && e.callSid === placed[0].sid).map((e) => (e as { contact: string }).contact)).toEqual([CUSTOMER]);
    expect(s.atende.engine.core.call(record.sid)).toMatchObject({ outcome: 'answered', protocol });
    await s.atende.idle();
    expect(await s.atende.storage.records.getCall(record.sid)).toMatchObject({ protocol, outcome: 'answered' });
  }, 60_000);
});
