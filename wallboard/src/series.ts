// Chart data. History arrives on connect and when an interval closes, so the
// last-hour line is extended with points sampled from live snapshots in
// between. Pure: arrays in, uPlot-ready arrays (x in seconds, SL in %) out.

import type { History } from '../../server/contract.ts';

export interface LivePoint { at: number; serviceLevel: number | null; waiting: number }

const HOUR_MS = 3_600_000;

/** Append a live sample if at least `spacingMs` after the previous one; keep the last `keepMs`. */
export function pushLive(points: readonly LivePoint[], p: LivePoint, spacingMs = 15_000, keepMs = HOUR_MS): LivePoint[] {
  const last = points[points.length - 1];
  if (last && p.at - last.at < spacingMs) return points as LivePoint[];
  const from = p.at - keepMs;
  return [...points.filter((x) => x.at >= from), p];
}

export interface HourData { x: number[]; sl: (number | null)[]; waiting: number[] }

const pct = (v: number | null | undefined): number | null => (v == null || !Number.isFinite(v) ? null : v * 100);

/** History series plus live points newer than its last point, restricted to the hour before `now`. */
export function hourSeries(history: History | null, live: readonly LivePoint[], now: number, windowMs = HOUR_MS): HourData {
  const out: HourData = { x: [], sl: [], waiting: [] };
  const from = now - windowMs;
  let lastAt = -Infinity;
  const s = history?.series;
  if (s) {
    for (let i = 0; i < s.at.length; i++) {
      const at = s.at[i];
      if (at < from || at > now + 60_000) continue;
      out.x.push(at / 1000);
      out.sl.push(pct(s.serviceLevel[i]));
      out.waiting.push(s.waiting[i] ?? 0);
      lastAt = Math.max(lastAt, at);
    }
  }
  for (const p of live) {
    if (p.at <= lastAt || p.at < from) continue;
    out.x.push(p.at / 1000);
    out.sl.push(pct(p.serviceLevel));
    out.waiting.push(p.waiting);
  }
  return out;
}

export interface IntervalData { x: number[]; sl: (number | null)[]; target: number[]; offered: number[]; widthSeconds: number }

/** Today's closed intervals: one bar per interval at its midpoint, SL in %, target as a flat line. */
export function intervalBars(history: History | null, target: number): IntervalData {
  const out: IntervalData = { x: [], sl: [], target: [], offered: [], widthSeconds: 900 };
  const iv = history?.intervals ?? [];
  for (const p of iv) {
    out.x.push((p.start + p.end) / 2000);
    out.sl.push(pct(p.serviceLevel));
    out.target.push(target * 100);
    out.offered.push(p.offered);
  }
  if (iv.length > 0) out.widthSeconds = Math.max(60, (iv[0].end - iv[0].start) / 1000);
  return out;
}
