// The ring-buffer core against a plain reference that keeps every fact and
// recomputes every figure from scratch, over randomized seeded fact streams.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../sim/random.ts';
import {
  MetricsCore, type CallbackFact, type ClosedInterval, type Figures, type MetricsSettings, type Scope, type SlFormula,
} from '../../routing/metrics/index.ts';

const B = 1000;
const MIN = 60_000;
const H = 60 * MIN;


// ---- reference ---------------------------------------------------------------

type Kind = 'answered' | 'abandoned' | 'handled' | 'survey' | 'disposition' | 'callback';
interface Fact {
  kind: Kind; bucket: number; queue: string; tier: number;
  wait: number; talk: number; hold: number; wrap: number; nps?: number; csat?: number; resolved: boolean;
  callback?: CallbackFact;
}
interface Step { t: number; busy: number; staffed: number }

/** Every daily boundary in [from, to], found by scanning local wall time minute by minute. */
function boundariesByScan(timezone: string, hhmm: string, from: number, to: number): number[] {
  const fmt = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  const start = Math.floor(from / MIN) * MIN;
  const out: number[] = [];
  // The next local date whose HH:MM we are waiting for.
  let date = fmt.format(start - 2 * 24 * H).slice(0, 10);
  const nextDate = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 24 * H).toISOString().slice(0, 10);
  for (let t = start - 2 * 24 * H; t <= to; t += MIN) {
    const wall = fmt.format(t);
    while (wall >= `${date} ${hhmm}`) {
      if (t > from && out[out.length - 1] !== t) out.push(t);
      date = nextDate(date);
    }
  }
  return out;
}

class Reference {
  facts: Fact[] = [];
  steps: Step[] = [];
  now: number;
  firstBucket = new Map<string, number>();

  constructor(readonly s: MetricsSettings, readonly startAt: number, readonly resets: number[]) {
    this.now = startAt;
  }

  advance(t: number): void { this.now = Math.max(this.now, t); }

  record(at: number, f: Omit<Fact, 'bucket'>): void {
    this.advance(at);
    const bucket = Math.floor(this.now / B);
    if (!this.firstBucket.has(f.queue)) this.firstBucket.set(f.queue, bucket);
    this.facts.push({ ...f, bucket });
  }

  agents(at: number, busy: number, staffed: number): void {
    this.advance(at);
    this.steps.push({ t: this.now, busy, staffed });
  }

  /** Busy and staffed agent-ms over [a, b). */
  agentMs(a: number, b: number): [number, number] {
    let busy = 0, staffed = 0;
    for (let i = 0; i < this.steps.length; i++) {
      const from = Math.max(a, this.steps[i].t);
      const to = Math.min(b, i + 1 < this.steps.length ? this.steps[i + 1].t : Infinity);
      if (to > from) { busy += this.steps[i].busy * (to - from); staffed += this.steps[i].staffed * (to - from); }
    }
    return [busy, staffed];
  }

  lastReset(): number {
    const cut = Math.floor(this.now / B) * B;
    let last = -Infinity;
    for (const r of this.resets) if (r <= cut) last = r;
    return last;
  }

  thresholdMs(scope: Scope): number {
    const q = scope.kind === 'queue' ? this.s.queues.find((x) => x.id === scope.id) : undefined;
    return (q?.thresholdSeconds ?? this.s.thresholdSeconds) * 1000;
  }

  /** The SAC legal wait limit of a fact's queue: decided by the queue whatever scope the fact is read in. */
  legalMs(queue: string): number {
    const q = this.s.queues.find((x) => x.id === queue);
    return (q?.legalWaitSeconds ?? this.s.legalWaitSeconds ?? 60) * 1000;
  }

  inScope(f: Fact, scope: Scope): boolean {
    if (scope.kind === 'center') return true;
    if (scope.kind === 'queue') return f.queue === scope.id;
    return f.tier === scope.tier;
  }

