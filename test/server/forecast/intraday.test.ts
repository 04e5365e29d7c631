// Intraday forecast: the re-forecast arithmetic on known numbers, and the route on a
// recorded morning. The pause advice route (GET /api/forecast/pause) too.
import { afterEach, describe, expect, it } from 'vitest';
import { intradayScope, type IntradayScopeInput } from '../../../server/forecast/intraday.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';
import { playDay } from '../../helpers/recorded-day.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

const base: IntradayScopeInput = {
  id: null, today: [], history: [], current: 0, elapsed: 0, ahtSeconds: 180, patienceSeconds: null,
  thresholdSeconds: 20, target: 0.8, loggedIn: 7,
};

describe('intradayScope', () => {
  it('scales the previous days\' profile by today so far: 30 calls against a profile of 20 → ×1.5', () => {
    const profile = [10, 10, 20, 20, 20, 10];
    const s = intradayScope({ ...base, today: [15, 15, 0], history: [profile, profile, new Array(6).fill(0)], current: 2, elapsed: 0 }, 15, 2);
    expect(s.method).toBe('profile');
    expect(s.historyDays).toBe(2); // an empty day is no history
    expect(s.scale).toBe(1.5);
    // Interval 3: 20 × 1.5 = 30 calls in 15 min = 120 calls/h; 180 s: 6 Erlangs; Erlang C 80/20 needs 9.
    expect(s.coming[0]).toEqual({ index: 3, arrivals: 30, callsPerHour: 120, erlangC: 9, erlangA: null, loggedIn: 7, gap: -2 });
    expect(s.coming[1].arrivals).toBe(30);
  });

  it('with today\'s patience, Erlang A asks for fewer agents (120 calls/h, 180 s, patience 60 s: 8)', () => {
    const profile = [10, 10, 20, 20];
    const s = intradayScope({ ...base, today: [15, 15, 0], history: [profile], current: 2, elapsed: 0, patienceSeconds: 60 }, 15, 1);
    expect(s.coming[0]).toMatchObject({ erlangC: 9, erlangA: 8, gap: -1 });
  });

  it('no history: today\'s last four intervals carried forward', () => {
    const s = intradayScope({ ...base, today: [8, 12, 10, 6, 0], current: 4, elapsed: 0 }, 15, 3);
    expect(s.method).toBe('recent');
    expect(s.coming.map((c) => c.arrivals)).toEqual([9, 9, 9]);
    expect(s.coming.map((c) => c.index)).toEqual([5, 6, 7]);
  });

  it('nothing to go on: no forecast', () => {
    const s = intradayScope({ ...base, today: [0], current: 0, elapsed: 0 }, 15, 2);
    expect(s.method).toBe('none');
    expect(s.coming.every((c) => c.erlangC === null && c.gap === null)).toBe(true);
  });
});

describe('GET /api/forecast/intraday', () => {
  it('on a recorded morning: today\'s rate, its patience, Erlang C and A against the agents logged in', async () => {
    app = await buildTestApp();
    const settings = app.app.settings.current;
    const day = playDay(app.engine, (t) => { app!.clock.now = t; }, settings, { date: '2026-11-24', hours: 2, afterEvent: () => app!.app.records.flush() });
    app.clock.now = day.endAt - 40 * 60_000; // mid-morning, calls still coming
    const res = await app.app.inject({ method: 'GET', url: '/api/forecast/intraday?intervals=4' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.dayStart).toBe('2026-11-24T00:00:00-03:00');
    expect(body.patience.abandons).toBeGreaterThan(0);
    expect(body.patience.meanSeconds).toBeGreaterThan(10);
    expect(body.center.method).toBe('recent');
    expect(body.center.coming).toHaveLength(4);
    const first = body.center.coming[0];
    expect(first.callsPerHour).toBeGreaterThan(50);
    expect(first.erlangC).toBeGreaterThanOrEqual(first.erlangA);
    expect(first.loggedIn).toBeGreaterThan(0);
    expect(body.queues.map((q: { id: string }) => q.id)).toEqual(['suporte', 'vendas', 'financeiro']);
    const bad = await app.app.inject({ method: 'GET', url: '/api/forecast/intraday?intervals=0' });
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT' });
    expect(bad.json().message).toMatch(/^intervals: /);
    // ajv coerces 1e309 to Infinity; the route still says no (found by the fuzz suite: it ran out of memory).
    const huge = await app.app.inject({ method: 'GET', url: '/api/forecast/intraday?intervals=1e309' });
    expect(huge.json()).toMatchObject({ statusCode: 400, message: 'intervals: must be an integer from 1 to 96' });
  }, 60_000);
});

describe('GET /api/forecast/pause', () => {
  it('a quiet center: the pause is safe; an agent token sees only its own agent', async () => {
    app = await buildTestApp({ supervisorToken: 'sup', agentTokens: { ana: 'tok-ana', bruno: 'tok-bruno' } });
    app.engine.dispatch({ id: 'p1', at: T0, type: 'agent.state', agentId: 'ana', state: 'available' });
    const mine = await app.app.inject({ method: 'GET', url: '/api/forecast/pause?agent=ana', headers: { authorization: 'Bearer tok-ana' } });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ agentId: 'ana', safe: true, waitMinutes: null, breaks: [], horizonMinutes: 30 });
    const other = await app.app.inject({ method: 'GET', url: '/api/forecast/pause?agent=bruno', headers: { authorization: 'Bearer tok-ana' } });
    expect(other.statusCode).toBe(403);
    const unknown = await app.app.inject({ method: 'GET', url: '/api/forecast/pause?agent=zeca', headers: { authorization: 'Bearer sup' } });
    expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_AGENT' });
  });

  it('the only agent on a queue with callers waiting: not safe', async () => {
    app = await buildTestApp();
    let n = 0;
    const send = (s: number, body: Record<string, unknown>) => {
      app!.clock.now = T0 + s * 1000;
      app!.engine.dispatch({ id: `q${n++}`, at: T0 + s * 1000, ...body } as never);
    };
    send(0, { type: 'agent.state', agentId: 'gabriela', state: 'available' });
    for (let k = 0; k < 6; k++) {
      send(k * 20, { type: 'call.arrived', callId: `f${k}`, from: `+5511955500${k}` });
      send(k * 20, { type: 'call.queued', callId: `f${k}`, queue: 'financeiro' });
      if (k === 0) send(3, { type: 'call.answered', callId: 'f0', agentId: 'gabriela' });
    }
    const res = await app.app.inject({ method: 'GET', url: '/api/forecast/pause?agent=gabriela' });
    const body = res.json();
    expect(body.safe).toBe(false);
    expect(body.breaks).toContain('financeiro');
  });
});
