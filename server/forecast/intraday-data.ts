// What the intraday forecast goes on, read from the call records and the live core:
// calls that reached a queue today and on the previous days (by interval of the day),
// today's waits for the patience estimate, today's handle times, and who is logged in.
import type { RoutingCore } from '../../routing/core.ts';
import { DailyBoundary } from '../../routing/metrics/index.ts';
import { PatienceEstimate, type PatienceObservation, type PatienceSummary } from '../../routing/patience.ts';
import type { Settings } from '../config/types.ts';
import { dayStart } from '../reports/intervals.ts';
import type { Storage } from '../storage/index.ts';
import type { IntradayScopeInput } from './intraday.ts';

/** Previous days read for the arrival profile. */
export const HISTORY_DAYS = 7;

interface CallRow { queue: string; queued_at: number; answered_at: number | null; ended_at: number | null; outcome: string | null }

export interface IntradayData {
  dayStart: number;
  dayEnd: number;
  intervalMs: number;
  current: number;
  patience: PatienceSummary;
  scopes: IntradayScopeInput[];
}

export function intradayData(storage: Storage, core: RoutingCore, settings: Settings, now: number): IntradayData {
  const boundary = new DailyBoundary(settings.timezone, settings.serviceLevel.todayResetsAt);
  const start = dayStart(boundary, now);
  const end = boundary.next(start);
  const intervalMs = settings.intervalMinutes * 60_000;
  const current = Math.floor((now - start) / intervalMs);
  const elapsed = ((now - start) % intervalMs) / intervalMs;
  const slots = Math.ceil((end - start) / intervalMs);
  const queues = settings.queues.map((q) => q.id);
  const byQueue = () => new Map<string | null, number[]>([[null, new Array(slots).fill(0)], ...queues.map((q) => [q, new Array(slots).fill(0)] as [string, number[]])]);

  const rows = (from: number, to: number) => storage.db
    .prepare('SELECT queue, queued_at, answered_at, ended_at, outcome FROM calls WHERE arrived_at >= ? AND arrived_at < ? AND queued_at IS NOT NULL AND queue IS NOT NULL')
    .all(from, to) as CallRow[];
  const count = (into: Map<string | null, number[]>, list: CallRow[], from: number) => {
    for (const r of list) {
      const i = Math.floor((r.queued_at - from) / intervalMs);
      if (i < 0 || i >= slots) continue;
      into.get(null)![i]++;
      const q = into.get(r.queue);
      if (q) q[i]++;
    }
  };

  const today = byQueue();
  const todays = rows(start, now + 1);
  count(today, todays, start);
  const history: Map<string | null, number[]>[] = [];
  let dayFrom = start;
  for (let d = 0; d < HISTORY_DAYS; d++) {
    const prev = dayStart(boundary, dayFrom - 1);
    const h = byQueue();
    count(h, rows(prev, dayFrom), prev);
    history.push(h);
    dayFrom = prev;
  }

  // Today's patience: hung up while waiting = observed; answered or still waiting = at least that long.
  const observations: PatienceObservation[] = [];
  for (const r of todays) {
    if (r.outcome === 'abandoned' && r.ended_at !== null) observations.push({ waitMs: r.ended_at - r.queued_at, abandoned: true });
    else if (r.answered_at !== null) observations.push({ waitMs: r.answered_at - r.queued_at, abandoned: false });
    else if (r.ended_at === null) observations.push({ waitMs: now - r.queued_at, abandoned: false });
  }
  const patience = new PatienceEstimate(observations).summary();

  const agents = core.agentList().filter((a) => a.status !== 'offline');
  const scope = (id: string | null): IntradayScopeInput => {
    const s = id === null ? { kind: 'center' as const } : { kind: 'queue' as const, id };
    const t = core.metrics.read(s, 'today');
    const r = core.metrics.read(s, 'rolling');
    return {
      id,
      today: today.get(id)!,
      history: history.map((h) => h.get(id)!),
      current, elapsed,
      ahtSeconds: t.tmaSeconds ?? r.tmaSeconds,
      patienceSeconds: patience.meanSeconds,
      thresholdSeconds: t.thresholdSeconds,
      target: t.target,
      loggedIn: id === null ? agents.length : agents.filter((a) => a.skills.includes(id)).length,
    };
  };
  return { dayStart: start, dayEnd: end, intervalMs, current, patience, scopes: [scope(null), ...queues.map(scope)] };
}
