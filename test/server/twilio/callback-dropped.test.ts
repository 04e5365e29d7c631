// Callbacks from a drop, and a callback escalated by its agent (issue 15), through signed
// webhooks: a call that dropped on the company's side (POST /api/calls/:id/dropped) comes
// back as a callback at the head of its tier and is placed on the phone to the right number,
// with the call's protocol in the agent's whisper and on the call record; a callback call
// the agent escalates keeps its protocol: the customer's own leg is moved back into a
// queue and bridged to the next agent, whose whisper tells the same protocol.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, saysOf, testSettings, type Harness } from '../../helpers/twilio.ts';
import { agentLegParams, answeredBy, type Call, callIntoQueue, dialDone, escalateToN2, harness, holdOnce, login } from './call-steps.ts';

const CENTER = '+551130001000';

/** "20261123000001" as the whisper says it: year, month, day, the sequence in threes. */
const grouped = (p: string) => [p.slice(0, 4), p.slice(4, 6), p.slice(6, 8), p.slice(8, 11), p.slice(11)].join(' ');

/** The callback call Atende placed to ana (agent-first): her leg's TwiML. */
async function anaPicksUp(h: Harness, n: number) {
  const created = h.rest.creates();
  expect(created).toHaveLength(n);
  const placed = created[n - 1];
  expect([placed.to, placed.from]).toEqual(['client:ana', CENTER]);
  const agentLeg = { ...callParams(placed.callSid, CENTER), To: 'client:ana', Direction: 'outbound-api' };
  const leg = await h.post(local(placed.url), agentLeg);
  return { placed, agentLeg, leg };
}

