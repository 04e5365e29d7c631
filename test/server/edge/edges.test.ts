// Edges on a real Redis: a real leader (createAtende, through the Twilio harness) publishes,
// an edge (createEdge) fans out to screens over real sockets; tickets cross processes;
// console actions go through the edge to the leader.
import { afterEach, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Access } from '../../../server/auth/access.ts';
import { createEdge, type Edge } from '../../../server/edge/start.ts';
import { startHarness, type Harness } from '../../helpers/twilio.ts';
import { describeWithRedis, dropPrefix, randomPrefix, redisReady, TEST_REDIS_URL } from '../../helpers/redis.ts';
import { Screen, until } from './screen.ts';

const TOKENS = { viewer: 'tv-token', supervisor: 'sup-token', agents: { ana: 'ana-token', bruno: 'bruno-token' } };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const available = await redisReady();

describeWithRedis('edges: the leader publishes once to Redis, edges fan out', available, () => {
  const open: { close(): unknown }[] = [];
  const prefixes: string[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    for (const p of prefixes.splice(0)) await dropPrefix(p);
  });

  /** A leader listening on a port and publishing under a fresh prefix, and an edge on it. */
  async function stack(): Promise<{ h: Harness; edge: Edge; edgeHttp: string; edgeWs: string; leaderWs: string }> {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const h = await startHarness({ access: new Access(undefined, TOKENS), rateLimitPerMinute: false });
    open.push(h);
    const leaderUrl = await h.atende.app.listen({ host: '127.0.0.1', port: 0 });
    h.atende.app.edgePublisher.start({ redisUrl: TEST_REDIS_URL, prefix });
    const edge = await createEdge({ redisUrl: TEST_REDIS_URL, leaderUrl, prefix });
    open.push(edge);
    const edgeHttp = await edge.app.listen({ host: '127.0.0.1', port: 0 });
    // Generous: the whole suite runs in parallel on two shared cores.
    await until(() => edge.feed.live, 15_000, 'edge feed live');
    return { h, edge, edgeHttp, edgeWs: edgeHttp.replace('http', 'ws'), leaderWs: leaderUrl.replace('http', 'ws') };
  }

  async function ticket(base: string, purpose: string, token: string, query = ''): Promise<string> {
    const res = await fetch(`${base}/api/${purpose}/ticket${query}`, { method: 'POST', headers: bearer(token) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { ticket: string }).ticket;
  }

  it('a change on the leader reaches a wallboard on the edge, byte for byte the frame the leader sends its own screens', async () => {
    const { h, edgeWs, leaderWs } = await stack();
    const onEdge = await Screen.open(`${edgeWs}/ws/wallboard`, bearer(TOKENS.viewer));
    const onLeader = await Screen.open(`${leaderWs}/ws/wallboard`, bearer(TOKENS.viewer));
    open.push(onEdge, onLeader);
    // The welcome: the latest snapshot and the history, at once.
    await onEdge.next((f) => f.type === 'snapshot');
    await onEdge.next((f) => f.type === 'history');

    const r = h.atende.engine.dispatch({ type: 'agent.state', id: 'e1', at: h.clock.t, agentId: 'ana', state: 'away', reason: 'lanche' });
    expect(r.ok).toBe(true);
    const isAway = (f: { type: string; body: any }) => f.type === 'snapshot' && f.body.agents.some((a: any) => a.id === 'ana' && a.state === 'away');
    const edgeFrame = await onEdge.next(isAway);
    const leaderFrame = await onLeader.next(isAway);
    expect(edgeFrame.body).toEqual(leaderFrame.body);
  });

  it('an edge started after the leader published gives a new screen the latest snapshot and the history at once', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const h = await startHarness({ access: new Access(undefined, TOKENS), rateLimitPerMinute: false });
    open.push(h);
    const leaderUrl = await h.atende.app.listen({ host: '127.0.0.1', port: 0 });
    h.atende.app.edgePublisher.start({ redisUrl: TEST_REDIS_URL, prefix });
    const redis = new Redis(TEST_REDIS_URL);
    open.push({ close: () => redis.disconnect() });
    const keys = h.atende.app.edgePublisher.redisKeys!;
    await until(async () => (await redis.hget(keys.latest, 'wallboard|history')) !== null, 15_000, 'history in Redis');

    const edge = await createEdge({ redisUrl: TEST_REDIS_URL, leaderUrl, prefix });
    open.push(edge);
    const edgeWs = (await edge.app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
    await until(() => edge.feed.live, 15_000, 'edge feed live');
    const screen = await Screen.open(`${edgeWs}/ws/wallboard`, bearer(TOKENS.viewer));
    open.push(screen);
    // Both at once, from the edge's memory: not after the next frame (a history comes only every 15 minutes).
    const [a, b] = [await screen.next(() => true, 1000), await screen.next((f) => f.type === 'history', 1000)];
    expect(a.type).toBe('snapshot');
    expect(b.type).toBe('history');
  });

  it('a ticket from the leader opens a socket on the edge once, and then opens nothing on the leader either', async () => {
    const { edgeHttp, edgeWs, leaderWs } = await stack();
    // Issued by the leader, through the edge's /api (as a page on the edge asks for it).
    const t = await ticket(edgeHttp, 'wallboard', TOKENS.viewer);
    const screen = await Screen.open(`${edgeWs}/ws/wallboard?ticket=${t}`);
    open.push(screen);
    await screen.next((f) => f.type === 'snapshot');
    expect(await Screen.refusal(`${edgeWs}/ws/wallboard?ticket=${t}`)).toBe(401);
    expect(await Screen.refusal(`${leaderWs}/ws/wallboard?ticket=${t}`)).toBe(401);

    // Issued by the leader directly, taken on the edge; and the other way round.
    const direct = await ticket(leaderWs.replace('ws', 'http'), 'wallboard', TOKENS.viewer);
    const s2 = await Screen.open(`${edgeWs}/ws/wallboard?ticket=${direct}`);
    open.push(s2);
    const onLeader = await ticket(leaderWs.replace('ws', 'http'), 'wallboard', TOKENS.viewer);
    const s3 = await Screen.open(`${leaderWs}/ws/wallboard?ticket=${onLeader}`);
    open.push(s3);
    expect(await Screen.refusal(`${edgeWs}/ws/wallboard?ticket=${onLeader}`)).toBe(401);

    // A wallboard ticket opens no agent console; an agent's ticket opens that agent's only.
    const wb = await ticket(edgeHttp, 'wallboard', TOKENS.viewer);
    expect(await Screen.refusal(`${edgeWs}/ws/agent?ticket=${wb}`)).toBe(401);
    const ana = await ticket(edgeHttp, 'agent', TOKENS.agents.ana);
    expect(await Screen.refusal(`${edgeWs}/ws/agent?ticket=${ana}&agent=bruno`)).toBe(403);
    const ana2 = await ticket(edgeHttp, 'agent', TOKENS.agents.ana);
    const console = await Screen.open(`${edgeWs}/ws/agent?ticket=${ana2}`);
    open.push(console);
    const view = await console.next((f) => f.type === 'agent');
    expect(view.body.agent.id).toBe('ana');
    // No ticket, no token: refused as the leader refuses it; a token alone: the leader vouches.
    expect(await Screen.refusal(`${edgeWs}/ws/supervisor`)).toBe(401);
    expect(await Screen.refusal(`${edgeWs}/ws/supervisor`, bearer(TOKENS.viewer))).toBe(403);
    const sup = await Screen.open(`${edgeWs}/ws/supervisor?token=${TOKENS.supervisor}`);
    open.push(sup);
    expect((await sup.next((f) => f.type === 'supervisor')).body.agents.length).toBeGreaterThan(0);
  });

  it('a console action through the edge reaches the leader, and the new state comes back to the console on the edge', async () => {
    const { h, edgeHttp, edgeWs } = await stack();
    const t = await ticket(edgeHttp, 'agent', TOKENS.agents.ana);
    const console = await Screen.open(`${edgeWs}/ws/agent?ticket=${t}`);
    open.push(console);
    await console.next((f) => f.type === 'agent');

    const res = await fetch(`${edgeHttp}/api/agents/ana/state`, {
      method: 'POST', headers: { ...bearer(TOKENS.agents.ana), 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'available' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(h.atende.engine.core.agent('ana')!.status).toBe('available');
    const frame = await console.next((f) => f.type === 'agent' && f.body.agent.state === 'available');
    expect(frame.body.agent.id).toBe('ana');

    // The leader's refusals come back as the leader said them, in the one shape.
    const refused = await fetch(`${edgeHttp}/api/agents/bruno/state`, {
      method: 'POST', headers: { ...bearer(TOKENS.agents.ana), 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'available' }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ statusCode: 403, code: 'ATENDE_ERR_FORBIDDEN', error: 'Forbidden' });
  });
});
