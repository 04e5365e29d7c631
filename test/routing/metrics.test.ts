import { describe, expect, it } from 'vitest';
import {
  DailyBoundary, MetricsCore, metricsSettings, npsBand, serviceLevel,
  type MetricsSettings, type SlFormula,
} from '../../routing/metrics/index.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const at = (iso: string): number => Date.parse(iso);
/** 2025-06-10 12:00:00 UTC, 09:00 in São Paulo; on an hour, so on every interval grid. */
const T0 = at('2025-06-10T12:00:00Z');

const core = (o: Partial<MetricsSettings> = {}, start = T0): MetricsCore => new MetricsCore(metricsSettings(o), start);
const center = { kind: 'center' } as const;
const queue = (id: string) => ({ kind: 'queue', id }) as const;
const tier = (t: number) => ({ kind: 'tier', tier: t }) as const;
const pct = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 10);

/**
 * The industry test vector as facts: 1000 answered (860 within 20 s), 60 abandoned,
 * 20 of them within 20 s and 10 of those under 5 s.
 */
function feedVector(m: MetricsCore, t: number): void {
  for (let i = 0; i < 1000; i++) m.recordAnswered(t, 'suporte', 1, i < 860 ? 12 * S : 45 * S);
  for (let i = 0; i < 10; i++) m.recordAbandoned(t, 'suporte', 1, 3 * S);
  for (let i = 0; i < 10; i++) m.recordAbandoned(t, 'suporte', 1, 15 * S);
  for (let i = 0; i < 40; i++) m.recordAbandoned(t, 'suporte', 1, 60 * S);
}

describe('service level: the industry test vector', () => {
  const vector = { answered: 1000, answeredWithinThreshold: 860, abandoned: 60, abandonedWithinThreshold: 20 };
  const cases: [SlFormula, number][] = [
    ['offered', 81.1],
    ['answered', 86.0],
    ['abandonsWithinThresholdMet', 83.0],
    ['abandonsWithinThresholdNeutral', 82.7],
  ];

  it.each(cases)('serviceLevel(%s) = %s %%', (formula, expected) => {
    expect(pct(serviceLevel(formula, vector))).toBe(expected);
  });

  it('offered with the 10 short abandons dropped = 81.9 %', () => {
    expect(pct(serviceLevel('offered', { answered: 1000, answeredWithinThreshold: 860, abandoned: 50, abandonedWithinThreshold: 10 }))).toBe(81.9);
  });

  it.each(cases)('MetricsCore fed the facts, formula %s → %s %%', (formula, expected) => {
    const m = core({ formula });
    feedVector(m, T0 + 5 * S);
    const f = m.read(center, 'rolling');
    expect(f).toMatchObject({ offered: 1060, answered: 1000, abandoned: 60, shortAbandoned: 0, answeredWithinThreshold: 860, abandonedWithinThreshold: 20, formula });
    expect(pct(f.serviceLevel)).toBe(expected);
    expect(pct(m.read(center, 'today').serviceLevel)).toBe(expected);
    expect(pct(m.read(queue('suporte'), 'rolling').serviceLevel)).toBe(expected);
    expect(pct(m.read(tier(1), 'rolling').serviceLevel)).toBe(expected);
  });

  it('MetricsCore with shortAbandonSeconds 5 drops the 10 short ones: 81.9 % and every count without them', () => {
    const m = core({ shortAbandonSeconds: 5 });
    feedVector(m, T0 + 5 * S);
    const f = m.read(center, 'rolling');
    expect(f).toMatchObject({ offered: 1050, answered: 1000, abandoned: 50, shortAbandoned: 10, abandonedWithinThreshold: 10 });
    expect(pct(f.serviceLevel)).toBe(81.9);
    expect(f.abandonRate).toBe(50 / 1050);
  });

  it('serviceLevel is null with nothing to divide by', () => {
    const none = { answered: 0, answeredWithinThreshold: 0, abandoned: 0, abandonedWithinThreshold: 0 };
    for (const [formula] of cases) expect(serviceLevel(formula, none)).toBeNull();
    expect(serviceLevel('answered', { ...none, abandoned: 3 })).toBeNull();
    expect(serviceLevel('offered', { ...none, abandoned: 3 })).toBe(0);
    // Neutral: abandons within T leave the denominator, so only late abandons count against.
    expect(serviceLevel('abandonsWithinThresholdNeutral', { ...none, abandoned: 3, abandonedWithinThreshold: 3 })).toBeNull();
    expect(core().read(center, 'rolling').serviceLevel).toBeNull();
  });
});

