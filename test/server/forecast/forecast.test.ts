// GET /api/forecast and /api/forecast/now: Erlang C (and A) staffing figures over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { agentsRequiredErlangA, erlangA, erlangC } from '../../../routing/erlang.ts';
import { forecast } from '../../../server/forecast/staffing.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { ev, T0 } from '../../helpers/core.ts';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
});

async function setup(opts: { supervisorToken?: string | null } = {}) {
  const atende = await buildTestApp({ supervisorToken: opts.supervisorToken ?? null });
  apps.push(atende);
  const { app, engine } = atende;
  // The old `clock.t` of these tests: moving it moves the app's clock.
  const clock = { get t() { return atende.clock.now; }, set t(v: number) { atende.clock.now = v; } };
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, json: res.json() };
  };
  return { app, engine, clock, get };
}

const qs = (p: Record<string, string | number>) => new URLSearchParams(Object.entries(p).map(([k, v]) => [k, String(v)])).toString();

/**
 * The step-by-step Erlang C example found in the literature and in every Erlang
 * tutorial: 360 calls per half hour (720 per hour), calls of 4 minutes (240 s),
 * 55 agents, target answer time 15 s → A = 48 Erlangs, Pw 0.2387, SL 84.59 %,
 * ASA 8.18 s, occupancy 87.3 % (vectors recomputed in /work/shared/reference/peers.md §5
 * and test/erlang.test.ts).
 */
const CLASSIC = { callsPerHour: 720, ahtSeconds: 240, thresholdSeconds: 15, targetServiceLevel: 0.8 };

