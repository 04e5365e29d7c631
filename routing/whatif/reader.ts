// Reads a replay's figures interval by interval, the way the interval reports do
// (server/reports/intervals.ts): each interval at its last millisecond, from the metrics
// core's open interval, so both sides of a what-if are read exactly like the report.
import type { RoutingCore } from '../core.ts';
import { FIELDS } from '../metrics/fields.ts';
import { toFigures } from '../metrics/formulas.ts';
import type { Figures, Scope } from '../metrics/types.ts';
import { scopeFigures, type IntervalRead, type ScopeSet } from './types.ts';

const EMPTY: Figures = toFigures(new Float64Array(FIELDS), 0, { thresholdSeconds: 0, target: 0, formula: 'offered' }, null);

export class IntervalReader {
  readonly reads: IntervalRead[] = [];
  /** End of the interval to read next. */
  private nextEnd: number;
  private done = false;

  constructor(
    private readonly queues: readonly string[],
    private readonly intervalMs: number,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.nextEnd = Math.floor(from / intervalMs) * intervalMs + intervalMs;
  }

  /**
   * When the next read is due: an interval's last millisecond; for a range ending inside an
   * interval, the range's end (that part is read like a report's open interval). Null when done.
   */
  nextReadAt(): number | null {
    if (this.done) return null;
    return this.nextEnd <= this.to ? this.nextEnd - 1 : this.to;
  }

  /** Reads the interval due (the caller has advanced the core to `nextReadAt()`). */
  read(core: RoutingCore): void {
    const complete = this.nextEnd <= this.to;
    const start = this.nextEnd - this.intervalMs;
    this.reads.push({ start: Math.max(this.from, start), end: complete ? this.nextEnd : this.to, complete, figures: this.figures(core, start) });
    this.nextEnd += this.intervalMs;
    // Done after a part-interval, or after the interval ending exactly at the range's end.
    if (!complete || this.nextEnd - this.intervalMs === this.to) this.done = true;
  }

  /** The day so far: the metrics core's "today" (the day starts at a daily reset). */
  day(core: RoutingCore): ScopeSet {
    return this.figures(core, null);
  }

  private figures(core: RoutingCore, intervalStart: number | null): ScopeSet {
    const m = core.metrics;
    const read = (scope: Scope): Figures => {
      if (intervalStart === null) return m.read(scope, 'today');
      const open = m.openInterval(scope);
      // The core never entered this interval (nothing happened since it began): it is empty.
      return open.start === intervalStart ? open.figures : EMPTY;
    };
    const queues: ScopeSet['queues'] = {};
    for (const q of this.queues) queues[q] = scopeFigures(read({ kind: 'queue', id: q }));
    return { center: scopeFigures(read({ kind: 'center' })), queues };
  }
}
