// The demo center: three queues, twelve agents, three tiers. DEMO DATA ONLY.
import { defaultRoutingConfig } from '../routing/defaults.ts';
import { metricsSettings } from '../routing/metrics/index.ts';
import type { MetricsSettings } from '../routing/metrics/index.ts';
import type { RoutingConfig } from '../routing/types.ts';

export const DEMO_CENTER_NAME = 'Central Atende (demo)';

export const DEMO_VIP_NUMBERS = ['+5511999990000', '+5521988887777', '+5531977776666'];

export function demoRoutingConfig(): RoutingConfig {
  return defaultRoutingConfig({
    queues: [
      { id: 'suporte', name: 'Suporte', weight: 2, thresholdSeconds: 20, target: 0.8 },
      { id: 'vendas', name: 'Vendas', weight: 1, thresholdSeconds: 20, target: 0.8 },
      { id: 'financeiro', name: 'Financeiro', thresholdSeconds: 60, target: 0.8 },
    ],
    agents: [
      { id: 'ana', name: 'Ana Souza', skills: ['suporte', 'vendas'], level: 1 },
      { id: 'bruno', name: 'Bruno Lima', skills: ['suporte'], level: 1 },
      { id: 'carla', name: 'Carla Mendes', skills: ['suporte', 'financeiro'], level: 2 },
      { id: 'diego', name: 'Diego Alves', skills: ['vendas'], level: 1 },
      { id: 'eduarda', name: 'Eduarda Rocha', skills: ['vendas', 'financeiro'], level: 1 },
      { id: 'felipe', name: 'Felipe Costa', skills: ['suporte'], level: 2 },
      { id: 'gabriela', name: 'Gabriela Santos', skills: ['financeiro'], level: 1 },
      { id: 'henrique', name: 'Henrique Oliveira', skills: ['suporte', 'vendas'], level: 1 },
      { id: 'isabela', name: 'Isabela Ferreira', skills: ['suporte'], level: 1 },
      { id: 'joao', name: 'João Pereira', skills: ['vendas'], level: 2 },
      { id: 'larissa', name: 'Larissa Carvalho', skills: ['financeiro', 'suporte'], level: 2 },
      { id: 'marcos', name: 'Marcos Ribeiro', skills: ['suporte', 'vendas', 'financeiro'], level: 2 },
    ],
    tierRules: [
      { id: 'outage', label: 'Queda de serviço', reason: 'urgency', tier: 1, when: { ivrPath: ['1', '9'] } },
      { id: 'vip', label: 'Cliente VIP', reason: 'vip', tier: 1, when: { vip: true } },
      { id: 'repeat', label: 'Rechamada em 24 h', reason: 'repeat', tier: 2, when: { repeat: { withinHours: 24, minCalls: 2 } } },
    ],
    vipNumbers: DEMO_VIP_NUMBERS,
    wrapUpSeconds: 8,
    offerTimeoutSeconds: 15,
  });
}

export function demoMetricsSettings(): MetricsSettings {
  return metricsSettings({
    thresholdSeconds: 20, target: 0.8, formula: 'offered', windowMinutes: 30, intervalMinutes: 15,
    timezone: 'America/Sao_Paulo', todayResetsAt: '00:00', tiers: 3,
    queues: [{ id: 'suporte' }, { id: 'vendas' }, { id: 'financeiro', thresholdSeconds: 60 }],
  });
}