  figures(scope: Scope, facts: Fact[], agent: [number, number] | null): Figures {
    const T = this.thresholdMs(scope);
    const shortMs = this.s.shortAbandonSeconds * 1000;
    let answered = 0, answeredWithin = 0, waitSum = 0, abandoned = 0, abandonedWithin = 0, short = 0;
    let handled = 0, talk = 0, hold = 0, wrap = 0;
    let npsN = 0, pro = 0, pas = 0, det = 0, csatN = 0, sat = 0, fcrN = 0, res = 0;
    let withinLegal = 0, breaches = 0;
    const callbacks = { requested: 0, reached: 0, notReached: 0, dropped: 0 };
    for (const f of facts) {
      if (!this.inScope(f, scope)) continue;
      if (f.kind === 'answered') {
        answered++; waitSum += f.wait; if (f.wait <= T) answeredWithin++;
        if (f.wait <= this.legalMs(f.queue)) withinLegal++; else breaches++;
      } else if (f.kind === 'abandoned') {
        if (f.wait < shortMs) short++;
        else { abandoned++; if (f.wait <= T) abandonedWithin++; if (f.wait > this.legalMs(f.queue)) breaches++; }
      } else if (f.kind === 'handled') { handled++; talk += f.talk; hold += f.hold; wrap += f.wrap; }
      else if (f.kind === 'survey') {
        if (f.nps !== undefined && f.nps >= 0 && f.nps <= 10) { npsN++; if (f.nps >= 9) pro++; else if (f.nps >= 7) pas++; else det++; }
        if (f.csat !== undefined && f.csat >= 1 && f.csat <= 5) { csatN++; if (f.csat >= 4) sat++; }
      } else if (f.kind === 'callback') {
        if (f.callback === 'requested') callbacks.requested++;
        else if (f.callback === 'reached') callbacks.reached++;
        else if (f.callback === 'not-reached') callbacks.notReached++;
        else callbacks.dropped++;
      } else { fcrN++; if (f.resolved) res++; }
    }
    const offered = answered + abandoned;
    const formula = this.s.formula;
    const slNum = formula === 'abandonsWithinThresholdMet' ? answeredWithin + abandonedWithin : answeredWithin;
    const slDen = formula === 'answered' ? answered
      : formula === 'abandonsWithinThresholdNeutral' ? answered + abandoned - abandonedWithin
        : offered;
    const q = scope.kind === 'queue' ? this.s.queues.find((x) => x.id === scope.id) : undefined;
    const score = npsN ? ((pro - det) * 100) / npsN : null;
    const band = score === null ? null : score > 75 ? 'excellent' : score > 50 ? 'good' : score > 0 ? 'mustImprove' : 'critical';
    return {
      offered, answered, abandoned, shortAbandoned: short,
      answeredWithinThreshold: answeredWithin, abandonedWithinThreshold: abandonedWithin,
      serviceLevel: slDen ? slNum / slDen : null,
      thresholdSeconds: T / 1000, target: q?.target ?? this.s.target, formula,
      asaSeconds: answered ? waitSum / answered / 1000 : null,
      abandonRate: offered ? abandoned / offered : null,
      handled,
      tmaSeconds: handled ? (talk + hold + wrap) / handled / 1000 : null,
      talkSeconds: handled ? talk / handled / 1000 : null,
      holdSeconds: handled ? hold / handled / 1000 : null,
      wrapSeconds: handled ? wrap / handled / 1000 : null,
      occupancy: agent && agent[1] ? agent[0] / agent[1] : null,
      nps: { score, band, responses: npsN, promoters: pro, passives: pas, detractors: det },
      csat: { score: csatN ? sat / csatN : null, responses: csatN },
      fcr: { rate: fcrN ? res / fcrN : null, responses: fcrN },
      answeredWithinLegal: withinLegal, legalBreaches: breaches,
      withinLegal: withinLegal + breaches ? withinLegal / (withinLegal + breaches) : null,
      callbacks,
    };
  }

