// Customer-first callbacks on the phone (callbacks.order "customer-first", issue 15): when
// the kept place reaches an agent, Atende calls the customer first (calls.create to the
// callback number, from the center's number); picked up, the customer hears who calls back
// and the protocol, and their leg is bridged to the offered agent like any dequeued caller
// (the agent <Dial> with the whisper: its end is the answer). A customer who never answers
// is tried again after callbacks.retryDelaySeconds, up to callbacks.maxAttempts, then the
// callback ends as not reached. An agent who misses after the customer answered: the
// customer is an ordinary caller now, <Enqueue>d with their place and original arrival.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, saysOf, testSettings, type Harness } from '../../helpers/twilio.ts';
import { askForCallback, callIntoQueue, harness, holdOnce, login, placedLeg } from './call-steps.ts';

const CENTER = '+551130001000';

const settings = (patch: (s: ReturnType<typeof testSettings>) => void = () => {}) => testSettings((s) => {
  s.callbacks = { ...s.callbacks!, order: 'customer-first', offerAfterSeconds: 30, minEstimatedWaitSeconds: 0, retryDelaySeconds: 60, maxAttempts: 3 };
  patch(s);
});

/** "20261123000001" as the customer hears it: the format's groups, digit by digit. */
function spoken(protocol: string): string {
  const groups = [protocol.slice(0, 4), protocol.slice(4, 6), protocol.slice(6, 8), protocol.slice(8, 11), protocol.slice(11)];
  return groups.map((g) => g.split('').join(' ')).join(', ');
}

/** A caller asks for a callback at T0+40 s; a second caller arrives 5 s later and waits on the line. */
async function callbackAndLaterCaller(h: Harness) {
  const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
  h.tick(40);
  await askForCallback(h, first);
  h.tick(5);
  const later = await callIntoQueue(h, ['1', '1', '1'], '+5511987650002');
  await holdOnce(h, later);
  return { first, later };
}

