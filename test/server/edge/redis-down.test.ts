// Redis down, for real: the leader and an edge on a redis-server of this test's own,
// killed (SIGKILL) and started again. The screens on the edge fall silent and so say
// "stale" as the pages judge it (wallboard/src/stale.ts, the console's status), the
// leader keeps answering and applying webhooks, and the screens recover, with what
// happened meanwhile, when Redis returns.
import { afterEach, expect, it } from 'vitest';
import { Access } from '../../../server/auth/access.ts';
import { createEdge } from '../../../server/edge/start.ts';
import { freshness } from '../../../wallboard/src/stale.ts';
import { consoleStatus } from '../../../wallboard/agent/status.ts';
import { pt } from '../../../wallboard/agent/i18n.ts';
import { callParams, local, newSid, startHarness } from '../../helpers/twilio.ts';
import { describeWithRedis, OwnRedis, randomPrefix, redisReady } from '../../helpers/redis.ts';
import { Screen, until } from './screen.ts';

const TOKENS = { viewer: 'tv-token', supervisor: 'sup-token', agents: { ana: 'ana-token' } };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const available = await redisReady();

describeWithRedis('edges: Redis down and back', available, () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('screens on the edge say stale, the leader keeps routing, the screens recover when Redis returns', async () => {
    const redis = await OwnRedis.start();
    open.push({ close: () => redis.stop() });
    const prefix = randomPrefix();
    const h = await startHarness({ access: new Access(undefined, TOKENS), rateLimitPerMinute: false });
    open.push(h);
    const leaderUrl = await h.atende.app.listen({ host: '127.0.0.1', port: 0 });
    h.atende.app.edgePublisher.start({ redisUrl: redis.url, prefix });
    const edge = await createEdge({ redisUrl: redis.url, leaderUrl, prefix });
    open.push(edge);
    const edgeHttp = await edge.app.listen({ host: '127.0.0.1', port: 0 });
    const edgeWs = edgeHttp.replace('http', 'ws');
    await until(() => edge.feed.live, 15_000, 'edge feed live');

    const wall = await Screen.open(`${edgeWs}/ws/wallboard`, bearer(TOKENS.viewer));
    const agent = await Screen.open(`${edgeWs}/ws/agent`, bearer(TOKENS.agents.ana));
    open.push(wall, agent);
    await wall.next((f) => f.type === 'snapshot');
    await agent.next((f) => f.type === 'agent');
    expect((await fetch(`${edgeHttp}/readyz`)).status).toBe(200);

    // ---- Redis goes away ----
    await redis.stop();
    const downAt = Date.now();
    await until(async () => (await fetch(`${edgeHttp}/readyz`)).status === 503, 5000, 'edge not ready');

    // The leader keeps routing: a caller walks the IVR into a queue, every webhook answered.
    const sid = newSid('CA');
    const from = '+5511987650001';
    const started = Date.now();
    let step = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    expect(step.status).toBe(200);
    for (let i = 0; i < 4 && !step.twiml?.Enqueue; i++) {
      step = await h.post(local(step.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
      expect(step.status, step.body).toBe(200);
    }
    expect(step.twiml?.Enqueue, step.body).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.atende.engine.core.waitingCount()).toBe(1);
    // …while the frames that cannot go out wait, the newest per topic only.
    const held = h.atende.app.edgePublisher.stats;
    expect(held.held).toBeLessThanOrEqual(held.topics * 2);

    // A socket arriving now with a ticket cannot have it checked: 503, and the page retries.
    const t = await fetch(`${edgeHttp}/api/wallboard/ticket`, { method: 'POST', headers: bearer(TOKENS.viewer) });
    expect(t.status).toBe(200);
    expect(await Screen.refusal(`${edgeWs}/ws/wallboard?ticket=${((await t.json()) as { ticket: string }).ticket}`)).toBe(503);

    // A screen that brings a token is let in (the leader vouches over HTTP) but told nothing old.
    const during = await Screen.open(`${edgeWs}/ws/wallboard`, bearer(TOKENS.viewer));
    open.push(during);

    // The screens hear nothing more, so the pages say stale after their 5 s.
    // (A frame already on its way when Redis died may land a moment later, never a second.)
    await sleep(Math.max(0, downAt + 6200 - Date.now()));
    const lastWall = wall.lastAt!, lastAgent = agent.lastAt!;
    expect(lastWall).toBeLessThan(downAt + 1000);
    expect(lastAgent).toBeLessThan(downAt + 1000);
    expect(during.frames).toEqual([]);
    const now = Date.now();
    expect(freshness(now, lastWall, 'open')).toMatchObject({ kind: 'data', stale: true, connected: true });
    const status = consoleStatus(now, lastAgent, 'open', null, pt, 'pt');
    expect(status.pill.kind).toBe('stale');
    expect(status.banner).not.toBeNull();

    // ---- Redis is back ----
    const framesBefore = wall.frames.length;
    await redis.start();
    const back = await wall.next((f) => f.type === 'snapshot' && f.body.center.waiting === 1, 10_000, framesBefore);
    expect(back.at - Date.now()).toBeLessThanOrEqual(0);
    await agent.next((f) => f.type === 'agent' || f.type === 'heartbeat', 10_000, agent.frames.length);
    expect(freshness(Date.now(), wall.lastAt, 'open')).toMatchObject({ stale: false });
    // Ready again once it has also read the latest frames back (its second link may reconnect
    // up to a second after the first: server/edge/feed.ts), not necessarily by the first frame.
    await until(async () => (await fetch(`${edgeHttp}/readyz`)).status === 200, 5000, 'edge ready again');
    // The screen that came during the outage gets its whole welcome with the first live frame.
    const [first0, second0] = [await during.next(() => true, 10_000), await during.next((f) => f.type === 'history', 10_000)];
    expect(first0.type).toBe('snapshot');
    expect(first0.body.center.waiting).toBe(1);
    expect(second0.type).toBe('history');
    // And a new screen gets the current state at once.
    const late = await Screen.open(`${edgeWs}/ws/wallboard`, bearer(TOKENS.viewer));
    open.push(late);
    const first = await late.next(() => true, 3000);
    expect(first.type).toBe('snapshot');
    expect(first.body.center.waiting).toBe(1);
  });
});
