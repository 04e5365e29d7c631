import { describe, expect, it } from 'vitest';
import type { NpsBand, SlFormula } from '../../server/contract.ts';
import { dictionaries, en, langOf, pt, type Dict } from '../../wallboard/src/i18n.ts';
import { effectiveNpsBand, npsBandLabel, npsBandOf } from '../../wallboard/src/nps.ts';
import { parseParams, wsUrl } from '../../wallboard/src/params.ts';

describe('dictionaries', () => {
  it('pt and en have exactly the same keys (TypeScript enforces it too)', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(pt).sort());
  });

  it.each(Object.entries(dictionaries))('%s has no empty label', (_lang, d: Dict) => {
    for (const [key, value] of Object.entries(d)) {
      if (typeof value === 'string') expect(value, key).not.toBe('');
      if (typeof value === 'function') expect((value as (...a: unknown[]) => string)(3, 4), key).not.toBe('');
      if (typeof value === 'object') for (const v of Object.values(value as object)) expect(v, key).toBeTruthy();
    }
  });

  it('uses the Brazilian jargon', () => {
    expect(pt.tma).toBe('TMA');
    expect(pt.tme).toBe('TME');
    expect(pt.agentState['wrap-up']).toBe('Pós-atendimento');
    expect(pt.agentState.away).toBe('Pausa');
    expect(pt.slGoal(80, 20)).toBe('NS 80/20');
    expect(en.slGoal(80, 20)).toBe('SL 80/20');
    expect(pt.staleBanner('12 s')).toBe('DADOS DESATUALIZADOS — há 12 s');
    expect(en.staleBanner('12 s')).toBe('STALE DATA — 12 s old');
  });

  it.each(['offered', 'answered', 'abandonsWithinThresholdMet', 'abandonsWithinThresholdNeutral'] as SlFormula[])(
    'formula %s is spelled out with the threshold in both languages',
    (f) => {
      expect(pt.formula[f](20)).toContain('20 s');
      expect(en.formula[f](30)).toContain('30 s');
    },
  );

  it('the default formula reads as the brief says', () => {
    expect(pt.formula.offered(20)).toBe('atendidas em até 20 s ÷ (atendidas + abandonadas)');
  });
});

describe('NPS bands', () => {
  it.each([
    [100, 'excellent'],
    [75.1, 'excellent'],
    [75, 'good'], // 50–75 is "qualidade"
    [50.1, 'good'],
    [50, 'mustImprove'],
    [0.1, 'mustImprove'],
    [0, 'critical'], // 0 or less is critical
    [-40, 'critical'],
  ] as const)('score %s → %s', (score, band) => {
    expect(npsBandOf(score)).toBe(band);
  });

  it.each([
    ['excellent', 'Excelente'],
    ['good', 'Qualidade (melhorar)'],
    ['mustImprove', 'Aperfeiçoamento'],
    ['critical', 'Crítico'],
  ] as [NpsBand, string][])('pt label of %s is %s', (band, label) => {
    expect(npsBandLabel(10, band, pt)).toBe(label);
  });

  it('trusts the server band over the score, derives it only when missing', () => {
    expect(effectiveNpsBand(90, 'good')).toBe('good');
    expect(effectiveNpsBand(90, null)).toBe('excellent');
    expect(effectiveNpsBand(null, null)).toBeNull();
    expect(npsBandLabel(null, null, en)).toBe('');
  });
});

describe('URL parameters', () => {
  it('defaults: Portuguese, all queues, no sound, no token', () => {
    expect(parseParams('')).toEqual({ token: null, lang: 'pt', queue: null, sound: false });
  });

  it('reads token, lang, queue and sound', () => {
    expect(parseParams('?token=abc%2B1&lang=en&queue=suporte&sound=1')).toEqual({
      token: 'abc+1', lang: 'en', queue: 'suporte', sound: true,
    });
  });

  it.each([
    ['?lang=en-US', 'en'],
    ['?lang=EN', 'en'],
    ['?lang=pt-BR', 'pt'],
    ['?lang=es', 'pt'],
  ])('%s → %s', (q, lang) => {
    expect(parseParams(q).lang).toBe(lang);
    expect(langOf(new URLSearchParams(q).get('lang'))).toBe(lang);
  });

  it('sound=0 and empty values are off/absent', () => {
    expect(parseParams('?sound=0&token=&queue=%20').sound).toBe(false);
    expect(parseParams('?sound=0&token=&queue=%20').token).toBeNull();
    expect(parseParams('?sound=0&token=&queue=%20').queue).toBeNull();
  });

  it('builds the socket URL on the page host, wss under https, ticket encoded', () => {
    expect(wsUrl('http:', 'tv.local:3000', null)).toBe('ws://tv.local:3000/ws/wallboard');
    expect(wsUrl('https:', 'atende.example', 'a b&c')).toBe('wss://atende.example/ws/wallboard?ticket=a%20b%26c');
  });
});
