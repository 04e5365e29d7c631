// The SAC on the TV: a closed queue shows as closed (why, when it opens), not as red
// figures; waiting callbacks are counted apart from the callers on the line; today's
// share "dentro do limite legal".
import { describe, expect, it } from 'vitest';
import type { QueueBlock, Snapshot, WindowFigures } from '../../server/contract.ts';
import { en, pt } from '../../wallboard/src/i18n.ts';
import { buildView, closedText } from '../../wallboard/src/view.ts';

const NOW = new Date(2026, 11, 7, 19, 0, 0).getTime();
const at = (d: number, h: number, m = 0) => new Date(2026, 11, d, h, m, 0).getTime();

const win = (over: Partial<WindowFigures> = {}): WindowFigures => ({
  offered: 100, answered: 90, abandoned: 10, shortAbandoned: 0, answeredWithinThreshold: 40,
  serviceLevel: 0.4, tmaSeconds: 200, asaSeconds: 50, abandonRate: 0.1, handled: 90, occupancy: 0.9, ...over,
});
const agents = { offline: 0, available: 0, ringing: 0, 'on-call': 0, 'wrap-up': 0, away: 0 };
const queue = (over: Partial<QueueBlock>): QueueBlock => ({
  id: 'q', name: 'Q', language: null, thresholdSeconds: 20, target: 0.8, rolling: win(), today: win(),
  waiting: 0, waitingByTier: [0, 0, 0], longestWaitSeconds: null, agents,
  nps: { score: null, band: null, responses: 0 }, csat: { score: null, responses: 0 }, fcr: { rate: null, responses: 0 }, ...over,
});
const snapshot = (queues: QueueBlock[], over: Partial<Snapshot> = {}): Snapshot => ({
  type: 'snapshot', serverTime: NOW, demo: false, centerName: 'Central', tiers: 3,
  serviceLevel: { thresholdSeconds: 20, target: 0.8, formula: 'offered', shortAbandonSeconds: 0, windowMinutes: 30 },
  colours: { serviceLevel: { amberFrom: 0.7 }, longestWaitSeconds: { amberAbove: 30, redAbove: 60 }, abandonRate: { amberAbove: 0.05, redAbove: 0.1 }, waiting: { amberAbove: 3, redAbove: 6 } },
  center: {
    rolling: win(), today: win({ withinLegal: 0.962, legalBreaches: 3 }), waiting: 2, waitingByTier: [0, 2, 0], longestWaitSeconds: 40, agents,
    callbacksWaiting: 3, oldestCallbackWaitSeconds: 312,
    nps: { score: null, band: null, responses: 0 }, csat: { score: null, responses: 0 }, fcr: { rate: null, responses: 0 },
  },
  queues, agents: [], waitingCalls: [], recentAbandons: [], ...over,
});

const closedVendas = queue({
  id: 'vendas', name: 'Vendas', open: false, closedReason: 'hours', nextOpeningAt: at(8, 8), waiting: 1, longestWaitSeconds: 500,
});

