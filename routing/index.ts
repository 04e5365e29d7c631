export * from './types.ts';
export * from './errors.ts';
export { RoutingCore, type QueueWaiting, type AbandonRecord } from './core.ts';
export { SNAPSHOT_VERSION, SnapshotError, type CoreSnapshot } from './snapshot.ts';
export { TierRules, normaliseNumber } from './priority.ts';
export * from './metrics/index.ts';
export * from './defaults.ts';
