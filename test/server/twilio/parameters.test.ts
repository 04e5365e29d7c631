// Twilio's parameters are Twilio's business (issue 13, defect 1): every webhook takes
// the parameter set Twilio documents for it (test/fixtures/twilio/*.json, posted
// signed), Add-on results and STIR/SHAKEN tokens of any size up to the body limit, a
// repeated key signed as Twilio signs arrays, and enum values Atende does not know
// yet (logged with the CallSid, handled by the safest rule), never a 400 for them.
import { Writable } from 'node:stream';
import pino from 'pino';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { ACCOUNT_SID, AUTH_TOKEN, local, newSid, PUBLIC_URL, parseTwiml, type TwimlNode } from '../../helpers/twilio.ts';
import { twilioParams, WEBHOOK_NAMES, type WebhookName } from '../../fixtures/twilio/fixtures.ts';
import { harness, login } from './call-steps.ts';

type Params = Record<string, string | string[]>;

/** Form-encodes as Twilio posts: a repeated key once per value. */
function form(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) q.append(k, x);
  return q.toString();
}

/** Posts as Twilio does: X-Twilio-Signature over PUBLIC_URL + url and the params (arrays as twilio.md §3 says). */
async function post(app: TestApp, url: string, params: Params, signAs: Params = params) {
  const res = await app.app.inject({
    method: 'POST', url, payload: form(params),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + url, signAs) },
  });
  const xml = String(res.headers['content-type'] ?? '').startsWith('text/xml');
  return { status: res.statusCode, body: res.body, twiml: xml ? parseTwiml(res.body) : null };
}

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
});

