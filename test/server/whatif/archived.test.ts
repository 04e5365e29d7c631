// A day moved to the archive files by retention (server/history/retention.ts) is still read
// by the what-if and "por que esperou?": they read the log through the store (archives,
// then the hot table), so the answers are the same before and after the day was archived.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRetention } from '../../../server/history/retention.ts';
import { listArchives } from '../../../server/storage/archive.ts';
import { createAtende, type Atende } from '../../../server/start.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { BRUNO_DATE, brunoAlone, withoutTimes } from './bruno-day.ts';

const DAY = 86_400_000;
let atende: Atende | null = null;
afterEach(async () => { await atende?.close(); atende = null; });

describe('what-if and "por que esperou?" on an archived day', () => {
  it('give the same answers after retention moved the day to the archive files', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'atende-whatif-archived-')), 'atende.db');
    const settings = testSettings();
    const clock = { t: T0 };
    atende = await createAtende({
      settings, dbPath, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
      historyTimings: { startDelayMs: 0, pollMs: 20, retentionAfterMs: 2_000_000_000 },
    });
    const a = atende;
    for (const ev of brunoAlone()) {
      clock.t = ev.at;
      const r = a.engine.dispatch(ev, 'test');
      if (!r.ok) throw new Error(`${ev.type} refused: ${r.error.message}`);
    }
    // 40 days later: Bruno logs out, a snapshot covers the whole log.
    clock.t = T0 + 40 * DAY;
    expect(a.engine.dispatch({ type: 'agent.state', id: 'later', at: clock.t, agentId: 'bruno', state: 'offline' }, 'test').ok).toBe(true);
    a.app.records.flush();
    expect(await a.history.snapshotNow()).not.toBeNull();

    const ask = async () => {
      const w = await a.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: BRUNO_DATE, changes: ['+1 suporte 09:00-10:00'] } });
      const y = await a.app.inject({ method: 'GET', url: '/api/calls/c2/why' });
      expect(w.statusCode).toBe(200);
      expect(y.statusCode).toBe(200);
      return { whatIf: withoutTimes(w.json()), why: withoutTimes(y.json()) };
    };
    const before = await ask();
    // The known answers: one more agent answers the caller who hung up; c2 waited 40 s with Bruno on c1.
    expect(before.whatIf.day.before.queues.suporte).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });
    expect(before.whatIf.day.after.queues.suporte).toMatchObject({ offered: 3, answered: 3, abandoned: 0, serviceLevel: 1 });
    expect(before.why).toMatchObject({ callId: 'c2', outcome: 'abandoned', waitedSeconds: 40 });
    expect(before.why.waits).toEqual([{
      from: T0 + 22_000, to: T0 + 62_000, seconds: 40,
      reasons: [{ kind: 'all-busy', agents: [{ id: 'bruno', level: 1, status: 'on-call', reason: null, callId: 'c1' }] }],
    }]);

    const db = a.storage.db;
    const r = runRetention({ db, archiveDir: a.storage.archiveDir, eventDays: 30, callDays: 30, now: clock.t, timezone: settings.timezone });
    expect(r.archivedEvents).toBeGreaterThanOrEqual(15);
    expect(listArchives(a.storage.archiveDir).map((f) => f.split('/').pop())).toContain(`events-${BRUNO_DATE}.jsonl.gz`);
    // The day is gone from the hot table (and its call records too).
    expect(db.prepare("SELECT COUNT(*) FROM events WHERE call_id IN ('c1', 'c2', 'c3')").pluck().get()).toBe(0);
    expect(db.prepare("SELECT COUNT(*) FROM calls WHERE call_id = 'c2'").pluck().get()).toBe(0);

    const after = await ask();
    expect(after).toEqual(before);
    const unknown = await a.app.inject({ method: 'GET', url: '/api/calls/nobody/why' });
    expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_CALL' });
  }, 60_000);
});
