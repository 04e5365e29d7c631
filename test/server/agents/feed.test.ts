// The /ws/agent feed over real sockets, on the same fan-out as the wallboard: a
// frame only when that agent's own view changed, heartbeats while it is quiet,
// dead peers pinged out, and 1001 when the server stops.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentConsoleView } from '../../../server/contract.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

let apps: TestApp[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  sockets = [];
  for (const a of apps) await a.close();
  apps = [];
});

type Frame = AgentConsoleView | { type: 'heartbeat'; serverTime: number };

async function agentFeed(hub: { heartbeatMs?: number; pingMs?: number }, opts: WebSocket.ClientOptions = {}) {
  const atende = await buildTestApp({ hub, rateLimitPerMinute: false });
  apps.push(atende);
  const address = await atende.app.listen({ host: '127.0.0.1', port: 0 });
  const ws = new WebSocket(`${address.replace(/^http/, 'ws')}/ws/agent?agent=ana`, opts);
  sockets.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Frame));
  ws.on('error', () => { /* the close code says it */ });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve) => ws.once('open', resolve));
  const views = () => frames.filter((f): f is AgentConsoleView => f.type === 'agent');
  const state = async (agentId: string, payload: object) => {
    const res = await atende.app.inject({ method: 'POST', url: `/api/agents/${agentId}/state`, payload });
    expect(res.statusCode, res.body).toBe(200);
  };
  return { atende, ws, frames, views, closed, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the agent feed', () => {
  it('sends a frame only when that agent\'s view changed, and heartbeats while it is quiet', async () => {
    const { frames, views, state } = await agentFeed({ heartbeatMs: 100 });
    await expect.poll(() => views()).toHaveLength(1);
    expect(views()[0].agent).toMatchObject({ id: 'ana', state: 'offline' });

    // Other agents change: Ana's view does not, so she gets nothing but heartbeats.
    await state('bruno', { state: 'available' });
    await state('carla', { state: 'away', reason: 'almoço' });
    await expect.poll(() => frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(views()).toHaveLength(1);

    await state('ana', { state: 'away', reason: 'lanche' });
    await expect.poll(() => views()).toHaveLength(2);
    expect(views()[1].agent).toMatchObject({ state: 'away', reason: 'lanche' });
    await sleep(250);
    expect(views()).toHaveLength(2);
  });

  it('terminates an agent socket that answers no pings, as it does a wallboard\'s', async () => {
    const { atende, closed } = await agentFeed({ pingMs: 100 }, { autoPong: false });
    const code = await Promise.race([closed, sleep(2000).then(() => -1)]);
    // Terminated (no close frame): the client sees 1006.
    expect(code).toBe(1006);
    // The wallboard count is the wallboard topic's alone.
    expect(atende.app.hub.size).toBe(0);
  });

  it('closes with 1001 when the server stops', async () => {
    const { atende, views, closed } = await agentFeed({});
    await expect.poll(() => views()).toHaveLength(1);
    await atende.close();
    expect(await closed).toBe(1001);
  });
});