describe('Twilio edge: a call dropped on the company side, and a callback escalated', () => {
  it('dropped while talking: a callback at the head of its tier, placed to the caller ID with the protocol in the whisper and on the record', async () => {
    const h = await harness();
    const { call, dial, agentLeg } = await answeredBy(h, 'ana', '+5511987650001');
    const protocol = h.atende.engine.core.call(call.sid)!.protocol!;
    h.tick(5);
    const later = await callIntoQueue(h, ['1', '1', '1'], '+5511987650002');
    await holdOnce(h, later);

    h.tick(30);
    const marked = await h.api('POST', `/api/calls/${call.sid}/dropped`, {});
    expect(marked.status, JSON.stringify(marked.json)).toBe(200);
    // The caller's leg is gone: neither its status callback nor the Dial's end ends the callback.
    await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', CallDuration: '36' }));
    await dialDone(h, call, dial, agentLeg, 'completed', { DialBridged: 'true', CallStatus: 'completed' });
    const c = h.atende.engine.core.call(call.sid)!;
    expect(c).toMatchObject({ status: 'queued', protocol, callback: { origin: 'dropped', number: '+5511987650001', attempts: 0 } });
    expect(h.atende.engine.core.positionOf(call.sid)).toBe(1);
    expect(h.atende.engine.core.positionOf(later.sid)).toBe(2);

    // Ana's wrap-up ends: the callback (not the caller on the line) is hers, placed agent-first.
    h.tick(h.settings.wrapUpSeconds);
    await h.atende.idle();
    expect(h.rest.dequeues().filter((d) => d.callSid === later.sid)).toEqual([]);
    const { leg } = await anaPicksUp(h, 1);
    expect(saysOf(leg.twiml!)).toEqual([`Retorno para 1 1 9 8 7 6 5 0 0 0 1, chamada que caiu, fila Suporte. Protocolo ${grouped(protocol)}. Ligando para o cliente.`]);
    expect(leg.body).toMatch(/<Number [^>]*>\+5511987650001<\/Number>/);
    const number = leg.twiml!.Dial[0].Number[0];
    await h.post(local(number.url), { ...callParams(newSid('CA'), CENTER), To: '+5511987650001', Direction: 'outbound-dial' });
    h.tick(60);
    await h.post(local(leg.twiml!.Dial[0].action), { ...callParams(h.rest.creates()[0].callSid, CENTER), DialCallStatus: 'completed', DialCallDuration: '60' });
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'ended', outcome: 'answered', protocol });
    await h.atende.idle();
    const found = await h.api('GET', `/api/calls?protocol=${protocol}`);
    expect(found.json.calls.map((r: { callId: string; protocol: string }) => [r.callId, r.protocol])).toEqual([[call.sid, protocol]]);
  });

  it('the call ended, then the agent marks the drop; called back customer-first, the second conversation ends too (its own end event)', async () => {
    const h = await harness({ settings: testSettings((s) => { s.callbacks = { ...s.callbacks!, order: 'customer-first' }; }) });
    const { call, dial, agentLeg } = await answeredBy(h, 'ana', '+5511987650001');
    const protocol = h.atende.engine.core.call(call.sid)!.protocol!;
    h.tick(40);
    // The line drops: the Dial ends with the caller gone, the call ends; then ana says it dropped.
    await dialDone(h, call, dial, agentLeg, 'completed', { DialBridged: 'true', CallStatus: 'completed' });
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'ended', outcome: 'answered' });
    expect((await h.api('POST', `/api/calls/${call.sid}/dropped`, {})).status).toBe(200);
    h.tick(h.settings.wrapUpSeconds);
    await h.atende.idle();
    const created = h.rest.creates();
    expect(created.map((c) => [c.to, c.from])).toEqual([['+5511987650001', CENTER]]);
    const leg = created[0].callSid;
    const customer = (extra: Record<string, string> = {}) => ({ ...callParams(leg, CENTER), To: '+5511987650001', Direction: 'outbound-api', ...extra });
    const picked = await h.post(local(created[0].url), customer());
    expect(saysOf(picked.twiml!).join(' ')).toContain(`Protocolo ${grouped(protocol).split(' ').map((g) => g.split('').join(' ')).join(', ')}.`);
    const connected = await h.post(local(picked.twiml!.Redirect[0]['#text']), customer());
    const second = connected.twiml!.Dial[0];
    const anaAgain = newSid('CA');
    const params = { ...callParams(anaAgain, CENTER), To: 'client:ana', Direction: 'outbound-dial', ParentCallSid: leg };
    const heard = await h.post(local(second.Client[0].url), params);
    expect(saysOf(heard.twiml!).join(' ')).toMatch(/^Retorno de chamada que caiu, cliente na linha\./);
    expect(saysOf(heard.twiml!).join(' ')).toContain(`Protocolo ${grouped(protocol)}.`);
    await h.post(local(heard.twiml!.Redirect[0]['#text']), params);
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'connected', agentId: 'ana', protocol });
    h.tick(60);
    await h.post(local(second.action), customer({ DialCallStatus: 'completed', DialCallSid: anaAgain, DialBridged: 'true', DialCallDuration: '60', CallStatus: 'completed' }));
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'ended', outcome: 'answered', protocol });
    expect(h.atende.engine.core.agent('ana')!.status).toBe('wrap-up');
  });

  it('dropped with another number given: that number is called back', async () => {
    const h = await harness();
    const { call } = await answeredBy(h, 'ana', '+5511987650001');
    const marked = await h.api('POST', `/api/calls/${call.sid}/dropped`, { number: '+5521955554444' });
    expect(marked.status, JSON.stringify(marked.json)).toBe(200);
    h.tick(h.settings.wrapUpSeconds);
    await h.atende.idle();
    const { leg } = await anaPicksUp(h, 1);
    expect(leg.body).toMatch(/<Number [^>]*>\+5521955554444<\/Number>/);
  });

  it('a callback call escalated by its agent keeps its protocol: the customer\'s leg goes back to a queue and on to an N2 agent', async () => {
    const h = await harness();
    const { call } = await answeredBy(h, 'ana', '+5511987650001');
    const protocol = h.atende.engine.core.call(call.sid)!.protocol!;
    await h.api('POST', `/api/calls/${call.sid}/dropped`, {});
    h.tick(h.settings.wrapUpSeconds);
    await h.atende.idle();
    const { placed, agentLeg, leg } = await anaPicksUp(h, 1);
    // The customer answers on their own leg (a child of ana's): reached.
    const customerLeg = newSid('CA');
    await h.post(local(leg.twiml!.Dial[0].Number[0].url), { ...callParams(customerLeg, CENTER), To: '+5511987650001', Direction: 'outbound-dial', ParentCallSid: placed.callSid });
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'connected', agentId: 'ana', callback: { reached: true } });

    // Ana escalates to N2: Atende moves the customer's leg (not the long-gone caller leg) back to a queue.
    expect(await escalateToN2(h, call.sid)).toEqual([[customerLeg, '/twilio/queue/reenter?lang=pt-BR']]);
    // Ana's Dial ends (the customer left it): nothing more on her leg.
    const anaDone = await h.post(local(leg.twiml!.Dial[0].action), { ...agentLeg, DialCallStatus: 'completed', DialCallDuration: '30' });
    expect(anaDone.twiml!.Dial).toBeUndefined();
    const customer = (extra: Record<string, string> = {}) => ({ ...callParams(customerLeg, CENTER), To: '+5511987650001', Direction: 'outbound-dial', ...extra });
    const back = await h.post('/twilio/queue/reenter?lang=pt-BR', customer());
    expect(back.twiml!.Enqueue?.[0]['#text'], back.body).toBe('suporte');
    const queueSid = newSid('QU');
    await h.post(local(back.twiml!.Enqueue[0].waitUrl), customer({ QueueSid: queueSid, QueuePosition: '1', QueueTime: '0' }));
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'queued', level: 2, protocol });

    // Felipe (N2, on a phone number) comes: the customer's leg is dequeued to him; his whisper tells the protocol.
    const before = h.rest.dequeues().length;
    await login(h, 'felipe');
    await h.atende.idle();
    const dq = h.rest.dequeues().slice(before);
    expect(dq.map((d) => [d.queueSid, d.callSid])).toEqual([[queueSid, customerLeg]]);
    const connected = await h.post(local(dq[0].url), customer());
    const dial = connected.twiml!.Dial[0];
    expect(dial.Number[0]['#text']).toBe(5511987654321); // the XML parser reads +5511987654321 as a number
    const felipeLeg = newSid('CA');
    const heard = await h.post(local(dial.Number[0].url), { ...agentLegParams({ sid: customerLeg } as Call, felipeLeg), To: '+5511987654321' });
    const text = saysOf(heard.twiml!).join(' ');
    expect(text).toContain('Escalada para N2. Segunda via.');
    expect(text).toContain(`Protocolo ${grouped(protocol)}.`);
    // He accepts with a key: answered, the same call and protocol.
    await h.post(local(heard.twiml!.Gather[0].action), { ...agentLegParams({ sid: customerLeg } as Call, felipeLeg), Digits: '1' });
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'connected', agentId: 'felipe', protocol, escalations: 1 });
  });
});
