// Wall-clock helpers for one IANA zone: ISO strings with the local offset, local
// date/time → instant, start of the local hour. Intl read through routing/metrics/clock.ts.
import { localParts, zoneFormat } from '../../routing/metrics/clock.ts';

const HOUR = 3_600_000;
/** Every zone changes its offset at a multiple of 15 minutes UTC, so an offset holds for such a slot. */
const SLOT = 15 * 60_000;

export class Zone {
  private readonly fmt: Intl.DateTimeFormat;
  /** Offset (ms) per 15-minute slot: a report of a year formats ~70,000 instants, and Intl is slow. */
  private readonly offsets = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.fmt = zoneFormat(timezone);
  }

  /** Local wall clock of `t`, expressed as if it were UTC (epoch ms). */
  wall(t: number): number {
    return t + this.offsetMs(t);
  }

  /** The wall clock as Intl computes it (slow: a formatToParts): once per 15-minute slot. */
  private intlWall(t: number): number { return localParts(this.fmt, t).wall; }

  offsetMs(t: number): number {
    const slot = Math.floor(t / SLOT);
    let off = this.offsets.get(slot);
    if (off === undefined) {
      if (this.offsets.size > 100_000) this.offsets.clear();
      off = this.intlWall(slot * SLOT) - slot * SLOT;
      this.offsets.set(slot, off);
    }
    return off;
  }

  /** '2026-11-23T09:15:00-03:00' (milliseconds only when not zero). */
  iso(t: number): string {
    const off = this.offsetMs(t);
    const local = new Date(t + off).toISOString(); // wall clock, Z suffix to drop
    const body = local.endsWith('.000Z') ? local.slice(0, 19) : local.slice(0, 23);
    const sign = off < 0 ? '-' : '+';
    const m = Math.round(Math.abs(off) / 60_000);
    return `${body}${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  }

  /**
   * The instant showing this wall time (a wall-clock value from Date.UTC). A time
   * skipped by a spring-forward resolves past the gap, a repeated one to its first occurrence.
   */
  fromWall(wall: number): number {
    const early = wall - this.offsetMs(wall - 12 * HOUR);
    const late = wall - this.offsetMs(wall + 12 * HOUR);
    const ok = [early, late].filter((t) => this.wall(t) === wall);
    if (ok.length) return Math.min(...ok);
    // In a spring-forward gap: the earliest candidate already past the wall time.
    const past = [early, late].filter((t) => this.wall(t) >= wall);
    return past.length ? Math.min(...past) : Math.max(early, late);
  }

  /** Start of the local clock hour holding `t`. */
  hourStart(t: number): number {
    const w = t + this.offsetMs(t);
    return t - (w - Math.floor(w / HOUR) * HOUR);
  }
}

export type Edge = 'from' | 'to';

/**
 * Parses a report bound: epoch ms ("1763899200000"), a local date ("2026-11-23":
 * its local midnight for `from`, the next local midnight for `to`, so a date is
 * inclusive), or a date-time ("2026-11-23T09:15", seconds and milliseconds
 * optional) read in the center's zone unless it carries "Z" or an offset.
 * A "+" offset that arrived as a space (unencoded in the URL) is accepted.
 * Returns null when the text is none of these.
 */
export function parseBound(text: string, edge: Edge, zone: Zone): number | null {
  const s = text.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    const [y, mo, d] = date.slice(1).map(Number);
    const wall = Date.UTC(y, mo - 1, d + (edge === 'to' ? 1 : 0));
    if (!validDate(y, mo, d)) return null;
    return zone.fromWall(wall);
  }
  const dt = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+\- ]\d{2}:?\d{2})?$/i.exec(s);
  if (!dt) return null;
  const [y, mo, d, h, mi] = dt.slice(1, 6).map(Number);
  const sec = dt[6] ? Number(dt[6]) : 0;
  const ms = dt[7] ? Number(dt[7].padEnd(3, '0')) : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const z = dt[8];
  if (!z) return zone.fromWall(wall);
  if (z.toUpperCase() === 'Z') return wall;
  const m = /^([+\- ])(\d{2}):?(\d{2})$/.exec(z)!;
  const off = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  if (Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return m[1] === '-' ? wall + off : wall - off;
}

function validDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
