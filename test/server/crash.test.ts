// kill -9 for real: the server runs as a child process (as in production), wired to
// the Twilio emulator (which keeps running across the restart: it is Twilio). Load
// goes through the emulator, the child is SIGKILLed with webhooks in flight, then
// started again on the same database. Every webhook that was answered 2xx must be
// in the event log; waiting callers keep their original wait, agents their states,
// today's figures their values; callers still in Twilio's queues get routed.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../server/contract.ts';
import type { EmulatorEvent } from '../../sim/emulator/index.ts';
import { freePort } from '../../sim/net.ts';
import { logIn, settingsFile, sleep, startServerProcess, twilioAccount, until, watchedEmulator } from '../helpers/processes.ts';

/** Emulated seconds per real second. */
const SPEED = 10;
/**
 * Emulated seconds a waiting caller holds between two requests to the wait URL:
 * 150 s emulated = 15 s real. A caller whose wait-URL request lands while the
 * server is down leaves the queue with QueueResult=error and is lost (Twilio does
 * the same), so the restart (≈ 3–5 s here) must fall between two polls.
 */
const WAIT_CYCLE_SECONDS = 150;

describe('crash recovery (kill -9 of the server process)', () => {
  it('SIGKILL under load: every 2xx webhook is in the log; waits, agent states and today\'s figures survive; queued callers are routed after the restart', async () => {
    const settings = settingsFile('atende-crash-', (x) => { x.ivr.waitCycleSeconds = WAIT_CYCLE_SECONDS; });
    const dbFile = join(settings.dir, 'atende.db');
    const { accountSid, authToken } = twilioAccount();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;

    // ---- Twilio (the emulator): lives in the test process for the whole test ----
    const { emulator, events, enqueued, bridged, placeLongCaller, placed } = await watchedEmulator({
      accountSid, authToken, speed: SPEED, atendeUrl: url, secondsPerWord: 0.05, seed: 11,
      agents: () => ({ answer: true, afterSeconds: 1 }),
    });
    const env = {
      PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken,
      TWILIO_API_URL: emulator.apiUrl, ATENDE_DB: dbFile, ATENDE_CONFIG: settings.file, LOG_LEVEL: 'warn',
      ATENDE_SUPERVISOR_TOKEN: '', ATENDE_VIEWER_TOKEN: '',
    };
    const snapshot = async () => (await (await fetch(`${url}/api/snapshot`)).json()) as Snapshot;
    const login = (id: string) => logIn(url, id);

    let server = await startServerProcess('server', port, env);
    // Two agents of Suporte: they take the first two calls and stay on them (long
    // talks), so every later caller waits in the queue.
    await login('bruno');
    await sleep(5);
    await login('isabela');

    const place = () => placeLongCaller(70000000);

    // ---- load, phase A: 12 calls at 4 a second ----
    for (let i = 0; i < 12; i++) { place(); await sleep(250); }
    const phaseA = [...placed];
    // Settled: two callers talking, every other one in the Twilio queue.
    await until(() => bridged.size === 2 && phaseA.every((sid) => enqueued.has(sid)), 10_000, 'phase A settled (2 bridged, all enqueued)');
    await sleep(300); // the agent legs' answered callbacks
    const before = await snapshot();
    const snapshotAt = Date.now();
    expect(before.center.waiting).toBe(10);
    expect(before.agents.filter((a) => a.state === 'on-call').map((a) => a.id).sort()).toEqual(['bruno', 'isabela']);

    // ---- load, phase B: a burst of calls, then kill -9 with their webhooks in flight ----
    for (let i = 0; i < 6; i++) { place(); await sleep(60); }
    const phaseB = placed.slice(phaseA.length);
    const inFlight = () => phaseB.filter((sid) => !events.some((e) => e.type === 'call.ended' && e.callSid === sid)).length;
    const cutOff = inFlight();
    expect(cutOff, 'phase B calls still under way at the kill').toBeGreaterThan(0);
    server.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Every answer Twilio got is now final: the process that gave them is gone.
    const answered2xx = events.filter((e): e is Extract<EmulatorEvent, { type: 'webhook' }> => e.type === 'webhook' && e.status >= 200 && e.status < 300);
    const enqueuedByKill = new Map(enqueued);
    const bridgedByKill = new Map(bridged);

    // ---- restart on the same database, same environment ----
    server = await startServerProcess('server', port, env);
    const restartMs = Date.now() - killedAt;
    const after = await snapshot();

    // 1. Every webhook answered 2xx left its event in the log (read the file directly).
    const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    let ids: Set<string>;
    try {
      ids = new Set((db.prepare('SELECT id FROM events').pluck().all() as string[]));
      const expected: string[] = [];
      for (const w of answered2xx) if (w.path === '/twilio/voice') expected.push(`${w.callSid}:arrived`);
      for (const sid of enqueuedByKill.keys()) expected.push(`${sid}:ivr`, `${sid}:queued`);
      for (const [sid, b] of bridgedByKill) expected.push(`${sid}:answered:${b.legSid}`);
      expect(expected.length).toBeGreaterThanOrEqual(12 + 24 + 2);
      expect(expected.filter((id) => !ids.has(id)), 'events of 2xx webhooks missing from the log').toEqual([]);
      expect(ids.has(`${phaseA[0]}:arrived`)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }

    // 2. The callers waiting before the kill wait after the restart, with their original wait.
    const elapsed = (after.serverTime - before.serverTime) / 1000;
    const waitAfter = new Map(after.waitingCalls.map((c) => [c.callId, c]));
    expect(before.waitingCalls).toHaveLength(10);
    for (const c of before.waitingCalls) {
      const a = waitAfter.get(c.callId);
      expect(a, `${c.callId} still waiting after the restart`).toBeDefined();
      expect(a!.queue).toBe(c.queue);
      // The wait goes on from the original queuedAt: not reset by the restart.
      expect(Math.abs(a!.waitSeconds - (c.waitSeconds + elapsed)), `${c.callId} wait ${c.waitSeconds} s → ${a!.waitSeconds} s over ${elapsed} s`).toBeLessThanOrEqual(1.5);
    }
    expect(after.center.longestWaitSeconds! - (before.center.longestWaitSeconds! + elapsed)).toBeGreaterThanOrEqual(-1.5);
    expect(after.center.longestWaitSeconds! - (before.center.longestWaitSeconds! + elapsed)).toBeLessThanOrEqual(1.5);

    // 3. Agents: the same states (and reasons, and calls' queues) as before.
    const agentView = (s: Snapshot) => Object.fromEntries(s.agents.map((a) => [a.id, { state: a.state, reason: a.reason, callQueue: a.callQueue }]));
    expect(agentView(after)).toEqual(agentView(before));
    for (const a of before.agents.filter((x) => x.state !== 'offline')) {
      const b = after.agents.find((x) => x.id === a.id)!;
      expect(Math.abs(b.stateSeconds - (a.stateSeconds + elapsed))).toBeLessThanOrEqual(1.5);
    }

    // 4. Today's figures: as before the kill, up to what was answered 2xx in between.
    //    A call counts as offered once it leaves the queue (answered or abandoned).
    //    Between the snapshot and the kill nobody was free (no bridge) and callers
    //    were patient (no abandon): the figures must come back identical.
    const pick = (s: Snapshot) => {
      const { offered, answered, abandoned, answeredWithinThreshold } = s.center.today;
      return { offered, answered, abandoned, answeredWithinThreshold };
    };
    expect([...bridgedByKill.values()].filter((x) => x.at >= snapshotAt), 'no answer between the snapshot and the kill').toEqual([]);
    expect(pick(before)).toEqual({ offered: 2, answered: 2, abandoned: 0, answeredWithinThreshold: 2 });
    expect(pick(after)).toEqual(pick(before));
    expect(after.center.waiting).toBe(10 + phaseB.filter((sid) => ids.has(`${sid}:queued`)).length);

    // The restart fell between two wait-URL requests of the callers of phase A:
    // none of them saw the server down (else Twilio would have dropped them).
    const lostWaiters = events.filter((e) => e.type === 'webhook' && e.status === 0 && phaseA.includes(e.callSid));
    expect(lostWaiters, `restart took ${restartMs} ms`).toEqual([]);

    // 5. Routing carries on: an agent logs in and the oldest caller still in Twilio's
    //    queue is dequeued over REST and answered. Atende knows that caller's QueueSid
    //    (its CDR holds twilio_queue_sid), so the dequeue should not wait for the
    //    caller's next wait-URL request (up to a whole wait cycle away).
    const oldest = before.waitingCalls[0].callId; // longest wait first
    const loginAt = Date.now();
    await login('ana');
    await until(() => [...bridged.values()].some((x) => x.contact === 'client:ana'), 25_000, 'a waiting caller bridged to ana after the restart');
    const [sid, b] = [...bridged].find(([, x]) => x.contact === 'client:ana')!;
    expect(before.waitingCalls.map((c) => c.callId)).toContain(sid);
    const dequeues = events.filter((e): e is Extract<EmulatorEvent, { type: 'rest' }> => e.type === 'rest' && e.method === 'POST' && e.path.includes('/Members/'));
    const delivered = dequeues.find((r) => r.path.includes(`/Members/${sid}.json`) && r.status === 200);
    expect(delivered, 'REST dequeue of that caller').toBeDefined();
    const db2 = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    let notDelivered: string[];
    try {
      expect(db2.prepare('SELECT 1 FROM events WHERE id = ?').pluck().get(`${sid}:answered:${b.legSid}`)).toBe(1);
      notDelivered = db2.prepare("SELECT id FROM events WHERE type = 'call.offer-missed' AND id LIKE '%:not-delivered:%'").pluck().all() as string[];
    } finally {
      db2.close();
    }
    await until(async () => (await snapshot()).agents.find((a) => a.id === 'ana')?.state === 'on-call', 5000, 'ana on-call');
    const last = await snapshot();
    expect(last.center.today.answered).toBe(3);
    expect(last.waitingCalls.map((c) => c.callId)).not.toContain(sid);
    // The oldest caller first, at once, with no offer given up for want of a QueueSid.
    expect.soft(sid, 'the oldest waiting caller is the one routed').toBe(oldest);
    expect.soft(notDelivered, 'offers given up after the restart (no QueueSid known)').toEqual([]);
    expect.soft(delivered!.at - loginAt, 'ms from the login to the REST dequeue').toBeLessThan(2000);
    console.info(`crash: ${answered2xx.length} webhooks answered 2xx before the kill, ${cutOff} calls of the burst under way at the kill, restart ${restartMs} ms, snapshot ${killedAt - snapshotAt} ms before the kill`);

    // Twilio hangs everyone up while the server still answers, then a clean stop.
    await emulator.close();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  }, 45_000);
});
