// The wallboard's breach countdown tile: the server's breachInMinutes shown as a countdown
// (ticking down between snapshots), amber while counting, red once below target, green when
// no drop is expected, with what would prevent it.
import { describe, expect, it } from 'vitest';
import type { QueueBlock, ScopeLive, Snapshot, WindowFigures } from '../../server/contract.ts';
import { en, pt } from '../../wallboard/src/i18n.ts';
import { buildView } from '../../wallboard/src/view.ts';

const win: WindowFigures = {
  offered: 10, answered: 9, abandoned: 1, shortAbandoned: 0, answeredWithinThreshold: 8, serviceLevel: 0.8,
  tmaSeconds: 180, asaSeconds: 12, abandonRate: 0.1, handled: 9, occupancy: 0.8,
};
const scope = (over: Partial<ScopeLive> = {}): ScopeLive => ({
  rolling: win, today: win, waiting: 2, waitingByTier: [0, 0, 2], longestWaitSeconds: 30,
  agents: { offline: 0, available: 0, ringing: 0, 'on-call': 3, 'wrap-up': 0, away: 0 },
  nps: { score: null, band: null, responses: 0 }, csat: { score: null, responses: 0 }, fcr: { rate: null, responses: 0 },
  ...over,
});
const queue = (over: Partial<QueueBlock>): QueueBlock => ({ id: 'suporte', name: 'Suporte', language: null, thresholdSeconds: 20, target: 0.8, ...scope(), ...over });

function snapshot(center: Partial<ScopeLive>, queues: QueueBlock[] = [], over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot', serverTime: 0, demo: false, centerName: 'C', tiers: 3,
    serviceLevel: { thresholdSeconds: 20, target: 0.8, formula: 'offered', shortAbandonSeconds: 0, windowMinutes: 30 },
    colours: { serviceLevel: { amberFrom: 0.7 }, longestWaitSeconds: { amberAbove: 30, redAbove: 60 }, abandonRate: { amberAbove: 0.05, redAbove: 0.1 }, waiting: { amberAbove: 3, redAbove: 6 } },
    center: scope(center), queues, agents: [], waitingCalls: [], recentAbandons: [], breachHorizonMinutes: 30, ...over,
  };
}

describe('breach countdown tile', () => {
  it('counts down in amber with the prevention, named by the queue', () => {
    const s = snapshot({ breachInMinutes: 12, breachPrevention: { agents: 1, skill: 'suporte' } }, [queue({})]);
    const v = buildView(s, null, 0, pt, 'pt').breach;
    expect(v).toMatchObject({ label: 'NS em risco', value: '~12 min', sub: 'evita: +1 agente Suporte', band: 'amber' });
    // 90 s later without a new snapshot: 10.5 min left, shown rounded up.
    expect(buildView(s, null, 90, pt, 'pt').breach.value).toBe('~11 min');
    expect(buildView(s, null, 0, en, 'en').breach).toMatchObject({ label: 'SL at risk', sub: 'prevent: +1 agent Suporte' });
  });

  it('turns red at zero (below target now), and says when no agent count up to 5 prevents it', () => {
    const v = buildView(snapshot({ breachInMinutes: 0, breachPrevention: null }), null, 0, pt, 'pt').breach;
    expect(v).toMatchObject({ value: 'Agora', sub: 'mais de 5 agentes para evitar', band: 'red' });
    // A countdown that ran out between snapshots is red too.
    expect(buildView(snapshot({ breachInMinutes: 2, breachPrevention: { agents: 3, skill: 'vendas' } }), null, 150, pt, 'pt').breach)
      .toMatchObject({ value: 'Agora', sub: 'evita: +3 agentes vendas', band: 'red' });
  });

  it('green when no drop is expected within the horizon; blank from a server that does not send it', () => {
    expect(buildView(snapshot({ breachInMinutes: null }), null, 0, pt, 'pt').breach)
      .toMatchObject({ value: 'Estável', sub: 'sem queda prevista em 30 min', band: 'green' });
    expect(buildView(snapshot({}), null, 0, pt, 'pt').breach).toMatchObject({ value: '—', band: 'none' });
  });

  it('a queue board shows the queue\'s own countdown', () => {
    const s = snapshot({ breachInMinutes: null }, [queue({ breachInMinutes: 7, breachPrevention: { agents: 2, skill: 'suporte' } })]);
    expect(buildView(s, 'suporte', 0, pt, 'pt').breach).toMatchObject({ value: '~7 min', sub: 'evita: +2 agentes Suporte', band: 'amber' });
  });
});
