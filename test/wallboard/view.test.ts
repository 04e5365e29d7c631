import { describe, expect, it } from 'vitest';
import type { AgentStatus, History, QueueBlock, Snapshot, WindowFigures } from '../../server/contract.ts';
import { en, pt } from '../../wallboard/src/i18n.ts';
import { hourSeries, intervalBars, pushLive } from '../../wallboard/src/series.ts';
import { buildView, formulaText, selectScope } from '../../wallboard/src/view.ts';

const NOW = new Date(2026, 10, 23, 14, 30, 0).getTime();

function win(over: Partial<WindowFigures> = {}): WindowFigures {
  // ICMI example under F3: 860 answered in T of 1000 answered + 60 abandoned.
  return {
    offered: 1060, answered: 1000, abandoned: 60, shortAbandoned: 10, answeredWithinThreshold: 860,
    serviceLevel: 860 / 1060, tmaSeconds: 284.4, asaSeconds: 17.2, abandonRate: 60 / 1060, handled: 1000, occupancy: 0.8,
    ...over,
  };
}

const agents = (o: Partial<Record<AgentStatus, number>> = {}): Record<AgentStatus, number> => ({
  offline: 0, available: 2, ringing: 0, 'on-call': 5, 'wrap-up': 1, away: 1, ...o,
});

function queue(over: Partial<QueueBlock>): QueueBlock {
  return {
    id: 'q', name: 'Q', language: 'pt-BR', thresholdSeconds: 20, target: 0.8,
    rolling: win(), today: win(), waiting: 0, waitingByTier: [0, 0, 0], longestWaitSeconds: null, agents: agents(),
    nps: { score: null, band: null, responses: 0 }, csat: { score: null, responses: 0 }, fcr: { rate: null, responses: 0 },
    ...over,
  };
}

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot',
    serverTime: NOW,
    demo: true,
    centerName: 'Central SP',
    tiers: 3,
    serviceLevel: { thresholdSeconds: 20, target: 0.8, formula: 'offered', shortAbandonSeconds: 0, windowMinutes: 30 },
    colours: {
      serviceLevel: { amberFrom: 0.7 },
      longestWaitSeconds: { amberAbove: 60, redAbove: 120 },
      abandonRate: { amberAbove: 0.05, redAbove: 0.1 },
      waiting: { amberAbove: 5, redAbove: 10 },
    },
    center: {
      rolling: win(), today: win({ serviceLevel: 0.7 }),
      waiting: 3, waitingByTier: [1, 2, 0], longestWaitSeconds: 118, agents: agents(),
      nps: { score: 62.5, band: 'good', responses: 40 }, csat: { score: 0.874, responses: 90 }, fcr: { rate: null, responses: 0 },
    },
    queues: [
      queue({
        id: 'sup', name: 'Suporte', thresholdSeconds: 30, target: 0.9, rolling: win({ serviceLevel: 0.85 }),
        waiting: 2, waitingByTier: [1, 1, 0], longestWaitSeconds: 118, agents: agents({ available: 0 }),
      }),
      queue({ id: 'fin', name: 'Financeiro', rolling: win({ serviceLevel: null, offered: 0 }), waiting: 1, longestWaitSeconds: 30 }),
    ],
    agents: [
      { id: 'a1', name: 'Zeca', state: 'offline', stateSeconds: 9000, reason: null, level: 1, skills: ['sup'], callTier: null, callQueue: null },
      { id: 'a2', name: 'Ana', state: 'on-call', stateSeconds: 65, reason: null, level: 1, skills: ['sup'], callTier: 1, callQueue: 'sup' },
      { id: 'a3', name: 'bruno', state: 'away', stateSeconds: 300, reason: 'lanche', level: 1, skills: ['fin'], callTier: null, callQueue: null },
      { id: 'a4', name: 'Carla', state: 'available', stateSeconds: 10, reason: 'no-answer', level: 1, skills: ['fin'], callTier: null, callQueue: null },
    ],
    waitingCalls: [
      { callId: 'c1', caller: '+55 11 98765-4321', queue: 'sup', tier: 1, reason: { label: 'Cliente VIP', kind: 'vip' }, waitSeconds: 118, level: 1, ringing: false },
      { callId: 'c2', caller: '+55 11 9****-1111', queue: 'fin', tier: 2, reason: { label: 'Padrão', kind: 'default' }, waitSeconds: 30, level: 1, ringing: true },
      { callId: 'c3', caller: '+55 11 9****-2222', queue: 'sup', tier: 3, reason: { label: '<b>x</b>', kind: 'default' }, waitSeconds: 5, level: 1, ringing: false },
    ],
    recentAbandons: [
      { at: NOW - 10 * 60_000, waitSeconds: 45, queue: 'fin', tier: 2 },
      { at: NOW - 2 * 60_000, waitSeconds: 130, queue: 'sup', tier: 1 },
    ],
    ...over,
  };
}

