// Closed queues in the IVR (issue 15): a caller who reaches a closed queue hears its
// message and, when the queue takes them, leaves a callback request for its next opening;
// nobody is ever enqueued into a closed queue.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, saysOf, testSettings, type Harness } from '../../helpers/twilio.ts';
import { harness } from './call-steps.ts';

/** A time in São Paulo (UTC-3, no daylight saving since 2019). */
const sp = (local: string) => Date.parse(`${local}:00-03:00`);
const WEEKDAYS = { mon: ['08:00-20:00'], tue: ['08:00-20:00'], wed: ['08:00-20:00'], thu: ['08:00-20:00'], fri: ['08:00-20:00'] };

function withHours(callbacks = true) {
  return testSettings((s) => {
    for (const q of s.queues) Object.assign(q, { hours: WEEKDAYS, callbacks });
    s.ivr.languages = s.ivr.languages.slice(0, 1);
  });
}

/** Rings and presses `keys` in the one-language menu; the last answer. */
async function dial(h: Harness, keys: string[], from = '+5511987650001') {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from));
  for (const digit of keys) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: digit }));
  return { sid, from, res };
}

describe('Twilio edge: closed queues', () => {
  it('Natal 2026 (a Friday, BR national holiday checked by hand): the closed message, never <Enqueue>; a callback for Monday 08:00 kept past the hang-up', async () => {
    const h = await harness({ settings: withHours(), startAt: sp('2026-12-25T10:00') });
    expect(h.atende.app.sac.entry('suporte')).toMatchObject({ open: false, reason: expect.stringMatching(/^holiday/) });
    const { sid, from, res } = await dial(h, ['1', '1']);
    expect(res.twiml!.Enqueue, res.body).toBeUndefined();
    const says = saysOf(res.twiml!);
    expect(says[0]).toBe(h.settings.sac!.closedMessage!['pt-BR']);
    const gather = res.twiml!.Gather[0];
    expect(saysOf(gather).join(' ')).toMatch(/tecle 1/);
    expect(res.twiml!.Hangup).toBeDefined();

    const ok = await h.post(local(gather.action), callParams(sid, from, { Digits: '1' }));
    expect(saysOf(ok.twiml!).join(' ')).toMatch(/retorno registrado/);
    expect(ok.twiml!.Hangup).toBeDefined();
    // The caller hangs up: the callback stays.
    await h.post('/twilio/status', callParams(sid, from, { CallStatus: 'completed', CallDuration: '30' }));
    const live = h.atende.engine.core.call(sid)!;
    expect(live.status).toBe('queued');
    expect(live.callback).toMatchObject({ number: from, origin: 'requested', retryAt: sp('2026-12-28T08:00') });
    expect(live.queue).toBe('suporte');
  });

  it('the day before (24 Dec 2026, a Thursday, no national holiday) the same queue enqueues', async () => {
    const h = await harness({ settings: withHours(), startAt: sp('2026-12-24T10:00') });
    const { res } = await dial(h, ['1', '1']);
    expect(res.twiml!.Enqueue?.[0]['#text'], res.body).toBe('suporte');
  });

  it("a supervisor's closure: no <Enqueue>; a queue that takes no callbacks offers none and hangs up", async () => {
    const h = await harness({ settings: withHours(false), startAt: sp('2026-12-23T10:00') });
    const closed = await h.api('POST', '/api/queues/vendas/close', { reason: 'Sistema fora do ar' });
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    const { sid, res } = await dial(h, ['2']);
    expect(res.twiml!.Enqueue, res.body).toBeUndefined();
    expect(res.twiml!.Gather).toBeUndefined();
    expect(res.twiml!.Hangup).toBeDefined();
    expect(h.atende.engine.core.call(sid)!.status).toBe('ivr');
    // Reopened: enqueued again.
    await h.api('POST', '/api/queues/vendas/open', {});
    const again = await dial(h, ['2'], '+5511987650009');
    expect(again.res.twiml!.Enqueue?.[0]['#text']).toBe('vendas');
  });
});
