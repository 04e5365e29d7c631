// Whole calls through the Twilio webhooks: signed requests, TwiML parsed as XML,
// the REST dequeue recorded by a local stand-in, snapshot figures asserted exactly.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SID, AUTH_TOKEN, callParams, local, newSid, PUBLIC_URL, RestStandIn, saysOf, testSettings, type TwimlNode } from '../../helpers/twilio.ts';
import { agentOf, type Call, callIntoQueue, connect, dialDone, harness, holdOnce, login, whisper } from './call-steps.ts';

describe('Twilio edge: whole calls', () => {
  it('IVR to queue, routed, answered within the threshold, survey, figures exact', async () => {
    const h = await harness();
    await login(h, 'ana');
    const sid = newSid('CA');
    const from = '+5511987650001';

    // Language menu first, each language announced in its own voice.
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    expect(res.status).toBe(200);
    expect(res.twiml!.Gather[0].numDigits).toBe('1');
    expect(saysOf(res.twiml!)).toContain('Para português, tecle 1');
    expect(res.twiml!.Gather[0].Say.map((s: TwimlNode) => s.language)).toEqual(expect.arrayContaining(['pt-BR', 'en-US', 'es-ES']));

    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    expect(res.twiml!.Gather[0].action).toContain('menu=');
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' })); // Suporte
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' })); // internet
    const enqueue = res.twiml!.Enqueue[0];
    expect(enqueue['#text']).toBe('suporte');
    expect(enqueue.waitUrl).toMatch(new RegExp(`^${PUBLIC_URL}/twilio/queue/wait`));
    expect(enqueue.action).toMatch(new RegExp(`^${PUBLIC_URL}/twilio/queue/exit`));
    const call: Call = { sid, from, lang: 'pt-BR', enqueue, queueSid: '' };

    // Ana is free: the core offers at once; the dequeue waits for the QueueSid.
    expect(h.rest.requests).toHaveLength(0);
    h.tick(1);
    const wait = await holdOnce(h, call);
    expect(wait.twiml!.Pause).toBeDefined();
    expect(h.rest.dequeues()).toHaveLength(1);
    const dq = h.rest.dequeues()[0];
    expect(dq.queueSid).toBe(call.queueSid);
    expect(dq.callSid).toBe(sid);
    expect(dq.method).toBe('POST');
    expect(dq.auth).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);

    // The redirect also reaches the Enqueue action: an offer, not an abandon.
    const exit = await h.post(local(enqueue.action), callParams(sid, from, { QueueResult: 'redirected', QueueSid: call.queueSid, QueueTime: '1' }));
    expect(exit.status).toBe(200);

    const { dial, agentLeg } = await connect(h, call, 'ana');
    expect(dial.timeout).toBe('20');
    expect(dial.Client[0]['#text']).toBe('ana');
    expect(dial.Client[0].statusCallbackEvent).toBe('ringing answered completed');
    expect(dial.action).toContain('/twilio/dial/done');

    h.tick(7); // 8 s after queuing
    const w = await whisper(h, call, dial, agentLeg);
    expect(saysOf(w.twiml!).join(' ')).toContain('Suporte');
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'on-call', callId: sid });

    h.tick(120);
    const done = await dialDone(h, call, dial, agentLeg, 'completed', { DialCallDuration: '120' });
    // The agent hung up, the caller is still there: the survey starts.
    expect(done.twiml!.Gather[0].action).toContain('step=nps');
    const csat = await h.post(local(done.twiml!.Gather[0].action), callParams(sid, from, { Digits: '9' }));
    expect(csat.twiml!.Gather[0].action).toContain('step=csat');
    const bye = await h.post(local(csat.twiml!.Gather[0].action), callParams(sid, from, { Digits: '5' }));
    expect(bye.twiml!.Hangup).toBeDefined();
    await h.post('/twilio/status', callParams(sid, from, { CallStatus: 'completed', CallDuration: '140', SequenceNumber: '0' }));

    h.tick(30); // wrap-up (30 s) ends
    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({
      offered: 1, answered: 1, abandoned: 0, answeredWithinThreshold: 1, serviceLevel: 1, asaSeconds: 8, tmaSeconds: 150, abandonRate: 0,
    });
    expect(snap.center.nps).toMatchObject({ score: 100, responses: 1 });
    expect(snap.center.csat).toMatchObject({ responses: 1 });
    expect(snap.queues.find((q) => q.id === 'suporte')!.today).toMatchObject({ offered: 1, answered: 1 });
    expect(snap.agents.find((a) => a.id === 'ana')!.state).toBe('available');

    const cdr = h.atende.storage.records.getCall(sid)!;
    expect(cdr).toMatchObject({ queue: 'suporte', agentId: 'ana', outcome: 'answered', ivrPath: ['1', '1'], language: 'pt-BR', surveyNps: 9, surveyCsat: 5, twilioQueueSid: call.queueSid });
    expect(cdr.answeredAt! - cdr.queuedAt!).toBe(8000);
    expect(h.atende.storage.records.offersFor(sid)).toEqual([expect.objectContaining({ agentId: 'ana', result: 'answered' })]);
  });

  it('answered late: an agent logs in after 30 s, the call misses the 20 s threshold', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '2']); // language pt, Vendas
    await holdOnce(h, call);
    expect((await h.snapshot()).center.waiting).toBe(1);
    h.tick(30);
    const waiting = await holdOnce(h, call, 30);
    expect(saysOf(waiting.twiml!).join(' ')).toMatch(/1/); // position announcement
    await login(h, 'diego');
    await h.atende.idle();
    const { dial, agentLeg } = await connect(h, call, 'diego');
    h.tick(5);
    await whisper(h, call, dial, agentLeg);
    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, answeredWithinThreshold: 0, serviceLevel: 0, asaSeconds: 35 });
  });

  it('abandoned in queue counts once; abandoned in the IVR is not an offered call', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['3', '3']); // español, Financeiro
    expect(call.lang).toBe('es');
    await holdOnce(h, call);
    h.tick(40);
    const exit = await h.post(local(call.enqueue.action), callParams(call.sid, call.from, { CallStatus: 'completed', QueueResult: 'hangup', QueueSid: call.queueSid, QueueTime: '40' }));
    expect(exit.status).toBe(200);
    await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', SequenceNumber: '0' }));

    const ivrSid = newSid('CA');
    await h.post('/twilio/voice', callParams(ivrSid, '+5511911112222', { CallStatus: 'ringing' }));
    h.tick(3);
    await h.post('/twilio/status', callParams(ivrSid, '+5511911112222', { CallStatus: 'completed', SequenceNumber: '0' }));

    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 0, abandoned: 1, abandonRate: 1 });
    expect(snap.center.waiting).toBe(0);
    expect(snap.queues.find((q) => q.id === 'financeiro')!.today).toMatchObject({ abandoned: 1 });
    expect(h.atende.storage.records.getCall(ivrSid)).toMatchObject({ outcome: 'ended-in-ivr' });
    expect(h.atende.storage.records.getCall(call.sid)).toMatchObject({ outcome: 'abandoned' });
  });

  it('ring-no-answer: the caller goes to the next agent keeping the original wait; the first goes away (no-answer)', async () => {
    const h = await harness();
    await login(h, 'ana');
    h.tick(1);
    await login(h, 'bruno');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const first = await connect(h, call, 'ana'); // longest idle
    h.tick(20);
    const missed = await dialDone(h, call, first.dial, first.agentLeg, 'no-answer');
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'away', reason: 'no-answer' });
    // Re-offered at once to Bruno: the caller is sent straight to him.
    const redirect = missed.twiml!.Redirect?.[0];
    expect(redirect, missed.body).toBeDefined();
    expect(redirect['#text']).toContain('agent=bruno');
    const res = await h.post(local(redirect['#text']), callParams(call.sid, call.from));
    const dial = res.twiml!.Dial[0];
    expect(dial.Client[0]['#text']).toBe('bruno');
    h.tick(4);
    await whisper(h, call, dial, newSid('CA'));
    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, answeredWithinThreshold: 0, asaSeconds: 24 });
    expect(h.atende.storage.records.offersFor(call.sid).map((o) => [o.agentId, o.result])).toEqual([['ana', 'no-answer'], ['bruno', 'answered']]);
  });

  it('ring-no-answer with nobody else free: the caller is put back into the Twilio queue', async () => {
    const h = await harness();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const first = await connect(h, call, 'ana');
    h.tick(20);
    const missed = await dialDone(h, call, first.dial, first.agentLeg, 'busy');
    expect(missed.twiml!.Enqueue[0]['#text']).toBe('suporte');
    expect((await h.snapshot()).center.waiting).toBe(1);
  });

  it('escalation: N1 escalates to N2, the caller is moved back and reaches an N2 agent with the note', async () => {
    const h = await harness();
    await login(h, 'ana'); // N1
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const a = await connect(h, call, 'ana');
    h.tick(5);
    await whisper(h, call, a.dial, a.agentLeg);
    h.tick(60);
    await login(h, 'carla'); // N2
    const esc = await h.api('POST', `/api/calls/${call.sid}/escalate`, { toLevel: 2, note: 'Modem não sincroniza' });
    expect(esc.status).toBe(200);
    await h.atende.idle();
    const redirect = h.rest.requests.find((r) => r.kind === 'redirect');
    expect(redirect?.callSid).toBe(call.sid);
    const back = await h.post(local(redirect!.url), callParams(call.sid, call.from));
    const to = back.twiml!.Redirect[0]['#text'];
    expect(to).toContain('agent=carla');
    const res = await h.post(local(to), callParams(call.sid, call.from));
    const dial = res.twiml!.Dial[0];
    const w = await whisper(h, call, dial, newSid('CA'));
    expect(saysOf(w.twiml!).join(' ')).toContain('Modem não sincroniza');
    // The Dial to Ana ends too: its action must not hang up on the escalated caller.
    const late = await dialDone(h, call, a.dial, a.agentLeg, 'completed', { DialCallDuration: '60' });
    expect(late.twiml!.Hangup).toBeUndefined();
    expect(late.twiml!.Gather).toBeUndefined();
    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1 }); // answered once for the service level
    expect(await agentOf(h, 'carla')).toMatchObject({ state: 'on-call', callId: call.sid });
  });

  it('a dequeue that fails is retried; when every try fails the call waits again and the agent is not blamed', async () => {
    const h = await harness();
    await login(h, 'ana');
    h.rest.failNext(2);
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    expect(h.rest.dequeues()).toHaveLength(3);
    expect((await h.snapshot()).waitingCalls).toEqual([expect.objectContaining({ callId: call.sid, ringing: true })]);

    const h2 = await harness();
    await login(h2, 'ana');
    h2.rest.failNext(10);
    const c2 = await callIntoQueue(h2, ['1', '1', '1']);
    await holdOnce(h2, c2);
    expect(h2.rest.dequeues()).toHaveLength(4); // 1 + 3 retries
    expect(await agentOf(h2, 'ana')).toMatchObject({ state: 'available', reason: null });
    const snap = await h2.snapshot();
    expect(snap.center.waiting).toBe(1);
    expect(snap.waitingCalls.map((c) => c.callId)).toEqual([c2.sid]);
  });
});

