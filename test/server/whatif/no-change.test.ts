// What-if with no change: the replay of the recorded day must give the recorded day's
// figures exactly, interval by interval and for the day, and those must be the interval
// report's (GET /api/reports/intervals rebuilds them from the same log).
import { afterEach, describe, expect, it } from 'vitest';
import { toMetricsSettings, toRoutingConfig } from '../../../server/config/load.ts';
import { replayIntervals } from '../../../server/reports/intervals.ts';
import { dayBounds, runWhatIf } from '../../../server/whatif/run.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { playDay } from '../../helpers/recorded-day.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

describe('what-if with no change', () => {
  it('reproduces the recorded day exactly, and the recorded day is the interval report', async () => {
    app = await buildTestApp();
    const settings = app.app.settings.current;
    const day = playDay(app.engine, (t) => { app!.clock.now = t; }, settings);
    expect(day.calls).toBeGreaterThan(300);
    const bounds = dayBounds(settings, '2026-12-05');
    const now = bounds.dayEnd + 3_600_000;
    app.clock.now = now;
    const r = await runWhatIf(app.store.events, settings, { date: '2026-12-05', changes: [] }, now);
    expect(r.refused).toEqual({ before: 0, after: 0 });
    expect(r.calls.recorded).toBe(day.calls);
    expect(r.intervals.length).toBe(96);
    for (const iv of r.intervals) expect(iv.after).toEqual(iv.before);
    expect(r.day.after).toEqual(r.day.before);
    // Something happened worth reproducing.
    expect(r.day.before.center.answered).toBeGreaterThan(250);
    expect(r.day.before.center.abandoned).toBeGreaterThan(10);

    for (const scope of [{ kind: 'center' } as const, ...settings.queues.map((q) => ({ kind: 'queue' as const, id: q.id }))]) {
      const report = replayIntervals({
        routing: toRoutingConfig(settings), metrics: toMetricsSettings(settings), events: app.storage.events.replay(),
        scope, from: bounds.dayStart, to: bounds.dayEnd, now,
      });
      const mine = r.intervals.map((iv) => (scope.kind === 'center' ? iv.before.center : iv.before.queues[scope.id]));
      expect(report.intervals.length).toBe(mine.length);
      report.intervals.forEach((iv, i) => {
        const f = iv.figures;
        expect(mine[i]).toMatchObject({
          offered: f.offered, answered: f.answered, abandoned: f.abandoned, answeredWithinThreshold: f.answeredWithinThreshold,
          serviceLevel: f.serviceLevel, asaSeconds: f.asaSeconds, tmaSeconds: f.tmaSeconds, handled: f.handled,
        });
      });
    }
  }, 60_000);
});
