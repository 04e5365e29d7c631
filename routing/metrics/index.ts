// Public surface of the ring-buffer metrics core.

export { MetricsCore, BUCKET_MS, type CallbackFact } from './core.ts';
export { serviceLevel, npsBand, toFigures, type ScopeTerms } from './formulas.ts';
export { DailyBoundary } from './clock.ts';
export { metricsSettings, validateSettings } from './settings.ts';
export type { SlFormula, MetricsSettings, Scope, Figures, ClosedInterval } from './types.ts';