async function appWithLog(): Promise<{ app: TestApp; log: () => Record<string, unknown>[] }> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const app = await buildTestApp({ logger: pino({ level: 'warn' }, sink), twilio: { publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, rest: null } });
  apps.push(app);
  return { app, log: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The fixture of a webhook with this call's own values. */
const params = (name: WebhookName, sid: string, over: Record<string, string> = {}) => twilioParams(name, { AccountSid: ACCOUNT_SID, CallSid: sid, ...over });

/** Voice URL, then the language and the Suporte › Internet menu: the caller is queued. */
async function intoQueue(app: TestApp, sid: string): Promise<TwimlNode> {
  let res = await post(app, '/twilio/voice', params('voice', sid));
  expect(res.status, res.body).toBe(200);
  for (const digit of ['1', '1', '1']) {
    res = await post(app, local(res.twiml!.Gather[0].action), params('ivr', sid, { Digits: digit }));
    expect(res.status, res.body).toBe(200);
  }
  expect(res.twiml!.Enqueue, res.body).toBeDefined();
  return res.twiml!.Enqueue[0];
}

describe("Twilio's documented parameter sets", () => {
  it('one fixture per webhook, each from Twilio\'s documentation, with the fields the issue names', () => {
    expect(WEBHOOK_NAMES).toHaveLength(12);
    const voice = twilioParams('voice');
    for (const f of ['FromCity', 'FromState', 'FromZip', 'FromCountry', 'ToCountry', 'CallerCountry', 'CalledCountry', 'StirVerstat']) expect(voice).toHaveProperty(f);
    expect(voice.CallToken.length).toBeGreaterThan(2048);
    expect(voice.AddOns.length).toBeGreaterThan(2048);
    expect(JSON.parse(voice.AddOns)).toMatchObject({ status: 'successful', results: expect.any(Object) });
    expect(twilioParams('agent-whisper')).toHaveProperty('ParentCallSid');
    for (const name of ['status', 'agent-status'] as const) {
      expect(twilioParams(name)).toMatchObject({ SequenceNumber: expect.any(String), Timestamp: expect.any(String), CallbackSource: 'call-progress-events' });
    }
    expect(twilioParams('fallback')).toMatchObject({ ErrorCode: '11200', ErrorUrl: expect.stringContaining('/twilio/voice') });
  });

  it('a whole call through every webhook, each posted with its documented parameter set, signed: 200 all the way, figures exact', async () => {
    const h = await harness();
    await login(h, 'ana');
    const sid = newSid('CA');
    const p = (name: WebhookName, over: Record<string, string> = {}) => twilioParams(name, { AccountSid: ACCOUNT_SID, CallSid: sid, ...over });
    let res = await h.post('/twilio/voice', p('voice'));
    expect(res.status, res.body).toBe(200);
    for (const digit of ['1', '1', '1']) res = await h.post(local(res.twiml!.Gather[0].action), p('ivr', { Digits: digit }));
    const enqueue = res.twiml!.Enqueue[0];
    const queueSid = newSid('QU');
    h.tick(2);
    expect((await h.post(local(enqueue.waitUrl), p('queue-wait', { QueueSid: queueSid, QueuePosition: '1', QueueTime: '2' }))).status).toBe(200);
    await h.atende.idle();
    expect((await h.post(local(enqueue.action), p('queue-exit', { QueueSid: queueSid, QueueTime: '2' }))).status).toBe(200);
    const dq = h.rest.dequeues().at(-1)!;
    res = await h.post(local(dq.url), p('agent-connect'));
    const dial = res.twiml!.Dial[0];
    const noun = (dial.Client ?? dial.Number)[0];
    const agentLeg = newSid('CA');
    const leg = (name: WebhookName, over: Record<string, string> = {}) => twilioParams(name, { AccountSid: ACCOUNT_SID, CallSid: agentLeg, ParentCallSid: sid, To: 'client:ana', Called: 'client:ana', ...over });
    h.tick(3);
    expect((await h.post(local(noun.statusCallback), leg('agent-status'))).status).toBe(200);
    // The whisper as Twilio runs it on the agent's leg: its redirects followed, a key pressed where asked.
    let whisper = await h.post(local(noun.url), leg('agent-whisper'));
    for (let hops = 0; hops < 5; hops++) {
      expect(whisper.status, whisper.body).toBe(200);
      const next = whisper.twiml!.Redirect?.[0]?.['#text'] ?? whisper.twiml!.Gather?.[0]?.action;
      if (!next) break;
      whisper = await h.post(local(next), leg('agent-whisper', whisper.twiml!.Gather ? { Digits: '1' } : {}));
    }
    h.tick(60);
    res = await h.post(local(dial.action), p('dial-done', { DialCallSid: agentLeg, DialCallDuration: '60' }));
    expect(res.status, res.body).toBe(200);
    res = await h.post(local(res.twiml!.Gather[0].action), p('survey', { Digits: '10' }));
    res = await h.post(local(res.twiml!.Gather[0].action), p('survey', { Digits: '5' }));
    expect(res.twiml!.Hangup).toBeDefined();
    expect((await h.post('/twilio/status', p('status'))).status).toBe(200);

    const snap = await h.snapshot();
    expect(snap.center.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0, asaSeconds: 5 });
    expect(snap.center.nps).toMatchObject({ responses: 1, score: 100 });
    expect(h.atende.storage.records.getCall(sid)).toMatchObject({ outcome: 'answered', agentId: 'ana', twilioQueueSid: queueSid, surveyNps: 10, surveyCsat: 5 });

    // The REST redirect back to a queue, and the fallback URL, with their documented sets too.
    const other = newSid('CA');
    expect((await h.post('/twilio/fallback', twilioParams('fallback', { AccountSid: ACCOUNT_SID, CallSid: other }))).twiml!.Gather).toBeDefined();
    const back = await h.post('/twilio/queue/reenter?lang=pt-BR', twilioParams('queue-reenter', { AccountSid: ACCOUNT_SID, CallSid: other }));
    expect(back.status).toBe(200);
  });
});