  read(scope: Scope, window: 'rolling' | 'today'): Figures {
    const nowBucket = Math.floor(this.now / B);
    const W = (this.s.windowMinutes * MIN) / B;
    let from: number;
    let facts: Fact[];
    if (window === 'rolling') {
      facts = this.facts.filter((f) => f.bucket > nowBucket - W);
      from = (nowBucket - W + 1) * B;
    } else {
      const reset = this.lastReset();
      facts = this.facts.filter((f) => f.bucket * B >= reset);
      from = Math.max(this.startAt, reset);
    }
    return this.figures(scope, facts, scope.kind === 'center' ? this.agentMs(from, this.now) : null);
  }

  intervals(): ClosedInterval[] {
    const I = this.s.intervalMinutes * MIN;
    const cut = Math.floor(this.now / B) * B;
    const reset = this.lastReset();
    const byInterval = new Map<number, Fact[]>();
    for (const f of this.facts) {
      const k = Math.floor((f.bucket * B) / I);
      if (!byInterval.has(k)) byInterval.set(k, []);
      byInterval.get(k)!.push(f);
    }
    const out: ClosedInterval[] = [];
    for (let start = Math.floor(this.startAt / I) * I; start + I <= cut; start += I) {
      const end = start + I;
      if (end <= reset) continue;
      const facts = byInterval.get(start / I) ?? [];
      const queues: Record<string, Figures> = {};
      const ids = new Set([...this.s.queues.map((q) => q.id), ...[...this.firstBucket].filter(([, b]) => b * B < end).map(([id]) => id)]);
      for (const id of ids) queues[id] = this.figures({ kind: 'queue', id }, facts, null);
      const tiers: Record<number, Figures> = {};
      for (let t = 1; t <= this.s.tiers; t++) tiers[t] = this.figures({ kind: 'tier', tier: t }, facts, null);
      out.push({ start, end, center: this.figures({ kind: 'center' }, facts, this.agentMs(start, end)), queues, tiers });
    }
    return out;
  }

  series(): { at: number[]; serviceLevel: (number | null)[]; offered: number[] } {
    const W = (this.s.windowMinutes * MIN) / B;
    const startBucket = Math.floor(this.startAt / B);
    const last = Math.floor(this.now / MIN);
    const out = { at: [] as number[], serviceLevel: [] as (number | null)[], offered: [] as number[] };
    for (let m = last - 59; m <= last; m++) {
      const at = m * MIN;
      if (at <= startBucket * B) continue;
      const top = at / B - 1;
      const f = this.figures({ kind: 'center' }, this.facts.filter((x) => x.bucket > top - W && x.bucket <= top), null);
      out.at.push(at);
      out.serviceLevel.push(f.serviceLevel);
      out.offered.push(f.offered);
    }
    return out;
  }
}

