// A dequeue that succeeded is not retried into a failure: only what may succeed on a
// second try is retried (no answer, 5xx, 429 after its Retry-After); a 4xx after a try
// whose answer was lost is checked against the queue member and the call; a 4xx for a
// caller who is gone ends the offer at once.
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../server/twilio/rest.ts';
import { saysOf } from '../../helpers/twilio.ts';
import { agentOf, callIntoQueue, connect, harness, holdOnce, login, whisper } from './call-steps.ts';
import { ScriptedTwilio } from './scripted-rest.ts';

async function scripted() {
  const rest = new ScriptedTwilio();
  const h = await harness({ rest });
  return { h, rest };
}

const missesOf = (h: Awaited<ReturnType<typeof harness>>, sid: string) =>
  h.atende.storage.db.prepare("SELECT id FROM events WHERE call_id = ? AND type = 'call.offer-missed'").pluck().all(sid) as string[];

describe('Twilio edge: dequeue retries', () => {
  it('the first answer is lost, the retry gets 400: Atende reads the member and the call, the caller is on the way, no offer-missed', async () => {
    const { h, rest } = await scripted();
    await login(h, 'ana');
    rest.answer('lose-answer'); // carried out; then Twilio refuses the second update of that member
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);

    expect(missesOf(h, call.sid)).toEqual([]);
    expect(rest.updates()).toHaveLength(2); // not retried after Twilio's 400
    expect(rest.reads().map((r) => r.path.replace(/\/Accounts\/AC\w+/, ''))).toEqual([
      `/2010-04-01/Queues/${call.queueSid}/Members/${call.sid}.json`, // 404: not in the queue any more
      `/2010-04-01/Calls/${call.sid}.json`, // in-progress: still on the line
    ]);
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'offering', agentId: 'ana' });

    // The caller arrives at the agent, who hears the whisper, not "no longer available".
    const { dial, agentLeg } = await connect(h, call, 'ana');
    const w = await whisper(h, call, dial, agentLeg);
    expect(saysOf(w.twiml!).join(' ')).toContain('Suporte');
    expect(w.twiml!.Hangup).toBeUndefined();
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'on-call', callId: call.sid });
  });

  it('a 429 with Retry-After is tried again after that delay, not after the backoff', async () => {
    const { h, rest } = await scripted();
    await login(h, 'ana');
    rest.answer({ status: 429, retryAfter: '1' });
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);

    const [first, second] = rest.updates();
    expect(rest.updates()).toHaveLength(2);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000 - 5); // the harness's backoff is 5 ms
    expect(missesOf(h, call.sid)).toEqual([]);
    expect(h.atende.engine.core.call(call.sid)).toMatchObject({ status: 'offering', agentId: 'ana' });
  });

  it('a 400 for a caller who is gone ends the offer at once: one try, nothing read, the call waits again and the agent is not blamed', async () => {
    const { h, rest } = await scripted();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    rest.hangUp(call.sid); // gone from Twilio; its status callback has not come yet
    await holdOnce(h, call);

    expect(rest.updates()).toHaveLength(1);
    expect(rest.reads()).toEqual([]);
    expect(missesOf(h, call.sid)).toEqual([expect.stringContaining(':not-delivered:')]);
    expect(await agentOf(h, 'ana')).toMatchObject({ state: 'available', reason: null });
  });

  it('a lost answer, then 400, and the caller has hung up meanwhile: read, found gone, the offer ends', async () => {
    const { h, rest } = await scripted();
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    rest.answer('lose-answer-caller-hangs-up'); // dequeued, answer lost, and the caller hangs up at once
    await holdOnce(h, call);

    expect(rest.updates()).toHaveLength(2);
    expect(rest.reads()).toHaveLength(2);
    expect(missesOf(h, call.sid)).toEqual([expect.stringContaining(':not-delivered:')]);
  });

  it('Retry-After is read as seconds or as an HTTP date (RFC 9110); anything else is no delay given', () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(['7'], now)).toBe(7000);
    expect(retryAfterMs('Mon, 23 Nov 2026 12:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });
});