describe('GET /api/forecast: Erlang C', () => {
  it('reproduces the textbook example: 720 calls/h, 240 s, 80 % in 15 s needs 55 agents', async () => {
    const { get } = await setup();
    const r = await get(`/api/forecast?${qs(CLASSIC)}`);
    expect(r.status).toBe(200);
    expect(r.json.model).toBe('erlang-c');
    expect(r.json.trafficErlangs).toBeCloseTo(48, 12);
    expect(r.json.agentsRequired).toBe(55);
    expect(r.json.probabilityOfWaiting).toBeCloseTo(0.2387, 4);
    expect(r.json.serviceLevel).toBeCloseTo(0.8459, 4);
    expect(r.json.asaSeconds).toBeCloseTo(8.18, 2);
    expect(r.json.occupancy).toBeCloseTo(48 / 55, 12);
    expect(r.json.scheduledAgents).toBe(55); // no shrinkage
    expect(r.json.erlangA).toBeNull();
    // Rows required − 2 … + 3, each the library's figures for that head count.
    expect(r.json.rows.map((x: { agents: number }) => x.agents)).toEqual([53, 54, 55, 56, 57, 58]);
    for (const row of r.json.rows) {
      const lib = erlangC({ ...CLASSIC, agents: row.agents });
      expect(row).toEqual({
        agents: lib.agents, serviceLevel: lib.serviceLevel, asaSeconds: lib.asaSeconds,
        probabilityOfWaiting: lib.probabilityOfWaiting, occupancy: lib.occupancy, meetsTarget: lib.serviceLevel >= 0.8,
      });
    }
    expect(r.json.rows.find((x: { agents: number }) => x.agents === 57).serviceLevel).toBeCloseTo(0.9173, 4); // peers.md: 91.73 %
  });

  it('80/20 instead of 80/15 needs one agent fewer (54); the brief\'s 360 calls/h (A = 24) needs 29', async () => {
    const { get } = await setup();
    const at20 = await get(`/api/forecast?${qs({ ...CLASSIC, thresholdSeconds: 20 })}`);
    expect(at20.json).toMatchObject({ agentsRequired: 54 });
    expect(at20.json.serviceLevel).toBeCloseTo(0.8172, 4);
    const half = await get(`/api/forecast?${qs({ ...CLASSIC, callsPerHour: 360, thresholdSeconds: 20 })}`);
    expect(half.json.trafficErlangs).toBeCloseTo(24, 12);
    expect(half.json.agentsRequired).toBe(29);
  });

  it('agentsRequired is the fewest: one agent less misses the target or the occupancy ceiling', async () => {
    const { get } = await setup();
    const cases = [
      CLASSIC,
      { ...CLASSIC, thresholdSeconds: 20 },
      { callsPerHour: 200, ahtSeconds: 180, thresholdSeconds: 20, targetServiceLevel: 0.8 }, // A = 10 → 14 (peers.md)
      { callsPerHour: 30, ahtSeconds: 300, thresholdSeconds: 60, targetServiceLevel: 0.9 },
      { callsPerHour: 5000, ahtSeconds: 420, thresholdSeconds: 30, targetServiceLevel: 0.95 },
      { ...CLASSIC, thresholdSeconds: 20, maxOccupancy: 0.85 }, // the ceiling binds: ⌈48 / 0.85⌉ = 57
    ];
    for (const c of cases) {
      const r = (await get(`/api/forecast?${qs(c)}`)).json;
      const n = r.agentsRequired;
      const at = erlangC({ ...c, agents: n });
      const below = erlangC({ ...c, agents: n - 1 });
      const max = 'maxOccupancy' in c ? c.maxOccupancy : 1;
      expect(at.serviceLevel >= c.targetServiceLevel && at.occupancy <= max, JSON.stringify(c)).toBe(true);
      expect(below.serviceLevel >= c.targetServiceLevel && below.occupancy <= max, JSON.stringify(c)).toBe(false);
      for (const row of r.rows) {
        expect(row.agents).toBeGreaterThan(r.trafficErlangs);
        expect(row.meetsTarget).toBe(row.agents >= n);
      }
    }
    expect((await get(`/api/forecast?${qs(cases[2])}`)).json.agentsRequired).toBe(14);
    expect((await get(`/api/forecast?${qs(cases[5])}`)).json).toMatchObject({ agentsRequired: 57 });
  });

  it('shrinkage rounds the roster up; rows stop at the traffic', async () => {
    const { get } = await setup();
    const r = (await get(`/api/forecast?${qs({ ...CLASSIC, shrinkage: 0.3 })}`)).json;
    expect(r.agentsRequired).toBe(55);
    expect(r.scheduledAgents).toBe(79); // 55 / 0.7 = 78.6
    expect(r.input).toMatchObject({ shrinkage: 0.3, maxOccupancy: null, patienceSeconds: null });
    // 3 calls/h of 10 min: A = 0.5, one agent is enough and no row below it exists.
    const tiny = (await get(`/api/forecast?${qs({ callsPerHour: 3, ahtSeconds: 600, thresholdSeconds: 20, targetServiceLevel: 0.8 })}`)).json;
    expect(tiny.rows[0].agents).toBe(tiny.agentsRequired - (tiny.agentsRequired > 2 ? 2 : tiny.agentsRequired - 1));
    expect(tiny.rows.every((x: { agents: number }) => x.agents > 0.5)).toBe(true);
    // No calls: one agent, everything answered at once.
    const none = (await get(`/api/forecast?${qs({ ...CLASSIC, callsPerHour: 0 })}`)).json;
    expect(none).toMatchObject({ agentsRequired: 1, serviceLevel: 1, asaSeconds: 0, trafficErlangs: 0 });
  });

  it('patienceSeconds adds Erlang A figures (abandons lower the head count)', async () => {
    const { get } = await setup();
    const p = { ...CLASSIC, thresholdSeconds: 20, patienceSeconds: 120, shrinkage: 0.25 };
    const r = (await get(`/api/forecast?${qs(p)}`)).json;
    const lib = agentsRequiredErlangA(p);
    expect(r.erlangA).toMatchObject({
      patienceSeconds: 120, agentsRequired: lib.agentsRequired, scheduledAgents: lib.headcount,
      serviceLevel: lib.serviceLevel, probabilityOfAbandon: lib.probabilityOfAbandon,
    });
    expect(r.erlangA.agentsRequired).toBeLessThanOrEqual(r.agentsRequired);
    const row = r.erlangA.rows.find((x: { agents: number }) => x.agents === r.erlangA.agentsRequired - 1);
    expect(row.serviceLevel).toBe(erlangA({ ...p, agents: row.agents }).serviceLevel);
    expect(row.meetsTarget).toBe(false);
  });

  it.each([
    ['missing callsPerHour', 'callsPerHour', { ahtSeconds: 240, thresholdSeconds: 20, targetServiceLevel: 0.8 }],
    ['missing targetServiceLevel', 'targetServiceLevel', { callsPerHour: 100, ahtSeconds: 240, thresholdSeconds: 20 }],
    ['empty callsPerHour', 'callsPerHour', { ...CLASSIC, callsPerHour: '' }],
    ['non-numeric callsPerHour', 'callsPerHour', { ...CLASSIC, callsPerHour: 'many' }],
    ['negative callsPerHour', 'callsPerHour', { ...CLASSIC, callsPerHour: -1 }],
    ['absurd callsPerHour', 'callsPerHour', { ...CLASSIC, callsPerHour: 2e6 }],
    ['infinite callsPerHour', 'callsPerHour', { ...CLASSIC, callsPerHour: 'Infinity' }],
    ['zero ahtSeconds', 'ahtSeconds', { ...CLASSIC, ahtSeconds: 0 }],
    ['negative ahtSeconds', 'ahtSeconds', { ...CLASSIC, ahtSeconds: -240 }],
    ['ahtSeconds over a day', 'ahtSeconds', { ...CLASSIC, ahtSeconds: 90_000 }],
    ['negative thresholdSeconds', 'thresholdSeconds', { ...CLASSIC, thresholdSeconds: -5 }],
    ['target given in percent', 'targetServiceLevel', { ...CLASSIC, targetServiceLevel: 80 }],
    ['target 0', 'targetServiceLevel', { ...CLASSIC, targetServiceLevel: 0 }],
    ['target 1', 'targetServiceLevel', { ...CLASSIC, targetServiceLevel: 1 }],
    ['maxOccupancy above 1', 'maxOccupancy', { ...CLASSIC, maxOccupancy: 1.5 }],
    ['maxOccupancy 0', 'maxOccupancy', { ...CLASSIC, maxOccupancy: 0 }],
    ['shrinkage 1', 'shrinkage', { ...CLASSIC, shrinkage: 1 }],
    ['negative shrinkage', 'shrinkage', { ...CLASSIC, shrinkage: -0.1 }],
    ['patienceSeconds 0', 'patienceSeconds', { ...CLASSIC, patienceSeconds: 0 }],
    ['unknown parameter', 'agents', { ...CLASSIC, agents: 3 }],
    ['traffic beyond any center', 'callsPerHour', { ...CLASSIC, callsPerHour: 1e6, ahtSeconds: 3600 }],
  ] as [string, string, Record<string, string | number>][])('400 on %s, naming %s', async (_name, parameter, params) => {
    const { get } = await setup();
    const r = await get(`/api/forecast?${qs(params)}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${parameter}: `)) });
  });

  it('sits behind the supervisor token when one is set', async () => {
    const { get } = await setup({ supervisorToken: 's3cret' });
    expect((await get(`/api/forecast?${qs(CLASSIC)}`)).status).toBe(401);
    expect((await get('/api/forecast/now')).status).toBe(401);
    expect((await get(`/api/forecast?${qs(CLASSIC)}`, { authorization: 'Bearer s3cret' })).status).toBe(200);
  });
});