describe('board view: tiles', () => {
  it('NS tiles: value, "NS 80/20" goal, target, formula, colour', () => {
    const v = buildView(snapshot(), null, 0, pt, 'pt');
    expect(v.slRolling).toMatchObject({
      label: 'NS últimos 30 min', goal: 'NS 80/20', value: '81,1 %', band: 'green',
      sub: 'meta 80 % · 1.060 oferecidas', note: 'atendidas em até 20 s ÷ (atendidas + abandonadas)',
    });
    expect(v.slToday).toMatchObject({ label: 'NS hoje', value: '70,0 %', band: 'amber' });
  });

  it('English board', () => {
    const v = buildView(snapshot(), null, 0, en, 'en');
    expect(v.slRolling).toMatchObject({ label: 'SL last 30 min', value: '81.1%', goal: 'SL 80/20' });
    expect(v.tma.label).toBe('AHT');
  });

  it('the formula mentions ignored short abandons only when they are', () => {
    const s = snapshot().serviceLevel;
    expect(formulaText(s, 20, pt)).not.toContain('ignorados');
    expect(formulaText({ ...s, shortAbandonSeconds: 5 }, 20, pt)).toBe(
      'atendidas em até 20 s ÷ (atendidas + abandonadas) · abandonos com menos de 5 s ignorados',
    );
    expect(formulaText({ ...s, formula: 'answered' }, 30, en)).toBe('answered within 30 s ÷ answered (abandons ignored)');
  });

  it('waits tick from the snapshot: longest wait +tick, colour follows', () => {
    const v0 = buildView(snapshot(), null, 0, pt, 'pt');
    expect(v0.longest).toMatchObject({ value: '1:58', band: 'amber', sub: 'P1 · Suporte' });
    const v3 = buildView(snapshot(), null, 3, pt, 'pt');
    expect(v3.longest).toMatchObject({ value: '2:01', band: 'red' });
    expect(v3.waitingCalls.map((c) => c.wait)).toEqual(['2:01', '0:33', '0:08']);
    expect(v3.indicators.longestWait).toBe(true);
  });

  it('waiting split by tier, nulls as dashes', () => {
    const v = buildView(snapshot(), null, 0, pt, 'pt');
    expect(v.waiting.value).toBe('3');
    expect(v.tierChips.map((c) => `${c.label}:${c.count}`)).toEqual(['P1:1', 'P2:2', 'P3:0']);
    expect(v.fcr.value).toBe('—');
    expect(v.tma).toMatchObject({ value: '4:44', sub: 'hoje 4:44' });
    expect(v.tme.value).toBe('0:17');
    expect(v.abandon).toMatchObject({ value: '5,7 %', band: 'amber' });
    expect(v.nps).toMatchObject({ value: '63', sub: 'Qualidade (melhorar)', band: 'green' });
    expect(v.csat.value).toBe('87,4 %');
  });

  it('an empty window shows dashes, never 0 % or 100 %', () => {
    const s = snapshot();
    s.center.rolling = win({ serviceLevel: null, offered: 0, tmaSeconds: null, asaSeconds: null, abandonRate: null });
    s.center.longestWaitSeconds = null;
    const v = buildView(s, null, 4, pt, 'pt');
    expect([v.slRolling.value, v.tma.value, v.tme.value, v.abandon.value, v.longest.value]).toEqual(['—', '—', '—', '—', '—']);
    expect(v.slRolling.band).toBe('none');
    expect(v.indicators.serviceLevel).toBe(false);
  });

  it('alarm indicators: SL in red, no agent available while calls wait', () => {
    const s = snapshot();
    s.center.rolling = win({ serviceLevel: 0.65 });
    s.center.agents = agents({ available: 0 });
    expect(buildView(s, null, 0, pt, 'pt').indicators).toEqual({ serviceLevel: true, longestWait: false, noAgent: true });
    s.center.waiting = 0;
    expect(buildView(s, null, 0, pt, 'pt').indicators.noAgent).toBe(false);
  });
});

describe('board view: ?queue=ID', () => {
  it('uses that queue\'s own block, threshold and target', () => {
    const v = buildView(snapshot(), 'sup', 0, pt, 'pt');
    expect(v.scopeName).toBe('Suporte');
    expect(v.slRolling).toMatchObject({ value: '85,0 %', goal: 'NS 90/30', band: 'amber' });
    expect(v.slRolling.note).toContain('30 s');
    expect(v.waiting.value).toBe('2');
    expect(v.queues.map((q) => q.id)).toEqual(['sup']);
    expect(v.waitingCalls.map((c) => c.key)).toEqual(['c1', 'c3']);
    expect(v.abandons.map((a) => a.queue)).toEqual(['Suporte']);
    expect(v.agents.map((a) => a.id)).toEqual(['a2', 'a1']);
    expect(v.indicators.noAgent).toBe(true);
  });

  it('matches by name too, case-insensitively', () => {
    expect(selectScope(snapshot(), 'FINANCEIRO')).toMatchObject({ kind: 'queue', queue: { id: 'fin' } });
  });

  it('an unknown queue says so and falls back to the center', () => {
    const v = buildView(snapshot(), 'nope', 0, pt, 'pt');
    expect(v.notice).toContain('nope');
    expect(v.slRolling.value).toBe('81,1 %');
  });
});

