// Interval report rows: grouping base intervals into hours and days, and the old way
// of getting the base intervals, a replay of the event log (`replayIntervals`).
//
// The route no longer replays: the history worker stores each interval as it closes
// (server/history) and the route reads those rows (stored.ts). `replayIntervals` stays
// as the reference the stored figures are tested against, and for tools that read a
// log without a server. It replays the log into a fresh RoutingCore built from the
// same settings, with the events' own times, and reads each interval's counters from
// the metrics core just before the interval closes (`metrics.openInterval(scope)` at
// end − 1 ms; deadlines fire at their own times, so stopping there changes nothing).
// Reading before the close, rather than `metrics.intervals()` after it, also catches
// the intervals the core never lists: the one ending exactly at the daily reset
// (dropped with the reset) and those a long idle jump skips. The history tracker
// reads them the same way. Cost: O(events from the log's start to the range's end).
//
// Hours and days aggregate the interval counters (integer counts and integer
// milliseconds), then apply the same formulas (toFigures): percentages and
// averages are never averaged.
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import { FIELDS } from '../../routing/metrics/fields.ts';
import { DailyBoundary, toFigures, type Figures, type MetricsSettings, type Scope, type ScopeTerms } from '../../routing/metrics/index.ts';
import type { DomainEvent, RoutingConfig } from '../../routing/types.ts';
import { countersOf, figuresOf, sumCounters } from '../history/counters.ts';
import { Zone } from './zone.ts';

const HOUR = 3_600_000;

export type Granularity = '15m' | 'interval' | 'hour' | 'day';

export interface CapturedInterval { start: number; end: number; complete: boolean; figures: Figures }

export interface IntervalReplayInput {
  routing: RoutingConfig;
  metrics: MetricsSettings;
  events: Iterable<DomainEvent>;
  scope: Scope;
  /** Epoch ms; the intervals overlapping [from, to) that have begun by `now` are reported. */
  from: number;
  to: number;
  now: number;
}

export interface IntervalReplay {
  intervals: CapturedInterval[];
  replayedEvents: number;
  /** Events the fresh core refused (0 for a log written by the engine). */
  refusedEvents: number;
}

export function termsOf(settings: MetricsSettings, scope: Scope): ScopeTerms {
  const q = scope.kind === 'queue' ? settings.queues.find((x) => x.id === scope.id) : undefined;
  return {
    thresholdSeconds: q?.thresholdSeconds ?? settings.thresholdSeconds,
    target: q?.target ?? settings.target,
    formula: settings.formula,
  };
}

/** Replays the log and returns the scope's figures for every interval of the range, oldest first. */
export function replayIntervals(input: IntervalReplayInput): IntervalReplay {
  const { scope } = input;
  const size = input.metrics.intervalMinutes * 60_000;
  const zero = toFigures(new Float64Array(FIELDS), 0, termsOf(input.metrics, scope), null);
  // Up to the interval holding `to`, or, when the range reaches past now, the one holding now (open).
  const lastEnd = input.to <= input.now
    ? Math.ceil(input.to / size) * size
    : (Math.floor(input.now / size) + 1) * size;
  const firstStart = Math.floor(input.from / size) * size;
  if (!(input.to > input.from) || firstStart >= lastEnd) return { intervals: [], replayedEvents: 0, refusedEvents: 0 };
  // Events after `now` do not exist yet for this report; events past the range are not needed.
  const stopAt = Math.min(lastEnd, input.now + 1);

  const out: CapturedInterval[] = [];
  let core: RoutingCore | null = null;
  let nextEnd = firstStart + size;
  const read = (end: number, complete: boolean) => {
    let figures = zero;
    if (core) {
      const open = core.metrics.openInterval(scope);
      if (open.start === end - size) figures = open.figures;
    }
    out.push({ start: end - size, end, complete, figures });
  };
  /** Reads every interval that ends at or before `t`, each at its last millisecond. */
  const closeUpTo = (t: number) => {
    while (nextEnd <= t && nextEnd <= lastEnd) {
      if (core && core.now < nextEnd) core.advance(nextEnd - 1);
      read(nextEnd, true);
      nextEnd += size;
    }
  };

  let replayedEvents = 0, refusedEvents = 0;
  for (const e of input.events) {
    if (e.at >= stopAt) break; // closes the SQLite iterator
    // Same start as a restart replay (server/start.ts): the first logged event's time.
    core ??= new RoutingCore(input.routing, input.metrics, Math.min(e.at, input.now));
    closeUpTo(e.at);
    replayedEvents++;
    try {
      core.apply(e);
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      refusedEvents++;
    }
  }
  closeUpTo(input.now);
  if (nextEnd <= lastEnd) {
    // The interval holding `now`: figures so far, like the live open interval.
    if (core && core.now < input.now) core.advance(input.now);
    read(nextEnd, false);
  }
  return { intervals: out, replayedEvents, refusedEvents };
}

// ---- aggregation ---------------------------------------------------------------

/** Sums figures through their integer counters, then applies the formulas once (never an average of averages). */
export function sumFigures(list: Figures[], terms: ScopeTerms): Figures {
  return figuresOf(sumCounters(list.map(countersOf)), terms);
}

