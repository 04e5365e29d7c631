// Public surface of the ring-buffer metrics core.

export { MetricsCore, BUCKET_MS, type IntervalFigures } from './core.ts';
export { serviceLevel, npsBand, toFigures, type SlCounts, type ScopeTerms } from './formulas.ts';
export { DailyBoundary, parseLocalTime } from './clock.ts';
export { metricsSnapshotProblem, type MetricsSnapshot, type ScopeSnapshot } from './snapshot.ts';
export { DEFAULT_METRICS_SETTINGS, FORMULAS, metricsSettings, validateSettings } from './settings.ts';
export type {
  SlFormula, MetricsSettings, QueueMetricsSettings, Scope, MetricsWindow, Figures, NpsBand, NpsFigures,
  ClosedInterval, SeriesPoints,
} from './types.ts';
