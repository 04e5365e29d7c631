// The metrics core as plain JSON, for the routing core's snapshot (routing/snapshot.ts).
//
// A ring travels sparse: a flat [cell, value, cell, value, …] list of its non-zero cells.
// Most cells are zero (idle queues and tiers, quiet seconds, columns one kind of fact never
// touches), so this is a fraction of a dense array, and base64 of the Float64Array would
// be worse still: ~10.7 characters per cell whatever it holds, 0.4 MB per scope for a
// 30-minute window, plus a decoder. Every cell is an integer count or integer ms
// (fields.ts), which JSON numbers carry exactly.

import { FIELDS } from './fields.ts';
import { SERIES_POINTS } from './series.ts';
import type { ClosedInterval, MetricsSettings } from './types.ts';

export interface ScopeSnapshot {
  /** Non-zero ring cells as [cell, value, …]; cell = slot × FIELDS + column. */
  ring: number[];
  win: number[];
  today: number[];
  ivl: number[];
  /** Null for "never written" (−Infinity, which JSON cannot carry). */
  lastBucket: number | null;
}

/** Time bookkeeping of the metrics core; every other private value follows from the settings. */
const METRICS_CLOCK_FIELDS = [
  'now', 'cur', 'nextBucketAt', 'busy', 'staffed', 'ringAccruedTo', 'accruedTo', 'ivlStart', 'ivlEnd', 'resetAt', 'minuteAt',
] as const;

type MetricsClock = Record<(typeof METRICS_CLOCK_FIELDS)[number], number>;

export interface MetricsSnapshot extends MetricsClock {
  /** The settings in force, live changes included. */
  settings: MetricsSettings;
  center: ScopeSnapshot;
  /** Every tier scope ever created (more than settings.tiers after a live reduction). */
  tiers: ScopeSnapshot[];
  /** Queue scopes in creation order, unknown queues that recorded a fact included. */
  queues: { id: string; scope: ScopeSnapshot }[];
  closed: ClosedInterval[];
  /** The last hour's per-minute samples: SERIES_POINTS times and SERIES_POINTS × 4 counts. */
  minutes: { at: number[]; rows: number[] };
}

export function encodeSparse(cells: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < cells.length; i++) if (cells[i] !== 0) out.push(i, cells[i]);
  return out;
}

export function decodeSparse(pairs: readonly number[], into: Float64Array): void {
  into.fill(0);
  for (let i = 0; i < pairs.length; i += 2) into[pairs[i]] = pairs[i + 1];
}

// ---- structural check: cheap, so a broken snapshot is refused at load, not met later ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumbers = (v: unknown, length?: number): boolean =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every(isNumber);

function scopeProblem(s: unknown, cells: number): string | null {
  if (!isObject(s)) return 'is not an object';
  for (const row of ['win', 'today', 'ivl'] as const) if (!isNumbers(s[row], FIELDS)) return `.${row} must be ${FIELDS} numbers`;
  if (s.lastBucket !== null && !isNumber(s.lastBucket)) return '.lastBucket must be a number or null';
  const ring = s.ring;
  if (!Array.isArray(ring) || ring.length % 2 !== 0) return '.ring must be [cell, value, …] pairs';
  for (let i = 0; i < ring.length; i += 2) {
    const cell = ring[i];
    if (!Number.isInteger(cell) || cell < 0 || cell >= cells || !isNumber(ring[i + 1])) return `.ring has a bad cell at ${i}`;
  }
  return null;
}

/**
 * The first structural problem of a metrics snapshot, or null. Settings themselves are
 * validated when the core is rebuilt from them, as at construction.
 */
export function metricsSnapshotProblem(m: unknown): string | null {
  if (!isObject(m)) return 'is not an object';
  if (!isObject(m.settings)) return '.settings is not an object';
  for (const f of METRICS_CLOCK_FIELDS) if (!isNumber(m[f])) return `.${f} must be a finite number`;
  const windowMinutes = (m.settings as Partial<MetricsSettings>).windowMinutes;
  if (!isNumber(windowMinutes)) return '.settings.windowMinutes must be a number';
  const cells = windowMinutes * 60 * FIELDS;
  let p = scopeProblem(m.center, cells);
  if (p) return `.center${p}`;
  const tiers = (m.settings as Partial<MetricsSettings>).tiers;
  if (!Array.isArray(m.tiers) || !isNumber(tiers) || m.tiers.length < tiers) return '.tiers must hold a scope per tier in force';
  for (let i = 0; i < m.tiers.length; i++) if ((p = scopeProblem(m.tiers[i], cells))) return `.tiers[${i}]${p}`;
  if (!Array.isArray(m.queues)) return '.queues is not an array';
  const ids = new Set<string>();
  for (let i = 0; i < m.queues.length; i++) {
    const q = m.queues[i] as unknown;
    if (!isObject(q) || typeof q.id !== 'string' || ids.has(q.id)) return `.queues[${i}] needs a unique string id`;
    ids.add(q.id);
    if ((p = scopeProblem(q.scope, cells))) return `.queues[${i}].scope${p}`;
  }
  if (!Array.isArray(m.closed) || !m.closed.every((c) => isObject(c) && isNumber(c.start) && isNumber(c.end) && isObject(c.center))) {
    return '.closed must be a list of closed intervals';
  }
  if (!isObject(m.minutes) || !isNumbers(m.minutes.at, SERIES_POINTS) || !isNumbers(m.minutes.rows, SERIES_POINTS * 4)) {
    return `.minutes must hold ${SERIES_POINTS} times and ${SERIES_POINTS * 4} counts`;
  }
  return null;
}