describe('a closed queue', () => {
  it('its row says closed, why and when it opens, with no bands', () => {
    const v = buildView(snapshot([queue({ id: 'suporte', name: 'Suporte', open: true }), closedVendas]), null, 0, pt, 'pt');
    const row = v.queues.find((q) => q.id === 'vendas')!;
    expect(row).toMatchObject({ closed: 'Fechada · fora do horário · abre 08/12 08:00', slBand: 'none', slTodayBand: 'none', longestBand: 'none', waitingBand: 'none' });
    expect(v.queues.find((q) => q.id === 'suporte')!.closed).toBeNull();
  });

  it('a holiday and a supervisor\'s reason read as such; the same day shows only the time', () => {
    const q = (closedReason: string, nextOpeningAt: number | null) => queue({ open: false, closedReason, nextOpeningAt });
    expect(closedText(q('holiday: Natal', at(28, 8)), NOW, pt)).toBe('feriado: Natal · abre 28/12 08:00');
    expect(closedText(q('date: Inventário', null), NOW, pt)).toBe('Inventário');
    expect(closedText(q('sistema fora do ar', at(7, 21, 30)), NOW, en)).toBe('sistema fora do ar · opens 21:30');
  });

  it('the opening is on the center\'s clock (the snapshot\'s timezone), wherever the TV is', () => {
    const q = queue({ open: false, closedReason: 'hours', nextOpeningAt: Date.UTC(2026, 11, 8, 11, 0) }); // 08:00 in São Paulo
    // 23:30 of the 7th in São Paulo (02:30 UTC of the 8th): the opening is tomorrow there, so it carries the date.
    const late = Date.UTC(2026, 11, 8, 2, 30);
    expect(closedText(q, late, pt, 'America/Sao_Paulo')).toBe('fora do horário · abre 08/12 08:00');
    // 07:00 in São Paulo: the same day, the time alone.
    expect(closedText(q, Date.UTC(2026, 11, 8, 10, 0), pt, 'America/Sao_Paulo')).toBe('fora do horário · abre 08:00');
    expect(closedText(q, late, en, 'Europe/Lisbon')).toBe('outside business hours · opens 11:00');
    // The board passes the snapshot's zone on.
    const v = buildView(snapshot([{ ...q, id: 'vendas', name: 'Vendas' }], { serverTime: late, timezone: 'America/Sao_Paulo' }), null, 0, pt, 'pt');
    expect(v.queues[0].closed).toBe('Fechada · fora do horário · abre 08/12 08:00');
  });

  it('the board of that queue: a notice, no red service level, no alarm', () => {
    const v = buildView(snapshot([closedVendas]), 'vendas', 0, pt, 'pt');
    expect(v.notice).toBe('Fila Vendas fechada — fora do horário · abre 08/12 08:00');
    expect(v.slRolling.band).toBe('none');
    expect(v.slToday.band).toBe('none');
    expect(v.indicators.serviceLevel).toBe(false);
  });

  it('a queue from an older server (no `open`) is open', () => {
    const v = buildView(snapshot([queue({ id: 'x', name: 'X' })]), null, 0, pt, 'pt');
    expect(v.queues[0].closed).toBeNull();
  });
});

describe('callbacks and the legal limit', () => {
  it('the waiting tile counts the callers on the line; callbacks and the oldest one apart', () => {
    const v = buildView(snapshot([]), null, 8, pt, 'pt');
    expect(v.waiting.value).toBe('2');
    expect(v.waiting.sub).toBe('3 retornos · mais antigo 5:20');
    expect(buildView(snapshot([]), null, 0, en, 'en').waiting.sub).toBe('3 callbacks · oldest 5:12');
  });

  it('a callback in the waiting list is marked as one', () => {
    const s = snapshot([], {
      waitingCalls: [{ callId: 'c1', caller: '+55 11 9****-1111', queue: 'q', tier: 2, reason: { label: 'Padrão', kind: 'default' }, waitSeconds: 90, level: 1, ringing: false, callback: true }],
    });
    expect(buildView(s, null, 0, pt, 'pt').waitingCalls[0].callback).toBe(true);
  });

  it('the longest wait names the longest caller on the line, not an older callback', () => {
    const row = (callId: string, queue: string, tier: number, waitSeconds: number, callback: boolean) =>
      ({ callId, caller: '+55 11 9****-1111', queue, tier, reason: { label: 'Padrão', kind: 'default' as const }, waitSeconds, level: 1, ringing: false, callback });
    const s = snapshot([queue({ id: 'vendas', name: 'Vendas' }), queue({ id: 'suporte', name: 'Suporte' })], {
      waitingCalls: [row('cb', 'vendas', 2, 312, true), row('c1', 'suporte', 3, 40, false)],
    });
    expect(buildView(s, null, 0, pt, 'pt').longest).toMatchObject({ value: '0:40', sub: 'P3 · Suporte' });
  });

  it('today\'s share within the legal limit sits under the longest wait', () => {
    expect(buildView(snapshot([]), null, 0, pt, 'pt').longest.note).toBe('no limite legal hoje: 96,2 %');
    expect(buildView(snapshot([]), null, 0, en, 'en').longest.note).toBe('within the legal limit today: 96.2%');
  });
});