/** Structural equality of plain data, numbers by Object.is (as toEqual does). */
function deepSame(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

// ---- random streams --------------------------------------------------------------

const FORMULAS: SlFormula[] = ['offered', 'answered', 'abandonsWithinThresholdMet', 'abandonsWithinThresholdNeutral'];
const ZONES: [string, number][] = [
  ['America/Sao_Paulo', Date.parse('2025-06-10T18:00:00Z')],
  ['America/New_York', Date.parse('2024-03-09T18:00:00Z')], // spans the spring-forward
  ['America/New_York', Date.parse('2024-11-02T18:00:00Z')], // spans the fall-back
  ['Asia/Kolkata', Date.parse('2025-02-01T10:00:00Z')], // +05:30: resets off a 60-minute grid
  ['UTC', Date.parse('2025-01-01T21:00:00Z')],
];

function pick<T>(rnd: () => number, xs: readonly T[]): T { return xs[Math.floor(rnd() * xs.length)]; }
function int(rnd: () => number, lo: number, hi: number): number { return lo + Math.floor(rnd() * (hi - lo + 1)); }

function randomSettings(rnd: () => number): [MetricsSettings, number] {
  const [timezone, base] = pick(rnd, ZONES);
  const hh = pick(rnd, ['00:00', '06:00', '02:30', '01:30', '23:45', `${String(int(rnd, 0, 23)).padStart(2, '0')}:${String(int(rnd, 0, 59)).padStart(2, '0')}`]);
  const settings: MetricsSettings = {
    thresholdSeconds: pick(rnd, [5, 10, 20, 30]),
    target: Math.round(rnd() * 100) / 100,
    formula: pick(rnd, FORMULAS),
    shortAbandonSeconds: pick(rnd, [0, 0, 3, 5]),
    windowMinutes: pick(rnd, [1, 2, 5, 30]),
    intervalMinutes: pick(rnd, [1, 5, 15, 60]),
    timezone,
    todayResetsAt: hh,
    queues: [
      { id: 'q1', thresholdSeconds: pick(rnd, [undefined, 10, 40]) },
      { id: 'q2', target: pick(rnd, [undefined, 0.9]) },
    ],
    tiers: int(rnd, 1, 4),
  };
  // The SAC legal limit: the default, a center-wide one, one queue's own (drawn after the rest, so older seeds keep their streams).
  const legal = int(rnd, 0, 3);
  if (legal === 1) settings.legalWaitSeconds = 30;
  if (legal >= 2) settings.queues[0].legalWaitSeconds = legal === 2 ? 15 : 90;
  return [settings, base + int(rnd, 0, 6 * H)];
}

function randomGap(rnd: () => number): number {
  const r = rnd();
  if (r < 0.15) return 0;
  if (r < 0.25) return -int(rnd, 1, 5000); // a late fact: clamped into the current second
  if (r < 0.6) return int(rnd, 1, 1500);
  if (r < 0.85) return int(rnd, 1000, 20_000);
  if (r < 0.955) return int(rnd, 20_000, 180_000);
  if (r < 0.998) return int(rnd, MIN, 40 * MIN);
  return int(rnd, 2 * H, 26 * H); // longer than any window, often across a daily reset
}

const SCOPES = (s: MetricsSettings): Scope[] => [
  { kind: 'center' },
  ...['q1', 'q2', 'q3', 'q4'].map((id) => ({ kind: 'queue', id }) as Scope),
  ...Array.from({ length: s.tiers }, (_, i) => ({ kind: 'tier', tier: i + 1 }) as Scope),
];

function runSeed(seed: number, ops: number): void {
  const rnd = mulberry32(seed);
  const [settings, startAt] = randomSettings(rnd);
  // Pre-generate the op times so the reference's reset list covers the whole run.
  const gaps = Array.from({ length: ops }, () => randomGap(rnd));
  let end = startAt;
  for (const g of gaps) end += Math.max(0, g);
  const resets = boundariesByScan(settings.timezone, settings.todayResetsAt, startAt, end + MIN);

  const core = new MetricsCore(settings, startAt);
  const ref = new Reference(settings, startAt, resets);
  const scopes = SCOPES(settings);
  let t = startAt;
  const ctx = () => `seed ${seed} (${JSON.stringify(settings)}) at ${new Date(ref.now).toISOString()}`;

  // deepSame is the fast path; toEqual runs only on a mismatch, to print the diff.
  const same = (actual: unknown, expected: unknown, what: string) => {
    if (!deepSame(actual, expected)) expect(actual, `${ctx()} ${what}`).toEqual(expected);
  };
  const check = (withIntervals: boolean) => {
    for (const scope of scopes) {
      for (const w of ['rolling', 'today'] as const) same(core.read(scope, w), ref.read(scope, w), `${JSON.stringify(scope)} ${w}`);
    }
    same(core.series(), ref.series(), 'series');
    if (withIntervals) same(core.intervals(), ref.intervals(), 'intervals');
    checks++;
  };

  let checks = 0;
  for (let i = 0; i < ops; i++) {
    const gap = gaps[i];
    const at = t + gap;
    if (gap > 0) t = at;
    const queue = pick(rnd, ['q1', 'q1', 'q2', 'q3', 'q4']);
    const tier = int(rnd, 0, settings.tiers + 1); // includes out-of-range tiers
    const tierClamped = Math.min(Math.max(tier, 1), settings.tiers);
    const r = rnd();
    const base = { queue, tier: tierClamped, wait: 0, talk: 0, hold: 0, wrap: 0, resolved: false };
    if (r < 0.3) {
      const wait = int(rnd, 0, 60) * 1000 + pick(rnd, [0, 0, 1, -1, 500]);
      const w = Math.max(0, wait);
      core.recordAnswered(at, queue, tier, wait);
      ref.record(at, { ...base, kind: 'answered', wait: w });
    } else if (r < 0.45) {
      const wait = int(rnd, 0, 60) * 1000 + pick(rnd, [0, 0, 1, -1, 500]);
      const w = Math.max(0, wait);
      core.recordAbandoned(at, queue, tier, wait);
      ref.record(at, { ...base, kind: 'abandoned', wait: w });
    } else if (r < 0.6) {
      const h = { talkMs: int(rnd, 0, 600_000), holdMs: int(rnd, 0, 1) * int(rnd, 0, 120_000), wrapMs: int(rnd, 0, 90_000) };
      core.recordHandled(at, queue, tier, h);
      ref.record(at, { ...base, kind: 'handled', talk: h.talkMs, hold: h.holdMs, wrap: h.wrapMs });
    } else if (r < 0.7) {
      const s = { nps: rnd() < 0.8 ? int(rnd, -1, 11) : undefined, csat: rnd() < 0.6 ? int(rnd, 0, 6) : undefined };
      core.recordSurvey(at, queue, tier, s);
      ref.record(at, { ...base, kind: 'survey', ...s });
    } else if (r < 0.78) {
      const resolved = rnd() < 0.7;
      core.recordDisposition(at, queue, tier, resolved);
      ref.record(at, { ...base, kind: 'disposition', resolved });
    } else if (r < 0.83) {
      const kind = pick(rnd, ['requested', 'reached', 'not-reached', 'dropped'] as CallbackFact[]);
      core.recordCallback(at, queue, tier, kind);
      ref.record(at, { ...base, kind: 'callback', callback: kind });
    } else if (r < 0.89) {
      const staffed = int(rnd, 0, 30);
      const busy = int(rnd, 0, staffed);
      core.setAgentCounts(at, busy, staffed);
      ref.agents(at, busy, staffed);
    } else {
      core.advance(at);
      ref.advance(at);
    }
    if (i % 97 === 0 || gap > 20 * MIN) check(i % 487 === 0 || gap > H);
  }
  check(true);
  expect(checks).toBeGreaterThan(30);
}

describe('ring-buffer core equals the from-scratch reference', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i + 1);
  it.each(seeds)('seed %i', (seed) => {
    runSeed(seed, 3000);
  });

  it('the streams really cross daily resets, DST days, long gaps and short abandons', () => {
    let resets = 0, longGaps = 0, dstRuns = 0, shortOn = 0;
    for (const seed of seeds) {
      const rnd = mulberry32(seed);
      const [s, startAt] = randomSettings(rnd);
      const gaps = Array.from({ length: 3000 }, () => randomGap(rnd));
      const end = startAt + gaps.reduce((a, g) => a + Math.max(0, g), 0);
      resets += boundariesByScan(s.timezone, s.todayResetsAt, startAt, end).length;
      longGaps += gaps.filter((g) => g > s.windowMinutes * MIN).length;
      if (s.timezone === 'America/New_York' && end - startAt > 2 * 24 * H) dstRuns++;
      if (s.shortAbandonSeconds > 0) shortOn++;
    }
    expect(resets).toBeGreaterThan(seeds.length);
    expect(longGaps).toBeGreaterThan(seeds.length);
    expect(dstRuns).toBeGreaterThan(3);
    expect(shortOn).toBeGreaterThan(5);
  });
});
