// The interval report reads the rows the history worker stored as each interval closed;
// its figures are exactly those of the old way, a replay of the whole log
// (replayIntervals), for every scope and granularity, over days with nights between
// them (daily resets crossed while idle) and the interval still open at the end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../../routing/metrics/index.ts';
import { toMetricsSettings, toRoutingConfig } from '../../../server/config/load.ts';
import { groupRows, replayIntervals, termsOf, sumFigures, toRow, type Granularity } from '../../../server/reports/intervals.ts';
import { toCsv } from '../../../server/reports/csv.ts';
import { Zone } from '../../../server/reports/zone.ts';
import { createAtende, type Atende } from '../../../server/start.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { playTraffic } from '../history/traffic.ts';

const HOUR = 3_600_000;
const AGENTS = [
  { id: 'ana', queues: ['suporte', 'vendas'] }, { id: 'bruno', queues: ['suporte'] }, { id: 'carla', queues: ['suporte', 'financeiro'] },
  { id: 'diego', queues: ['vendas'] }, { id: 'gabriela', queues: ['financeiro'] },
];

const running: Atende[] = [];
afterEach(async () => { for (const a of running.splice(0)) await a.close(); });

describe('interval reports from stored rows', () => {
  it('equal a replay of the whole log: every scope, 15m, hour and day, three days with the open interval', async () => {
    const settings = testSettings();
    const clock = { t: T0 - HOUR }; // 08:00 in São Paulo
    const atende = await createAtende({
      settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-stored-')), 'atende.db'), now: () => clock.t,
      logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false, historyTimings: { startDelayMs: 0, pollMs: 20 },
    });
    running.push(atende);
    // The log starts with the server, so the replay's core starts where the live one did.
    atende.engine.dispatch({ type: 'agent.state', id: 'opening', at: clock.t, agentId: 'ana', state: 'offline' }, 'test');
    const logged = playTraffic({ engine: atende.engine, setNow: (t) => { clock.t = t; } },
      { start: T0 - HOUR, days: 3, hours: 10, callsPerHour: 40, agents: AGENTS, seed: 11 });
    expect(logged).toBeGreaterThan(5000);
    clock.t += 7 * 60_000; // mid-interval: the last row is open
    atende.engine.advance();

    const metrics = toMetricsSettings(settings);
    const zone = new Zone(settings.timezone);
    const from = '2026-11-23', to = '2026-11-26';
    const fromMs = zone.fromWall(Date.UTC(2026, 10, 23)), toMs = zone.fromWall(Date.UTC(2026, 10, 26));
    const scopes: [string, Scope][] = [
      ['', { kind: 'center' }],
      ...['suporte', 'vendas', 'financeiro'].map((id): [string, Scope] => [`&scope=queue&id=${id}`, { kind: 'queue', id }]),
      ...[1, 2, 3].map((tier): [string, Scope] => [`&scope=tier&id=${tier}`, { kind: 'tier', tier }]),
    ];
    for (const [query, scope] of scopes) {
      const replay = replayIntervals({
        routing: toRoutingConfig(settings), metrics, events: atende.storage.events.replay(), scope, from: fromMs, to: Math.min(toMs, clock.t + 1), now: clock.t,
      });
      expect(replay.refusedEvents).toBe(0);
      const terms = termsOf(metrics, scope);
      for (const granularity of ['15m', 'hour', 'day'] as Granularity[]) {
        const res = await atende.app.inject({ method: 'GET', url: `/api/reports/intervals?from=${from}&to=${to}&granularity=${granularity}${query}` });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        const expected = groupRows(replay.intervals, granularity, metrics, terms, zone);
        expect(body.rows, `${query} ${granularity}`).toEqual(expected);
        const iv = replay.intervals;
        expect(body.total).toEqual(toRow(zone, iv[0].start, iv.at(-1)!.end, false, iv.length, sumFigures(iv.map((x) => x.figures), terms)));
        if (granularity === 'hour') {
          const csv = await atende.app.inject({ method: 'GET', url: `/api/reports/intervals?from=${from}&to=${to}&granularity=hour&format=csv${query}` });
          expect(csv.body).toBe(toCsv(expected));
        }
      }
    }
    // Something happened in each of the three days, in every queue.
    const days = await atende.app.inject({ method: 'GET', url: `/api/reports/intervals?from=${from}&to=${to}&granularity=day` });
    expect(days.json().rows.map((r: { offered: number; handled: number }) => r.offered > 100 && r.handled > 100)).toEqual([true, true, true]);
  }, 120_000);
});
