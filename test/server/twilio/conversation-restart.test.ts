// A restart in the middle of a conversation. The leg Atende placed to a callback's
// customer carries the call (legs.carries), and which leg that is must outlive the
// process, as the caller's QueueSid does: kept in the call records and read back at
// start. Without it the customer's next request after a restart is an unknown call
// (a Dial's end would start a new call in the IVR, the call would never end). And a
// caller talking to an agent at the restart is still known to be in the agent's Dial,
// so an escalation moves them back to a queue.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, testSettings, type Harness } from '../../helpers/twilio.ts';
import { answeredBy, askForCallback, callIntoQueue, dialDone, escalateToN2, harness, login, placedLeg } from './call-steps.ts';

const CENTER = '+551130001000';

const settings = (order: 'customer-first' | 'agent-first') => testSettings((s) => {
  s.callbacks = { ...s.callbacks!, order, offerAfterSeconds: 30, minEstimatedWaitSeconds: 0, retryDelaySeconds: 60, maxAttempts: 3 };
});

describe('Twilio edge: a restart during a conversation', () => {
  it('an ordinary call, talking at the restart and escalated after it: the caller\'s leg is moved out of the Dial back to a queue', async () => {
    const h = await harness();
    const { call } = await answeredBy(h, 'ana', '+5511987650001');

    await h.restart();

    expect(await escalateToN2(h, call.sid)).toEqual([[call.sid, '/twilio/queue/reenter?lang=pt-BR']]);
  });

  it('customer-first, bridged to the agent at the restart: the Dial\'s end on the customer\'s leg ends the call, answered, once', async () => {
    const h = await harness({ settings: settings('customer-first') });
    const { first, leg, picked } = await customerPicksUp(h);
    const connect = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(leg, first.from));
    const dial = connect.twiml!.Dial[0];
    const agentLeg = newSid('CA');
    const agentParams = { ...callParams(agentLeg, CENTER), To: 'client:ana', Direction: 'outbound-dial', ParentCallSid: leg };
    h.tick(8);
    const whisper = await h.post(local(dial.Client[0].url), agentParams);
    h.tick(4);
    await h.post(local(whisper.twiml!.Redirect[0]['#text']), agentParams);
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'connected', agentId: 'ana' });

    await h.restart();
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'connected', agentId: 'ana' });

    h.tick(90);
    const done = await h.post(local(dial.action), placedLeg(leg, first.from, { DialCallStatus: 'completed', DialCallSid: agentLeg, DialBridged: 'true', DialCallDuration: '90' }));
    expect(done.status).toBe(200);
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    // The leg itself was never taken for a caller of its own.
    expect(h.atende.engine.core.call(leg)).toBeNull();
    await h.post('/twilio/status', placedLeg(leg, first.from, { CallStatus: 'completed', CallDuration: '110' }));
    await h.atende.idle();
    const ended = (await h.api('GET', '/api/calls?limit=10')).json.calls.filter((c: { outcome: string | null }) => c.outcome !== null);
    expect(ended.map((c: { callId: string; outcome: string }) => [c.callId, c.outcome])).toEqual([[first.sid, 'answered']]);
    expect((await h.snapshot()).center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
  });

  it('customer-first, the customer picked up just before the restart: the connect on their leg after it rings the offered agent for this call', async () => {
    const h = await harness({ settings: settings('customer-first') });
    const { first, leg, picked } = await customerPicksUp(h);

    await h.restart();

    const connect = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(leg, first.from));
    const dial = connect.twiml!.Dial?.[0];
    expect(dial, connect.body).toBeDefined();
    expect(local(dial.Client[0].url)).toBe(`/twilio/agent/whisper?call=${first.sid}&agent=ana`);
    expect(h.atende.engine.core.call(leg)).toBeNull();
  });

  it('a call that ended, then was marked dropped, called back customer-first: a restart while they talk; the second life still ends, once', async () => {
    const h = await harness({ settings: settings('customer-first') });
    const { call, dial, agentLeg } = await answeredBy(h, 'ana', '+5511987650001');
    h.tick(40);
    await dialDone(h, call, dial, agentLeg, 'completed', { DialBridged: 'true', CallStatus: 'completed' });
    expect((await h.api('POST', `/api/calls/${call.sid}/dropped`, {})).status).toBe(200);
    h.tick(h.settings.wrapUpSeconds);
    await h.atende.idle();
    const [created] = h.rest.creates();
    const leg = created.callSid;
    const picked = await h.post(local(created.url), placedLeg(leg, call.from));
    const connected = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(leg, call.from));
    const second = connected.twiml!.Dial[0];
    const anaAgain = newSid('CA');
    const params = { ...callParams(anaAgain, CENTER), To: 'client:ana', Direction: 'outbound-dial', ParentCallSid: leg };
    const heard = await h.post(local(second.Client[0].url), params);
    await h.post(local(heard.twiml!.Redirect[0]['#text']), params);
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'connected', agentId: 'ana' });

    await h.restart();

    h.tick(60);
    await h.post(local(second.action), placedLeg(leg, call.from, { DialCallStatus: 'completed', DialCallSid: anaAgain, DialBridged: 'true', DialCallDuration: '60', CallStatus: 'completed' }));
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    expect(h.atende.engine.core.call(leg)).toBeNull();
    // Two ends in the log, the first life's and the second's (its own id).
    const ends = h.atende.storage.db.prepare("SELECT id FROM events WHERE type = 'call.ended' AND call_id = ?").pluck().all(call.sid) as string[];
    expect(ends).toHaveLength(2);
    expect(ends[1]).toMatch(new RegExp(`^${call.sid}:ended:\\d+$`));
  });

  it('agent-first, bridged at the restart: the customer hanging up ends the call once, answered', async () => {
    const h = await harness({ settings: settings('agent-first') });
    const { first, agentCall, agentParams, dial, customer } = await agentFirstBridged(h);

    await h.restart();

    h.tick(60);
    const done = await h.post(local(dial.action), { ...agentParams, DialCallStatus: 'completed', DialCallSid: customer, DialBridged: 'true', DialCallDuration: '60' });
    expect(done.status).toBe(200);
    await h.post('/twilio/status', { ...agentParams, CallStatus: 'completed', CallDuration: '70' });
    await h.atende.idle();
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    expect(h.atende.engine.core.call(agentCall.callSid)).toBeNull();
    expect((await h.snapshot()).center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
  });

  it('agent-first, escalated after the restart: the customer\'s leg is moved back to a queue, not the caller\'s long-gone one', async () => {
    const h = await harness({ settings: settings('agent-first') });
    const { first, customer } = await agentFirstBridged(h);

    await h.restart();

    expect(await escalateToN2(h, first.sid)).toEqual([[customer, '/twilio/queue/reenter?lang=pt-BR']]);
  });
});

