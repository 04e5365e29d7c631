// A 503 does not make Twilio retry (issue 13, defect 2): by default Twilio retries
// only a failed connection and ignores Retry-After; on a 5xx the caller hears an
// application error, and a status callback answered 5xx is lost. So when the event
// log cannot take an event, a TwiML webhook holds the caller and redirects to the
// very step with what the caller had entered; a status callback is answered 200 and
// the call is read back from Twilio's Calls resource (reconciliation), as is any call
// Atende believes under way but has not heard of for too long; the number's Voice
// fallback URL keeps the caller and tries entry again.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, saysOf, type Harness } from '../../helpers/twilio.ts';
import { twilioParams } from '../../fixtures/twilio/fixtures.ts';
import { callIntoQueue, harness, holdOnce } from './call-steps.ts';

/** The disk is full: every append to the event log fails, as SQLite's SQLITE_FULL would. */
function fillDisk(h: Harness): () => void {
  h.atende.storage.db.exec("CREATE TRIGGER disk_full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  return () => h.atende.storage.db.exec('DROP TRIGGER disk_full');
}

/** RFC 2822, as Twilio's JSON gives start_time and end_time. */
const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

const endedEvent = (h: Harness, sid: string) =>
  h.atende.storage.db.prepare('SELECT type, at, source FROM events WHERE id = ?').get(`${sid}:ended`) as { type: string; at: number; source: string } | undefined;

describe('the event log cannot take a TwiML step: the caller is held and the step is tried again', () => {
  it('the Digits the caller pressed travel in the redirect; once the log takes events again the step carries on as if just pressed', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const from = '+5511987650201';
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' })); // português
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' })); // Suporte
    const lastMenu = local(res.twiml!.Gather[0].action);

    const freeDisk = fillDisk(h);
    const held = await h.post(lastMenu, callParams(sid, from, { Digits: '1' })); // Internet: would enqueue
    expect(held.status, held.body).toBe(200);
    expect(saysOf(held.twiml!)).toEqual(['Um momento, por favor.']);
    expect(held.twiml!.Pause[0].length).toBe('3');
    const again = new URL(held.twiml!.Redirect[0]['#text']);
    expect(again.pathname).toBe('/twilio/ivr');
    expect(Object.fromEntries(again.searchParams)).toMatchObject({ Digits: '1', held: '1', lang: 'pt-BR' });
    expect(again.hash).toBe(''); // never a fragment: Twilio would not sign it
    expect(h.atende.engine.core.call(sid)?.status).toBe('ivr'); // nothing half-applied

    // Still full: held again, the count goes up, the message is not repeated every time.
    const twice = await h.post(local(again.href), callParams(sid, from));
    expect(new URL(twice.twiml!.Redirect[0]['#text']).searchParams.get('held')).toBe('2');
    expect(saysOf(twice.twiml!)).toEqual([]);

    freeDisk();
    // A <Redirect> posts the standard parameters only: the Digits come from the query.
    const on = await h.post(local(twice.twiml!.Redirect[0]['#text']), callParams(sid, from));
    expect(on.status).toBe(200);
    expect(on.twiml!.Enqueue[0]['#text']).toBe('suporte');
    expect(h.atende.engine.core.call(sid)).toMatchObject({ status: 'queued', queue: 'suporte' });
    expect(h.atende.storage.records.getCall(sid)).toMatchObject({ ivrPath: ['1', '1'] });
  });

  it('a step\'s own parameters (QueueResult, QueueSid…) travel too, and the redirect\'s query is signed like any URL Atende hands out', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '2']); // Vendas
    await holdOnce(h, call);
    const freeDisk = fillDisk(h);
    const exit = await h.post(local(call.enqueue.action), callParams(call.sid, call.from, { QueueResult: 'queue-full', QueueSid: call.queueSid, QueueTime: '4' }));
    const to = new URL(exit.twiml!.Redirect[0]['#text']);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ QueueResult: 'queue-full', QueueSid: call.queueSid, QueueTime: '4', held: '1' });
    freeDisk();
    const over = await h.post(local(to.href), callParams(call.sid, call.from));
    expect(saysOf(over.twiml!)).toContain(h.settings.ivr.overflowMessage['pt-BR']);
    expect(h.atende.engine.core.call(call.sid)?.status).toBe('ended');
  });
});