describe('Twilio edge: customer-first callbacks', () => {
  it('the customer is called first at the callback number, hears the protocol, then the agent is rung with the whisper; answered at its end', async () => {
    const h = await harness({ settings: settings() });
    const { first, later } = await callbackAndLaterCaller(h);
    await login(h, 'ana');
    await h.atende.idle();
    // The kept place wins over the caller on the line who came later; nothing is dequeued.
    expect(h.rest.dequeues()).toEqual([]);
    const created = h.rest.creates();
    expect(created.map((c) => [c.to, c.from])).toEqual([['+5511987650001', CENTER]]);
    expect(local(created[0].url)).toBe(`/twilio/callback/customer?call=${first.sid}&agent=ana`);
    expect(local(created[0].statusCallback!)).toBe(`/twilio/callback/customer-status?call=${first.sid}&agent=ana`);
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'offering', agentId: 'ana', callback: { reached: false } });

    // The customer picks up: reached; the line in their language, then to the agent's <Dial>.
    const leg = created[0].callSid;
    const protocol = h.atende.engine.core.call(first.sid)!.protocol!;
    const picked = await h.post(local(created[0].url), placedLeg(leg, first.from));
    expect(saysOf(picked.twiml!)).toEqual([
      `Olá! Aqui é o retorno da Central de Atendimento Atende, Suporte. Protocolo ${spoken(protocol)}. Aguarde, vamos conectar você a um atendente.`,
    ]);
    expect(local(picked.twiml!.Redirect[0]['#text'])).toBe('/twilio/agent/connect?agent=ana&lang=pt-BR');
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'offering', agentId: 'ana', callback: { reached: true } });

    // The customer's leg runs the ordinary connect: <Dial><Client>ana with the whisper about this call.
    const connect = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(leg, first.from));
    const dial = connect.twiml!.Dial[0];
    expect(dial.Client[0]['#text']).toBe('ana');
    const whisperUrl = local(dial.Client[0].url);
    expect(whisperUrl).toBe(`/twilio/agent/whisper?call=${first.sid}&agent=ana`);
    const agentLeg = newSid('CA');
    const agentParams = { ...callParams(agentLeg, CENTER), To: 'client:ana', Direction: 'outbound-dial', ParentCallSid: leg };
    h.tick(8);
    const whisper = await h.post(whisperUrl, agentParams);
    expect(saysOf(whisper.twiml!).join(' ')).toMatch(/^Retorno, cliente na linha\. Suporte\. Prioridade 3\./);
    expect(saysOf(whisper.twiml!).join(' ')).toContain(`Protocolo ${protocol.slice(0, 4)} ${protocol.slice(4, 6)} ${protocol.slice(6, 8)}`);
    // Not answered until the whisper ends (answered means bridged).
    expect(h.atende.engine.core.call(first.sid)!.status).toBe('offering');
    h.tick(4);
    await h.post(local(whisper.twiml!.Redirect[0]['#text']), agentParams);
    const talking = h.atende.engine.core.call(first.sid)!;
    expect(talking).toMatchObject({ status: 'connected', agentId: 'ana', protocol });
    // The wait: original entry (T0+~0) to the agent reached, 57 s.
    expect(talking.answeredAt! - talking.queuedAt!).toBe(57_000);

    // They talk; the Dial ends: the call is over, answered, and the customer gets the survey.
    h.tick(90);
    const done = await h.post(local(dial.action), placedLeg(leg, first.from, { DialCallStatus: 'completed', DialCallSid: agentLeg, DialBridged: 'true', DialCallDuration: '90' }));
    expect(done.twiml!.Gather?.[0].action).toContain('/twilio/survey');
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    expect(h.atende.engine.core.call(later.sid)!.status).toBe('queued');
    await h.atende.idle();
    const record = (await h.api('GET', `/api/calls/${first.sid}`)).json;
    expect(record).toMatchObject({ protocol, record: { protocol, agentId: 'ana', outcome: 'answered' } });
  });

  it('a customer who never answers: tried again 60 s after each miss, 3 calls in all, then not reached; the agent is never charged a miss', async () => {
    const h = await harness({ settings: settings() });
    const first = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
    h.tick(40);
    await askForCallback(h, first);
    await login(h, 'ana');
    await h.atende.idle();
    const placedAt: number[] = [h.clock.t];
    const results = ['no-answer', 'busy', 'no-answer'];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const created = h.rest.creates();
      expect(created).toHaveLength(attempt);
      const call = created[attempt - 1];
      expect([call.to, call.from]).toEqual(['+5511987650001', CENTER]);
      // Twilio gives up ringing after the timeout and reports the leg.
      h.tick(20);
      await h.post(local(call.statusCallback!), placedLeg(call.callSid, first.from, { CallStatus: results[attempt - 1] }));
      await h.atende.idle();
      const c = h.atende.engine.core.call(first.sid)!;
      const ana = h.atende.engine.core.agent('ana')!;
      expect(ana.status).toBe('available');
      expect(c.missedBy).toEqual([]);
      if (attempt < 3) {
        expect(c).toMatchObject({ status: 'queued', callback: { attempts: attempt, reached: false, retryAt: h.clock.t + 60_000 } });
        // Not a second earlier than the delay.
        h.tick(59);
        await h.atende.idle();
        expect(h.rest.creates()).toHaveLength(attempt);
        h.tick(1);
        await h.atende.idle();
        placedAt.push(h.clock.t);
      } else {
        expect(c).toMatchObject({ status: 'ended', outcome: 'not-reached', callback: { attempts: 3 } });
      }
    }
    // Placed at +0, +80 and +160 s (20 s of ringing and 60 s of delay each time); no fourth call.
    expect(placedAt.map((t) => (t - placedAt[0]) / 1000)).toEqual([0, 80, 160]);
    h.tick(600);
    await h.atende.idle();
    expect(h.rest.creates()).toHaveLength(3);
    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ answered: 0, abandoned: 1 });
  });

  it('the agent misses after the customer answered: the customer is enqueued, ahead of the caller who came later, and dequeued on their own leg', async () => {
    const h = await harness({ settings: settings() });
    const { first, later } = await callbackAndLaterCaller(h);
    const arrival = h.atende.engine.core.call(first.sid)!.queuedAt!;
    await login(h, 'ana');
    await h.atende.idle();
    const created = h.rest.creates()[0];
    const leg = created.callSid;
    const picked = await h.post(local(created.url), placedLeg(leg, first.from));
    const connect = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(leg, first.from));
    const dial = connect.twiml!.Dial[0];
    h.tick(20);
    const missed = await h.post(local(dial.action), placedLeg(leg, first.from, { DialCallStatus: 'no-answer', DialCallSid: newSid('CA'), DialBridged: 'false' }));
    // An ordinary caller now, in its queue with its original arrival, at the head of its tier.
    expect(missed.twiml!.Enqueue?.[0]['#text'], missed.body).toBe('suporte');
    const c = h.atende.engine.core.call(first.sid)!;
    expect(c).toMatchObject({ status: 'queued', callback: null, missedBy: ['ana'] });
    expect(c.queuedAt).toBe(arrival);
    expect(arrival).toBeLessThan(h.atende.engine.core.call(later.sid)!.queuedAt!);
    expect(h.atende.engine.core.positionOf(first.sid)).toBe(1);
    expect(h.atende.engine.core.positionOf(later.sid)).toBe(2);

    // The customer's leg holds: the wait URL knows it as the call, position 1.
    const queueSid = newSid('QU');
    const wait = await h.post(local(missed.twiml!.Enqueue[0].waitUrl), placedLeg(leg, first.from, { QueueSid: queueSid, QueuePosition: '1', QueueTime: '0' }));
    expect(saysOf(wait.twiml!).join(' ')).toMatch(/1/);
    // Bruno comes: the customer (not the later caller) is dequeued, by the leg's own CallSid.
    await login(h, 'bruno');
    await h.atende.idle();
    const dq = h.rest.dequeues();
    expect(dq.map((d) => [d.queueSid, d.callSid])).toEqual([[queueSid, leg]]);
    expect(new URL(dq[0].url).searchParams.get('agent')).toBe('bruno');
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'offering', agentId: 'bruno' });
    expect(h.atende.engine.core.call(later.sid)!.status).toBe('queued');
  });

  it('the customer hangs up while the agent rings: the call ends, abandoned, once', async () => {
    const h = await harness({ settings: settings() });
    const { first, later } = await callbackAndLaterCaller(h);
    await login(h, 'ana');
    await h.atende.idle();
    const created = h.rest.creates()[0];
    const picked = await h.post(local(created.url), placedLeg(created.callSid, first.from));
    expect(h.atende.engine.core.call(first.sid)!.callback!.reached).toBe(true);
    h.tick(6);
    await h.post(local(created.statusCallback!), placedLeg(created.callSid, first.from, { CallStatus: 'completed', CallDuration: '6' }));
    expect(h.atende.engine.core.call(first.sid)).toMatchObject({ status: 'ended', outcome: 'abandoned' });
    // Ana is free at once: the caller on the line is offered to her.
    expect(h.atende.engine.core.call(later.sid)).toMatchObject({ status: 'offering', agentId: 'ana' });
    // A late request of that leg finds nothing to do.
    const late = await h.post(local(picked.twiml!.Redirect[0]['#text']), placedLeg(created.callSid, first.from));
    expect(late.twiml!.Dial).toBeUndefined();
  });
});
