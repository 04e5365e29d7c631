// Interval reports rebuilt from the event log.
//
// The figures must be exactly the live ones, so they are not recomputed here: the
// log is replayed (EventLog.replay()) into a fresh RoutingCore built from the same
// settings, with the events' own times (virtual time: no clock, no timers, no
// storage, no Twilio), and each interval's counters are read from its metrics
// core just before the interval closes (`metrics.openInterval(scope)` at end − 1 ms;
// the core only fires deadlines at their own times, so stopping there changes
// nothing). Reading before the close, rather than `metrics.intervals()` after it,
// also catches the intervals the core never lists: the one ending exactly at the
// daily reset (dropped with the reset) and those a long idle jump skips.
//
// Cost: every request replays the log from its first event up to the end of the
// range (state before `from` — calls answered earlier, agents logged in — is
// needed to count what happens inside it): O(events) time, O(live calls) memory,
// on the request's thread. Fine for days to weeks of a mid-size center; a center
// with millions of events per month wants a projection table instead. The number
// of events replayed is returned as `replayedEvents`.
//
// Hours and days aggregate the interval counters (integer counts and integer
// milliseconds), then apply the same formulas (toFigures): percentages and
// averages are never averaged.
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import {
  ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN, ANSWER_WAIT_MS, CSAT_RESPONSES, CSAT_SATISFIED,
  DETRACTORS, FCR_RESOLVED, FCR_RESPONSES, FIELDS, HANDLED, HOLD_MS, NPS_RESPONSES, PASSIVES, PROMOTERS,
  SHORT_ABANDONED, TALK_MS, WRAP_MS,
} from '../../routing/metrics/fields.ts';
import { DailyBoundary, toFigures, type Figures, type MetricsSettings, type Scope, type ScopeTerms } from '../../routing/metrics/index.ts';
import type { DomainEvent, RoutingConfig } from '../../routing/types.ts';
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

/** Back from Figures to the integer counters they were computed from (exact: ms are integers). */
function addCounters(row: Float64Array, f: Figures): void {
  const ms = (seconds: number | null, n: number) => (seconds === null ? 0 : Math.round(seconds * n * 1000));
  const share = (rate: number | null, n: number) => (rate === null ? 0 : Math.round(rate * n));
  row[ANSWERED] += f.answered;
  row[ANSWERED_WITHIN] += f.answeredWithinThreshold;
  row[ANSWER_WAIT_MS] += ms(f.asaSeconds, f.answered);
  row[ABANDONED] += f.abandoned;
  row[ABANDONED_WITHIN] += f.abandonedWithinThreshold;
  row[SHORT_ABANDONED] += f.shortAbandoned;
  row[HANDLED] += f.handled;
  row[TALK_MS] += ms(f.talkSeconds, f.handled);
  row[HOLD_MS] += ms(f.holdSeconds, f.handled);
  row[WRAP_MS] += ms(f.wrapSeconds, f.handled);
  row[NPS_RESPONSES] += f.nps.responses;
  row[PROMOTERS] += f.nps.promoters;
  row[PASSIVES] += f.nps.passives;
  row[DETRACTORS] += f.nps.detractors;
  row[CSAT_RESPONSES] += f.csat.responses;
  row[CSAT_SATISFIED] += share(f.csat.score, f.csat.responses);
  row[FCR_RESPONSES] += f.fcr.responses;
  row[FCR_RESOLVED] += share(f.fcr.rate, f.fcr.responses);
}

export function sumFigures(list: Figures[], terms: ScopeTerms): Figures {
  const row = new Float64Array(FIELDS);
  for (const f of list) addCounters(row, f);
  return toFigures(row, 0, terms, null);
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
}

export const ROW_FIELDS = [
  'start', 'end', 'complete', 'intervals', 'offered', 'answered', 'abandoned', 'shortAbandoned',
  'answeredWithinThreshold', 'abandonedWithinThreshold', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'abandonRate',
  'handled', 'nps', 'npsResponses', 'csat', 'csatResponses', 'fcr', 'fcrResponses',
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
  };
}

/** Start of the center's day holding `t`: the last daily reset at or before it. */
export function dayStart(boundary: DailyBoundary, t: number): number {
  let b = boundary.next(t - 27 * HOUR);
  for (let n = boundary.next(b); n <= t; n = boundary.next(b)) b = n;
  return b;
}

/**
 * Groups base intervals into rows. An hour is a local clock hour; a day runs from
 * one daily reset (serviceLevel.todayResetsAt in the zone) to the next, so the
 * current day's row is the live "today".
 */
export function groupRows(
  intervals: CapturedInterval[], granularity: Granularity, settings: MetricsSettings, terms: ScopeTerms, zone: Zone,
): ReportRow[] {
  const size = settings.intervalMinutes * 60_000;
  if (granularity === '15m' || granularity === 'interval') {
    return intervals.map((iv) => toRow(zone, iv.start, iv.end, iv.complete, 1, iv.figures));
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
  const rows: ReportRow[] = [];
  let group: CapturedInterval[] = [];
  let bounds: [number, number] = [NaN, NaN];
  const flush = () => {
    if (!group.length) return;
    const complete = group.every((g) => g.complete) && group.length * size === bounds[1] - bounds[0];
    rows.push(toRow(zone, bounds[0], bounds[1], complete, group.length, sumFigures(group.map((g) => g.figures), terms)));
    group = [];
  };
  for (const iv of intervals) {
    const k = keyOf(iv.start);
    if (k[0] !== bounds[0]) { flush(); bounds = k; }
    group.push(iv);
  }
  flush();
  return rows;
}
