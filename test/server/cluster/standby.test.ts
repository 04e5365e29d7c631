// Cluster nodes in this process on a real PostgreSQL: exactly one leads; the standby
// answers /readyz 503, forwards a signed webhook untouched (the leader verifies the
// signature), keeps its core at the end of the log as it grows (LISTEN/NOTIFY), and takes
// over on a clean stop without replaying the log from the start. A leader whose epoch was
// taken over is refused by the database at its next append, and steps down.
import pino from 'pino';
import twilio from 'twilio';
import { afterEach, expect, it } from 'vitest';
import { ClusterNode } from '../../../server/cluster/node.ts';
import { freePort } from '../../../sim/net.ts';
import { adminQuery, describeWithPostgres } from '../../helpers/postgres.ts';
import { AUTH_TOKEN, callParams, newSid, testSettings } from '../../helpers/twilio.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`timeout after ${ms} ms: ${what}`);
    await sleep(20);
  }
  return Date.now() - t0;
}

const nodes: ClusterNode[] = [];
afterEach(async () => { for (const n of nodes.splice(0)) await n.close().catch(() => {}); });

describeWithPostgres('cluster nodes (in process)', (schema) => {
  /** A node listening on 127.0.0.1; every node's PUBLIC_URL is the first node's (what Twilio calls). */
  let publicUrl = '';
  async function node(name: string): Promise<{ node: ClusterNode; url: string }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    publicUrl ||= url;
    const n = await ClusterNode.start({
      url: schema().url, settings: testSettings(), holder: name, address: url, leaseMs: 1500, log: pino({ level: 'silent' }),
      atende: { logger: false, twilio: { publicUrl, authToken: AUTH_TOKEN, rest: null } },
    });
    nodes.push(n);
    await new Promise<void>((r) => n.front.server.listen(port, '127.0.0.1', () => r()));
    return { node: n, url };
  }
  const post = (base: string, path: string, params: Record<string, string>, signWith = AUTH_TOKEN) => fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(signWith, publicUrl + path, params) },
    body: new URLSearchParams(params).toString(),
  });

  it('one leads; the standby says 503 with the leader, forwards signed webhooks untouched, follows the log, takes over without a replay', async () => {
    const a = await node('A');
    await until(() => a.node.role === 'leader', 5000, 'A leads');
    const b = await node('B');
    await sleep(600);
    expect([a.node.role, b.node.role]).toEqual(['leader', 'standby']);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
    const standby = await fetch(`${b.url}/readyz`);
    expect(standby.status).toBe(503);
    expect((await standby.json()).checks.role).toMatch(/^standby: the leader is A at http:\/\/127\.0\.0\.1:\d+ \(epoch \d+\)$/);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);

    // A webhook that reaches the standby is answered by the leader: the signature verified there.
    const sid = newSid('CA');
    const res = await post(b.url, '/twilio/voice', callParams(sid, '+5511987650001', { CallStatus: 'ringing' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-atende-node')).toBe('A');
    expect(await res.text()).toContain('<Gather');
    expect(a.node.atende!.engine.core.call(sid)?.status).toBe('ivr');
    const forged = await post(b.url, '/twilio/voice', callParams(newSid('CA'), '+5511987650002'), 'not-the-token');
    expect(forged.status).toBe(403);
    // An API call too.
    expect((await fetch(`${b.url}/api/agents/ana/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"available"}' })).status).toBe(200);

    // The standby's core follows the log as it is written (woken by NOTIFY, not the 1 s poll).
    const last = async () => (await a.node.atende!.store.events.lastSeq());
    const waited = await until(async () => b.node.followingSeq === await last(), 3000, 'the standby at the end of the log');
    expect(waited).toBeLessThan(900);

    // A clean stop hands the lease over: B takes the core it already has (nothing to replay).
    const seqBefore = await last();
    const t0 = Date.now();
    await a.node.close();
    const ms = await until(async () => (await fetch(`${b.url}/readyz`)).status === 200, 5000, 'B ready');
    expect(b.node.role).toBe('leader');
    expect(b.node.lastTakeover!.replayedAtTakeover).toBe(0);
    expect(b.node.atende!.engine.core.call(sid)?.status).toBe('ivr');
    expect(b.node.atende!.engine.core.agent('ana')?.status).toBe('available');
    expect(seqBefore).toBeGreaterThan(0);
    console.info(`standby: caught up ${waited} ms after an append; clean takeover ${ms} ms after the leader stopped (${Date.now() - t0} ms), ${b.node.lastTakeover!.ms} ms inside B`);
  }, 40_000);

  it('a leader whose append the database refuses (its epoch taken over) holds the caller, applies nothing, and steps down', async () => {
    const a = await node('A');
    await until(() => a.node.role === 'leader', 5000, 'A leads');
    const epoch = a.node.lastTakeover!.epoch;
    // Another node took over (its lease row moved on) while A still believes it leads.
    await adminQuery(`UPDATE ${schema().name}.lease SET epoch = epoch + 1, holder = 'elsewhere'`);
    const engine = a.node.atende!.engine;
    const sid = newSid('CA');
    const res = await post(a.url, '/twilio/voice', callParams(sid, '+5511987650003', { CallStatus: 'ringing' }));
    expect(res.status).toBe(200);
    const twiml = await res.text();
    // Held: a pause and a redirect to the very step, nothing else (hold.ts).
    expect(twiml).toContain('<Redirect');
    expect(twiml).toContain('/twilio/voice?held=1');
    expect(engine.core.call(sid)).toBeNull();
    expect(engine.storeError).toMatch(/stale epoch/);
    const rows = await adminQuery<{ id: string }>(`SELECT id FROM ${schema().name}.events WHERE epoch = $1 AND id LIKE $2`, [epoch, `${sid}%`]);
    expect(rows).toEqual([]);
    await until(() => a.node.role !== 'leader' || a.node.lastTakeover!.epoch !== epoch, 3000, 'A stepped down');
  }, 30_000);
});
