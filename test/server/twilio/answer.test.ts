// Answered means bridged. An agent's leg is "answered" when the phone is picked up,
// before the whisper; the caller is connected when the whisper ends. So the answer
// time is the end of the whisper, an agent who drops during it or a voicemail that
// picks up a phone number takes no call (Twilio: DialCallStatus=completed,
// DialBridged=false), and the caller goes back to the head of its tier with its wait.
import { describe, expect, it } from 'vitest';
import type { Harness } from '../../helpers/twilio.ts';
import { callParams, local, saysOf, testSettings, type TwimlNode } from '../../helpers/twilio.ts';
import { agentLegParams, agentOf, type Call, callIntoQueue, connect, dialDone, harness, holdOnce, login, whisper, whisperEnds } from './call-steps.ts';

const ANA_PHONE = '+5511955550001';
/** Ana's calls ring her mobile phone (E.164) instead of the softphone. */
const anaOnAPhone = (acceptKey?: boolean) => testSettings((s) => {
  const ana = s.agents.find((a) => a.id === 'ana')!;
  ana.contact = ANA_PHONE;
  if (acceptKey !== undefined) ana.acceptKey = acceptKey;
});

const eventsOf = (h: Harness, sid: string) =>
  h.atende.storage.db.prepare('SELECT type FROM events WHERE call_id = ? ORDER BY seq').pluck().all(sid) as string[];

/** The agent leg's status callback: "answered" when the phone is picked up. */
function pickedUp(h: Harness, call: Call, dial: TwimlNode, agentLeg: string) {
  const noun = (dial.Client ?? dial.Number)[0];
  return h.post(local(noun.statusCallback), agentLegParams(call, agentLeg, {
    CallStatus: 'in-progress', StatusCallbackEvent: 'answered', SequenceNumber: '1', CallbackSource: 'call-progress-events',
  }));
}

/** Two callers in Suporte's default tier, the first offered to Ana; Bruno comes later. */
async function twoCallersFirstRingsAna(h: Harness) {
  await login(h, 'ana');
  const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650011');
  h.tick(10);
  const second = await callIntoQueue(h, ['1', '1', '1'], '+5511987650012');
  await holdOnce(h, first);
  await holdOnce(h, second);
  const offered = await connect(h, first, 'ana');
  return { first, second, ...offered };
}

/** What an unbridged Dial leaves: no answer, the caller first in line with its original wait, no survey. */
async function expectBackAtTheHead(h: Harness, first: Call, second: Call, done: Awaited<ReturnType<Harness['post']>>, reason = 'not-bridged') {
  expect(done.twiml!.Gather).toBeUndefined(); // no survey
  expect(done.twiml!.Enqueue?.[0]['#text']).toBe('suporte'); // back into the Twilio queue
  expect(eventsOf(h, first.sid)).not.toContain('call.answered');
  expect(h.atende.storage.records.offersFor(first.sid).map((o) => [o.agentId, o.result])).toEqual([['ana', reason]]);
  const snap = await h.snapshot();
  expect(snap.center.today).toMatchObject({ answered: 0, abandoned: 0 });
  expect(snap.waitingCalls.map((c) => c.callId)).toEqual([first.sid, second.sid]);
  expect(snap.waitingCalls[0].waitSeconds).toBe(25); // queued 25 s ago, not re-queued now
  expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'queued', queuedAt: h.atende.storage.records.getCall(first.sid)!.queuedAt, missedBy: ['ana'] });
  // The next free agent gets the first caller, not the second.
  await login(h, 'bruno');
  await holdOnce(h, first); // back on hold: the wait URL tells the QueueSid again
  expect(h.rest.dequeues().at(-1)).toMatchObject({ callSid: first.sid });
  expect(new URL(h.rest.dequeues().at(-1)!.url).searchParams.get('agent')).toBe('bruno');
}

