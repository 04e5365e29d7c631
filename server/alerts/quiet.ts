// Quiet hours: a rule's local "HH:MM" span in the center's time zone during which
// it does not fire. A span may cross midnight ("22:00"–"07:00"); from = to is none.
import { Zone } from '../reports/zone.ts';

const DAY = 86_400_000;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes since local midnight of `t` in `zone`. */
function localMinutes(zone: Zone, t: number): number {
  const wall = zone.wall(t);
  return Math.floor((((wall % DAY) + DAY) % DAY) / 60_000);
}

export function inQuietHours(span: { from: string; to: string } | undefined, now: number, zone: Zone): boolean {
  if (!span) return false;
  const from = minutesOf(span.from), to = minutesOf(span.to);
  if (from === to) return false;
  const m = localMinutes(zone, now);
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/** One Zone per time zone name (a supervisor may change it only with a restart, but tests build several). */
const zones = new Map<string, Zone>();
export function zoneOf(timezone: string): Zone {
  let z = zones.get(timezone);
  if (!z) { z = new Zone(timezone); zones.set(timezone, z); }
  return z;
}
