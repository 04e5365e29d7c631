// Steps of a call as Twilio takes them, shared by the Twilio edge's tests: each test
// builds its own harness through `harness()` and the afterEach here closes it.
import { afterEach, expect } from 'vitest';
import { callParams, local, newSid, saysOf, startHarness, type Harness, type TwimlNode } from '../../helpers/twilio.ts';

let harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses) await h.close();
  harnesses = [];
});

export async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  harnesses.push(h);
  return h;
}

export async function login(h: Harness, agent: string, state: 'available' | 'away' | 'offline' = 'available', reason?: string) {
  const res = await h.api('POST', `/api/agents/${agent}/state`, reason ? { state, reason } : { state });
  expect(res.status).toBe(200);
  return res.json;
}

export async function agentOf(h: Harness, id: string) {
  return (await h.api('GET', '/api/agents')).json.agents.find((a: { id: string }) => a.id === id);
}

export interface Call { sid: string; from: string; lang: string; enqueue: TwimlNode; queueSid: string }

/** Rings the number and presses `keys` (language first), ending in a queue. */
export async function callIntoQueue(h: Harness, keys: string[], from = '+5511987650001'): Promise<Call> {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  expect(res.status).toBe(200);
  for (const digit of keys) {
    const gather = res.twiml!.Gather?.[0];
    expect(gather, `a menu before pressing ${digit}: ${res.body}`).toBeDefined();
    res = await h.post(local(gather.action), callParams(sid, from, { Digits: digit }));
    expect(res.status).toBe(200);
  }
  const enqueue = res.twiml!.Enqueue?.[0];
  expect(enqueue, res.body).toBeDefined();
  return { sid, from, lang: new URL(enqueue.waitUrl).searchParams.get('lang')!, enqueue, queueSid: '' };
}

/** Twilio starts the hold loop: the wait URL reports the QueueSid. */
export async function holdOnce(h: Harness, call: Call, queueTime = 0) {
  call.queueSid ||= newSid('QU');
  const res = await h.post(local(call.enqueue.waitUrl), callParams(call.sid, call.from, {
    QueueSid: call.queueSid, QueuePosition: '1', QueueTime: String(queueTime), AvgQueueTime: '0', CurrentQueueSize: '1', MaxQueueSize: '1000',
  }));
  expect(res.status).toBe(200);
  await h.atende.idle();
  return res;
}

/** Follows the dequeue Url the REST stand-in received: the caller's leg gets <Dial>. */
export async function connect(h: Harness, call: Call, agent: string) {
  const dq = h.rest.dequeues().filter((r) => r.callSid === call.sid).at(-1);
  expect(dq, 'a dequeue request for the call').toBeDefined();
  expect(new URL(dq!.url).searchParams.get('agent')).toBe(agent);
  const res = await h.post(local(dq!.url), callParams(call.sid, call.from));
  const dial = res.twiml!.Dial?.[0];
  expect(dial, res.body).toBeDefined();
  return { dial, agentLeg: newSid('CA') };
}

/** Twilio's parameters on the agent's leg (whisper, its accept key, its end). */
export function agentLegParams(call: Call, agentLeg: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...callParams(agentLeg, call.from), Direction: 'outbound-dial', ParentCallSid: call.sid, ...extra };
}

/**
 * The agent picks up: Twilio runs the whisper on the agent's leg, and (unless
 * `bridge: false`) plays it to its end, which is the bridge: the <Redirect> after the
 * text (softphone), or a key pressed at the accept <Gather> (phone number). Returns
 * the whisper's own answer.
 */
export async function whisper(h: Harness, call: Call, dial: TwimlNode, agentLeg: string, opts: { bridge?: boolean } = {}) {
  const noun = (dial.Client ?? dial.Number)[0];
  const res = await h.post(local(noun.url), agentLegParams(call, agentLeg));
  if (opts.bridge !== false) await whisperEnds(h, call, res.twiml!, agentLeg);
  return res;
}

/** The whisper has been spoken (or the agent pressed a key): the request that is the bridge. */
export async function whisperEnds(h: Harness, call: Call, whisperTwiml: TwimlNode, agentLeg: string) {
  const gather = whisperTwiml.Gather?.[0];
  const next = gather ? local(gather.action) : whisperTwiml.Redirect?.[0] ? local(whisperTwiml.Redirect[0]['#text']) : null;
  expect(next, `the whisper ends in an accept <Gather> or a <Redirect>: ${JSON.stringify(whisperTwiml)}`).not.toBeNull();
  return h.post(next!, agentLegParams(call, agentLeg, gather ? { Digits: '1' } : {}));
}

export async function dialDone(h: Harness, call: Call, dial: TwimlNode, agentLeg: string, status: string, extra: Record<string, string> = {}) {
  return h.post(local(dial.action), callParams(call.sid, call.from, { DialCallStatus: status, DialCallSid: agentLeg, ...extra }));
}


/** A caller in the queue, taken by `agent` (logged in now): dequeued, the whisper played to its end; they talk. */
export async function answeredBy(h: Harness, agent: string, from: string): Promise<{ call: Call; dial: TwimlNode; agentLeg: string }> {
  const call = await callIntoQueue(h, ['1', '1', '1'], from);
  await holdOnce(h, call);
  await login(h, agent);
  await h.atende.idle();
  const { dial, agentLeg } = await connect(h, call, agent);
  await whisper(h, call, dial, agentLeg);
  expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'connected', agentId: agent });
  return { call, dial, agentLeg };
}

/**
 * The caller asks for a callback in the wait (40 s in): the offered key, then 1 to confirm
 * their caller ID (read back to them); the callback is registered, they leave the queue
 * (the <Enqueue> action hangs up: no abandon) and the leg ends. The place is kept.
 */
export async function askForCallback(h: Harness, call: Call) {
  const wait = await holdOnce(h, call, 40);
  const offer = wait.twiml!.Gather?.[0];
  expect(offer, wait.body).toBeDefined();
  const confirm = await h.post(local(offer.action), callParams(call.sid, call.from, { Digits: '1' }));
  expect(saysOf(confirm.twiml!).join(' ')).toContain(call.from.slice(3).split('').join(' '));
  const done = await h.post(local(confirm.twiml!.Gather[0].action), callParams(call.sid, call.from, { Digits: '1' }));
  expect(done.twiml!.Leave, done.body).toBeDefined();
  const exit = await h.post(local(call.enqueue.action), callParams(call.sid, call.from, { QueueResult: 'leave', QueueSid: call.queueSid, QueueTime: '40' }));
  expect(exit.twiml!.Hangup).toBeDefined();
  await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', CallDuration: '60' }));
}

/** Twilio's parameters on a leg Atende placed (calls.create) from the center's number to `number`. */
export function placedLeg(legSid: string, number: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...callParams(legSid, '+551130001000'), To: number, Called: number, Direction: 'outbound-api', ...extra };
}

/**
 * 30 s into the conversation the agent escalates the call to N2 ("Segunda via"): accepted,
 * and the REST redirects Atende sent (CallSid, path), to see which leg it moved back to a queue.
 */
export async function escalateToN2(h: Harness, callId: string): Promise<[string, string][]> {
  h.tick(30);
  const escalated = await h.api('POST', `/api/calls/${callId}/escalate`, { toLevel: 2, note: 'Segunda via' });
  expect(escalated.status, JSON.stringify(escalated.json)).toBe(200);
  await h.atende.idle();
  return h.rest.requests.filter((r) => r.kind === 'redirect').map((r) => [r.callSid, local(r.url)]);
}