describe('Twilio edge: answered means bridged', () => {
  it('an agent hangs up during the whisper: no call.answered, the caller back at the head of its tier with its wait, no survey', async () => {
    const h = await harness();
    const { first, second, dial, agentLeg } = await twoCallersFirstRingsAna(h);
    expect(dial.Client[0]['#text']).toBe('ana');
    h.tick(3);
    await pickedUp(h, first, dial, agentLeg);
    const w = await whisper(h, first, dial, agentLeg, { bridge: false });
    expect(saysOf(w.twiml!).join(' ')).toContain('Suporte');
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'ringing' }); // picked up is not connected
    // She drops before the whisper ends: Twilio ends the Dial, completed but never bridged
    // (within the offer timeout and its grace: 20 + 10 s).
    h.tick(12);
    const done = await dialDone(h, first, dial, agentLeg, 'completed', { DialBridged: 'false', DialCallDuration: '2' });
    await expectBackAtTheHead(h, first, second, done);
  });

  it('a voicemail picks up an agent\'s phone number: the whisper waits for a key, none comes, <Hangup/>; same as above', async () => {
    const h = await harness({ settings: anaOnAPhone() });
    const { first, second, dial, agentLeg } = await twoCallersFirstRingsAna(h);
    expect(String(dial.Number[0]['#text'])).toBe(ANA_PHONE.slice(1)); // the XML parser reads +55… as a number
    h.tick(3);
    await pickedUp(h, first, dial, agentLeg);
    const w = await whisper(h, first, dial, agentLeg, { bridge: false });
    // Press a key to take the call; nothing pressed falls through to the hang-up.
    const gather = w.twiml!.Gather[0];
    expect(gather).toMatchObject({ numDigits: '1', finishOnKey: '', method: 'POST' });
    expect(gather.action).toContain('step=accept');
    expect(saysOf(gather).join(' ')).toMatch(/Suporte.*Tecle qualquer tecla para atender/);
    expect(w.twiml!.Hangup).toBeDefined();
    h.tick(12);
    const done = await dialDone(h, first, dial, agentLeg, 'completed', { DialBridged: 'false', DialCallDuration: '12' });
    await expectBackAtTheHead(h, first, second, done);
  });

  it('a bridged call is answered at the bridge: the end of the whisper, to the millisecond, in the snapshot and the CDR', async () => {
    const h = await harness();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    h.tick(1);
    await holdOnce(h, call);
    const { dial, agentLeg } = await connect(h, call, 'ana');
    h.clock.t += 2_250; // ringing
    await pickedUp(h, call, dial, agentLeg); // 3.25 s after queuing: picked up
    const w = await whisper(h, call, dial, agentLeg, { bridge: false });
    expect(w.twiml!.Redirect[0]['#text']).toContain('step=bridge');
    expect(eventsOf(h, call.sid)).not.toContain('call.answered');
    h.clock.t += 4_125; // the whisper is spoken
    const end = await whisperEnds(h, call, w.twiml!, agentLeg);
    expect(end.twiml).toEqual({}); // nothing more: Twilio connects the caller
    const cdr = h.atende.storage.records.getCall(call.sid)!;
    expect(cdr.answeredAt! - cdr.queuedAt!).toBe(7_375);
    expect((await h.snapshot()).center.today).toMatchObject({ answered: 1, answeredWithinThreshold: 1, asaSeconds: 7.375 });
    h.tick(60);
    const done = await dialDone(h, call, dial, agentLeg, 'completed', { DialBridged: 'true', DialCallDuration: '60' });
    expect(done.twiml!.Gather[0].action).toContain('step=nps'); // talked: the survey
    expect(h.atende.storage.records.getCall(call.sid)!.answeredAt! - cdr.queuedAt!).toBe(7_375);
  });

  it('a phone number agent takes the call with a key: answered when the key is pressed', async () => {
    const h = await harness({ settings: anaOnAPhone() });
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const { dial, agentLeg } = await connect(h, call, 'ana');
    h.tick(4);
    const w = await whisper(h, call, dial, agentLeg, { bridge: false });
    h.tick(6);
    const accepted = await h.post(local(w.twiml!.Gather[0].action), agentLegParams(call, agentLeg, { Digits: '#' }));
    expect(accepted.twiml).toEqual({});
    const cdr = h.atende.storage.records.getCall(call.sid)!;
    expect(cdr.answeredAt! - cdr.queuedAt!).toBe(10_000);
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'on-call', callId: call.sid });
  });

  it('the caller hangs up while the agent hears the whisper: the key finds the call gone, "no longer available" and <Hangup/>', async () => {
    const h = await harness({ settings: anaOnAPhone() });
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const { dial, agentLeg } = await connect(h, call, 'ana');
    const w = await whisper(h, call, dial, agentLeg, { bridge: false });
    await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', SequenceNumber: '0' }));
    const accepted = await h.post(local(w.twiml!.Gather[0].action), agentLegParams(call, agentLeg, { Digits: '1' }));
    expect(saysOf(accepted.twiml!)).toEqual(['Esta chamada não está mais disponível.']);
    expect(accepted.twiml!.Hangup).toBeDefined();
    expect(eventsOf(h, call.sid)).not.toContain('call.answered');
  });

  it('acceptKey per agent: off for a phone number means a <Redirect> at the end of the whisper, on for a softphone a key; kept across a restart', async () => {
    const settings = anaOnAPhone(false);
    settings.agents.find((a) => a.id === 'bruno')!.acceptKey = true;
    const h = await harness({ settings });
    await h.restart(); // the agents are rebuilt from the log at start: the file's acceptKey stays
    // A supervisor's change of another field keeps it too.
    expect((await h.atende.app.inject({ method: 'PATCH', url: '/api/agents/ana', payload: { skills: ['suporte', 'vendas'] } })).statusCode).toBe(200);
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const ana = await connect(h, call, 'ana');
    const w = await whisper(h, call, ana.dial, ana.agentLeg, { bridge: false });
    expect(w.twiml!.Gather).toBeUndefined();
    expect(w.twiml!.Redirect[0]['#text']).toContain('step=bridge');

    await login(h, 'bruno');
    const other = await callIntoQueue(h, ['1', '1', '1'], '+5511987650013');
    await holdOnce(h, other);
    const bruno = await connect(h, other, 'bruno');
    expect(bruno.dial.Client[0]['#text']).toBe('bruno');
    const wb = await whisper(h, other, bruno.dial, bruno.agentLeg, { bridge: false });
    expect(wb.twiml!.Gather[0].action).toContain('step=accept');
  });

  it('a Dial that reports DialBridged=true when the whisper\'s end never reached Atende still counts the talk', async () => {
    const h = await harness();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const { dial, agentLeg } = await connect(h, call, 'ana');
    await whisper(h, call, dial, agentLeg, { bridge: false });
    h.tick(15);
    const done = await dialDone(h, call, dial, agentLeg, 'completed', { DialBridged: 'true', DialCallDuration: '25' });
    expect(done.twiml!.Gather[0].action).toContain('step=nps');
    expect((await h.snapshot()).center.today).toMatchObject({ answered: 1 });
  });
  it('a DialCallStatus Twilio adds tomorrow is no 400: it counts as not picked up, the caller back at the head of its tier', async () => {
    const h = await harness();
    const { first, second, dial, agentLeg } = await twoCallersFirstRingsAna(h);
    h.tick(15);
    const done = await dialDone(h, first, dial, agentLeg, 'transferred-elsewhere');
    expect(done.status).toBe(200);
    await expectBackAtTheHead(h, first, second, done, 'failed');
  });
});
