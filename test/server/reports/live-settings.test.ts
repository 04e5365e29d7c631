// GET /api/reports/intervals reads the settings in force at each request: a
// supervisor's change of the service-level formula and target, of the daily reset,
// or of a queue's own terms counts in the next report, not after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { ev, T0 } from '../../helpers/core.ts';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
});

/** 09:01 c1 answered after 5 s (talk 60 s); 09:03:20 c2 hangs up after 60 s in queue. Clock at 09:05. */
async function twoCalls(): Promise<TestApp> {
  const atende = await buildTestApp();
  apps.push(atende);
  const events = [
    ev.agent(0, 'ana', 'available'),
    ev.arrived(60, 'c1'), ev.ivr(60, 'c1', ['1']), ev.queued(60, 'c1', 'suporte'), ev.answered(65, 'c1', 'ana'),
    ev.ended(125, 'c1', 'agent'), ev.ready(130, 'ana'), ev.agent(131, 'ana', 'away'),
    ev.arrived(200, 'c2'), ev.ivr(200, 'c2', ['1']), ev.queued(200, 'c2', 'suporte'), ev.abandoned(260, 'c2'),
  ];
  for (const e of events) {
    atende.clock.now = e.at;
    const r = atende.engine.dispatch(e);
    expect(r.ok, `${e.type} ${JSON.stringify(r)}`).toBe(true);
  }
  atende.clock.now = T0 + 300_000;
  return atende;
}

async function patch(atende: TestApp, body: object): Promise<void> {
  const res = await atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: body });
  expect(res.statusCode, res.body).toBe(200);
}

const report = async (atende: TestApp, q: string) => atende.app.inject({ method: 'GET', url: `/api/reports/intervals?${q}` });
const HOUR = 'from=2026-11-23T09:00&to=2026-11-23T10:00&granularity=hour';

describe('GET /api/reports/intervals reads the settings in force', () => {
  it('a new formula and target: the hour\'s service level is recomputed with them (1/2 offered, 1/1 answered)', async () => {
    const atende = await twoCalls();
    const before = (await report(atende, HOUR)).json();
    expect(before).toMatchObject({ formula: 'offered', target: 0.8, thresholdSeconds: 20 });
    expect(before.rows[0]).toMatchObject({ offered: 2, answered: 1, abandoned: 1, answeredWithinThreshold: 1, serviceLevel: 0.5 });

    await patch(atende, { serviceLevel: { formula: 'answered', target: 0.9 } });
    const after = (await report(atende, HOUR)).json();
    expect(after).toMatchObject({ formula: 'answered', target: 0.9, thresholdSeconds: 20 });
    expect(after.rows[0]).toMatchObject({ offered: 2, answered: 1, abandoned: 1, serviceLevel: 1 });
    expect(after.total.serviceLevel).toBe(1);
  });

  it('a new daily reset moves the default range ("today") to start at it', async () => {
    const atende = await twoCalls();
    expect((await report(atende, '')).json().from).toBe('2026-11-23T00:00:00-03:00');
    await patch(atende, { serviceLevel: { todayResetsAt: '06:00' } });
    const today = (await report(atende, '')).json();
    expect(today.from).toBe('2026-11-23T06:00:00-03:00');
    expect(today.rows[0].start).toBe('2026-11-23T06:00:00-03:00');
  });

  it('a queue\'s own threshold and target changed live are the report\'s terms for that queue at once', async () => {
    const atende = await twoCalls();
    const q = 'scope=queue&id=financeiro';
    expect((await report(atende, q)).json()).toMatchObject({ scope: { kind: 'queue', id: 'financeiro' }, thresholdSeconds: 60, target: 0.8 });
    await patch(atende, { queues: [{ id: 'financeiro', thresholdSeconds: 45, target: 0.9 }] });
    const r = await report(atende, q);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ scope: { kind: 'queue', id: 'financeiro' }, thresholdSeconds: 45, target: 0.9 });
  });
});