describe('Twilio edge: Twilio habits', () => {
  it('duplicate and reordered callbacks are applied once and never move a call backwards', async () => {
    const h = await harness();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const { dial, agentLeg } = await connect(h, call, 'ana');
    const statusUrl = local(dial.Client[0].statusCallback);
    const agentStatus = (status: string, seq: string) => h.post(statusUrl, {
      ...callParams(agentLeg, call.from), Direction: 'outbound-dial', ParentCallSid: call.sid,
      CallStatus: status, StatusCallbackEvent: status === 'in-progress' ? 'answered' : status, SequenceNumber: seq, CallbackSource: 'call-progress-events',
    });
    h.tick(3);
    await agentStatus('in-progress', '1'); // picked up: "answered", but the caller is not connected yet
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'ringing' });
    h.tick(2);
    await whisper(h, call, dial, agentLeg); // the whisper ends: the bridge, the answer time
    await agentStatus('ringing', '0'); // late "ringing" cannot un-answer
    await agentStatus('in-progress', '1'); // duplicate
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'on-call' });
    let snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ answered: 1, asaSeconds: 5 });

    h.tick(60);
    const done = () => dialDone(h, call, dial, agentLeg, 'completed', { DialCallDuration: '60', CallStatus: 'completed' });
    await done();
    await done(); // retried
    await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', SequenceNumber: '0' }));
    await agentStatus('in-progress', '1'); // very late answered after the end
    snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'wrap-up' });
    const types = h.atende.storage.db.prepare('SELECT type, COUNT(*) AS n FROM events WHERE call_id = ? GROUP BY type').all(call.sid) as { type: string; n: number }[];
    expect(Object.fromEntries(types.map((r) => [r.type, r.n]))).toEqual({
      'call.arrived': 1, 'call.ivr': 1, 'call.queued': 1, 'call.answered': 1, 'call.ended': 1,
    });
  });

  it('a retried request with the same I-Twilio-Idempotency-Token gets the same TwiML and changes nothing more', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const p = callParams(sid, '+5511987650009', { CallStatus: 'ringing' });
    const a = await h.post('/twilio/voice', p, { 'i-twilio-idempotency-token': 'tok-1' });
    const b = await h.post('/twilio/voice', p, { 'i-twilio-idempotency-token': 'tok-1' });
    expect(b.body).toBe(a.body);
    expect(h.atende.storage.events.count()).toBe(1);
  });

  it('forged or missing signatures get 403 and leave no trace', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const params = callParams(sid, '+5511987650003', { CallStatus: 'ringing' });
    const body = new URLSearchParams(params).toString();
    const inject = (headers: Record<string, string>, url = '/twilio/voice') => h.atende.app.inject({
      method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: body,
    });
    const twilioSdk = (await import('twilio')).default;
    const cases: [string, Record<string, string>, string?][] = [
      ['no signature', {}],
      ['wrong token', { 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature('not-the-token', PUBLIC_URL + '/twilio/voice', params) }],
      ['signed for another URL', { 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/twilio/ivr', params) }],
      ['signed for other params', { 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + '/twilio/voice', { ...params, From: '+5511000000000' }) }],
      ['garbage', { 'x-twilio-signature': 'abc' }],
    ];
    for (const [name, headers] of cases) {
      const res = await inject(headers);
      expect(res.statusCode, name).toBe(403);
      expect(res.json(), name).toMatchObject({ statusCode: 403, code: 'ATENDE_ERR_BAD_SIGNATURE', error: 'Forbidden' });
    }
    expect(h.atende.storage.events.count()).toBe(0);
    expect(h.atende.storage.records.getCall(sid)).toBeNull();
    expect(h.atende.engine.core.call(sid)).toBeNull();
  });

  it('bad input: 400 with the reason after the signature check; unknown calls get harmless TwiML; bodies over the limit 413', async () => {
    const h = await harness();
    const noSid = await h.post('/twilio/voice', { From: '+5511987650004', AccountSid: ACCOUNT_SID });
    expect(noSid.status).toBe(400);
    expect(noSid.body).toContain('CallSid');
    const badSid = await h.post('/twilio/voice', { CallSid: 'CA123', From: '+5511987650004' });
    expect(badSid.status).toBe(400);
    // A value Twilio may add is accepted (parameters.test.ts); what no Twilio enum could be is refused.
    const badResult = await h.post('/twilio/queue/exit', callParams(newSid('CA'), '+5511987650004', { QueueResult: '<exploded>' }));
    expect(badResult.status).toBe(400);
    expect(badResult.body).toContain('QueueResult');

    for (const [url, extra] of [
      ['/twilio/queue/exit?lang=pt-BR', { QueueResult: 'hangup', QueueSid: newSid('QU'), QueueTime: '3' }],
      ['/twilio/queue/wait?lang=pt-BR', { QueueSid: newSid('QU') }],
      ['/twilio/dial/done?agent=ana&lang=pt-BR', { DialCallStatus: 'no-answer' }],
      ['/twilio/agent/connect?agent=ana&lang=pt-BR', {}],
      ['/twilio/status', { CallStatus: 'completed' }],
    ] as [string, Record<string, string>][]) {
      const res = await h.post(url, callParams(newSid('CA'), '+5511987650004', extra));
      expect(res.status, url).toBe(200);
      expect(res.twiml, url).not.toBeNull();
    }
    const agentMissing = await h.post('/twilio/dial/done?lang=pt-BR', callParams(newSid('CA'), '+5511987650004', { DialCallStatus: 'no-answer' }));
    expect(agentMissing.status).toBe(400);

    // 256 KiB on the incoming call (Add-ons), 32 KiB on every other webhook.
    const huge = await h.post('/twilio/voice', callParams(newSid('CA'), '+5511987650004', { Junk: 'x'.repeat(300_000) }));
    expect(huge.status).toBe(413);
    const big = await h.post('/twilio/ivr', callParams(newSid('CA'), '+5511987650004', { Junk: 'x'.repeat(40_000) }));
    expect(big.status).toBe(413);
    expect(h.atende.storage.events.count()).toBe(0);
  });

  it('invalid or no menu input repeats the menu, then the configured default queue', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const from = '+5511987650005';
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    const menu = res.twiml!.Gather[0].action;
    res = await h.post(local(menu), callParams(sid, from, { Digits: '7' }));
    expect(saysOf(res.twiml!)[0]).toBe(h.settings.ivr.invalidInput['pt-BR']);
    // Silence: Gather falls through to the Redirect.
    res = await h.post(local(res.twiml!.Redirect[0]['#text']), callParams(sid, from));
    expect(res.twiml!.Enqueue[0]['#text']).toBe(h.settings.ivr.defaultQueue);
  });

  it('outage option puts the caller in tier 1 with its reason; a VIP too', async () => {
    const h = await harness();
    const outage = await callIntoQueue(h, ['1', '1', '9'], '+5511987650006');
    const vip = await callIntoQueue(h, ['1', '2'], h.settings.priority.vipNumbers[0]);
    const plain = await callIntoQueue(h, ['1', '2'], '+5511987650007');
    const snap = await h.snapshot();
    const byId = Object.fromEntries(snap.waitingCalls.map((c) => [c.callId, c]));
    expect(byId[outage.sid]).toMatchObject({ tier: 1, reason: { kind: 'urgency' } });
    expect(byId[vip.sid]).toMatchObject({ tier: 1, reason: { kind: 'vip' } });
    expect(byId[plain.sid].tier).toBe(3);
    expect(snap.center.waitingByTier).toEqual([2, 0, 1]);
  });

  it('restart in the middle of a queue: waiting calls keep their wait, agents their states, the snapshot is the same', async () => {
    const rest = new RestStandIn();
    const h = await harness({ rest });
    await login(h, 'bruno', 'away', 'almoço');
    const c1 = await callIntoQueue(h, ['1', '1', '1']);
    h.tick(5);
    const c2 = await callIntoQueue(h, ['1', '2'], '+5511987650008');
    h.tick(10);
    const before = await h.snapshot();
    await h.restart();
    expect(h.atende.replayed.refused).toBe(0);
    const after = await h.snapshot();
    expect(after).toEqual(before);
    expect(after.center.waiting).toBe(2);
    expect(after.center.longestWaitSeconds).toBe(15);
    expect(after.agents.find((a) => a.id === 'bruno')).toMatchObject({ state: 'away', reason: 'almoço' });

    // Routing carries on after the restart: the oldest caller goes first.
    await login(h, 'ana');
    await holdOnce(h, c1);
    await holdOnce(h, c2);
    expect(h.rest.dequeues().map((r) => r.callSid)).toEqual([c1.sid]);
  });

  it('TwiML only where a caller can be: overflow when the queue is full says the message and hangs up', async () => {
    const settings = testSettings((s) => { s.queues.find((q) => q.id === 'vendas')!.maxWaiting = 1; });
    const h = await harness({ settings });
    await callIntoQueue(h, ['1', '2']);
    const sid = newSid('CA');
    let res = await h.post('/twilio/voice', callParams(sid, '+5511987650010', { CallStatus: 'ringing' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, '+5511987650010', { Digits: '1' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, '+5511987650010', { Digits: '2' }));
    expect(res.twiml!.Enqueue).toBeUndefined();
    expect(saysOf(res.twiml!)).toContain(settings.ivr.overflowMessage['pt-BR']);
    expect(res.twiml!.Hangup).toBeDefined();
  });
});
