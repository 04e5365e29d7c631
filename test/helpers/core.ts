// Builders shared by the routing tests: a small center and a terse event factory.
import { RoutingCore } from '../../routing/core.ts';
import { defaultRoutingConfig } from '../../routing/defaults.ts';
import type { MetricsSettings } from '../../routing/metrics/index.ts';
import type { DomainEvent, RoutingConfig } from '../../routing/types.ts';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0); // 09:00 in São Paulo

export function metricsSettings(overrides: Partial<MetricsSettings> = {}): MetricsSettings {
  return {
    thresholdSeconds: 20, target: 0.8, formula: 'offered', shortAbandonSeconds: 0, windowMinutes: 30,
    intervalMinutes: 15, timezone: 'America/Sao_Paulo', todayResetsAt: '00:00',
    queues: [{ id: 'suporte' }, { id: 'vendas' }, { id: 'financeiro', thresholdSeconds: 60 }], tiers: 3,
    ...overrides,
  };
}

export function centerConfig(overrides: Partial<RoutingConfig> = {}): RoutingConfig {
  return defaultRoutingConfig({
    queues: [
      { id: 'suporte', name: 'Suporte', weight: 2 },
      { id: 'vendas', name: 'Vendas', weight: 1 },
      { id: 'financeiro', name: 'Financeiro' },
    ],
    agents: [
      { id: 'ana', name: 'Ana', skills: ['suporte', 'vendas'], level: 1 },
      { id: 'bruno', name: 'Bruno', skills: ['suporte'], level: 1 },
      { id: 'carla', name: 'Carla', skills: ['suporte', 'financeiro'], level: 2 },
    ],
    tierRules: [
      { id: 'outage', label: 'Queda de serviço', reason: 'urgency', tier: 1, when: { ivrPath: ['1', '9'] } },
      { id: 'vip', label: 'Cliente VIP', reason: 'vip', tier: 1, when: { vip: true } },
      { id: 'repeat', label: 'Rechamada em 24 h', reason: 'repeat', tier: 2, when: { repeat: { withinHours: 24, minCalls: 2 } } },
    ],
    vipNumbers: ['+5511999990000'],
    ...overrides,
  });
}

let n = 0;
const numbers = new Map<string, string>();
/** A distinct caller number per call id, so repeat-caller rules only fire when a test asks. */
function numberFor(callId: string): string {
  let num = numbers.get(callId);
  if (!num) numbers.set(callId, (num = `+551197${String(numbers.size).padStart(7, '0')}`));
  return num;
}
/** Events with unique ids and times given in seconds after T0. */
export const ev = {
  arrived: (s: number, callId: string, from = numberFor(callId)): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.arrived', callId, from }),
  ivr: (s: number, callId: string, path: string[]): DomainEvent => ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.ivr', callId, path }),
  queued: (s: number, callId: string, queue: string, attributes = {}): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.queued', callId, queue, attributes }),
  answered: (s: number, callId: string, agentId?: string): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.answered', callId, agentId }),
  missed: (s: number, callId: string, reason: 'no-answer' | 'busy' = 'no-answer'): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.offer-missed', callId, reason }),
  ended: (s: number, callId: string, by: 'caller' | 'agent' = 'caller'): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.ended', callId, by }),
  abandoned: (s: number, callId: string): DomainEvent => ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.abandoned', callId }),
  agent: (s: number, agentId: string, state: 'available' | 'away' | 'offline', reason?: string): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'agent.state', agentId, state, reason }),
  ready: (s: number, agentId: string): DomainEvent => ({ id: `e${n++}`, at: T0 + s * 1000, type: 'agent.ready', agentId }),
  escalated: (s: number, callId: string, toLevel: number, note?: string): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.escalated', callId, toLevel, note }),
  survey: (s: number, callId: string, nps?: number, csat?: number): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.survey', callId, nps, csat }),
  disposition: (s: number, callId: string, resolvedFirstContact: boolean): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.disposition', callId, resolvedFirstContact }),
  offered: (s: number, callId: string, agentId: string): DomainEvent =>
    ({ id: `e${n++}`, at: T0 + s * 1000, type: 'call.offered', callId, agentId }),
};

export function newCore(config: Partial<RoutingConfig> = {}, metrics: Partial<MetricsSettings> = {}): RoutingCore {
  return new RoutingCore(centerConfig(config), metricsSettings(metrics), T0);
}

/** Applies events in order and returns every offer decision as "call→agent". */
export function run(core: RoutingCore, events: DomainEvent[]): string[] {
  const offers: string[] = [];
  for (const e of events) {
    for (const d of core.apply(e).decisions) if (d.type === 'offer') offers.push(`${d.callId}→${d.agentId}`);
  }
  return offers;
}

/** Brings a call from arrival into a queue in one go. */
export function callInto(s: number, callId: string, queue: string, opts: { from?: string; path?: string[]; attributes?: object } = {}): DomainEvent[] {
  return [
    ev.arrived(s, callId, opts.from),
    ev.ivr(s, callId, opts.path ?? ['1']),
    ev.queued(s, callId, queue, opts.attributes ?? {}),
  ];
}
