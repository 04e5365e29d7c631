// Business hours, holidays and the center's own dates: pure functions over a time and the
// settings. Per queue, a weekly schedule in the center's time zone (several ranges a day);
// Brazilian national holidays and, by setting, state and municipal ones (the date-holidays
// package: "BR", "BR-SP", "BR-SP-SP" for the city of São Paulo…); and dates the center adds
// (closures, half days). A queue without `hours` is open 24 hours, 7 days (the SAC's 24/7
// channel): holidays do not close it, only a date that names it.
//
// Everything is computed on the timeline: the open spans of each local day, holidays cut
// out, spans touching across midnight merged, so "next change" is simply the next edge.
import Holidays from 'date-holidays';
import { Zone } from '../reports/zone.ts';
import type { HolidayType, SacSettings, Settings, SpecialDate, Weekday, WeeklyHours } from '../config/types.ts';

const DAY_MIN = 24 * 60;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** How far ahead a next opening is looked for: a queue closed for more than a year is closed. */
const HORIZON_DAYS = 400;

/** "HH:MM-HH:MM" → minutes after local midnight, end > start ("22:00-02:00" ends the next day). Throws RangeError. */
export function parseRange(text: string): [number, number] {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a range like "08:00-18:00"`);
  const [h1, m1, h2, m2] = m.slice(1).map(Number);
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 !== 0)) throw new RangeError(`"${text}" is not a time of day`);
  const start = h1 * 60 + m1;
  let end = h2 * 60 + m2;
  if (end === start) throw new RangeError(`"${text}" is empty`);
  if (end < start) end += DAY_MIN;
  return [start, end];
}

/** "YYYY-MM-DD" → its parts. Throws RangeError. */
export function parseDate(text: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const y = Number(m?.[1]), mo = Number(m?.[2]), d = Number(m?.[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (!m || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) throw new RangeError(`"${text}" is not a date like "2026-12-24"`);
  return { y, m: mo, d };
}

/** Whether date-holidays knows the country, state and region; null when it does, else what it does not know. */
export function holidaySourceProblem(h: NonNullable<SacSettings['holidays']>): string | null {
  const hd = new Holidays();
  if (!hd.getCountries()?.[h.country]) return `country "${h.country}" is unknown to date-holidays`;
  if (h.state !== undefined && !hd.getStates(h.country)?.[h.state]) {
    return `state "${h.state}" of ${h.country} is unknown to date-holidays (${Object.keys(hd.getStates(h.country) ?? {}).join(', ')})`;
  }
  if (h.region !== undefined && (h.state === undefined || !hd.getRegions(h.country, h.state)?.[h.region])) {
    return `region "${h.region}" is unknown to date-holidays${h.state ? ` in ${h.country}-${h.state} (${Object.keys(hd.getRegions(h.country, h.state) ?? {}).join(', ') || 'none'})` : ': name the state too'}`;
  }
  return null;
}

interface Span { start: number; end: number }
interface HolidaySpan extends Span { name: string }

/** Why a queue is closed at a moment: its hours, a holiday (named), or one of the center's dates (its label). */
export interface ClosedBecause { kind: 'hours' | 'holiday' | 'date'; label: string }

/** One calendar: the settings in force, read once; cheap to build, caches days and holiday years. */
export class BusinessHours {
  private readonly zone: Zone;
  private readonly queues: Map<string, WeeklyHours | undefined>;
  private readonly dates: SpecialDate[];
  private readonly holidays: SacSettings['holidays'];
  private readonly holidayYears = new Map<number, HolidaySpan[]>();
  private holidayLib: Holidays | null = null;

  constructor(s: Pick<Settings, 'timezone' | 'queues' | 'sac'>) {
    this.zone = new Zone(s.timezone);
    this.queues = new Map(s.queues.map((q) => [q.id, q.hours]));
    this.dates = s.sac?.dates ?? [];
    this.holidays = s.sac?.holidays === undefined ? { country: 'BR', types: ['public'] } : s.sac.holidays;
  }

  /** True when the queue takes callers at `at` by its hours, holidays and the center's dates. */
  isOpen(queue: string, at: number): boolean {
    return this.spansAround(queue, at, 1).some((s) => s.start <= at && at < s.end);
  }

  /** `at` when open; otherwise when it opens next (null: not within 400 days). */
  nextOpening(queue: string, at: number): number | null {
    if (this.isOpen(queue, at)) return at;
    return this.nextChange(queue, at);
  }

  /** The next moment after `at` the queue opens or closes; null when it never changes (24/7, or closed for good). */
  nextChange(queue: string, at: number): number | null {
    const day = this.localDay(at);
    for (const days of [8, HORIZON_DAYS]) {
      // A span reaching the end of the days looked at may go on past them: not a change.
      const edge = this.zone.fromWall((day + days + 1) * 86_400_000);
      for (const s of this.spansAround(queue, at, days)) {
        if (s.start > at) return s.start;
        if (s.start <= at && at < s.end && s.end < edge) return s.end;
      }
    }
    return null;
  }

  /** Why the queue is closed at `at` (null when it is open). */
  closedBecause(queue: string, at: number): ClosedBecause | null {
    if (this.isOpen(queue, at)) return null;
    const day = this.localDay(at);
    const special = this.specialDate(queue, day);
    if (special) return { kind: 'date', label: special.label };
    if (this.queues.get(queue) !== undefined && this.weeklySpans(queue, day - 1, day).some((x) => x.start <= at && at < x.end)) {
      const h = this.holidaySpans(day - 1, day + 1).find((x) => x.start <= at && at < x.end);
      if (h) return { kind: 'holiday', label: h.name };
    }
    return { kind: 'hours', label: '' };
  }

  // ---- the timeline -------------------------------------------------------------

  /** Open spans of the days from the one before `at` to `days` after, merged and sorted. */
  private spansAround(queue: string, at: number, days: number): Span[] {
    if (!this.queues.has(queue)) return [];
    const day = this.localDay(at);
    const spans: Span[] = [];
    for (let d = day - 1; d <= day + days; d++) spans.push(...this.openSpansOf(queue, d));
    spans.sort((a, b) => a.start - b.start);
    const merged: Span[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
      else merged.push({ ...s });
    }
    return merged;
  }

  /** One local day's open spans (days counted from 1970-01-01 local). */
  private openSpansOf(queue: string, day: number): Span[] {
    const hours = this.queues.get(queue);
    const special = this.specialDate(queue, day);
    if (special) return this.dayWindow(day, special.hours ?? []);
    if (hours === undefined) return this.dayWindow(day, ['00:00-24:00']);
    const open = this.dayWindow(day, hours[WEEKDAYS[this.weekday(day)]] ?? []);
    return subtract(open, this.holidaySpans(day - 1, day + 1));
  }

  private weeklySpans(queue: string, from: number, to: number): Span[] {
    const hours = this.queues.get(queue) ?? {};
    const out: Span[] = [];
    for (let d = from; d <= to; d++) out.push(...this.dayWindow(d, hours[WEEKDAYS[this.weekday(d)]] ?? []));
    return out;
  }

  private dayWindow(day: number, ranges: string[]): Span[] {
    const midnight = day * 86_400_000;
    return ranges.map((r) => {
      const [a, b] = parseRange(r);
      return { start: this.zone.fromWall(midnight + a * 60_000), end: this.zone.fromWall(midnight + b * 60_000) };
    });
  }

  private specialDate(queue: string, day: number): SpecialDate | undefined {
    const date = this.dayLocalDate(day);
    const scheduled = this.queues.get(queue) !== undefined;
    return this.dates.find((d) => d.date === date && (d.queues ? d.queues.includes(queue) : scheduled));
  }

  /** Holidays overlapping the local days from..to, as time spans (a half day starts at its hour). */
  private holidaySpans(from: number, to: number): HolidaySpan[] {
    if (!this.holidays) return [];
    const out: HolidaySpan[] = [];
    const years = new Set([new Date(from * 86_400_000).getUTCFullYear(), new Date(to * 86_400_000).getUTCFullYear()]);
    const lo = from * 86_400_000 - 86_400_000, hi = (to + 2) * 86_400_000;
    for (const y of years) for (const h of this.holidaysOf(y)) if (h.end > lo && h.start < hi) out.push(h);
    return out;
  }

  private holidaysOf(year: number): HolidaySpan[] {
    let list = this.holidayYears.get(year);
    if (list) return list;
    const h = this.holidays!;
    // Days of the center's zone: a holiday starts and ends at its local midnights there.
    const types: string[] = h.types ?? ['public'];
    const opts = { types: types as HolidayType[], timezone: this.zone.timezone };
    this.holidayLib ??= h.region && h.state ? new Holidays(h.country, h.state, h.region, opts)
      : h.state ? new Holidays(h.country, h.state, opts) : new Holidays(h.country, opts);
    list = (this.holidayLib.getHolidays(year) || [])
      .filter((x) => types.includes(x.type))
      .map((x) => ({ start: x.start.getTime(), end: x.end.getTime(), name: x.name }));
    this.holidayYears.set(year, list);
    return list;
  }

  private localDay(at: number): number { return Math.floor(this.zone.wall(at) / 86_400_000); }
  private weekday(day: number): number { return new Date(day * 86_400_000).getUTCDay(); }
  private dayLocalDate(day: number): string { return new Date(day * 86_400_000).toISOString().slice(0, 10); }
}

/** `open` less the `cut` spans. */
function subtract(open: Span[], cut: Span[]): Span[] {
  let out = open;
  for (const c of cut) {
    const next: Span[] = [];
    for (const s of out) {
      if (c.end <= s.start || c.start >= s.end) { next.push(s); continue; }
      if (c.start > s.start) next.push({ start: s.start, end: c.start });
      if (c.end < s.end) next.push({ start: c.end, end: s.end });
    }
    out = next;
  }
  return out;
}

/** isOpen and nextOpening as plain functions over the settings (a BusinessHours per call: use the class in loops). */
export function isOpen(settings: Pick<Settings, 'timezone' | 'queues' | 'sac'>, queue: string, at: number): boolean {
  return new BusinessHours(settings).isOpen(queue, at);
}

export function nextOpening(settings: Pick<Settings, 'timezone' | 'queues' | 'sac'>, queue: string, at: number): number | null {
  return new BusinessHours(settings).nextOpening(queue, at);
}
