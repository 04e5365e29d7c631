// Twilio retries a webhook with the same I-Twilio-Idempotency-Token when it did not
// get the answer. The retry must get the very TwiML the first try got, even after
// the call moved on (what the caller hears was decided then), and record nothing
// more; a request without a token, or with another one, gets today's answer.
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid } from '../../helpers/twilio.ts';
import { callIntoQueue, harness, holdOnce, login, whisper } from './call-steps.ts';

const TOKEN = 'i-twilio-idempotency-token';

describe('Twilio edge: idempotency tokens', () => {
  it('a retry after the call moved on gets the first TwiML byte for byte; no token or a new token gets the new answer', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '1', '1']);
    const url = local(call.enqueue.waitUrl);
    const params = callParams(call.sid, call.from, { QueueSid: newSid('QU'), QueuePosition: '1', QueueTime: '0' });

    // Queued: the position announcement, then a hold cycle.
    const first = await h.post(url, params, { [TOKEN]: 'wait-1' });
    expect(first.twiml!.Say).toHaveLength(1);
    expect(first.twiml!.Pause[0].length).toBe('20');

    // The call moves on: an agent comes, the core offers the call, the caller is being dequeued.
    await login(h, 'ana');
    await h.atende.idle();
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'offering', agentId: 'ana' });

    const retried = await h.post(url, params, { [TOKEN]: 'wait-1' });
    expect(retried.status).toBe(200);
    expect(retried.body).toBe(first.body);

    const fresh = await h.post(url, params);
    expect(fresh.body).not.toBe(first.body);
    expect(fresh.twiml!.Say).toBeUndefined();
    expect(fresh.twiml!.Pause[0].length).toBe('2');
    expect((await h.post(url, params, { [TOKEN]: 'wait-2' })).body).toBe(fresh.body);
  });

  it('a retried agent connect after the agent answered gets the same <Dial> again and records nothing more', async () => {
    const h = await harness();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const dq = h.rest.dequeues().at(-1)!;
    const params = callParams(call.sid, call.from);
    const first = await h.post(local(dq.url), params, { [TOKEN]: 'connect-1' });
    expect(first.twiml!.Dial).toHaveLength(1);

    await whisper(h, call, first.twiml!.Dial[0], newSid('CA')); // ana answers: the call is connected
    const events = h.atende.storage.events.count();
    const retried = await h.post(local(dq.url), params, { [TOKEN]: 'connect-1' });
    expect(retried.body).toBe(first.body);
    expect(h.atende.storage.events.count()).toBe(events);
    // Asked afresh, the connected call is not dialled again.
    expect((await h.post(local(dq.url), params)).twiml!.Dial).toBeUndefined();
  });
});
