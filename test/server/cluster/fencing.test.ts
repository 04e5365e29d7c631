// The leader frozen (SIGSTOP) past its lease, on a real PostgreSQL: PostgreSQL ends its
// lease session, the standby takes over within the goal and moves the epoch on; the
// frozen leader, resumed, cannot write (the database refuses its epoch), stops answering
// as the leader (/readyz 503, webhooks forwarded), and nothing is applied twice: the
// new leader's figures are exactly a replay of the log.
import twilio from 'twilio';
import { expect, it } from 'vitest';
import type { Snapshot } from '../../../server/contract.ts';
import { openPostgresStore, StaleEpochError } from '../../../server/storage/postgres/store.ts';
import { prepareStart } from '../../../server/start.ts';
import { freePort } from '../../../sim/net.ts';
import { adminQuery, describeWithPostgres } from '../../helpers/postgres.ts';
import { callParams } from '../../helpers/twilio.ts';
import { ready, settingsFile, startNode, twilioAccount, until } from '../../helpers/processes.ts';

const LEASE_MS = 1500;
const TAKEOVER_GOAL_MS = 5000;

describeWithPostgres('fencing (the leader frozen past its lease)', (schema) => {
  it('SIGSTOP: the standby leads within the goal; the frozen leader, resumed, is fenced, stops accepting webhooks, and nothing is applied twice', async () => {
    const { file: settingsPath, settings } = settingsFile('atende-fencing-');
    const { accountSid, authToken } = twilioAccount();
    const [portA, portB] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${portB}`;
    const env = {
      DATABASE_URL: schema().url, ATENDE_LEASE_MS: String(LEASE_MS), PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_URL: 'http://127.0.0.1:9',
      ATENDE_CONFIG: settingsPath, LOG_LEVEL: 'warn', ATENDE_SUPERVISOR_TOKEN: '', ATENDE_VIEWER_TOKEN: '',
    };
    /** A signed webhook, sent to one node (Twilio signs for PUBLIC_URL whoever receives it). */
    const webhook = (base: string, path: string, params: Record<string, string>) => fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, publicUrl + path, params) },
      body: new URLSearchParams(params).toString(),
    });
    const call = (n: number) => `CA${String(n).padStart(32, '0')}`;

    const a = await startNode('A', portA, env);
    await until(() => ready(a.url), 15_000, 'A leads');
    const b = await startNode('B', portB, env);
    for (const id of ['ana', 'bruno']) {
      expect((await fetch(`${b.url}/api/agents/${id}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"available"}' })).status).toBe(200);
    }
    for (let i = 1; i <= 4; i++) expect((await webhook(b.url, '/twilio/voice', callParams(call(i), `+5511972000${i}00`, { CallStatus: 'ringing' }))).status).toBe(200);
    const [{ epoch: epochA }] = await adminQuery<{ epoch: number }>(`SELECT epoch::int AS epoch FROM ${schema().name}.lease`);

    // Frozen: the process stops, its sessions stay open, its lease session goes silent.
    a.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // A webhook that reaches the frozen leader waits in its socket.
    const toFrozen = webhook(a.url, '/twilio/voice', callParams(call(5), '+551197200500', { CallStatus: 'ringing' }));
    await until(() => ready(b.url), 15_000, 'B ready while A is frozen');
    const takeoverMs = Date.now() - frozenAt;
    expect(takeoverMs, 'freeze → standby ready (ms)').toBeLessThan(TAKEOVER_GOAL_MS);
    const [{ epoch: epochB }] = await adminQuery<{ epoch: number }>(`SELECT epoch::int AS epoch FROM ${schema().name}.lease`);
    expect(epochB).toBe(epochA + 1);

    // The new leader fences the old epoch: an append under it is refused by the database.
    const stale = await openPostgresStore(schema().url);
    try {
      stale.epoch = epochA;
      await expect(stale.events.append([{ event: { id: 'stale-1', at: Date.now(), type: 'call.arrived', callId: 'stale', from: '+5511900000000' }, source: 'test' }]))
        .rejects.toBeInstanceOf(StaleEpochError);
      await expect(stale.pool.query(`INSERT INTO events (id, type, at, body, recorded_at, epoch) VALUES ('stale-2', 'call.arrived', 1, '{}', 1, $1)`, [epochA]))
        .rejects.toMatchObject({ code: 'AT001' });
    } finally {
      await stale.close();
    }
    // B goes on taking calls meanwhile.
    expect((await webhook(b.url, '/twilio/voice', callParams(call(6), '+551197200600', { CallStatus: 'ringing' }))).status).toBe(200);

    // Resumed: the frozen leader finds its lease gone. What it was holding is answered (held
    // for a retry, or forwarded), never applied under the old epoch; then it is a standby.
    a.child.kill('SIGCONT');
    const held = await toFrozen;
    expect(held.status).toBe(200);
    await until(() => a.output().includes('stepped down'), 10_000, 'A says it stepped down');
    expect(await ready(a.url)).toBe(false);
    const again = await webhook(a.url, '/twilio/voice', callParams(call(7), '+551197200700', { CallStatus: 'ringing' }));
    expect(again.status).toBe(200);
    expect(again.headers.get('x-atende-node'), 'answered by the leader through A').toBe('B');

    // Nothing applied twice, nothing written under the old epoch after the new one began.
    const rows = await adminQuery<{ id: string; seq: number; epoch: number }>(`SELECT id, seq::int AS seq, epoch::int AS epoch FROM ${schema().name}.events ORDER BY seq`);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const firstB = rows.find((r) => r.epoch === epochB)!.seq;
    expect(rows.filter((r) => r.epoch === epochA && r.seq > firstB)).toEqual([]);
    expect(rows.filter((r) => r.epoch !== epochA && r.epoch !== epochB)).toEqual([]);
    expect(rows.filter((r) => r.id === `${call(5)}:arrived`).map((r) => r.epoch)).not.toContain(epochA);
    // B's figures are exactly what the log replays to.
    const snap = (await (await fetch(`${b.url}/api/snapshot`)).json()) as Snapshot;
    const replay = await openPostgresStore(schema().url);
    try {
      const p = await prepareStart(replay, settings, Date.now(), () => {});
      const byId = (list: [string, string][]) => Object.fromEntries(list);
      expect(byId(p.core.agentList().map((x) => [x.id, x.status]))).toEqual(byId(snap.agents.map((x) => [x.id, x.state])));
      const inIvr = [...new Set(rows.filter((r) => r.id.endsWith(':arrived')).map((r) => r.id.split(':')[0]))];
      for (const sid of inIvr) expect(p.core.call(sid)?.status, sid).toBe('ivr');
    } finally {
      await replay.close();
    }
    console.info(a.output().split("\n").filter((l) => /stale|fenced|stepped|lease/.test(l)).map((l) => l.slice(0, 300)).join("\n"));
    console.info(`fencing: SIGSTOP → standby ready in ${takeoverMs} ms (lease ${LEASE_MS} ms); epochs ${epochA} → ${epochB}; ${rows.length} events`);
  }, 60_000);
});
