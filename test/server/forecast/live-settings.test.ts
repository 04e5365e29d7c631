// GET /api/forecast/now follows the settings in force: a supervisor who widens the
// rolling window (PATCH /api/settings) gets calls per hour over the new window, not
// over the 30 minutes the server started with.
import { afterEach, describe, expect, it } from 'vitest';
import { forecast } from '../../../server/forecast/staffing.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { ev, T0 } from '../../helpers/core.ts';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
});

async function center(): Promise<TestApp> {
  const atende = await buildTestApp();
  apps.push(atende);
  return atende;
}

async function patchWindow(atende: TestApp, windowMinutes: number): Promise<void> {
  const res = await atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: { serviceLevel: { windowMinutes } } });
  expect(res.statusCode, res.body).toBe(200);
}

const now = async (atende: TestApp) => (await atende.app.inject({ method: 'GET', url: '/api/forecast/now' })).json();

/**
 * One handled call (c1: answered after 5 s, talk 180 s, wrap 10 s, so TMA 190 s) in
 * the first minutes, three abandons before minute 16 and two after minute 40. At
 * minute 50, a 60-minute window holds all six offered calls (6 an hour); the last
 * 30 minutes hold two (4 an hour).
 */
function sixCalls(atende: TestApp): void {
  const events = [
    ev.agent(0, 'ana', 'available'),
    ev.arrived(60, 'c1'), ev.ivr(60, 'c1', ['1']), ev.queued(60, 'c1', 'suporte'), ev.answered(65, 'c1', 'ana'),
    ev.ended(245, 'c1', 'agent'), ev.ready(255, 'ana'), ev.agent(256, 'ana', 'away'),
  ];
  for (const [id, s] of [['c2', 300], ['c3', 600], ['c4', 900], ['c5', 2400], ['c6', 2700]] as const) {
    events.push(ev.arrived(s, id), ev.ivr(s, id, ['1']), ev.queued(s, id, 'suporte'), ev.abandoned(s + 20, id));
  }
  for (const e of events) {
    atende.clock.now = e.at;
    const r = atende.engine.dispatch(e);
    expect(r.ok, `${e.type} ${JSON.stringify(r)}`).toBe(true);
  }
  atende.clock.now = T0 + 50 * 60_000;
}

describe('GET /api/forecast/now reads the settings in force', () => {
  it('a window widened to 60 minutes: 6 calls in it are 6 an hour (not 12), and the forecast is made on them', async () => {
    const atende = await center();
    await patchWindow(atende, 60);
    sixCalls(atende);
    const r = await now(atende);
    expect(r.reason).toBeNull();
    expect(r.basis).toEqual({
      windowMinutes: 60, offered: 6, callsPerHour: 6, ahtSeconds: 190, ahtFrom: 'rolling', thresholdSeconds: 20, targetServiceLevel: 0.8,
    });
    const expected = forecast({ callsPerHour: 6, ahtSeconds: 190, thresholdSeconds: 20, targetServiceLevel: 0.8 });
    expect(r.trafficErlangs).toBe(expected.trafficErlangs);
    expect(r.trafficErlangs).toBeCloseTo((6 * 190) / 3600, 15);
    expect(r.agentsRequired).toBe(expected.agentsRequired);
    expect(r.rows).toEqual(expected.rows);
  });

  it('with no call yet, the answer names the window in force, as the wallboard does', async () => {
    const atende = await center();
    await patchWindow(atende, 60);
    const snapshot = (await atende.app.inject({ method: 'GET', url: '/api/snapshot' })).json();
    expect(snapshot.serviceLevel.windowMinutes).toBe(60);
    const r = await now(atende);
    expect(r.reason).toBe('no calls offered in the last 60 minutes');
    expect(r.basis).toMatchObject({ windowMinutes: 60, offered: 0, callsPerHour: 0 });
  });

  it('narrowed back to 30 minutes: the 2 calls of the last half hour are 4 an hour, with today\'s TMA', async () => {
    const atende = await center();
    await patchWindow(atende, 60);
    sixCalls(atende);
    await patchWindow(atende, 30);
    const r = await now(atende);
    // c1 was handled 45 minutes ago: outside the window, so the TMA is today's.
    expect(r.basis).toEqual({
      windowMinutes: 30, offered: 2, callsPerHour: 4, ahtSeconds: 190, ahtFrom: 'today', thresholdSeconds: 20, targetServiceLevel: 0.8,
    });
    expect(r.trafficErlangs).toBeCloseTo((4 * 190) / 3600, 15);
  });
});
