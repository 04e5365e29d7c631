// Defaults and validation. Validation throws instead of clamping: a threshold of
// −5 s or a 3-minute window typed as 0.05 is a configuration bug worth surfacing.

import { parseLocalTime } from './clock.ts';
import type { MetricsSettings, SlFormula } from './types.ts';

const FORMULAS: readonly SlFormula[] = ['offered', 'answered', 'abandonsWithinThresholdMet', 'abandonsWithinThresholdNeutral'];

const DEFAULT_METRICS_SETTINGS: Readonly<MetricsSettings> = Object.freeze({
  thresholdSeconds: 20,
  target: 0.8,
  formula: 'offered',
  shortAbandonSeconds: 0,
  windowMinutes: 30,
  intervalMinutes: 15,
  timezone: 'America/Sao_Paulo',
  todayResetsAt: '00:00',
  queues: [],
  tiers: 3,
});

export function metricsSettings(overrides: Partial<MetricsSettings> = {}): MetricsSettings {
  return { ...DEFAULT_METRICS_SETTINGS, queues: [], ...overrides };
}

const fail = (msg: string): never => { throw new RangeError(`metrics settings: ${msg}`); };

export function validateSettings(s: MetricsSettings): void {
  const nonNeg = (v: number, name: string) => { if (!(Number.isFinite(v) && v >= 0)) fail(`${name} must be a finite number ≥ 0, got ${v}`); };
  const share = (v: number, name: string) => { if (!(v >= 0 && v <= 1)) fail(`${name} must be within 0..1, got ${v}`); };
  nonNeg(s.thresholdSeconds, 'thresholdSeconds');
  share(s.target, 'target');
  if (!FORMULAS.includes(s.formula)) fail(`unknown formula '${s.formula}'`);
  nonNeg(s.shortAbandonSeconds, 'shortAbandonSeconds');
  // Whole seconds keep the window and interval edges on bucket edges.
  if (!(Number.isInteger(s.windowMinutes * 60) && s.windowMinutes > 0)) fail(`windowMinutes must be a positive whole number of seconds, got ${s.windowMinutes}`);
  if (!(Number.isInteger(s.intervalMinutes * 60) && s.intervalMinutes > 0)) fail(`intervalMinutes must be a positive whole number of seconds, got ${s.intervalMinutes}`);
  parseLocalTime(s.todayResetsAt);
  if (!(Number.isInteger(s.tiers) && s.tiers >= 1)) fail(`tiers must be an integer ≥ 1, got ${s.tiers}`);
  const seen = new Set<string>();
  for (const q of s.queues) {
    if (seen.has(q.id)) fail(`queue '${q.id}' listed twice`);
    seen.add(q.id);
    if (q.thresholdSeconds !== undefined) nonNeg(q.thresholdSeconds, `queues[${q.id}].thresholdSeconds`);
    if (q.target !== undefined) share(q.target, `queues[${q.id}].target`);
    if (q.legalWaitSeconds !== undefined) nonNeg(q.legalWaitSeconds, `queues[${q.id}].legalWaitSeconds`);
  }
  if (s.legalWaitSeconds !== undefined) nonNeg(s.legalWaitSeconds, 'legalWaitSeconds');
}
