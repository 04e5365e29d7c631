import { describe, expect, it } from 'vitest';
import {
  age, count, DASH, duration, esc, hhmm, hhmmss, maskCaller, npsScore, percent, tierLabel, wholePercent,
} from '../../wallboard/src/format.ts';

describe('percent', () => {
  it.each([
    // ICMI example, F3: 860 / (1000 + 60)
    [860 / 1060, 'pt', '81,1 %'],
    [860 / 1060, 'en', '81.1%'],
    [0.8, 'pt', '80,0 %'],
    [1, 'pt', '100,0 %'],
    [1, 'en', '100.0%'],
    [0, 'pt', '0,0 %'],
    [0.0449, 'en', '4.5%'],
    [0.99951, 'pt', '100,0 %'],
  ] as const)('%s in %s → %s', (v, lang, want) => {
    expect(percent(v, lang)).toBe(want);
  });

  it('uses the requested decimals', () => {
    expect(percent(0.8, 'pt', 0)).toBe('80 %');
    expect(percent(0.876, 'en', 0)).toBe('88%');
  });

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY])('%s → dash', (v) => {
    expect(percent(v, 'pt')).toBe(DASH);
    expect(percent(v, 'en')).toBe('—');
  });
});

describe('duration (mm:ss below an hour, h:mm:ss above)', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [59.9, '0:59'], // ticking clocks floor
    [65, '1:05'],
    [723, '12:03'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [43_384, '12:03:04'],
    [-3, '0:00'],
  ])('%s s → %s', (s, want) => {
    expect(duration(s)).toBe(want);
  });

  it('null → dash', () => {
    expect(duration(null)).toBe(DASH);
    expect(duration(undefined)).toBe(DASH);
  });
});

describe('count and NPS', () => {
  it.each([
    [1234, 'pt', '1.234'],
    [1234, 'en', '1,234'],
    [1_234_567, 'pt', '1.234.567'],
    [7, 'en', '7'],
    [0, 'pt', '0'],
  ] as const)('count %s %s → %s', (n, lang, want) => {
    expect(count(n, lang)).toBe(want);
  });

  it.each([
    [62.5, '63'],
    [-12.4, '−12'],
    [-0.2, '0'],
    [100, '100'],
  ])('nps %s → %s', (n, want) => {
    expect(npsScore(n, 'pt')).toBe(want);
  });

  it('null counts and scores are dashes', () => {
    expect(count(null, 'pt')).toBe(DASH);
    expect(npsScore(null, 'en')).toBe(DASH);
  });

  it('goals print as whole percents', () => {
    expect(wholePercent(0.8)).toBe(80);
    expect(wholePercent(0.875)).toBe(87.5);
  });
});

describe('clock and ages', () => {
  it('formats local wall-clock time', () => {
    const at = new Date(2026, 10, 23, 9, 5, 7).getTime();
    expect(hhmm(at)).toBe('09:05');
    expect(hhmmss(at)).toBe('09:05:07');
  });

  it.each([
    [0, '0 s'],
    [12.9, '12 s'],
    [59, '59 s'],
    [61, '1 min'],
    [7200, '2 h'],
  ])('age %s → %s', (s, want) => {
    expect(age(s, 'pt')).toBe(want);
  });

  it.each([
    [1, 'P1'],
    [3, 'P3'],
    [null, DASH],
    [0, DASH],
  ])('tier %s → %s', (tier, want) => {
    expect(tierLabel(tier)).toBe(want);
  });
});

describe('maskCaller', () => {
  it.each([
    ['+55 11 9****-7777', '+55 11 9****-7777'], // already masked: untouched
    ['+55 11 98765-7777', '+55 11 9****-7777'],
    ['+55 21 987654321', '+55 21 9****4321'],
    ['11 3333-4444', '11 3***-4444'],
    ['5432-1000', '****-1000'],
    ['1234', '1234'],
  ])('%s → %s', (raw, want) => {
    expect(maskCaller(raw)).toBe(want);
  });

  it('never leaves more than 5 leading and 4 trailing digits', () => {
    const shown = maskCaller('+5511987657777').replace(/\D/g, '');
    expect(shown.length).toBe(9);
    expect(maskCaller('+5511987657777')).toBe('+55119****7777');
  });

  it('empty → dash', () => {
    expect(maskCaller('')).toBe(DASH);
    expect(maskCaller(null)).toBe(DASH);
  });
});

describe('esc', () => {
  it('neutralises markup in server text', () => {
    expect(esc('<img src=x onerror="alert(1)">')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(esc("Fila 'A' & B")).toBe('Fila &#39;A&#39; &amp; B');
    expect(esc(null)).toBe('');
  });
});
