// On PostgreSQL (DATABASE_URL) the what-if, "por que esperou?" and the intraday forecast
// read the log and the call records through the store, as on SQLite: for the same
// recorded events they give the same answers on both (no 501 ATENDE_ERR_SQLITE_ONLY).
import { afterAll, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../../server/storage/postgres/store.ts';
import { createAtende, prepareStart, type Atende } from '../../../server/start.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';
import { describeWithPostgres } from '../../helpers/postgres.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { BRUNO_DATE, brunoAlone, withoutTimes } from './bruno-day.ts';

const DAY = 86_400_000;
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => { for (const x of opened.reverse()) await x.close(); });

/** The same questions to either server; the answers without the time they took. */
async function ask(a: Atende) {
  const whatIf = await a.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: BRUNO_DATE, changes: ['+1 suporte 09:00-10:00'] } });
  const same = await a.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: BRUNO_DATE, changes: [] } });
  const why = await a.app.inject({ method: 'GET', url: '/api/calls/c2/why' });
  const whyC1 = await a.app.inject({ method: 'GET', url: '/api/calls/c1/why' });
  const unknown = await a.app.inject({ method: 'GET', url: '/api/calls/nobody/why' });
  const badChange = await a.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: BRUNO_DATE, changes: ['+2 nowhere'] } });
  for (const r of [whatIf, same, why, whyC1]) expect(r.statusCode, r.body).toBe(200);
  return {
    whatIf: withoutTimes(whatIf.json()), same: withoutTimes(same.json()), why: withoutTimes(why.json()), whyC1: withoutTimes(whyC1.json()),
    unknown: unknown.json(), badChange: badChange.json(),
  };
}

describeWithPostgres('planning tools on PostgreSQL', (schema) => {
  it('POST /api/whatif, GET /api/calls/:id/why and the intraday forecast answer as on SQLite for the same events', async () => {
    const settings = testSettings();
    const events = brunoAlone();
    const endOfDay = T0 + 3 * 3_600_000;

    // SQLite: the events dispatched live.
    const lite = await buildTestApp({ settings });
    opened.push(lite);
    for (const ev of events) {
      lite.clock.now = ev.at;
      const r = await lite.engine.submit(ev, 'test');
      if (!r.ok) throw new Error(`${ev.type} refused: ${r.error.message}`);
    }

    // PostgreSQL: this node leads (the lease's next epoch), the same events submitted live.
    const store: PostgresStore = await openPostgresStore(schema().url);
    opened.push(store);
    const { rows } = await store.pool.query<{ epoch: number }>('UPDATE lease SET epoch = epoch + 1 RETURNING epoch');
    store.epoch = rows[0].epoch;
    const clock = { t: events[0].at - 1000 };
    const prepared = await prepareStart(store, settings, clock.t, () => {});
    const pg = await createAtende({
      settings, dbPath: ':memory:', prepared, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
      historyTimings: { startDelayMs: 2_000_000_000 },
    });
    opened.splice(opened.indexOf(store), 0, pg);
    for (const ev of events) {
      clock.t = ev.at;
      const r = await pg.engine.submit(ev, 'test');
      if (!r.ok) throw new Error(`${ev.type} refused: ${r.error.message}`);
    }
    expect(pg.store.kind).toBe('postgres');
    expect((await store.pool.query('SELECT COUNT(*)::int AS n FROM events')).rows[0].n).toBe(events.length);

    // Later that morning: the intraday forecast on the same call records.
    lite.clock.now = clock.t = T0 + 20 * 60_000;
    const intraday = async (a: Atende) => {
      const r = await a.app.inject({ method: 'GET', url: '/api/forecast/intraday?intervals=4' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const [liteIntraday, pgIntraday] = [await intraday(lite), await intraday(pg)];
    expect(pgIntraday).toEqual(liteIntraday);
    expect(pgIntraday.center.observed.reduce((n: number, x: number) => n + x, 0)).toBe(3); // c1, c2, c3 reached Suporte
    expect(pgIntraday.center.coming).toHaveLength(4);
    expect(pgIntraday.patience).toMatchObject({ observations: 3, abandons: 1, medianSeconds: 40 });

    // The next day: the what-if and "por que esperou?".
    lite.clock.now = clock.t = endOfDay + DAY;
    const [onLite, onPg] = [await ask(lite), await ask(pg)];
    expect(onPg).toEqual(onLite);
    // And the answers are the known ones.
    expect(onPg.whatIf.day.before.queues.suporte).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });
    expect(onPg.whatIf.day.after.queues.suporte).toMatchObject({ offered: 3, answered: 3, abandoned: 0, serviceLevel: 1 });
    expect(onPg.same.day.after).toEqual(onPg.same.day.before);
    expect(onPg.why.waits).toEqual([{
      from: T0 + 22_000, to: T0 + 62_000, seconds: 40,
      reasons: [{ kind: 'all-busy', agents: [{ id: 'bruno', level: 1, status: 'on-call', reason: null, callId: 'c1' }] }],
    }]);
    expect(onPg.whyC1).toMatchObject({ outcome: 'answered', waitedSeconds: 3 });
    expect(onPg.unknown).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_CALL' });
    expect(onPg.badChange).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT' });
  }, 60_000);
});
