// Callbacks that keep the place, on the phone (issue 15): the wait offers the key, the
// caller confirms the number and hangs up, the place stays ahead of callers who came
// later; when it reaches an agent, Atende calls the agent (calls.create), the agent's
// leg <Dial>s the customer's number, and each outcome is reported to the core.
import { describe, expect, it } from 'vitest';
import { callParams, local, saysOf, testSettings } from '../../helpers/twilio.ts';
import { askForCallback, callIntoQueue, harness, holdOnce, login } from './call-steps.ts';

const settings = () => testSettings((s) => {
  s.callbacks = { ...s.callbacks!, offerAfterSeconds: 30, minEstimatedWaitSeconds: 0 };
});

describe('Twilio edge: callbacks that keep the place', () => {
  it('no offer before offerAfterSeconds; the key after it', async () => {
    const h = await harness({ settings: settings() });
    const call = await callIntoQueue(h, ['1', '1', '1']);
    expect((await holdOnce(h, call)).twiml!.Gather).toBeUndefined();
    h.tick(31);
    expect((await holdOnce(h, call, 31)).twiml!.Gather?.[0].action).toContain('/twilio/queue/callback');
  });

  it('the place is kept against a caller who came later; the agent is called first, then the customer at the right number', async () => {
    const h = await harness({ settings: settings() });
    const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
    h.tick(40);
    await askForCallback(h, first);
    const live = h.atende.engine.core.call(first.sid)!;
    expect(live).toMatchObject({ status: 'queued', callback: { number: '+5511987650001', origin: 'requested' } });
    expect(live.outcome).toBeNull();

    h.tick(5);
    const later = await callIntoQueue(h, ['1', '1', '1'], '+5511987650002');
    await holdOnce(h, later);
    await login(h, 'ana');
    await h.atende.idle();
    // Ana gets the callback, not the caller on the line who came later.
    expect(h.rest.dequeues().filter((d) => d.callSid === later.sid)).toHaveLength(0);
    const created = h.rest.creates();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ to: 'client:ana', from: '+551130001000' });
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'offering', agentId: 'ana' });

    // Ana picks up: the whisper says who and why with the protocol, then <Dial> to the customer.
    const agentLeg = { ...callParams(created[0].callSid, '+551130001000'), To: 'client:ana', Direction: 'outbound-api' };
    const leg = await h.post(local(created[0].url), agentLeg);
    const protocol = h.atende.engine.core.call(first.sid)!.protocol!;
    expect(saysOf(leg.twiml!).join(' ')).toMatch(/Retorno para .* Protocolo /);
    expect(saysOf(leg.twiml!).join(' ')).toContain(protocol.slice(0, 4));
    const number = leg.twiml!.Dial[0].Number[0];
    expect(leg.body).toMatch(/<Number [^>]*>\+5511987650001<\/Number>/);

    // The customer answers (<Number url>), they talk, the Dial ends: the call ends answered.
    await h.post(local(number.url), { ...callParams('CA' + 'c'.repeat(32), '+551130001000'), To: '+5511987650001', Direction: 'outbound-dial', ParentCallSid: created[0].callSid });
    expect(h.atende.engine.core.call(first.sid)!.callback!.reached).toBe(true);
    h.tick(120);
    await h.post(local(leg.twiml!.Dial[0].action), { ...agentLeg, DialCallStatus: 'completed', DialCallDuration: '120' });
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    // The caller who came later is next.
    expect(h.atende.engine.core.call(later.sid)!.status).toBe('queued');
  });

  it('a customer who does not answer: reported, the agent freed, the callback retried later', async () => {
    const h = await harness({ settings: settings() });
    const first = await callIntoQueue(h, ['1', '1', '1']);
    h.tick(40);
    await askForCallback(h, first);
    await login(h, 'ana');
    await h.atende.idle();
    const created = h.rest.creates()[0];
    const agentLeg = { ...callParams(created.callSid, '+551130001000'), To: 'client:ana', Direction: 'outbound-api' };
    const leg = await h.post(local(created.url), agentLeg);
    const done = await h.post(local(leg.twiml!.Dial[0].action), { ...agentLeg, DialCallStatus: 'no-answer' });
    expect(done.twiml!.Hangup).toBeDefined();
    const c = h.atende.engine.core.call(first.sid)!;
    expect(c.status).toBe('queued');
    expect(c.callback).toMatchObject({ attempts: 1, reached: false });
    expect(c.callback!.retryAt).toBeGreaterThan(h.clock.t);
  });
});
