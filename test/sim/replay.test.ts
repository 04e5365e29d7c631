// Replaying a recorded log reproduces the figures the server showed, exactly.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, planFromLog, replayLog } from '../../sim/replay.ts';
import { loadScenarioAndSettings } from '../../sim/model/scenario.ts';
import { runLive, runLivePlan } from '../../sim/live.ts';
import { startLocalStack } from '../../sim/stack.ts';
import { trafficFrame } from '../../sim/model/traffic.ts';
import { callParams, local, newSid, startHarness } from '../helpers/twilio.ts';
import { DEFAULT_SETTINGS_PATH } from '../../server/config/load.ts';

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
        await h.atende.idle();
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
        const agentLeg = { ...callParams(leg, from), Direction: 'outbound-dial', ParentCallSid: sid };
        const spoken = await h.post(local(dial.Client[0].url), agentLeg);
        await h.post(local(spoken.twiml!.Redirect[0]['#text']), agentLeg); // the whisper's end is the bridge
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

  it('--live: the recorded callers call again through the emulator, pressing the same keys, and Atende counts them the same', async () => {
    const { scenario, settings } = loadScenarioAndSettings('sim/scenarios/quiet-morning.json');
    settings.serviceLevel.shortAbandonSeconds = 0;
    const dir = mkdtempSync(join(tmpdir(), 'atende-replay-live-'));
    // On the scenario's morning, not now: a run at 100× near midnight would cross the daily reset.
    const startAt = trafficFrame(scenario, settings).startAt;
    const first = await startLocalStack({ settings, dbPath: join(dir, 'recorded.db'), speed: 100, startAt, secondsPerWord: 0.05 });
    let recorded;
    try {
      recorded = await runLive(scenario, settings, { atendeUrl: first.url, emulator: first.emulator }, { speed: 100, maxCalls: 6, burst: 6, maxSeconds: 30 });
    } finally { await first.close(); }
    const { plan, skipped } = planFromLog(join(dir, 'recorded.db'), settings);
    expect(skipped).toBe(0);
    expect(plan.calls.map((c) => c.from).sort()).toEqual(recorded.records.map((r) => r.from).sort());
    expect(plan.agents.filter((a) => a.shifts.length).length).toBeGreaterThan(0);

    const second = await startLocalStack({ settings, dbPath: join(dir, 'again.db'), speed: 100, startAt, secondsPerWord: 0.05 });
    try {
      const again = await runLivePlan(plan, scenario, settings, { atendeUrl: second.url, emulator: second.emulator }, { speed: 100, maxSeconds: 30 });
      expect(again.records).toHaveLength(6);
      expect(again.snapshot.center.today.offered).toBe(recorded.snapshot.center.today.offered);
      expect(again.snapshot.center.today.answered).toBe(recorded.snapshot.center.today.answered);
      expect(again.records.map((r) => r.queue).sort()).toEqual(recorded.records.map((r) => r.queue).sort());
    } finally { await second.close(); }
  }, 90_000);
});