describe('threshold edges', () => {
  const cases: [string, 'answered' | 'abandoned', number, Partial<{ answeredWithinThreshold: number; abandonedWithinThreshold: number; abandoned: number; shortAbandoned: number }>][] = [
    ['answered at exactly T is within', 'answered', 20_000, { answeredWithinThreshold: 1 }],
    ['answered 1 ms past T is not', 'answered', 20_001, { answeredWithinThreshold: 0 }],
    ['abandoned at exactly T is within', 'abandoned', 20_000, { abandonedWithinThreshold: 1, abandoned: 1 }],
    ['abandoned 1 ms past T is not', 'abandoned', 20_001, { abandonedWithinThreshold: 0, abandoned: 1 }],
    ['abandoned at exactly the short limit counts', 'abandoned', 5_000, { abandoned: 1, shortAbandoned: 0, abandonedWithinThreshold: 1 }],
    ['abandoned 1 ms under the short limit is dropped', 'abandoned', 4_999, { abandoned: 0, shortAbandoned: 1, abandonedWithinThreshold: 0 }],
  ];
  it.each(cases)('%s', (_name, kind, wait, expected) => {
    const m = core({ thresholdSeconds: 20, shortAbandonSeconds: 5 });
    if (kind === 'answered') m.recordAnswered(T0, 'q', 1, wait);
    else m.recordAbandoned(T0, 'q', 1, wait);
    expect(m.read(center, 'rolling')).toMatchObject(expected);
  });
});

describe('rolling window', () => {
  it('a fact leaves exactly when its second leaves the 30-minute window', () => {
    const m = core();
    const factAt = T0 + 10 * S + 500; // bucket T0+10s
    m.recordAnswered(factAt, 'q', 1, 1000);
    m.advance(T0 + 10 * S + 30 * MIN - 1);
    expect(m.read(center, 'rolling').answered).toBe(1);
    m.advance(T0 + 10 * S + 30 * MIN);
    expect(m.read(center, 'rolling').answered).toBe(0);
    expect(m.read(center, 'today').answered).toBe(1);
  });

  it('slides: older facts drop while newer ones stay', () => {
    const m = core({ windowMinutes: 5 });
    for (let k = 0; k < 10; k++) m.recordAnswered(T0 + k * MIN, 'q', 1, k * S); // one a minute
    expect(m.read(center, 'rolling').answered).toBe(5); // minutes 5..9 at T0+9min
    m.advance(T0 + 12 * MIN);
    expect(m.read(center, 'rolling').answered).toBe(2); // minutes 8, 9
    expect(m.read(center, 'rolling').asaSeconds).toBe(8.5);
    m.advance(T0 + 3 * H);
    expect(m.read(center, 'rolling').offered).toBe(0);
    expect(m.read(center, 'today').answered).toBe(10);
  });

  it('a late fact is counted in the current second, and time never goes back', () => {
    const m = core({ windowMinutes: 1 });
    m.advance(T0 + 50 * S);
    m.recordAnswered(T0, 'q', 1, 0); // 50 s late: clamped to T0+50s
    m.advance(T0 + 30 * S); // ignored
    m.advance(T0 + 109 * S);
    expect(m.read(center, 'rolling').answered).toBe(1);
    m.advance(T0 + 110 * S);
    expect(m.read(center, 'rolling').answered).toBe(0);
    expect(m.time).toBe(T0 + 110 * S);
  });
});