/** A callback requested, ana called first; she picks up, her leg dials the customer, who answers: they talk. */
async function agentFirstBridged(h: Harness) {
  const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
  h.tick(40);
  await askForCallback(h, first);
  await login(h, 'ana');
  await h.atende.idle();
  const [agentCall] = h.rest.creates();
  expect(agentCall.to).toBe('client:ana');
  const agentParams = { ...callParams(agentCall.callSid, CENTER), To: 'client:ana', Direction: 'outbound-api' };
  const res = await h.post(local(agentCall.url), agentParams);
  const dial = res.twiml!.Dial?.[0];
  expect(dial, res.body).toBeDefined();
  expect(res.body).toMatch(/<Number [^>]*>\+5511987650001<\/Number>/);
  // The customer answers on their own leg, a child of ana's (<Number url>): reached, talking.
  const customer = newSid('CA');
  await h.post(local(dial.Number[0].url), { ...callParams(customer, CENTER), To: first.from, Called: first.from, Direction: 'outbound-dial', ParentCallSid: agentCall.callSid });
  expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'connected', agentId: 'ana', callback: { reached: true } });
  h.tick(5);
  await h.atende.idle();
  return { first, agentCall, agentParams, dial, customer };
}

/** A callback requested, customer-first: ana logs in, Atende calls the customer, who picks up and hears the line. */
async function customerPicksUp(h: Harness) {
  const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
  h.tick(40);
  await askForCallback(h, first);
  await login(h, 'ana');
  await h.atende.idle();
  const [created] = h.rest.creates();
  expect([created.to, created.from]).toEqual([first.from, CENTER]);
  const leg = created.callSid;
  const picked = await h.post(local(created.url), placedLeg(leg, first.from));
  return { first, leg, picked };
}
