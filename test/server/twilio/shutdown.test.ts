// Closing Atende finishes the dequeues under way first (the Twilio plugin's preClose
// hook): a caller half-moved between the queue and an agent is a caller lost.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.ts';
import { callParams, local, newSid } from '../../helpers/twilio.ts';
import { callIntoQueue, harness, login } from './call-steps.ts';

describe('Twilio edge: shutdown', () => {
  it('close() waits for a dequeue that is still retrying, and it gets through', async () => {
    const h = await harness();
    h.rest.failNext(2); // two failures, then success: 3 attempts with 5 and 10 ms between them
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await login(h, 'ana'); // the offer waits for the caller's QueueSid
    const wait = await h.post(local(call.enqueue.waitUrl), callParams(call.sid, call.from, { QueueSid: newSid('QU') }));
    expect(wait.status).toBe(200);
    expect(h.rest.dequeues().length).toBeLessThan(3); // still under way

    await h.atende.close();
    expect(h.rest.dequeues()).toHaveLength(3);
  });

  it('idle() resolves at once without Twilio', async () => {
    const app = await buildTestApp();
    await expect(app.idle()).resolves.toBeUndefined();
    await app.close();
  });
});