describe('today and the daily reset', () => {
  it('resets at local midnight in São Paulo (03:00 UTC)', () => {
    const m = core({}, at('2025-06-10T20:00:00Z'));
    m.recordAnswered(at('2025-06-11T02:59:59.999Z'), 'q', 1, 0);
    m.recordAbandoned(at('2025-06-11T02:59:59.999Z'), 'q', 1, 60_000);
    expect(m.read(center, 'today').offered).toBe(2);
    m.recordAnswered(at('2025-06-11T03:00:00Z'), 'q', 1, 0);
    expect(m.read(center, 'today')).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(m.read(queue('q'), 'today').offered).toBe(1);
    expect(m.read(tier(1), 'today').offered).toBe(1);
    expect(m.read(center, 'rolling').offered).toBe(3); // the window is not touched by the reset
  });

  it("resets at a configured '06:00' local (09:00 UTC), not at midnight", () => {
    const m = core({ todayResetsAt: '06:00' }, at('2025-06-10T20:00:00Z'));
    m.recordAnswered(at('2025-06-11T03:30:00Z'), 'q', 1, 0);
    m.advance(at('2025-06-11T08:59:59Z'));
    expect(m.read(center, 'today').answered).toBe(1);
    m.advance(at('2025-06-11T09:00:00Z'));
    expect(m.read(center, 'today').answered).toBe(0);
  });

  it('follows New York across the spring-forward day (a 23-hour local day)', () => {
    const m = core({ timezone: 'America/New_York' }, at('2024-03-09T20:00:00Z'));
    m.recordAnswered(at('2024-03-10T04:59:59Z'), 'q', 1, 0); // 23:59:59 EST on the 9th
    m.recordAnswered(at('2024-03-10T05:00:00Z'), 'q', 1, 0); // 00:00 EST on the 10th
    expect(m.read(center, 'today').answered).toBe(1);
    m.recordAnswered(at('2024-03-11T03:59:59Z'), 'q', 1, 0); // 23:59:59 EDT on the 10th
    expect(m.read(center, 'today').answered).toBe(2);
    // 23 local hours of 15-minute intervals since the reset, minus the one still open.
    expect(m.intervals()).toHaveLength(23 * 4 - 1);
    m.advance(at('2024-03-11T04:00:00Z')); // 00:00 EDT on the 11th
    expect(m.read(center, 'today').answered).toBe(0);
    expect(m.intervals()).toHaveLength(0);
  });

  it('keeps the 25 intervals-hours of the New York fall-back day', () => {
    const m = core({ timezone: 'America/New_York' }, at('2024-11-02T20:00:00Z'));
    m.advance(at('2024-11-04T04:59:59Z')); // 23:59:59 EST on Nov 3
    const ivs = m.intervals();
    expect(ivs).toHaveLength(25 * 4 - 1);
    expect(ivs[0].start).toBe(at('2024-11-03T04:00:00Z'));
  });

  it('DailyBoundary: DST gap and overlap', () => {
    const ny = (hhmm: string, from: string) => new Date(new DailyBoundary('America/New_York', hhmm).next(at(from))).toISOString();
    expect(ny('00:00', '2024-03-10T04:00:00Z')).toBe('2024-03-10T05:00:00.000Z');
    expect(ny('00:00', '2024-03-10T05:00:00Z')).toBe('2024-03-11T04:00:00.000Z');
    expect(ny('02:30', '2024-03-10T00:00:00Z')).toBe('2024-03-10T07:00:00.000Z'); // 02:30 does not exist: 03:00 EDT
    expect(ny('01:30', '2024-11-03T00:00:00Z')).toBe('2024-11-03T05:30:00.000Z'); // first of the two 01:30s
    expect(ny('01:30', '2024-11-03T05:30:00Z')).toBe('2024-11-04T06:30:00.000Z'); // not the second one
    const sp = new DailyBoundary('America/Sao_Paulo', '00:00');
    expect(new Date(sp.next(at('2025-01-15T12:00:00Z'))).toISOString()).toBe('2025-01-16T03:00:00.000Z'); // summer: no DST since 2019
  });
});

