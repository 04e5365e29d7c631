// The words of the supervisor's Planejamento: the what-if's differences (which way is
// better), the "por que esperou?" reasons and timeline in plain pt-BR and English.
import { describe, expect, it } from 'vitest';
import type { WhatIfFigures, WhyAnswer } from '../../wallboard/supervisor/api.ts';
import { planEn, planPt } from '../../wallboard/supervisor/planning-i18n.ts';
import { diffRows, reasonText, timelineText, whyView, yesterdayIn, type WhyContext } from '../../wallboard/supervisor/planning-view.ts';

const fig = (o: Partial<WhatIfFigures>): WhatIfFigures => ({
  offered: 3, answered: 2, abandoned: 1, shortAbandoned: 0, answeredWithinThreshold: 2, serviceLevel: 2 / 3,
  asaSeconds: 3, tmaSeconds: 150, abandonRate: 1 / 3, handled: 2, occupancy: 0.82, ...o,
});
const names: Record<string, string> = { bruno: 'Bruno Lima', ana: 'Ana Souza', carla: 'Carla Mendes', suporte: 'Suporte' };
const ctx = (t = planPt): WhyContext => ({
  t, clock: (ms) => new Date(ms).toISOString().slice(11, 19), queueName: (id) => names[id] ?? id, agentName: (id) => names[id] ?? id,
});

describe('diffRows', () => {
  it('says the difference and whether it is better: more answered, fewer abandoned, SL up in points, TMA down in seconds', () => {
    const rows = diffRows(fig({}), fig({ answered: 3, abandoned: 0, serviceLevel: 1, tmaSeconds: 140, occupancy: 0.5 }), planPt, 'pt');
    const by = Object.fromEntries(rows.map((r) => [r.key, [r.before, r.after, r.diff, r.change]]));
    expect(by).toEqual({
      offered: ['3', '3', '0', 'same'],
      answered: ['2', '3', '+1', 'better'],
      abandoned: ['1', '0', '−1', 'better'],
      serviceLevel: ['66,7 %', '100,0 %', '+33,3 p.p.', 'better'],
      asaSeconds: ['0:03', '0:03', '0 s', 'same'],
      tmaSeconds: ['2:30', '2:20', '−10 s', 'better'],
      occupancy: ['82,0 %', '50,0 %', '−32,0 p.p.', 'changed'],
    });
    const worse = diffRows(fig({}), fig({ answered: 1, asaSeconds: 30 }), planEn, 'en');
    expect(worse.find((r) => r.key === 'answered')).toMatchObject({ diff: '−1', change: 'worse' });
    expect(worse.find((r) => r.key === 'asaSeconds')).toMatchObject({ after: '0:30', diff: '+27 s', change: 'worse' });
    expect(diffRows(fig({ serviceLevel: null }), fig({}), planPt, 'pt').find((r) => r.key === 'serviceLevel')).toMatchObject({ before: '—', diff: '—', change: 'changed' });
  });
});

