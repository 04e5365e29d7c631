// A what-if replays the whole log and a day of callers twice: on a long log that is seconds
// of work. The server keeps serving meanwhile: the what-if hands the event loop back every
// thousand events (routing/whatif: `breathe`), so a wallboard's snapshot or a webhook that
// comes in during it is answered before it ends, and the result is the same as in one go.
import { afterEach, describe, expect, it } from 'vitest';
import { dayBounds, runWhatIf } from '../../../server/whatif/run.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { playDay } from '../../helpers/recorded-day.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

describe('a what-if on a long log', () => {
  it('lets a request that comes in meanwhile be answered before it ends; the same result as without pauses', async () => {
    app = await buildTestApp();
    const a = app;
    const settings = a.app.settings.current;
    const day = playDay(a.engine, (t) => { a.clock.now = t; }, settings);
    expect(day.calls).toBeGreaterThan(300);
    const now = dayBounds(settings, '2026-12-05').dayEnd + 3_600_000;
    a.clock.now = now;
    const request = { date: '2026-12-05', changes: ['+1 suporte 09:00-10:00'] };

    const order: string[] = [];
    let asked = false;
    // Once the what-if replays the day with the change (its second half: the first reads the
    // log from the store, page by page), a wallboard asks for the snapshot.
    const onProgress = (fraction: number) => {
      if (asked || fraction <= 0.5) return;
      asked = true;
      void a.app.inject({ method: 'GET', url: '/api/snapshot' }).then((r) => order.push(`snapshot ${r.statusCode}`));
    };
    const paused = await runWhatIf(a.store.events, settings, request, now, onProgress);
    order.push('what-if');
    expect(order).toEqual(['snapshot 200', 'what-if']);

    const inOneGo = await runWhatIf(a.store.events, settings, request, now, undefined, async () => {});
    expect(paused).toEqual(inOneGo);
    expect(paused.calls.recorded).toBe(day.calls);
  });
});