describe('a status callback that cannot be logged is recovered by reconciliation', () => {
  it('200 at once; Atende reads the call from the Calls resource and logs its end with Twilio\'s end time', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const startedAt = h.clock.t - 10_000;
    h.tick(40);
    const endedAt = h.clock.t - 3000; // the caller hung up 3 s before the callback came
    h.rest.calls.set(call.sid, { status: 'completed', start_time: rfc2822(startedAt), end_time: rfc2822(endedAt), duration: String((endedAt - startedAt) / 1000) });

    const freeDisk = fillDisk(h);
    const lost = await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', CallDuration: '47', SequenceNumber: '0' }));
    expect(lost.status).toBe(200);
    expect(lost.twiml).toEqual({});
    expect(h.atende.engine.core.call(call.sid)?.status).toBe('queued');

    // The log still refuses: Twilio is asked, nothing can be written, the call stays to be reconciled.
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches().map((f) => f.callSid)).toContain(call.sid);
    expect(endedEvent(h, call.sid)).toBeUndefined();

    freeDisk();
    await h.atende.app.twilioReconcile();
    expect(endedEvent(h, call.sid)).toEqual({ type: 'call.abandoned', at: endedAt, source: 'twilio:reconcile' });
    expect(h.atende.engine.core.call(call.sid)?.status).toBe('ended');
    expect(h.atende.storage.records.getCall(call.sid)).toMatchObject({ outcome: 'abandoned', endedAt });
    expect((await h.snapshot()).center.today).toMatchObject({ offered: 1, abandoned: 1 });
    // Settled: not asked again.
    const asked = h.rest.fetches().length;
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches()).toHaveLength(asked);
  });

  it('a call believed under way but quiet for longer than its step allows is looked up: over is logged with duration, going on is left alone', async () => {
    const h = await harness();
    const gone = await callIntoQueue(h, ['1', '2'], '+5511987650211');
    const alive = await callIntoQueue(h, ['1', '2'], '+5511987650212');
    const heard = await callIntoQueue(h, ['1', '2'], '+5511987650213');
    const start = h.clock.t;
    h.tick(100);
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches()).toHaveLength(0); // 100 s in a queue without a wait request is still normal
    h.tick(50);
    await holdOnce(h, heard, 150); // this one's wait URL came back just now
    // No end_time: Twilio's start_time + duration gives it.
    h.rest.calls.set(gone.sid, { status: 'canceled', start_time: rfc2822(start), end_time: null, duration: '130' });
    h.rest.calls.set(alive.sid, { status: 'in-progress', start_time: rfc2822(start), end_time: null, duration: null });
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches().map((f) => f.callSid).sort()).toEqual([alive.sid, gone.sid].sort());
    expect(endedEvent(h, gone.sid)).toMatchObject({ type: 'call.abandoned', at: start + 130_000 });
    expect(h.atende.engine.core.call(alive.sid)?.status).toBe('queued');
    expect(h.atende.engine.core.call(heard.sid)?.status).toBe('queued');
    // Twilio said it goes on: it counts as heard, not asked again until it is quiet that long again.
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches()).toHaveLength(2);
  });

  it('a call Twilio does not know (404) is no longer followed; a REST failure is tried again', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '2']);
    h.tick(200);
    h.rest.failNext(1, 503);
    await h.atende.app.twilioReconcile();
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches()).toHaveLength(2); // 503, then 404
    await h.atende.app.twilioReconcile();
    expect(h.rest.fetches()).toHaveLength(2);
    expect(h.atende.engine.core.call(call.sid)?.status).toBe('queued');
  });

  it('after a restart, calls replayed as under way are looked up once they have been quiet too long', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await h.restart();
    h.tick(130);
    h.rest.calls.set(call.sid, { status: 'completed', start_time: rfc2822(h.clock.t - 130_000), end_time: rfc2822(h.clock.t - 60_000), duration: '70' });
    await h.atende.app.twilioReconcile();
    expect(endedEvent(h, call.sid)).toMatchObject({ type: 'call.abandoned', at: h.clock.t - 60_000 });
  });
});

describe('the number\'s Voice fallback URL', () => {
  it('keeps the caller and tries entry again: a new call gets the first menu, a queued one its queue', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const res = await h.post('/twilio/fallback', twilioParams('fallback', { CallSid: sid, ErrorCode: '11205' }));
    expect(res.status).toBe(200);
    expect(res.twiml!.Gather[0].action).toContain('/twilio/ivr?step=language');
    expect(h.atende.engine.core.call(sid)?.status).toBe('ivr');

    const queued = await callIntoQueue(h, ['1', '2']);
    const back = await h.post('/twilio/fallback', twilioParams('fallback', { CallSid: queued.sid, From: queued.from, ErrorUrl: 'https://atende.example.com.br/twilio/queue/wait?lang=pt-BR' }));
    expect(back.twiml!.Enqueue[0]['#text']).toBe('vendas');
  });

  it('when even the arrival cannot be logged, it holds the caller and redirects to itself', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const freeDisk = fillDisk(h);
    const res = await h.post('/twilio/fallback', twilioParams('fallback', { CallSid: sid }));
    const to = new URL(res.twiml!.Redirect[0]['#text']);
    expect(to.pathname).toBe('/twilio/fallback');
    freeDisk();
    const on = await h.post(local(to.href), callParams(sid, '+5511988887777', { CallStatus: 'in-progress' }));
    expect(on.twiml!.Gather).toBeDefined();
    expect(h.atende.engine.core.call(sid)?.status).toBe('ivr');
  });
});