describe('scopes', () => {
  it('a queue uses its own threshold and target; center and tiers use the center T', () => {
    const m = core({ thresholdSeconds: 20, target: 0.8, queues: [{ id: 'vip', thresholdSeconds: 10, target: 0.9 }] });
    m.recordAnswered(T0, 'vip', 1, 15 * S);
    m.recordAnswered(T0, 'vip', 1, 5 * S);
    expect(m.read(queue('vip'), 'rolling')).toMatchObject({ answeredWithinThreshold: 1, serviceLevel: 0.5, thresholdSeconds: 10, target: 0.9 });
    expect(m.read(center, 'rolling')).toMatchObject({ answeredWithinThreshold: 2, serviceLevel: 1, thresholdSeconds: 20, target: 0.8 });
    expect(m.read(tier(1), 'rolling')).toMatchObject({ answeredWithinThreshold: 2, thresholdSeconds: 20 });
  });

  it('tiers split the center, out-of-range tiers clamp', () => {
    const m = core({ tiers: 3 });
    m.recordAnswered(T0, 'q', 1, 0);
    m.recordAnswered(T0, 'q', 2, 0);
    m.recordAnswered(T0, 'q', 2, 0);
    m.recordAnswered(T0, 'q', 0, 0); // → 1
    m.recordAnswered(T0, 'q', 9, 0); // → 3
    expect([1, 2, 3].map((t) => m.read(tier(t), 'rolling').answered)).toEqual([2, 2, 1]);
    expect(m.read(center, 'rolling').answered).toBe(5);
    expect(m.read(tier(4), 'rolling').answered).toBe(0);
  });

  it('an unknown queue is created on its first fact; an unseen one reads as zero', () => {
    const m = core({ queues: [{ id: 'suporte' }] });
    expect(m.read(queue('novo'), 'rolling').offered).toBe(0);
    expect(m.queueIds()).toEqual(['suporte']);
    m.recordAbandoned(T0, 'novo', 2, 30 * S);
    expect(m.queueIds()).toEqual(['suporte', 'novo']);
    expect(m.read(queue('novo'), 'rolling')).toMatchObject({ offered: 1, abandoned: 1, abandonRate: 1 });
    expect(m.read(queue('suporte'), 'rolling').offered).toBe(0);
    expect(m.read(center, 'rolling').abandoned).toBe(1);
  });
});

describe('experience and handling figures', () => {
  it.each([
    [76, 'excellent'], [75, 'good'], [51, 'good'], [50, 'mustImprove'], [1, 'mustImprove'], [0, 'critical'], [-20, 'critical'],
  ] as const)('npsBand(%s) = %s', (score, band) => {
    expect(npsBand(score)).toBe(band);
  });

  it('NPS from survey answers: 80 promoters, 16 passives, 4 detractors → 76, excellent', () => {
    const m = core();
    for (let i = 0; i < 100; i++) m.recordSurvey(T0, 'q', 1, { nps: i < 80 ? (i % 2 ? 9 : 10) : i < 96 ? (i % 2 ? 7 : 8) : 6 });
    m.recordSurvey(T0, 'q', 1, { nps: 11 }); // invalid: ignored
    expect(m.read(center, 'rolling').nps).toEqual({ score: 76, band: 'excellent', responses: 100, promoters: 80, passives: 16, detractors: 4 });
  });

  it('NPS exactly 75 is good, not excellent', () => {
    const m = core();
    for (let i = 0; i < 4; i++) m.recordSurvey(T0, 'q', 1, { nps: i < 3 ? 10 : 8 });
    expect(m.read(center, 'rolling').nps).toMatchObject({ score: 75, band: 'good' });
  });

  it('CSAT = share of 4–5 answers; out-of-scale answers ignored', () => {
    const m = core();
    for (const csat of [5, 4, 3, 1, 0, 6]) m.recordSurvey(T0, 'q', 1, { csat });
    expect(m.read(center, 'rolling').csat).toEqual({ score: 0.5, responses: 4 });
    expect(m.read(center, 'rolling').nps.responses).toBe(0);
  });

  it('FCR = share resolved on first contact', () => {
    const m = core();
    for (const r of [true, true, false, true]) m.recordDisposition(T0, 'q', 1, r);
    expect(m.read(queue('q'), 'rolling').fcr).toEqual({ rate: 0.75, responses: 4 });
  });

  it('TMA = (talk + hold + wrap) / handled, with the parts averaged per handled call', () => {
    const m = core();
    m.recordHandled(T0, 'q', 1, { talkMs: 100 * S, holdMs: 20 * S, wrapMs: 30 * S });
    m.recordHandled(T0, 'q', 1, { talkMs: 200 * S, holdMs: 0, wrapMs: 50 * S });
    expect(m.read(center, 'rolling')).toMatchObject({ handled: 2, tmaSeconds: 200, talkSeconds: 150, holdSeconds: 10, wrapSeconds: 40 });
  });

  it('ASA = mean wait of answered calls; abandons do not count', () => {
    const m = core();
    m.recordAnswered(T0, 'q', 1, 10 * S);
    m.recordAnswered(T0, 'q', 1, 30 * S);
    m.recordAbandoned(T0, 'q', 1, 300 * S);
    expect(m.read(center, 'rolling')).toMatchObject({ asaSeconds: 20, abandonRate: 1 / 3 });
  });
});

