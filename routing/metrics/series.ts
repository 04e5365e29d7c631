// Per-minute samples of the center rolling window for the wallboard chart. A
// fixed ring of 60 slots keyed by minute number: writing is four stores, and a
// slot whose stored time is not the expected minute is simply a gap (a minute
// that was never crossed, e.g. before start).

import { ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN } from './fields.ts';
import { serviceLevel } from './formulas.ts';
import type { SeriesPoints, SlFormula } from './types.ts';

export const MINUTE_MS = 60_000;
export const SERIES_POINTS = 60;

export class MinuteSeries {
  private readonly at = new Float64Array(SERIES_POINTS).fill(-1);
  private readonly rows = new Float64Array(SERIES_POINTS * 4);

  /** `win` is the center window row as of just before minute boundary `at`. */
  sample(at: number, win: Float64Array): void {
    const slot = (at / MINUTE_MS) % SERIES_POINTS;
    const o = slot * 4;
    this.at[slot] = at;
    this.rows[o] = win[ANSWERED];
    this.rows[o + 1] = win[ANSWERED_WITHIN];
    this.rows[o + 2] = win[ABANDONED];
    this.rows[o + 3] = win[ABANDONED_WITHIN];
  }

  /** Samples of the last hour before `now`, oldest first. */
  points(now: number, formula: SlFormula): SeriesPoints {
    const out: SeriesPoints = { at: [], serviceLevel: [], offered: [] };
    const last = Math.floor(now / MINUTE_MS);
    const r = this.rows;
    for (let m = last - SERIES_POINTS + 1; m <= last; m++) {
      const slot = m % SERIES_POINTS;
      if (this.at[slot] !== m * MINUTE_MS) continue;
      const o = slot * 4;
      out.at.push(m * MINUTE_MS);
      out.offered.push(r[o] + r[o + 2]);
      out.serviceLevel.push(serviceLevel(formula, {
        answered: r[o], answeredWithinThreshold: r[o + 1], abandoned: r[o + 2], abandonedWithinThreshold: r[o + 3],
      }));
    }
    return out;
  }

  snapshot(): { at: number[]; rows: number[] } {
    return { at: Array.from(this.at), rows: Array.from(this.rows) };
  }

  restore(s: { at: readonly number[]; rows: readonly number[] }): void {
    this.at.set(s.at);
    this.rows.set(s.rows);
  }
}