describe('parameters Atende does not read', () => {
  it('AddOns of 2.2 KB and a CallToken of 2,600 characters on /twilio/voice: 200 and the call is recorded', async () => {
    const { app } = await appWithLog();
    const sid = newSid('CA');
    const res = await post(app, '/twilio/voice', params('voice', sid));
    expect(res.status, res.body).toBe(200);
    expect(res.twiml!.Gather).toBeDefined();
    expect(app.engine.core.call(sid)?.status).toBe('ivr');
  });

  it('Add-on results of 60 KB fit the incoming call\'s limit (256 KiB); any step takes a long CallToken', async () => {
    const { app } = await appWithLog();
    const sid = newSid('CA');
    const addOns = JSON.stringify({ status: 'successful', results: { big: { status: 'successful', result: { data: 'x'.repeat(60 * 1024) } } } });
    const res = await post(app, '/twilio/voice', params('voice', sid, { AddOns: addOns }));
    expect(res.status, res.body.slice(0, 200)).toBe(200);
    const fallback = await post(app, '/twilio/fallback', params('fallback', newSid('CA'), { AddOns: addOns }));
    expect(fallback.status).toBe(200);
    const ivr = await post(app, local(res.twiml!.Gather[0].action), params('ivr', sid, { Digits: '1', CallToken: 'T'.repeat(8000) }));
    expect(ivr.status).toBe(200);
  });

  it('a repeated key (X=1&X=2) is accepted when signed as Twilio signs arrays, and refused when signed otherwise', async () => {
    const { app } = await appWithLog();
    const sid = newSid('CA');
    const body = { ...params('voice', sid), FutureParam: ['b', 'a'] };
    const ok = await post(app, '/twilio/voice', body);
    expect(ok.status, ok.body).toBe(200);
    expect(app.engine.core.call(sid)?.status).toBe('ivr');
    // The signature covers both values: signed over one of them only, it is a forgery.
    const other = newSid('CA');
    const forged = await post(app, '/twilio/voice', { ...params('voice', other), FutureParam: ['b', 'a'] }, { ...params('voice', other), FutureParam: 'b' });
    expect(forged.status).toBe(403);
  });
});

describe('enum values Atende does not know yet', () => {
  it('an unknown QueueResult: 200, the queue stay ends as "left" (the caller back in its queue), logged with the CallSid', async () => {
    const { app, log } = await appWithLog();
    const sid = newSid('CA');
    const enqueue = await intoQueue(app, sid);
    const res = await post(app, local(enqueue.action), params('queue-exit', sid, { QueueResult: 'moved-to-another-region', QueueSid: newSid('QU') }));
    expect(res.status, res.body).toBe(200);
    // Still waiting in the core: put back into its Twilio queue, not abandoned.
    expect(res.twiml!.Enqueue[0]['#text']).toBe('suporte');
    expect(app.engine.core.call(sid)?.status).toBe('queued');
    expect(log()).toContainEqual(expect.objectContaining({ level: 40, callSid: sid, field: 'QueueResult', value: 'moved-to-another-region' }));
  });

  it('an unknown CallStatus is not the end, unless the callback says so in Twilio\'s own words (CallDuration, StatusCallbackEvent=completed)', async () => {
    const { app, log } = await appWithLog();
    const a = newSid('CA'), b = newSid('CA'), c = newSid('CA');
    for (const sid of [a, b, c]) await intoQueue(app, sid);
    const status = (sid: string, over: Record<string, string>) => {
      const p = params('status', sid, { CallStatus: 'on-hold-elsewhere', ...over });
      delete p.CallDuration;
      delete p.Duration;
      return post(app, '/twilio/status', { ...p, ...over });
    };
    expect((await status(a, {})).status).toBe(200);
    expect(app.engine.core.call(a)?.status).toBe('queued');
    expect((await status(b, { CallDuration: '40' })).status).toBe(200);
    expect(app.engine.core.call(b)?.status).toBe('ended');
    expect((await status(c, { StatusCallbackEvent: 'completed' })).status).toBe(200);
    expect(app.engine.core.call(c)?.status).toBe('ended');
    // Any other webhook takes it too.
    const ivr = await post(app, '/twilio/ivr?step=language', params('ivr', newSid('CA'), { CallStatus: 'on-hold-elsewhere' }));
    expect(ivr.status).toBe(200);
    expect(log()).toContainEqual(expect.objectContaining({ level: 40, callSid: a, field: 'CallStatus', value: 'on-hold-elsewhere' }));
  });
});