describe('occupancy', () => {
  it('integrates agent counts that change mid-window', () => {
    const m = core();
    m.setAgentCounts(T0, 5, 10);
    m.setAgentCounts(T0 + 10 * MIN, 10, 10);
    m.advance(T0 + 20 * MIN);
    // 5×10 + 10×10 busy agent-minutes over 10×20 staffed
    expect(m.read(center, 'rolling').occupancy).toBe(0.75);
    expect(m.read(center, 'today').occupancy).toBe(0.75);
    m.advance(T0 + 40 * MIN + 30 * S); // window: the last 30 min, all at 10/10
    expect(m.read(center, 'rolling').occupancy).toBe(1);
    expect(m.read(center, 'today').occupancy).toBe((5 * 10 + 10 * 30.5) / (10 * 40.5));
    expect(m.read(queue('q'), 'rolling').occupancy).toBeNull();
    expect(m.read(tier(1), 'rolling').occupancy).toBeNull();
  });

  it('is live between calls, inside a second, and null with nobody staffed', () => {
    const m = core();
    expect(m.read(center, 'rolling').occupancy).toBeNull();
    m.setAgentCounts(T0, 0, 4);
    m.setAgentCounts(T0 + 250, 4, 4);
    m.advance(T0 + 1000);
    expect(m.read(center, 'rolling').occupancy).toBe(0.75);
    m.advance(T0 + 5 * H); // a gap longer than the window
    expect(m.read(center, 'rolling').occupancy).toBe(1);
  });
});

describe('intervals', () => {
  it('close at the 15-minute grid with the facts of their own span', () => {
    const m = core({ queues: [{ id: 'a' }] });
    m.setAgentCounts(T0, 1, 2);
    m.recordAnswered(T0 + 5 * MIN, 'a', 1, 10 * S);
    m.recordAbandoned(T0 + 15 * MIN - 1, 'b', 2, 40 * S);
    m.recordAnswered(T0 + 15 * MIN, 'a', 1, 30 * S);
    expect(m.intervals()).toHaveLength(1);
    m.advance(T0 + 31 * MIN);
    const ivs = m.intervals();
    expect(ivs.map((iv) => [iv.start - T0, iv.end - T0])).toEqual([[0, 15 * MIN], [15 * MIN, 30 * MIN]]);
    expect(ivs[0].center).toMatchObject({ offered: 2, answered: 1, abandoned: 1, serviceLevel: 0.5, occupancy: 0.5 });
    expect(ivs[0].queues.a).toMatchObject({ answered: 1, abandoned: 0 });
    expect(ivs[0].queues.b).toMatchObject({ answered: 0, abandoned: 1 });
    expect(ivs[0].tiers[2]).toMatchObject({ abandoned: 1 });
    expect(ivs[1].center).toMatchObject({ offered: 1, answered: 1, answeredWithinThreshold: 0, asaSeconds: 30 });
    expect(Object.keys(ivs[1].tiers)).toEqual(['1', '2', '3']);
    expect(m.intervals(queue('a')).map((iv) => Object.keys(iv.queues))).toEqual([['a'], ['a']]);
    expect(m.intervalFigures(queue('b')).map((x) => x.figures.abandoned)).toEqual([1, 0]);
    expect(m.openInterval(center)).toMatchObject({ start: T0 + 30 * MIN, end: T0 + 45 * MIN });
  });

  it('a 60-minute grid is honoured', () => {
    const m = core({ intervalMinutes: 60 });
    m.recordAnswered(T0 + 59 * MIN, 'q', 1, 0);
    m.advance(T0 + 2 * H);
    expect(m.intervals().map((iv) => [iv.start - T0, iv.center.answered])).toEqual([[0, 1], [H, 0]]);
  });
});