describe('reasonText', () => {
  it('puts each of the router\'s reasons in words', () => {
    const c = ctx();
    expect(reasonText({ kind: 'all-busy', agents: [{ id: 'bruno', level: 1, status: 'on-call', reason: null, callId: 'c1' }, { id: 'ana', level: 1, status: 'away', reason: 'almoço', callId: null }] }, c))
      .toBe('Todos os atendentes da fila estavam ocupados: Bruno Lima em atendimento (c1); Ana Souza em pausa (almoço).');
    expect(reasonText({ kind: 'no-agent-logged-in', skill: 'suporte', agentsWithSkill: ['ana', 'bruno'] }, c))
      .toBe('Ninguém com a habilidade Suporte estava logado (têm a habilidade: Ana Souza, Bruno Lima).');
    expect(reasonText({ kind: 'no-agent-logged-in', skill: 'suporte', agentsWithSkill: [] }, c)).toBe('Nenhum atendente tem a habilidade Suporte.');
    expect(reasonText({ kind: 'callers-ahead', count: 3, byTier: [1, 0, 2] }, c)).toBe('3 clientes à frente na fila (1 P1, 2 P3).');
    expect(reasonText({ kind: 'callers-ahead', count: 1, byTier: [0, 1, 0] }, c)).toBe('1 cliente à frente na fila (1 P2).');
    expect(reasonText({ kind: 'excluded', agentId: 'ana' }, c)).toBe('Ana Souza estava livre, mas ficou de fora desta chamada por um tempo depois de perder a oferta.');
    expect(reasonText({
      kind: 'level-busy', levels: { from: 1, to: 1 }, widensAt: Date.UTC(2026, 10, 23, 12, 0, 37),
      busy: [{ id: 'bruno', level: 1, status: 'wrap-up', reason: null, callId: 'c1' }], free: [{ id: 'carla', level: 2, status: 'available', reason: null, callId: null }],
    }, c)).toBe('Os atendentes do nível N1 estavam ocupados (Bruno Lima em pós-atendimento (c1)) enquanto outros estavam livres (Carla Mendes N2); a faixa de níveis abre às 12:00:37.');
    expect(reasonText({ kind: 'callers-ahead', count: 2, byTier: [2] }, ctx(planEn))).toBe('2 callers ahead in the queue (2 P1).');
  });
});

describe('whyView', () => {
  it('a summary, the waits and the timeline', () => {
    const at = (s: number) => Date.UTC(2026, 10, 23, 12, 0, s);
    const w: WhyAnswer = {
      callId: 'c2', arrivedAt: at(20), endedAt: at(62), outcome: 'abandoned', waitedSeconds: 40, replayedEvents: 9, replayMs: 1,
      timeline: [
        { at: at(20), what: 'arrived', from: '+5511900000002' },
        { at: at(22), what: 'queued', queue: 'suporte', tier: 2, rule: { tier: 2, ruleId: 'vip', label: 'Cliente VIP', reason: 'vip' } },
        { at: at(30), what: 'offered', agentId: 'ana', queue: 'suporte', tier: 2 },
        { at: at(45), what: 'missed', agentId: 'ana', reason: 'timeout' },
        { at: at(62), what: 'abandoned', by: 'caller' },
      ],
      waits: [{ from: at(22), to: at(62), seconds: 40, reasons: [{ kind: 'callers-ahead', count: 1, byTier: [1] }] }],
    };
    expect(whyView(w, ctx())).toEqual({
      summary: 'c2 · abandonada · esperou 40 s',
      waits: [{ when: '12:00:22 – 12:01:02 (40 s)', reasons: ['1 cliente à frente na fila (1 P1).'] }],
      timeline: [
        { at: '12:00:20', what: 'arrived', text: 'Chegou (de +55119****0002)' },
        { at: '12:00:22', what: 'queued', text: 'Entrou na fila Suporte como P2 — regra: Cliente VIP' },
        { at: '12:00:30', what: 'offered', text: 'Oferecida a Ana Souza' },
        { at: '12:00:45', what: 'missed', text: 'Ana Souza não atendeu (timeout)' },
        { at: '12:01:02', what: 'abandoned', text: 'Desligou enquanto esperava' },
      ],
    });
    expect(timelineText({ at: 0, what: 'ended', by: 'agent' }, ctx())).toBe('Encerrada (pelo atendente)');
    expect(whyView({ ...w, outcome: null, endedAt: null, waitedSeconds: 95, waits: [] }, ctx()).summary).toBe('c2 · ainda em curso · esperou 1:35');
  });
});

describe('yesterdayIn', () => {
  it('is the day before in the center\'s zone, not the browser\'s', () => {
    // 01:30 UTC on Dec 7 is still Dec 6 in São Paulo: yesterday there is Dec 5.
    expect(yesterdayIn('America/Sao_Paulo', Date.UTC(2026, 11, 7, 1, 30))).toBe('2026-12-05');
    expect(yesterdayIn('America/Sao_Paulo', Date.UTC(2026, 11, 7, 15, 0))).toBe('2026-12-06');
  });
});
