// Settings a small center would start with; tests and the simulator build on them.
import type { RoutingConfig } from './types.ts';

export function defaultRoutingConfig(overrides: Partial<RoutingConfig> = {}): RoutingConfig {
  return {
    tiers: 3,
    agingSeconds: [null, 120, 180],
    tierRules: [],
    vipNumbers: [],
    queues: [],
    agents: [],
    strategy: 'longest-idle',
    offerTimeoutSeconds: 20,
    offerGraceSeconds: 10,
    wrapUpSeconds: 10,
    levelWideningSeconds: 60,
    maxLevel: 3,
    maxConsecutiveMisses: 1,
    missDelaySeconds: 0,
    repeatMemoryHours: 24,
    ...overrides,
  };
}
