// Daily-reset boundary math. Called once per day (and on settings changes), so
// it can afford Intl; the core caches the next boundary and compares numbers.
//
// The boundary of local date D is the first instant whose local wall time is at
// or after D HH:MM: on a spring-forward day where HH:MM does not exist it is the
// transition instant (e.g. 02:30 in New York on 2024-03-10 → 03:00 EDT), and on
// a fall-back day where HH:MM happens twice it is the first occurrence.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** 'HH:MM' → minutes after local midnight. */
export function parseLocalTime(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new RangeError(`todayResetsAt must be 'HH:MM', got '${hhmm}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export interface LocalParts { y: number; mo: number; d: number; wall: number }

/** The formatter `localParts` reads; throws RangeError on an unknown zone, which is what a bad setting deserves. */
export function zoneFormat(timezone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
}

/** The local calendar date of `t` and its wall clock read as if it were UTC (epoch ms), through `zoneFormat`. */
export function localParts(fmt: Intl.DateTimeFormat, t: number): LocalParts {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of fmt.formatToParts(t)) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      default: break;
    }
  }
  const ms = ((t % 1000) + 1000) % 1000;
  return { y, mo, d, wall: Date.UTC(y, mo - 1, d, h, mi, s) + ms };
}

export class DailyBoundary {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly minutes: number;

  constructor(readonly timezone: string, readonly localTime: string) {
    this.minutes = parseLocalTime(localTime);
    this.fmt = zoneFormat(timezone);
  }

  /** Smallest boundary strictly after `t`. */
  next(t: number): number {
    const { y, mo, d } = this.local(t);
    for (let k = -1; k <= 2; k++) {
      const b = this.boundaryOn(y, mo, d + k);
      if (b > t) return b;
    }
    throw new Error(`no daily boundary found after ${t} in ${this.timezone}`);
  }

  /** Wall clock of `t` read as if it were UTC, plus the local calendar date. */
  private local(t: number): LocalParts { return localParts(this.fmt, t); }

  private offset(t: number): number { return this.local(t).wall - t; }

  private boundaryOn(y: number, mo: number, d: number): number {
    const wall = Date.UTC(y, mo - 1, d, 0, this.minutes); // Date.UTC normalises day overflow
    // Around one boundary a zone has at most two offsets (before/after a transition).
    const o1 = this.offset(wall - DAY);
    const o2 = this.offset(wall + DAY);
    const c1 = wall - o1;
    const c2 = wall - o2;
    const ok1 = this.offset(c1) === o1;
    const ok2 = this.offset(c2) === o2;
    if (ok1 && ok2) return Math.min(c1, c2);
    if (ok1) return c1;
    if (ok2) return c2;
    // Wall time skipped by a spring-forward: find the first instant at or past it.
    // Inside the gap local time is monotone, so bisection is safe.
    let lo = Math.min(c1, c2);
    let hi = Math.max(c1, c2);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.local(mid).wall >= wall) hi = mid; else lo = mid;
    }
    return this.local(lo).wall >= wall ? lo : hi;
  }
}
