// `npm run sim -- --scenario FILE --virtual --days N --db FILE`: the database a
// live Atende would have written over N consecutive days of the scenario, as fast
// as the machine allows. A real Atende (createAtende: engine, event log, call
// records and every other projection the app keeps) runs on a clock this writer
// owns; each day's callers and agents are played into it step by step (day.ts),
// logged with the ids and sources of the Twilio edge and the APIs (steps.ts).
// The history worker createAtende starts beside it stores the interval figures and
// snapshots from the log as it grows, as it does live. `npm start` with
// ATENDE_DB=FILE and the scenario's settings file then starts on it as on a real
// center's database.
//
// Speed: the engine appends one event at a time, each its own SQLite commit when
// alone; here a whole batch of events (and the call records they touch) goes in
// one transaction, so the log costs one WAL commit per batch.
import { existsSync } from 'node:fs';
import type { Settings } from '../../server/config/types.ts';
import { createAtende } from '../../server/start.ts';
import type { Scenario } from '../model/scenario.ts';
import { trafficFrame } from '../model/traffic.ts';
import { configureScenario } from '../roster.ts';
import { scopeSummary, type ScopeSummary } from '../summary.ts';
import { DayRun, type DayStats } from './day.ts';
import { ApiSteps } from './steps.ts';

export interface DaysOptions {
  days: number;
  dbPath: string;
  /** Events per transaction (default 5000). */
  batch?: number;
  /** Calls placed so far out of the expected total; called between batches. */
  onProgress?(done: number, total: number): void;
}

export interface DaySummary extends DayStats {
  date: string;
  seed: number;
  /** The center's "today" figures at the end of the day, as the wallboard showed them. */
  center: ScopeSummary;
}

export interface DaysSummary {
  scenario: { name: string; settings: string; firstDate: string; seed: number; timezone: string };
  db: string;
  days: DaySummary[];
  /** Events appended to the log, configuration included. */
  events: number;
  refused: number;
  wallClockMs: number;
  eventsPerSecond: number;
}

export class DaysError extends Error {
  override readonly name = 'DaysError';
}

/** "YYYY-MM-DD" plus n calendar days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Day i of the scenario: its date i days later, its seed + i. */
export function scenarioOfDay(scenario: Scenario, i: number): Scenario {
  return { ...scenario, date: addDays(scenario.date, i), seed: (scenario.seed + i) >>> 0 };
}

/**
 * Call records are written from the core's view of each call touched (server/records.ts),
 * and the core forgets a call 30 minutes after it ended: live they are written every
 * event-loop turn, here at least every 5 simulated minutes.
 */
const RECORDS_EVERY_MS = 5 * 60_000;

/** This connection's page cache while writing (KiB). */
const CACHE_KIB = 64 * 1024;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function writeDays(scenario: Scenario, settings: Settings, opts: DaysOptions): Promise<DaysSummary> {
  const t0 = performance.now();
  const batch = opts.batch ?? 50000;
  if (opts.dbPath !== ':memory:' && existsSync(opts.dbPath)) throw new DaysError(`${opts.dbPath} already exists: the history is written into a new database`);
  const firstFrame = trafficFrame(scenario, settings);
  let now = firstFrame.startAt;
  const atende = await createAtende({ settings, dbPath: opts.dbPath, now: () => now, logger: false });
  // This writer moves the clock itself, step by step: no real-time timer.
  atende.engine.stop();
  const { app, engine, storage } = atende;
  // Random CallSids spread each batch over the whole id index: a page cache big
  // enough for a batch's pages keeps SQLite from spilling and rewriting them.
  storage.db.pragma(`cache_size = -${CACHE_KIB}`);
  try {
    await configureScenario(atende, firstFrame.agents, scenario.wrapUpSeconds ?? settings.wrapUpSeconds);
    const api = new ApiSteps();
    const ctx = {
      engine, api,
      setNow: (at: number) => { now = at; },
      settings: () => app.settings.current,
      noteQueueSid: (callId: string, queueSid: string) => app.records.note(callId, { twilioQueueSid: queueSid }),
    };
    const expected = Math.round(firstFrame.expectedCalls * opts.days);
    let callsBefore = 0;
    let recordsAt = now;
    const days: DaySummary[] = [];
    for (let i = 0; i < opts.days; i++) {
      const day = scenarioOfDay(scenario, i);
      const run = new DayRun(ctx, day, settings);
      for (let more = true; more;) {
        storage.transaction(() => {
          const until = run.stats.logged + run.stats.refused + batch;
          while (more && run.stats.logged + run.stats.refused < until) {
            more = run.step();
            if (now - recordsAt >= RECORDS_EVERY_MS) { app.records.flush(); recordsAt = now; }
          }
          app.records.flush();
        });
        opts.onProgress?.(callsBefore + run.stats.calls, Math.max(expected, callsBefore + run.stats.calls));
        await yieldToLoop();
      }
      callsBefore += run.stats.calls;
      const center = scopeSummary(engine.core.metrics.read({ kind: 'center' }, 'today'), null);
      days.push({ date: day.date, seed: day.seed, ...run.stats, center });
    }
    opts.onProgress?.(callsBefore, callsBefore);
    // The history worker (interval figures, snapshots) tails the log as it grows:
    // done when it has processed all of it, as a live server's would have.
    await atende.history.catchUp(now);
    const events = storage.events.count();
    const wallClockMs = Math.round(performance.now() - t0);
    return {
      scenario: { name: scenario.name, settings: scenario.settings, firstDate: scenario.date, seed: scenario.seed, timezone: settings.timezone },
      db: opts.dbPath, days, events,
      refused: days.reduce((n, d) => n + d.refused, 0),
      wallClockMs, eventsPerSecond: Math.round(events / (wallClockMs / 1000)),
    };
  } finally {
    await atende.close();
  }
}
