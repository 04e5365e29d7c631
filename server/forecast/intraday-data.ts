// What the intraday forecast goes on, read from the call records (through the store:
// SQLite or PostgreSQL) and the live core:
// calls that reached a queue today and on the previous days (by interval of the day),
// today's waits for the patience estimate, today's handle times, and who is logged in.
import type { RoutingCore } from '../../routing/core.ts';
import { DailyBoundary } from '../../routing/metrics/index.ts';
import { PatienceEstimate, type PatienceObservation, type PatienceSummary } from '../../routing/patience.ts';
import type { Settings } from '../config/types.ts';
import { dayStart } from '../reports/intervals.ts';
import type { RecordRows } from '../storage/store.ts';
import type { IntradayScopeInput } from './intraday.ts';

/** Previous days read for the arrival profile. */
export const HISTORY_DAYS = 7;

interface CallRow { queue: string; queuedAt: number; answeredAt: number | null; endedAt: number | null; outcome: string | null }

/** Every call of a day, whatever the size of the center (the records' own default is 500). */
const ALL = 100_000_000;

export interface IntradayData {
  dayStart: number;
  dayEnd: number;
  intervalMs: number;
  current: number;
  patience: PatienceSummary;
  scopes: IntradayScopeInput[];
}

export async function intradayData(records: Pick<RecordRows, 'listCalls'>, core: RoutingCore, settings: Settings, now: number): Promise<IntradayData> {
  const boundary = new DailyBoundary(settings.timezone, settings.serviceLevel.todayResetsAt);
  const start = dayStart(boundary, now);
  const end = boundary.next(start);
  const intervalMs = settings.intervalMinutes * 60_000;
  const current = Math.floor((now - start) / intervalMs);
  const elapsed = ((now - start) % intervalMs) / intervalMs;
  const slots = Math.ceil((end - start) / intervalMs);
  const queues = settings.queues.map((q) => q.id);
  const byQueue = () => new Map<string | null, number[]>([[null, new Array(slots).fill(0)], ...queues.map((q) => [q, new Array(slots).fill(0)] as [string, number[]])]);

  const rows = async (from: number, to: number): Promise<CallRow[]> => (await records.listCalls({ from, to, limit: ALL }))
    .filter((r): r is typeof r & CallRow => r.queuedAt !== null && r.queue !== null);
  const count = (into: Map<string | null, number[]>, list: CallRow[], from: number) => {
    for (const r of list) {
      const i = Math.floor((r.queuedAt - from) / intervalMs);
      if (i < 0 || i >= slots) continue;
      into.get(null)![i]++;
      const q = into.get(r.queue);
      if (q) q[i]++;
    }
  };

  const today = byQueue();
  const todays = await rows(start, now + 1);
  count(today, todays, start);
  const history: Map<string | null, number[]>[] = [];
  let dayFrom = start;
  for (let d = 0; d < HISTORY_DAYS; d++) {
    const prev = dayStart(boundary, dayFrom - 1);
    const h = byQueue();
    count(h, await rows(prev, dayFrom), prev);
    history.push(h);
    dayFrom = prev;
  }

  // Today's patience: hung up while waiting = observed; answered or still waiting = at least that long.
  const observations: PatienceObservation[] = [];
  for (const r of todays) {
    if (r.outcome === 'abandoned' && r.endedAt !== null) observations.push({ waitMs: r.endedAt - r.queuedAt, abandoned: true });
    else if (r.answeredAt !== null) observations.push({ waitMs: r.answeredAt - r.queuedAt, abandoned: false });
    else if (r.endedAt === null) observations.push({ waitMs: now - r.queuedAt, abandoned: false });
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