describe('board view: lists and agents', () => {
  it('queue rows carry their own goal and colours', () => {
    const v = buildView(snapshot(), null, 0, pt, 'pt');
    expect(v.queues[0]).toMatchObject({ name: 'Suporte', goal: '90/30', sl: '85,0 %', slBand: 'amber', longest: '1:58' });
    expect(v.queues[1]).toMatchObject({ sl: '—', slBand: 'none', longest: '0:30' });
  });

  it('callers waiting: tier badge, reason, queue name, masked number', () => {
    const [first, second] = buildView(snapshot(), null, 0, pt, 'pt').waitingCalls;
    expect(first).toMatchObject({ tier: 'P1', tierClass: 1, reason: 'Cliente VIP', queue: 'Suporte', caller: '+55 11 9****-4321' });
    expect(second).toMatchObject({ tier: 'P2', tierClass: 2, ringing: true });
  });

  it('recent abandons newest first, local HH:MM, how long they waited', () => {
    const v = buildView(snapshot(), null, 0, pt, 'pt');
    expect(v.abandons.map((a) => [a.at, a.waited, a.queue])).toEqual([
      ['14:28', '2:10', 'Suporte'],
      ['14:20', '0:45', 'Financeiro'],
    ]);
  });

  it('agents: logged-in first then by name; pause reason; ticking time; call tier', () => {
    const v = buildView(snapshot(), null, 2, pt, 'pt');
    expect(v.agents.map((a) => a.name)).toEqual(['Ana', 'bruno', 'Carla', 'Zeca']);
    const [ana, bruno, carla, zeca] = v.agents;
    expect(ana).toMatchObject({ detail: 'Em atendimento', time: '1:07', tier: 'P1' });
    expect(bruno).toMatchObject({ detail: 'lanche', reason: 'lanche', tier: null });
    expect(carla).toMatchObject({ detail: 'Disponível · não atendeu', reason: 'não atendeu' });
    expect(zeca).toMatchObject({ detail: 'Deslogado', time: '' });
  });

  it('agent counts by state in a fixed order', () => {
    const v = buildView(snapshot(), null, 0, en, 'en');
    expect(v.agentCounts.map((c) => `${c.state}=${c.count}`)).toEqual([
      'available=2', 'ringing=0', 'on-call=5', 'wrap-up=1', 'away=1', 'offline=0',
    ]);
  });
});

describe('chart series', () => {
  const history: History = {
    type: 'history',
    intervals: [
      { start: NOW - 30 * 60_000, end: NOW - 15 * 60_000, offered: 10, answered: 9, abandoned: 1, serviceLevel: 0.8 },
      { start: NOW - 15 * 60_000, end: NOW, offered: 0, answered: 0, abandoned: 0, serviceLevel: null },
    ],
    series: {
      at: [NOW - 90 * 60_000, NOW - 2 * 60_000, NOW - 60_000],
      serviceLevel: [0.5, 0.75, null],
      waiting: [9, 3, 4],
    },
  };

  it('last hour: history inside the hour plus newer live points, SL in %', () => {
    const live = [
      { at: NOW - 90_000, serviceLevel: 0.1, waiting: 99 }, // older than the history's last point: dropped
      { at: NOW - 20_000, serviceLevel: 0.812, waiting: 2 },
    ];
    const d = hourSeries(history, live, NOW);
    expect(d.x).toEqual([(NOW - 120_000) / 1000, (NOW - 60_000) / 1000, (NOW - 20_000) / 1000]);
    expect(d.sl[0]).toBeCloseTo(75);
    expect(d.sl[1]).toBeNull();
    expect(d.sl[2]).toBeCloseTo(81.2);
    expect(d.waiting).toEqual([3, 4, 2]);
  });

  it('live samples are spaced and kept for an hour', () => {
    let pts = pushLive([], { at: 0, serviceLevel: 1, waiting: 0 });
    const same = pushLive(pts, { at: 5_000, serviceLevel: 1, waiting: 0 });
    expect(same).toBe(pts);
    pts = pushLive(pts, { at: 15_000, serviceLevel: 1, waiting: 0 });
    expect(pts).toHaveLength(2);
    pts = pushLive(pts, { at: 3_600_000 + 10_000, serviceLevel: 1, waiting: 0 });
    expect(pts.map((p) => p.at)).toEqual([15_000, 3_610_000]);
  });

  it('intervals become bars at their midpoints with the target line', () => {
    const d = intervalBars(history, 0.8);
    expect(d.x).toEqual([(NOW - 22.5 * 60_000) / 1000, (NOW - 7.5 * 60_000) / 1000]);
    expect(d.sl[0]).toBeCloseTo(80);
    expect(d.sl[1]).toBeNull();
    expect(d.target).toEqual([80, 80]);
    expect(d.widthSeconds).toBe(900);
    expect(intervalBars(null, 0.8).x).toEqual([]);
  });
});