describe('series', () => {
  it('one rolling point per closed minute, last hour only', () => {
    const m = core({ windowMinutes: 2 });
    m.recordAnswered(T0 + 10 * S, 'q', 1, 0);
    m.recordAbandoned(T0 + 70 * S, 'q', 1, 60 * S);
    m.advance(T0 + 4 * MIN + 1);
    expect(m.series()).toEqual({
      at: [1, 2, 3, 4].map((k) => T0 + k * MIN),
      offered: [1, 2, 1, 0],
      serviceLevel: [1, 0.5, 0, null],
    });
    m.advance(T0 + 3 * H);
    const s = m.series();
    expect(s.at).toHaveLength(60);
    expect(s.at[0]).toBe(T0 + 2 * H + MIN);
    expect(s.at[59]).toBe(T0 + 3 * H);
  });
});

describe('updateSettings', () => {
  it('formula and target apply at once; a new threshold only to new facts', () => {
    const m = core({ thresholdSeconds: 20 });
    m.recordAnswered(T0, 'q', 1, 15 * S);
    m.recordAbandoned(T0, 'q', 1, 60 * S);
    expect(m.read(center, 'rolling').serviceLevel).toBe(0.5);
    m.updateSettings(metricsSettings({ thresholdSeconds: 10, formula: 'answered', target: 0.9 }));
    expect(m.read(center, 'rolling')).toMatchObject({ serviceLevel: 1, target: 0.9, thresholdSeconds: 10, formula: 'answered' });
    m.recordAnswered(T0 + S, 'q', 1, 15 * S); // now outside T = 10
    expect(m.read(center, 'rolling')).toMatchObject({ answered: 2, answeredWithinThreshold: 1, serviceLevel: 0.5 });
  });

  it('shrinking the window is exact; growing it refills from then on', () => {
    const m = core({ windowMinutes: 30 });
    m.recordAnswered(T0, 'q', 1, 0);
    m.recordAnswered(T0 + 20 * MIN, 'q', 1, 0);
    m.updateSettings(metricsSettings({ windowMinutes: 5 }));
    expect(m.read(center, 'rolling').answered).toBe(1);
    expect(m.read(queue('q'), 'rolling').answered).toBe(1);
    m.updateSettings(metricsSettings({ windowMinutes: 60 }));
    expect(m.read(center, 'rolling').answered).toBe(1); // the T0 fact was evicted and stays gone
    m.advance(T0 + 70 * MIN);
    expect(m.read(center, 'rolling').answered).toBe(1); // kept by the 60-minute window
    m.advance(T0 + 80 * MIN);
    expect(m.read(center, 'rolling').answered).toBe(0);
    expect(m.read(center, 'today').answered).toBe(2);
  });

  it('refuses nonsense settings and keeps working', () => {
    const m = core();
    expect(() => m.updateSettings(metricsSettings({ target: 80 }))).toThrow(RangeError);
    expect(() => m.updateSettings(metricsSettings({ timezone: 'Mars/Olympus' }))).toThrow(RangeError);
    expect(() => m.updateSettings(metricsSettings({ todayResetsAt: '24:00' }))).toThrow(RangeError);
    expect(() => new MetricsCore(metricsSettings({ windowMinutes: 0 }), T0)).toThrow(RangeError);
    m.recordAnswered(T0, 'q', 1, 0);
    expect(m.read(center, 'rolling').serviceLevel).toBe(1);
  });
});
