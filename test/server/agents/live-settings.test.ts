// A supervisor's change reaches every screen at once, because every reader takes
// `fastify.settings.current` when it builds its answer: the agent console over
// HTTP and over its socket (it once kept the pause reasons it started with), and
// the wallboard's snapshot over HTTP and over its socket.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentConsoleView, Snapshot } from '../../../server/contract.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

let apps: TestApp[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  sockets = [];
  for (const a of apps) await a.close();
  apps = [];
});

async function listening() {
  const atende = await buildTestApp({ rateLimitPerMinute: false });
  apps.push(atende);
  const address = await atende.app.listen({ host: '127.0.0.1', port: 0 });
  return { atende, ws: address.replace(/^http/, 'ws') };
}

/** Every JSON frame the socket receives, in order. */
function feed<T>(url: string): T[] {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: T[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as T));
  ws.on('error', () => { /* the assertions say what is missing */ });
  return frames;
}

const patch = (atende: TestApp, payload: object) => atende.app.inject({ method: 'PATCH', url: '/api/settings', payload });

describe('settings changed live reach the screens', () => {
  it('new pause reasons: GET /api/agent/me and the /ws/agent feed show them at once', async () => {
    const { atende, ws } = await listening();
    const me = async () => (await atende.app.inject({ url: '/api/agent/me?agent=ana' })).json() as AgentConsoleView;
    const before = (await me()).pauseReasons;
    const frames = feed<AgentConsoleView | { type: 'heartbeat' }>(`${ws}/ws/agent?agent=ana`);
    const lastView = () => frames.filter((f): f is AgentConsoleView => f.type === 'agent').at(-1);
    await expect.poll(() => lastView()?.pauseReasons).toEqual(before);

    const reasons = ['almoço', 'café', 'ginástica laboral'];
    expect(before).not.toEqual(reasons);
    const res = await patch(atende, { pauseReasons: reasons });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().pauseReasons).toEqual(reasons);

    expect((await me()).pauseReasons).toEqual(reasons);
    await expect.poll(() => lastView()?.pauseReasons, { timeout: 2000 }).toEqual(reasons);
    // One new frame for the one change, not one per socket event.
    expect(frames.filter((f) => f.type === 'agent')).toHaveLength(2);
  });

  it('a new center name, colours and service level: GET /api/snapshot and the /ws/wallboard feed show them at once', async () => {
    const { atende, ws } = await listening();
    const snapshot = async () => (await atende.app.inject({ url: '/api/snapshot' })).json() as Snapshot;
    const before = await snapshot();
    const frames = feed<Snapshot | { type: 'history' }>(`${ws}/ws/wallboard`);
    const lastSnapshot = () => frames.filter((f): f is Snapshot => f.type === 'snapshot').at(-1);
    await expect.poll(() => lastSnapshot()?.centerName).toBe(before.centerName);

    const res = await patch(atende, {
      centerName: 'Central Atende Noturna',
      colours: { waiting: { amberAbove: 10, redAbove: 20 } },
      serviceLevel: { thresholdSeconds: 30, target: 0.85 },
    });
    expect(res.statusCode, res.body).toBe(200);

    const after = await snapshot();
    expect(after.centerName).toBe('Central Atende Noturna');
    expect(after.colours.waiting).toEqual({ amberAbove: 10, redAbove: 20 });
    expect(after.colours.longestWaitSeconds).toEqual(before.colours.longestWaitSeconds);
    expect(after.serviceLevel).toMatchObject({ thresholdSeconds: 30, target: 0.85, formula: before.serviceLevel.formula });
    await expect.poll(() => lastSnapshot()?.centerName, { timeout: 2000 }).toBe('Central Atende Noturna');
    expect(lastSnapshot()!.colours.waiting).toEqual({ amberAbove: 10, redAbove: 20 });
    expect(lastSnapshot()!.serviceLevel).toMatchObject({ thresholdSeconds: 30, target: 0.85 });
  });
});
