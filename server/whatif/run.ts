// The what-if on a stored log (routing/whatif does the work): which day, its bounds in the
// center's time zone and daily reset, the changes in either form (the command-line syntax
// or JSON objects), and the log to replay. Shared by POST /api/whatif and `npm run whatif`.
import { DailyBoundary } from '../../routing/metrics/index.ts';
import { normalizeChange, parseChange, whatIf, WhatIfChangeError, type WhatIfChange, type WhatIfSummary } from '../../routing/whatif/index.ts';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { dayStart } from '../reports/intervals.ts';
import { Zone } from '../reports/zone.ts';
import { logEvents } from '../storage/read-log.ts';
import type { EventLogStore } from '../storage/store.ts';

export interface WhatIfRequest {
  /** Local date of the day to replay, "YYYY-MM-DD". */
  date: string;
  /** "+2 suporte 09:00-10:00", or the same as an object ({ kind: 'add', count: 2, … }). */
  changes: (string | WhatIfChange)[];
  seed?: number;
}

/** A request the what-if cannot run (bad date, bad change): the field and the reason. */
export class WhatIfInputError extends Error {
  override readonly name = 'WhatIfInputError';
  constructor(readonly field: string, message: string) { super(message); }
}

export interface DayBounds { dayStart: number; dayEnd: number; timeOf(hhmm: string): number }

/** The center's day holding that date's noon, from one daily reset to the next. */
export function dayBounds(settings: Settings, date: string): DayBounds {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (!m || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new WhatIfInputError('date', `must be a date YYYY-MM-DD, got '${date}'`);
  }
  const zone = new Zone(settings.timezone);
  const boundary = new DailyBoundary(settings.timezone, settings.serviceLevel.todayResetsAt);
  const start = dayStart(boundary, zone.fromWall(Date.UTC(y, mo - 1, d, 12)));
  return {
    dayStart: start,
    dayEnd: boundary.next(start),
    timeOf: (hhmm) => {
      const [h, mi] = hhmm.split(':').map(Number);
      return zone.fromWall(Date.UTC(y, mo - 1, d, h, mi));
    },
  };
}

export function changesOf(request: WhatIfRequest): WhatIfChange[] {
  return request.changes.map((c, i) => (typeof c === 'string' ? parseChange(c, `changes[${i}]`) : normalizeChange(c)));
}

/** One turn of the event loop: the requests that came in meanwhile (webhooks, screens) are served. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs the what-if for one day of the log, read page by page from either store (SQLite:
 * the archived days too): about a second per 10,000 logged events, during which the server
 * goes on answering (`breathe`: a turn of the event loop every thousand events).
 */
export async function runWhatIf(
  events: Pick<EventLogStore, 'after'>, settings: Settings, request: WhatIfRequest, now: number,
  onProgress?: (fraction: number) => void, breathe: () => Promise<void> = nextTurn,
): Promise<WhatIfSummary> {
  const bounds = dayBounds(settings, request.date);
  if (bounds.dayStart >= now) throw new WhatIfInputError('date', `${request.date} has not begun yet`);
  try {
    return await whatIf({
      config: toRoutingConfig(settings),
      metrics: toMetricsSettings(settings),
      // Pages of 500: each is read and parsed in one go, a few milliseconds the server cannot answer in.
      events: logEvents(events, { page: 500 }),
      dayStart: bounds.dayStart,
      endAt: Math.min(bounds.dayEnd, now),
      changes: changesOf(request),
      seed: request.seed,
      timeOf: bounds.timeOf,
      onProgress,
      breathe,
    });
  } catch (err) {
    if (err instanceof WhatIfChangeError) throw new WhatIfInputError(err.field, err.message);
    if (err instanceof RangeError && /nothing before the end of that day/.test(err.message)) throw new WhatIfInputError('date', `no event was logged by the end of ${request.date}`);
    throw err;
  }
}