describe('GET /api/forecast/now: the live window', () => {
  it('says there is nothing to go on before any call', async () => {
    const { get } = await setup();
    const r = await get('/api/forecast/now');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ agentsRequired: null, serviceLevel: null, trafficErlangs: null, rows: [], erlangA: null });
    expect(r.json.reason).toMatch(/no calls offered in the last 30 minutes/);
    expect(r.json.basis).toMatchObject({ offered: 0, callsPerHour: 0, windowMinutes: 30, thresholdSeconds: 20, targetServiceLevel: 0.8 });
  });

  it('an offered call with no handled call yet: no TMA, null figures and the reason', async () => {
    const { engine, clock, get } = await setup();
    for (const e of [ev.arrived(0, 'c1'), ev.ivr(0, 'c1', ['1']), ev.queued(0, 'c1', 'suporte'), ev.abandoned(30, 'c1')]) {
      clock.t = e.at;
      expect(engine.dispatch(e).ok).toBe(true);
    }
    const r = (await get('/api/forecast/now')).json;
    expect(r.basis).toMatchObject({ offered: 1, callsPerHour: 2, ahtSeconds: null, ahtFrom: null });
    expect(r.agentsRequired).toBeNull();
    expect(r.reason).toMatch(/TMA/);
  });

  it('scales the window to an hour, uses its TMA and the center target, and matches /api/forecast', async () => {
    const { engine, clock, get } = await setup();
    const events = [
      ev.agent(0, 'ana', 'available'), ev.agent(0, 'bruno', 'available'),
      ev.arrived(10, 'c1'), ev.ivr(10, 'c1', ['1']), ev.queued(10, 'c1', 'suporte'), ev.answered(14, 'c1', 'ana'),
      ev.arrived(20, 'c2'), ev.ivr(20, 'c2', ['1']), ev.queued(20, 'c2', 'suporte'), ev.answered(35, 'c2', 'bruno'),
      ev.ended(134, 'c1', 'agent'), ev.ready(150, 'ana'), // talk 120 + wrap 16 = 136 s
      ev.ended(235, 'c2', 'agent'), ev.ready(259, 'bruno'), // talk 200 + wrap 24 = 224 s
      ev.arrived(300, 'c3'), ev.ivr(300, 'c3', ['1']), ev.queued(300, 'c3', 'suporte'),
    ];
    for (const e of events) {
      clock.t = e.at;
      const r = engine.dispatch(e);
      expect(r.ok, `${e.type} ${JSON.stringify(r)}`).toBe(true);
    }
    clock.t = T0 + 320_000;
    const rolling = engine.core.metrics.read({ kind: 'center' }, 'rolling');
    expect(rolling).toMatchObject({ offered: 2, handled: 2, tmaSeconds: 180 });
    const r = (await get('/api/forecast/now?shrinkage=0.2&patienceSeconds=90')).json;
    expect(r.reason).toBeNull();
    expect(r.basis).toEqual({
      windowMinutes: 30, offered: 2, callsPerHour: 4, ahtSeconds: 180, ahtFrom: 'rolling', thresholdSeconds: 20, targetServiceLevel: 0.8,
    });
    expect(r.agentsStaffed).toBe(2); // c3 is ringing ana or bruno, the other is available
    const expected = forecast({ callsPerHour: 4, ahtSeconds: 180, thresholdSeconds: 20, targetServiceLevel: 0.8, shrinkage: 0.2, patienceSeconds: 90 });
    const { model: _m, ...figures } = expected;
    expect(r).toMatchObject(JSON.parse(JSON.stringify(figures)));
    const viaQuery = (await get(`/api/forecast?${qs({ callsPerHour: 4, ahtSeconds: 180, thresholdSeconds: 20, targetServiceLevel: 0.8, shrinkage: 0.2, patienceSeconds: 90 })}`)).json;
    expect(r.agentsRequired).toBe(viaQuery.agentsRequired);
    expect(r.rows).toEqual(viaQuery.rows);

    const bad = await get('/api/forecast/now?maxOccupancy=2');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', error: 'Bad Request', message: 'maxOccupancy: must be <= 1' });
  });
});
