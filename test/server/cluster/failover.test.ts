// kill -9 of the leader while the Twilio emulator drives calls, on a real PostgreSQL. Two
// nodes run as child processes; Twilio (the emulator) calls the standby, which forwards to
// the leader (as a load balancer would send traffic anywhere). The leader is SIGKILLed
// with webhooks in flight; the standby takes over. Every webhook answered 2xx is in the
// log, the standby is ready within the goal (5 s), the figures go on where they were (no
// gap, no reset), the waits go on, and the callers waiting in Twilio's queues are routed.
import { expect, it } from 'vitest';
import type { Snapshot } from '../../../server/contract.ts';
import type { EmulatorEvent } from '../../../sim/emulator/index.ts';
import { freePort } from '../../../sim/net.ts';
import { adminQuery, describeWithPostgres } from '../../helpers/postgres.ts';
import { logIn, ready, settingsFile, sleep, startNode, twilioAccount, until, watchedEmulator } from '../../helpers/processes.ts';

const SPEED = 10;
const WAIT_CYCLE_SECONDS = 150;
const LEASE_MS = 2000;
/** The goal: a standby ready this soon after the leader died. */
const TAKEOVER_GOAL_MS = 5000;

describeWithPostgres('failover (kill -9 of the leader)', (schema) => {
  it('SIGKILL under load: every 2xx webhook is in the log, the standby leads within the goal, figures and waits go on, waiting callers are routed', async () => {
    const settings = settingsFile('atende-failover-', (x) => { x.ivr.waitCycleSeconds = WAIT_CYCLE_SECONDS; });
    const { accountSid, authToken } = twilioAccount();
    const [portA, portB] = [await freePort(), await freePort()];
    // What Twilio calls (and signs): here the standby's address; in production a balancer's.
    const entry = `http://127.0.0.1:${portB}`;

    const { emulator, events, enqueued, bridged, placeLongCaller, placed } = await watchedEmulator({
      accountSid, authToken, speed: SPEED, atendeUrl: entry, secondsPerWord: 0.05, seed: 12,
      agents: () => ({ answer: true, afterSeconds: 1 }),
    });
    try {
      const env = {
        DATABASE_URL: schema().url, ATENDE_LEASE_MS: String(LEASE_MS), PUBLIC_URL: entry,
        TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_URL: emulator.apiUrl,
        ATENDE_CONFIG: settings.file, LOG_LEVEL: 'warn', ATENDE_SUPERVISOR_TOKEN: '', ATENDE_VIEWER_TOKEN: '',
      };
      const a = await startNode('A', portA, env);
      await until(() => ready(a.url), 15_000, 'A leads');
      const b = await startNode('B', portB, env);
      expect(await ready(b.url)).toBe(false);

      const snapshot = async () => (await (await fetch(`${entry}/api/snapshot`)).json()) as Snapshot;
      const login = (id: string) => logIn(entry, id);
      await login('bruno');
      await sleep(5);
      await login('isabela');

      const place = () => placeLongCaller(71000000);

      // Phase A: two callers talking, ten waiting in Twilio's queue.
      for (let i = 0; i < 12; i++) { place(); await sleep(250); }
      const phaseA = [...placed];
      await until(() => bridged.size === 2 && phaseA.every((sid) => enqueued.has(sid)), 15_000, 'phase A settled');
      await sleep(300);
      const before = await snapshot();
      expect(before.center.waiting).toBe(10);

      // Phase B: a burst, and kill -9 of the leader with its webhooks in flight.
      for (let i = 0; i < 6; i++) { place(); await sleep(60); }
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const answered2xx = events.filter((e): e is Extract<EmulatorEvent, { type: 'webhook' }> => e.type === 'webhook' && e.status >= 200 && e.status < 300);
      const enqueuedByKill = new Map(enqueued);
      const bridgedByKill = new Map(bridged);

      // The standby takes over within the goal.
      await until(() => ready(b.url), 15_000, 'B ready after the kill');
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs, 'kill → standby ready (ms)').toBeLessThan(TAKEOVER_GOAL_MS);
      const after = await snapshot();

      // 1. Every webhook answered 2xx left its event in the log.
      const ids = new Set((await adminQuery<{ id: string }>(`SELECT id FROM ${schema().name}.events`)).map((r) => r.id));
      const expected: string[] = [];
      for (const w of answered2xx) if (w.path === '/twilio/voice') expected.push(`${w.callSid}:arrived`);
      for (const sid of enqueuedByKill.keys()) expected.push(`${sid}:ivr`, `${sid}:queued`);
      for (const [sid, x] of bridgedByKill) expected.push(`${sid}:answered:${x.legSid}`);
      expect(expected.length).toBeGreaterThanOrEqual(12 + 24 + 2);
      expect(expected.filter((id) => !ids.has(id)), 'events of 2xx webhooks missing from the log').toEqual([]);

      // 2. The waits go on from the original queuedAt; 3. agents keep their states.
      const elapsed = (after.serverTime - before.serverTime) / 1000;
      const waitAfter = new Map(after.waitingCalls.map((c) => [c.callId, c]));
      for (const c of before.waitingCalls) {
        const w = waitAfter.get(c.callId);
        expect(w, `${c.callId} still waiting after the takeover`).toBeDefined();
        expect(Math.abs(w!.waitSeconds - (c.waitSeconds + elapsed))).toBeLessThanOrEqual(1.5);
      }
      const agentView = (s: Snapshot) => Object.fromEntries(s.agents.map((x) => [x.id, { state: x.state, reason: x.reason }]));
      expect(agentView(after)).toEqual(agentView(before));

      // 4. The figures go on where they were: nobody answered or gave up in between.
      const pick = (s: Snapshot) => {
        const { offered, answered, abandoned, answeredWithinThreshold } = s.center.today;
        return { offered, answered, abandoned, answeredWithinThreshold };
      };
      expect(pick(before)).toEqual({ offered: 2, answered: 2, abandoned: 0, answeredWithinThreshold: 2 });
      expect(pick(after)).toEqual(pick(before));

      // No caller of phase A saw the takeover (their wait requests were held by B, not failed).
      expect(events.filter((e) => e.type === 'webhook' && e.status === 0 && phaseA.includes(e.callSid))).toEqual([]);

      // 5. Routing goes on: an agent logs in; the oldest caller in Twilio's queue is dequeued by B.
      const oldest = before.waitingCalls[0].callId;
      await login('ana');
      await until(() => [...bridged.values()].some((x) => x.contact === 'client:ana'), 20_000, 'a waiting caller bridged to ana');
      const [sid] = [...bridged].find(([, x]) => x.contact === 'client:ana')!;
      expect(sid).toBe(oldest);
      await until(async () => (await snapshot()).center.today.answered === 3, 5000, 'answered 3');
      const epochs = await adminQuery<{ epoch: number; n: number }>(`SELECT epoch::int AS epoch, COUNT(*)::int AS n FROM ${schema().name}.events GROUP BY epoch ORDER BY epoch`);
      expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
      console.info(`failover: ${answered2xx.length} webhooks 2xx before the kill; kill -9 → standby ready in ${takeoverMs} ms (lease ${LEASE_MS} ms); events by epoch ${JSON.stringify(epochs)}`);

      await emulator.close();
      b.child.kill('SIGTERM');
      expect((await b.exited).code).toBe(0);
    } finally {
      await emulator.close().catch(() => {});
    }
  }, 60_000);
});
