// Replaying a recorded log reproduces the figures the server showed, exactly.
import { describe, expect, it } from 'vitest';
import { main, replayLog } from '../sim/replay.ts';
import { callParams, local, newSid, startHarness } from './helpers/twilio.ts';
import { DEFAULT_SETTINGS_PATH } from '../server/config/load.ts';

describe('replay', () => {
  it('a recorded day replays to the same figures the server showed', async () => {
    const h = await startHarness();
    try {
      for (const a of ['ana', 'bruno', 'diego']) await h.api('POST', `/api/agents/${a}/state`, { state: 'available' });
      // Eight calls: some answered fast, some late, two abandon, a survey.
      for (let i = 0; i < 8; i++) {
        const sid = newSid('CA');
        const from = `+55119876600${i}`;
        let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
        for (const d of ['1', i % 2 ? '2' : '1', '1']) {
          const g = res.twiml!.Gather?.[0];
          if (!g) break;
          res = await h.post(local(g.action), callParams(sid, from, { Digits: d }));
        }
        const enqueue = res.twiml!.Enqueue[0];
        await h.post(local(enqueue.waitUrl), callParams(sid, from, { QueueSid: newSid('QU'), QueueTime: '0' }));
        await h.atende.app.dequeuer!.idle();
        if (i === 5 || i === 6) {
          h.tick(9);
          await h.post(local(enqueue.action), callParams(sid, from, { CallStatus: 'completed', QueueResult: 'hangup', QueueTime: '9' }));
          continue;
        }
        const dq = h.rest.dequeues().find((r) => r.callSid === sid);
        if (!dq) continue; // nobody free: it keeps waiting
        const dial = (await h.post(local(dq.url), callParams(sid, from))).twiml!.Dial[0];
        h.tick(2 + i * 3); // rings a while: some within the 20 s threshold, some late
        const leg = newSid('CA');
        await h.post(local(dial.Client[0].url), { ...callParams(leg, from), Direction: 'outbound-dial', ParentCallSid: sid });
        h.tick(40 + i);
        const done = await h.post(local(dial.action), callParams(sid, from, { DialCallStatus: 'completed', DialCallSid: leg, DialCallDuration: '40' }));
        if (done.twiml!.Gather) await h.post(local(done.twiml!.Gather[0].action), callParams(sid, from, { Digits: String(i + 2) }));
        h.tick(31);
      }
      const snap = await h.snapshot();
      const live = snap.center.today;
      expect(live.offered).toBeGreaterThan(4);
      expect(live.abandoned).toBe(2);
      expect(live.serviceLevel).toBeGreaterThan(0);
      expect(live.serviceLevel).toBeLessThan(1);
      const stoppedAt = h.clock.t;
      await h.close();

      const { summary, refused } = replayLog(h.dbPath, h.settings, DEFAULT_SETTINGS_PATH, { at: stoppedAt });
      expect(refused).toBe(0);
      expect(summary.center).toMatchObject({
        offered: live.offered, answered: live.answered, abandoned: live.abandoned, serviceLevel: live.serviceLevel,
        asaSeconds: live.asaSeconds, tmaSeconds: live.tmaSeconds, abandonRate: live.abandonRate,
      });
      expect(summary.center.nps.score).toBe(snap.center.nps.score);
      for (const q of snap.queues) {
        expect(summary.queues.find((x) => x.id === q.id)).toMatchObject({ offered: q.today!.offered, answered: q.today!.answered, serviceLevel: q.today!.serviceLevel });
      }
    } finally {
      await h.close().catch(() => {});
    }
  });

  it('the command prints a summary, refuses a missing file and bad arguments', async () => {
    const out: string[] = [], err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
    expect(await main(['/nonexistent/atende.db'], io)).toBe(1);
    expect(err.join('')).toContain('no such database file');
    expect(await main(['--frobnicate'], io)).toBe(2);
  });
});
