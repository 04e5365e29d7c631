// Per-agent interval figures (GET /api/reports/intervals?scope=agent&id=…), derived by
// the history tracker from what the core decided, on a built morning with exact values.
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../routing/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';

let apps: TestApp[] = [];
afterEach(async () => { for (const a of apps) await a.close(); apps = []; });

const at = (m: number, s = 0) => T0 + (m * 60 + s) * 1000; // minutes after 09:00 in São Paulo
let n = 0;
const e = (t: number, body: Record<string, unknown>) => ({ id: `ag${n++}`, at: t, ...body }) as unknown as DomainEvent;

/**
 * Ana alone (wrap-up 30 s; one missed ring sends an agent away, "no-answer"):
 *   09:00:00 available · 09:01:00 c1 (Suporte) rings her · 09:01:05 answered · 09:02:05–09:02:35 on hold
 *   09:04:05 she hangs up: talk 150 s, hold 30 s · 09:04:35 wrap-up over (30 s) · 09:05:00 c2 (Vendas) rings her
 *   09:05:15 no answer: missed, away "no-answer" · 09:06:00 c2 gives up · 09:10 away "almoço" · 09:20 back · 09:25 offline.
 */
async function morning(): Promise<TestApp> {
  const app = await buildTestApp();
  apps.push(app);
  const events = [
    e(at(0), { type: 'agent.state', agentId: 'ana', state: 'available' }),
    e(at(1), { type: 'call.arrived', callId: 'c1', from: '+5511970000001' }),
    e(at(1), { type: 'call.ivr', callId: 'c1', path: ['1'] }),
    e(at(1), { type: 'call.queued', callId: 'c1', queue: 'suporte' }),
    e(at(1, 5), { type: 'call.answered', callId: 'c1', agentId: 'ana' }),
    e(at(2, 5), { type: 'call.hold', callId: 'c1', onHold: true }),
    e(at(2, 35), { type: 'call.hold', callId: 'c1', onHold: false }),
    e(at(4, 5), { type: 'call.ended', callId: 'c1', by: 'agent' }),
    e(at(5), { type: 'call.arrived', callId: 'c2', from: '+5511970000002' }),
    e(at(5), { type: 'call.ivr', callId: 'c2', path: ['2'] }),
    e(at(5), { type: 'call.queued', callId: 'c2', queue: 'vendas' }),
    e(at(5, 15), { type: 'call.offer-missed', callId: 'c2', agentId: 'ana', reason: 'no-answer' }),
    e(at(6), { type: 'call.abandoned', callId: 'c2' }),
    e(at(10), { type: 'agent.state', agentId: 'ana', state: 'away', reason: 'almoço' }),
    e(at(20), { type: 'agent.state', agentId: 'ana', state: 'available' }),
    e(at(25), { type: 'agent.state', agentId: 'ana', state: 'offline' }),
  ];
  for (const ev of events) {
    app.clock.now = ev.at;
    app.engine.advance();
    const r = app.engine.dispatch(ev);
    expect(r.ok, `${ev.type} ${JSON.stringify(r)}`).toBe(true);
  }
  app.clock.now = at(31);
  return app;
}

const report = async (app: TestApp, q: string) => {
  const res = await app.app.inject({ method: 'GET', url: `/api/reports/intervals?${q}` });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};

describe('per-agent intervals', () => {
  it('offers, answers, misses, handle times, time per state and pause reason, occupancy: exact', async () => {
    const app = await morning();
    const r = (await report(app, 'from=2026-11-23T09:00&to=2026-11-23T09:30&scope=agent&id=ana')).json();
    expect(r).toMatchObject({ scope: { kind: 'agent', id: 'ana' }, granularity: '15m', baseIntervals: 2 });
    const [first, second] = r.rows;
    expect(first).toEqual({
      start: '2026-11-23T09:00:00-03:00', end: '2026-11-23T09:15:00-03:00', startMs: at(0), endMs: at(15), complete: true, intervals: 1,
      offered: 2, answered: 1, missed: 1, handled: 1,
      talkSeconds: 150, holdSeconds: 30, wrapSeconds: 30, tmaSeconds: 210,
      availableSeconds: 60 + 25, ringingSeconds: 5 + 15, onCallSeconds: 180, wrapUpSeconds: 30,
      awaySeconds: 285 + 300, offlineSeconds: 0,
      occupancy: (5 + 15 + 180 + 30) / (5 + 15 + 180 + 30 + 85),
      pauseSeconds: { 'no-answer': 285, 'almoço': 300 },
    });
    expect(second).toEqual({
      start: '2026-11-23T09:15:00-03:00', end: '2026-11-23T09:30:00-03:00', startMs: at(15), endMs: at(30), complete: true, intervals: 1,
      offered: 0, answered: 0, missed: 0, handled: 0, talkSeconds: 0, holdSeconds: 0, wrapSeconds: 0, tmaSeconds: null,
      availableSeconds: 300, ringingSeconds: 0, onCallSeconds: 0, wrapUpSeconds: 0, awaySeconds: 300, offlineSeconds: 300,
      occupancy: 0, pauseSeconds: { 'almoço': 300 },
    });

    // The agent's handle times are the center's (one agent took every call).
    const center = (await report(app, 'from=2026-11-23T09:00&to=2026-11-23T09:15')).json().rows[0];
    expect(center).toMatchObject({ handled: 1, tmaSeconds: 210, offered: 2, answered: 1, abandoned: 1 });

    // The hour: sums; the open interval (09:30–09:31, offline) is counted so far.
    const hour = (await report(app, 'from=2026-11-23T09:00&to=2026-11-23T10:00&granularity=hour&scope=agent&id=ana')).json();
    expect(hour.rows).toHaveLength(1);
    expect(hour.rows[0]).toMatchObject({
      complete: false, intervals: 3, offered: 2, answered: 1, missed: 1, handled: 1, tmaSeconds: 210,
      availableSeconds: 385, awaySeconds: 885, offlineSeconds: 360, pauseSeconds: { 'no-answer': 285, 'almoço': 600 },
      occupancy: 230 / (230 + 385),
    });

    // Bruno never logged in: offline the whole time.
    const bruno = (await report(app, 'from=2026-11-23T09:00&to=2026-11-23T09:30&scope=agent&id=bruno')).json();
    expect(bruno.rows.map((x: { offlineSeconds: number; offered: number; occupancy: null }) => [x.offlineSeconds, x.offered, x.occupancy])).toEqual([[900, 0, null], [900, 0, null]]);
  });

  it('CSV: one column per pause reason, the settings\' reasons first', async () => {
    const app = await morning();
    const csv = await report(app, 'from=2026-11-23T09:00&to=2026-11-23T09:30&scope=agent&id=ana&format=csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="atende-agent-ana-15m-2026-11-23_2026-11-23.csv"');
    const [header, row1] = csv.body.split('\r\n');
    const columns = header.split(',');
    expect(columns.slice(0, 5)).toEqual(['start', 'end', 'complete', 'intervals', 'offered']);
    const pauses = columns.filter((c) => c.startsWith('pause:'));
    expect(pauses[0]).toBe('pause:almoço');
    expect(pauses.at(-1)).toBe('pause:no-answer');
    const cells = row1.split(',');
    expect(cells[columns.indexOf('pause:almoço')]).toBe('300');
    expect(cells[columns.indexOf('pause:no-answer')]).toBe('285');
    expect(cells[columns.indexOf('tmaSeconds')]).toBe('210');
  });
});