export interface ReportRow {
  /** ISO 8601 with the local offset of the settings' timezone. */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  /** False while the row is still open (holds `now`) or only part of it lies in the range. */
  complete: boolean;
  /** Base intervals summed into this row. */
  intervals: number;
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinThreshold: number;
  abandonedWithinThreshold: number;
  serviceLevel: number | null;
  asaSeconds: number | null;
  tmaSeconds: number | null;
  abandonRate: number | null;
  handled: number;
  nps: number | null;
  npsResponses: number;
  csat: number | null;
  csatResponses: number;
  fcr: number | null;
  fcrResponses: number;
  /** SAC: callers who waited longer than their queue's legal wait limit (answered or abandoned late). */
  legalBreaches: number;
  /** SAC callbacks (docs/sac.md): asked for, the customer reached, ended without reaching them; calls dropped on the company's side. */
  callbacksRequested: number;
  callbacksReached: number;
  callbacksNotReached: number;
  dropped: number;
}

export const ROW_FIELDS = [
  'start', 'end', 'complete', 'intervals', 'offered', 'answered', 'abandoned', 'shortAbandoned',
  'answeredWithinThreshold', 'abandonedWithinThreshold', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'abandonRate',
  'handled', 'nps', 'npsResponses', 'csat', 'csatResponses', 'fcr', 'fcrResponses', 'legalBreaches',
  'callbacksRequested', 'callbacksReached', 'callbacksNotReached', 'dropped',
] as const satisfies readonly (keyof ReportRow)[];

export function toRow(zone: Zone, start: number, end: number, complete: boolean, intervals: number, f: Figures): ReportRow {
  return {
    start: zone.iso(start), end: zone.iso(end), startMs: start, endMs: end, complete, intervals,
    offered: f.offered, answered: f.answered, abandoned: f.abandoned, shortAbandoned: f.shortAbandoned,
    answeredWithinThreshold: f.answeredWithinThreshold, abandonedWithinThreshold: f.abandonedWithinThreshold,
    serviceLevel: f.serviceLevel, asaSeconds: f.asaSeconds, tmaSeconds: f.tmaSeconds, abandonRate: f.abandonRate,
    handled: f.handled,
    nps: f.nps.score, npsResponses: f.nps.responses,
    csat: f.csat.score, csatResponses: f.csat.responses,
    fcr: f.fcr.rate, fcrResponses: f.fcr.responses,
    legalBreaches: f.legalBreaches,
    callbacksRequested: f.callbacks.requested, callbacksReached: f.callbacks.reached,
    callbacksNotReached: f.callbacks.notReached, dropped: f.callbacks.dropped,
  };
}

/** Start of the center's day holding `t`: the last daily reset at or before it. */
export function dayStart(boundary: DailyBoundary, t: number): number {
  let b = boundary.next(t - 27 * HOUR);
  for (let n = boundary.next(b); n <= t; n = boundary.next(b)) b = n;
  return b;
}

/** Base intervals grouped into the rows of a granularity, each with the intervals it sums. */
export interface Group<T> { start: number; end: number; complete: boolean; items: T[] }

/**
 * Groups base intervals into rows. An hour is a local clock hour; a day runs from
 * one daily reset (serviceLevel.todayResetsAt in the zone) to the next, so the
 * current day's row is the live "today". A row is complete when every interval in
 * it is and they fill it.
 */
export function groupSpans<T extends { start: number; end: number; complete: boolean }>(
  intervals: T[], granularity: Granularity, settings: MetricsSettings, zone: Zone,
): Group<T>[] {
  if (granularity === '15m' || granularity === 'interval') {
    return intervals.map((iv) => ({ start: iv.start, end: iv.end, complete: iv.complete, items: [iv] }));
  }
  const boundary = new DailyBoundary(settings.timezone, settings.todayResetsAt);
  let day: [number, number] = [NaN, NaN];
  const dayOf = (t: number): [number, number] => {
    if (t >= day[0] && t < day[1]) return day;
    const b = dayStart(boundary, t);
    day = [b, boundary.next(b)];
    return day;
  };
  const keyOf = (t: number): [number, number] => {
    if (granularity === 'hour') { const h = zone.hourStart(t); return [h, h + HOUR]; }
    return dayOf(t);
  };
  const groups: Group<T>[] = [];
  let group: T[] = [];
  let bounds: [number, number] = [NaN, NaN];
  const flush = () => {
    if (!group.length) return;
    const covered = group.reduce((ms, g) => ms + (g.end - g.start), 0);
    groups.push({ start: bounds[0], end: bounds[1], complete: group.every((g) => g.complete) && covered === bounds[1] - bounds[0], items: group });
    group = [];
  };
  for (const iv of intervals) {
    const k = keyOf(iv.start);
    if (k[0] !== bounds[0]) { flush(); bounds = k; }
    group.push(iv);
  }
  flush();
  return groups;
}

/** Rows of a center, queue or tier report. */
export function groupRows(
  intervals: CapturedInterval[], granularity: Granularity, settings: MetricsSettings, terms: ScopeTerms, zone: Zone,
): ReportRow[] {
  const single = granularity === '15m' || granularity === 'interval';
  return groupSpans(intervals, granularity, settings, zone).map((g) =>
    toRow(zone, g.start, g.end, g.complete, g.items.length, single ? g.items[0].figures : sumFigures(g.items.map((x) => x.figures), terms)));
}
