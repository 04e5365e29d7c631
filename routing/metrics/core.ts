// The metrics core: constant-time fact updates into per-scope ring buffers,
// O(1) window reads, and cheap time advances. Pure: time comes in with every call.
//
// Bucket width is 1 s. The rolling window is defined on bucket indices (a fact
// counts at `now` iff floor(at/B) > floor(now/B) − windowBuckets), so B is the
// error on the window's trailing edge: at 1 s the edge is exact to the second,
// which matches the second-granularity threshold T, and a 30-min window still
// only needs 1800 rows per scope (~290 KB). Wider buckets would make a fact
// linger up to B − 1 ms extra; narrower ones would multiply memory and the
// per-second eviction cost without any visible gain on a wallboard.

import { DailyBoundary } from './clock.ts';
import {
  ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN, BUSY_MS, CALLBACKS_NOT_REACHED, CALLBACKS_REACHED, CALLBACKS_REQUESTED,
  DROPPED, FIELDS, STAFFED_MS,
} from './fields.ts';
import { toFigures, type ScopeTerms } from './formulas.ts';
import { ScopeAgg } from './ring.ts';
import { MINUTE_MS as MINUTE, MinuteSeries, SERIES_POINTS } from './series.ts';
import { validateSettings } from './settings.ts';
import type { MetricsSnapshot } from './snapshot.ts';
import type {
  ClosedInterval, Figures, MetricsSettings, MetricsWindow, QueueMetricsSettings, Scope, SeriesPoints, WindowByMinute,
} from './types.ts';


/** The SAC callback facts the reports count. */
export type CallbackFact = 'requested' | 'reached' | 'not-reached' | 'dropped';
const CALLBACK_FIELD: Record<CallbackFact, number> = {
  requested: CALLBACKS_REQUESTED, reached: CALLBACKS_REACHED, 'not-reached': CALLBACKS_NOT_REACHED, dropped: DROPPED,
};

export const BUCKET_MS = 1000;
const HOUR = 3_600_000;
const ZERO_ROW = new Float64Array(FIELDS);
/** The old decree's 60 s, still the usual sector target (docs/sac.md). */
const DEFAULT_LEGAL_WAIT_SECONDS = 60;

const wholeMs = (v: number): number => (v > 0 ? Math.round(v) : 0);
const npsClass = (v: number): number => (v >= 0 && v <= 10 ? (v >= 9 ? 2 : v >= 7 ? 1 : 0) : -1);
const csatClass = (v: number): number => (v >= 1 && v <= 5 ? (v >= 4 ? 1 : 0) : -1);
const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

interface IntervalFigures { start: number; end: number; figures: Figures }

export class MetricsCore {
  private s!: MetricsSettings;
  private clock!: DailyBoundary;
  private queueConf = new Map<string, QueueMetricsSettings>();
  /** Legal wait limit per queue index (ms), filled on first use, cleared when the settings change. */
  private legalMs: number[] = [];
  private windowBuckets = 0;
  private intervalMs = 0;
  private maxClosed = 0;
  private shortMs = 0;

  private readonly center: ScopeAgg;
  private readonly tierAggs: ScopeAgg[] = [];
  private readonly queueAggs: ScopeAgg[] = [];
  private readonly queueIdList: string[] = [];
  private readonly queueIdx = new Map<string, number>();
  /** Every scope, for eviction and resets. */
  private all: ScopeAgg[] = [];
  private tierCount = 0;

  /** Latest time seen; never decreases. */
  private now: number;
  /** Current bucket index and its row offset in the rings. */
  private cur: number;
  private base = 0;
  private nextBucketAt: number;

  // Agent counts are a step function; these say how far its integral has been
  // added to the ring (window) and to today/open interval respectively.
  private busy = 0;
  private staffed = 0;
  private ringAccruedTo: number;
  private accruedTo: number;

  private ivlStart: number;
  private ivlEnd: number;
  private resetAt: number;
  private minuteAt: number;
  private closed: ClosedInterval[] = [];

  private readonly minutes = new MinuteSeries();

  constructor(settings: MetricsSettings, startAt: number) {
    if (!Number.isFinite(startAt) || startAt < 0) throw new RangeError(`startAt must be epoch ms, got ${startAt}`);
    this.now = startAt;
    this.cur = Math.floor(startAt / BUCKET_MS);
    this.nextBucketAt = (this.cur + 1) * BUCKET_MS;
    this.ringAccruedTo = startAt;
    this.accruedTo = startAt;
    this.center = new ScopeAgg(1, 0);
    this.all = [this.center];
    this.applySettings(settings, true);
    this.ivlStart = Math.floor(startAt / this.intervalMs) * this.intervalMs;
    this.ivlEnd = this.ivlStart + this.intervalMs;
    this.resetAt = this.boundaryAfter(startAt);
    this.minuteAt = (Math.floor((this.cur * BUCKET_MS) / MINUTE) + 1) * MINUTE;
  }

  // ---- facts ---------------------------------------------------------------

  /** Index for the `*Idx` hot-path variants; creates the queue scope if new. */
  queueIndex(id: string): number {
    const known = this.queueIdx.get(id);
    if (known !== undefined) return known;
    const agg = new ScopeAgg(this.windowBuckets, this.queueWithinMs(id));
    const idx = this.queueAggs.length;
    this.queueAggs.push(agg);
    this.queueIdList.push(id);
    this.queueIdx.set(id, idx);
    this.all.push(agg);
    return idx;
  }

  queueIds(): string[] { return this.queueIdList.slice(); }

  /** The SAC legal wait limit of a queue, seconds (its own, else the center's, else 60). */
  legalWaitSeconds(queue: string): number {
    return this.queueConf.get(queue)?.legalWaitSeconds ?? this.s.legalWaitSeconds ?? DEFAULT_LEGAL_WAIT_SECONDS;
  }

  /** Latest time the core has seen. */
  get time(): number { return this.now; }

  advance(now: number): void {
    if (now > this.now) this.tick(now);
  }

  recordAnswered(at: number, queue: string, tier: number, waitMs: number): void {
    if (at > this.now) this.tick(at);
    this.recordAnsweredIdx(at, this.queueIndex(queue), tier, waitMs);
  }

  recordAnsweredIdx(at: number, queue: number, tier: number, waitMs: number): void {
    if (at > this.now) this.tick(at);
    const w = wholeMs(waitMs);
    const base = this.base;
    const b = this.cur;
    const legal = this.queueLegalMs(queue);
    this.center.answered(base, b, w, legal);
    this.tierAgg(tier).answered(base, b, w, legal);
    this.queueAggs[queue].answered(base, b, w, legal);
  }

  recordAbandoned(at: number, queue: string, tier: number, waitMs: number): void {
    if (at > this.now) this.tick(at);
    this.recordAbandonedIdx(at, this.queueIndex(queue), tier, waitMs);
  }

  recordAbandonedIdx(at: number, queue: number, tier: number, waitMs: number): void {
    if (at > this.now) this.tick(at);
    const w = wholeMs(waitMs);
    const short = w < this.shortMs;
    const base = this.base;
    const b = this.cur;
    const legal = this.queueLegalMs(queue);
    this.center.abandoned(base, b, w, short, legal);
    this.tierAgg(tier).abandoned(base, b, w, short, legal);
    this.queueAggs[queue].abandoned(base, b, w, short, legal);
  }

  recordHandled(at: number, queue: string, tier: number, h: { talkMs: number; holdMs: number; wrapMs: number }): void {
    if (at > this.now) this.tick(at);
    this.recordHandledIdx(at, this.queueIndex(queue), tier, h.talkMs, h.holdMs, h.wrapMs);
  }

  recordHandledIdx(at: number, queue: number, tier: number, talkMs: number, holdMs: number, wrapMs: number): void {
    if (at > this.now) this.tick(at);
    const t = wholeMs(talkMs), h = wholeMs(holdMs), w = wholeMs(wrapMs);
    const base = this.base;
    const b = this.cur;
    this.center.handled(base, b, t, h, w);
    this.tierAgg(tier).handled(base, b, t, h, w);
    this.queueAggs[queue].handled(base, b, t, h, w);
  }

  /** Answers outside NPS 0..10 or CSAT 1..5 are ignored. */
  recordSurvey(at: number, queue: string, tier: number, s: { nps?: number; csat?: number }): void {
    if (at > this.now) this.tick(at);
    this.recordSurveyIdx(at, this.queueIndex(queue), tier, s.nps ?? NaN, s.csat ?? NaN);
  }

  /** NaN for an absent answer. */
  recordSurveyIdx(at: number, queue: number, tier: number, nps: number, csat: number): void {
    if (at > this.now) this.tick(at);
    const n = npsClass(nps), c = csatClass(csat);
    if (n < 0 && c < 0) return;
    const base = this.base;
    const b = this.cur;
    this.center.survey(base, b, n, c);
    this.tierAgg(tier).survey(base, b, n, c);
    this.queueAggs[queue].survey(base, b, n, c);
  }

  recordDisposition(at: number, queue: string, tier: number, resolvedFirstContact: boolean): void {
    if (at > this.now) this.tick(at);
    this.recordDispositionIdx(at, this.queueIndex(queue), tier, resolvedFirstContact);
  }

  recordDispositionIdx(at: number, queue: number, tier: number, resolvedFirstContact: boolean): void {
    if (at > this.now) this.tick(at);
    const base = this.base;
    const b = this.cur;
    this.center.disposition(base, b, resolvedFirstContact);
    this.tierAgg(tier).disposition(base, b, resolvedFirstContact);
    this.queueAggs[queue].disposition(base, b, resolvedFirstContact);
  }

  /** A SAC callback fact of a call of `queue` and `tier` (counted in the center, the tier and the queue). */
  recordCallback(at: number, queue: string, tier: number, kind: CallbackFact): void {
    if (at > this.now) this.tick(at);
    const field = CALLBACK_FIELD[kind];
    const base = this.base;
    const b = this.cur;
    this.center.count(base, b, field);
    this.tierAgg(tier).count(base, b, field);
    this.queueAggs[this.queueIndex(queue)].count(base, b, field);
  }

  /** Counts hold from max(at, latest time seen) until the next call. */
  setAgentCounts(at: number, busy: number, staffed: number): void {
    if (at > this.now) this.tick(at);
    this.accrueTotals(this.now);
    this.ringAccrue(this.now);
    this.busy = busy > 0 ? Math.round(busy) : 0;
    this.staffed = staffed > 0 ? Math.round(staffed) : 0;
  }

  // ---- reads ---------------------------------------------------------------

  read(scope: Scope, window: MetricsWindow): Figures {
    if (window !== 'rolling' && window !== 'today') throw new RangeError(`unknown window '${String(window)}'`);
    const agg = this.aggOf(scope);
    const terms = this.termsOf(scope);
    if (!agg) return toFigures(ZERO_ROW, 0, terms, null);
    const row = window === 'rolling' ? agg.win : agg.today;
    let occupancy: number | null = null;
    if (agg === this.center) {
      // Add the not-yet-accrued stretch up to `now` so occupancy is live between calls.
      const span = this.now - (window === 'rolling' ? this.ringAccruedTo : this.accruedTo);
      occupancy = ratio(row[BUSY_MS] + this.busy * span, row[STAFFED_MS] + this.staffed * span);
    }
    return toFigures(row, 0, terms, occupancy);
  }

  /**
   * The rolling window's service-level facts by when they leave it: slot k holds the facts
   * that drop out of the window between k and k + 1 minutes from now (slot 0 the oldest).
   * What the window will say in m minutes, if nothing new happened, is the sum of slots ≥ m:
   * the breach warning (routing/breach.ts) projects the window with it. O(window buckets).
   */
  windowByMinute(scope: Scope): WindowByMinute {
    const minutes = Math.ceil((this.windowBuckets * BUCKET_MS) / MINUTE);
    const out: WindowByMinute = {
      answered: new Array(minutes).fill(0), answeredWithin: new Array(minutes).fill(0),
      abandoned: new Array(minutes).fill(0), abandonedWithin: new Array(minutes).fill(0),
    };
    const agg = this.aggOf(scope);
    if (!agg) return out;
    const size = this.windowBuckets;
    const first = this.cur - size + 1;
    const last = Math.min(this.cur, agg.lastBucket);
    for (let b = first; b <= last; b++) {
      const o = (b % size) * FIELDS;
      const ring = agg.ring;
      if (ring[o + ANSWERED] === 0 && ring[o + ABANDONED] === 0) continue;
      // Bucket b leaves the window when the bucket b + size begins.
      const k = Math.min(minutes - 1, Math.max(0, Math.floor(((b + size) * BUCKET_MS - this.now) / MINUTE)));
      out.answered[k] += ring[o + ANSWERED];
      out.answeredWithin[k] += ring[o + ANSWERED_WITHIN];
      out.abandoned[k] += ring[o + ABANDONED];
      out.abandonedWithin[k] += ring[o + ABANDONED_WITHIN];
    }
    return out;
  }

  /**
   * Closed intervals ending after the last daily reset, oldest first. With a
   * scope, `queues`/`tiers` are narrowed to that scope (both empty for center).
   */
  intervals(scope?: Scope): ClosedInterval[] {
    if (!scope) return this.closed.slice();
    return this.closed.map((iv) => {
      const queues: Record<string, Figures> = {};
      const tiers: Record<number, Figures> = {};
      if (scope.kind === 'queue' && iv.queues[scope.id]) queues[scope.id] = iv.queues[scope.id];
      if (scope.kind === 'tier' && iv.tiers[scope.tier]) tiers[scope.tier] = iv.tiers[scope.tier];
      return { start: iv.start, end: iv.end, center: iv.center, queues, tiers };
    });
  }

  /** One scope's closed intervals as a flat list (missing scope → zero figures). */
  intervalFigures(scope: Scope): IntervalFigures[] {
    const terms = this.termsOf(scope);
    return this.closed.map((iv) => {
      const f = scope.kind === 'center' ? iv.center : scope.kind === 'queue' ? iv.queues[scope.id] : iv.tiers[scope.tier];
      return { start: iv.start, end: iv.end, figures: f ?? toFigures(ZERO_ROW, 0, terms, null) };
    });
  }

  /** The interval still accumulating, up to now. */
  openInterval(scope: Scope): IntervalFigures {
    const agg = this.aggOf(scope);
    const terms = this.termsOf(scope);
    let figures: Figures;
    if (!agg) figures = toFigures(ZERO_ROW, 0, terms, null);
    else if (agg === this.center) {
      const span = this.now - this.accruedTo;
      const row = agg.ivl;
      figures = toFigures(row, 0, terms, ratio(row[BUSY_MS] + this.busy * span, row[STAFFED_MS] + this.staffed * span));
    } else figures = toFigures(agg.ivl, 0, terms, null);
    return { start: this.ivlStart, end: this.ivlEnd, figures };
  }

  /**
   * Center rolling figures sampled at each minute boundary of the last hour,
   * oldest first: the point at `at` is the window as of just before `at`. Only
   * closed minutes are listed; a chart appends read(center,'rolling') as the live
   * tip. Service level is computed with the formula in force at read time.
   */
  series(): SeriesPoints {
    return this.minutes.points(this.now, this.s.formula);
  }

  // ---- settings ------------------------------------------------------------

  /**
   * Live change. Counts are kept. Limits, because buckets store counts rather
   * than wait histograms:
   * - thresholdSeconds (center or queue) and shortAbandonSeconds apply to facts
   *   recorded from now on; earlier facts keep the within/short verdict they got.
   * - target and formula apply at once to every read (they only combine counts);
   *   already closed intervals keep the figures computed when they closed.
   * - windowMinutes shrinking is exact; growing cannot bring back evicted buckets,
   *   so the window refills over the next (new − old) minutes.
   * - intervalMinutes: the open interval ends at the next boundary of the new grid.
   * - timezone/todayResetsAt: the next reset is the next new boundary after now.
   * - fewer tiers: old tier data stays readable; new facts clamp to the new range.
   */
  updateSettings(settings: MetricsSettings): void {
    this.applySettings(settings, false);
  }

  // ---- snapshot ------------------------------------------------------------

  /**
   * Everything future figures depend on, as plain JSON (see snapshot.ts). Window size,
   * interval length, thresholds and the reset clock are not in it: they follow from the
   * settings. Closed intervals are shared, not copied: nothing ever changes them.
   */
  snapshot(): MetricsSnapshot {
    return {
      settings: { ...this.s, queues: this.s.queues.map((q) => ({ ...q })) },
      now: this.now, cur: this.cur, nextBucketAt: this.nextBucketAt, busy: this.busy, staffed: this.staffed,
      ringAccruedTo: this.ringAccruedTo, accruedTo: this.accruedTo, ivlStart: this.ivlStart, ivlEnd: this.ivlEnd,
      resetAt: this.resetAt, minuteAt: this.minuteAt,
      center: this.center.snapshot(),
      tiers: this.tierAggs.map((agg) => agg.snapshot()),
      queues: this.queueAggs.map((agg, i) => ({ id: this.queueIdList[i], scope: agg.snapshot() })),
      closed: this.closed.slice(),
      minutes: this.minutes.snapshot(),
    };
  }

  /**
   * Puts this core in a snapshot's state, whatever it held before. The snapshot's shape
   * is the caller's to check (RoutingCore.fromSnapshot does, with metricsSnapshotProblem);
   * its settings are validated here as at construction.
   */
  restore(snap: MetricsSnapshot): void {
    this.applySettings(snap.settings, true);
    const size = this.windowBuckets;
    const centerMs = this.s.thresholdSeconds * 1000;
    this.center.restore(snap.center, size);
    this.tierAggs.length = 0;
    for (const t of snap.tiers) {
      const agg = new ScopeAgg(size, centerMs);
      agg.restore(t, size);
      this.tierAggs.push(agg);
    }
    this.queueAggs.length = 0;
    this.queueIdList.length = 0;
    this.queueIdx.clear();
    for (const { id, scope } of snap.queues) {
      const agg = new ScopeAgg(size, this.queueWithinMs(id));
      agg.restore(scope, size);
      this.queueIdx.set(id, this.queueAggs.length);
      this.queueAggs.push(agg);
      this.queueIdList.push(id);
    }
    this.all = [this.center, ...this.tierAggs, ...this.queueAggs];
    this.now = snap.now;
    this.cur = snap.cur;
    this.base = (snap.cur % size) * FIELDS;
    this.nextBucketAt = snap.nextBucketAt;
    this.busy = snap.busy;
    this.staffed = snap.staffed;
    this.ringAccruedTo = snap.ringAccruedTo;
    this.accruedTo = snap.accruedTo;
    this.ivlStart = snap.ivlStart;
    this.ivlEnd = snap.ivlEnd;
    this.resetAt = snap.resetAt;
    this.minuteAt = snap.minuteAt;
    this.closed = snap.closed.slice();
    this.minutes.restore(snap.minutes);
  }

  // ---- internals -----------------------------------------------------------

  private applySettings(settings: MetricsSettings, initial: boolean): void {
    validateSettings(settings);
    const prev = initial ? undefined : this.s;
    const clock = !prev || prev.timezone !== settings.timezone || prev.todayResetsAt !== settings.todayResetsAt
      ? new DailyBoundary(settings.timezone, settings.todayResetsAt)
      : this.clock;
    this.s = { ...settings, queues: settings.queues.map((q) => ({ ...q })) };
    this.queueConf = new Map(this.s.queues.map((q) => [q.id, q]));
    this.legalMs = [];
    this.shortMs = settings.shortAbandonSeconds * 1000;

    const buckets = (settings.windowMinutes * MINUTE) / BUCKET_MS;
    if (buckets !== this.windowBuckets) {
      for (const agg of this.all) agg.resize(buckets, this.cur);
      this.windowBuckets = buckets;
      this.base = (this.cur % buckets) * FIELDS;
    }

    const centerMs = settings.thresholdSeconds * 1000;
    this.center.withinMs = centerMs;
    while (this.tierAggs.length < settings.tiers) {
      const agg = new ScopeAgg(this.windowBuckets, centerMs);
      this.tierAggs.push(agg);
      this.all.push(agg);
    }
    for (const agg of this.tierAggs) agg.withinMs = centerMs;
    this.tierCount = settings.tiers;
    for (const q of this.s.queues) this.queueIndex(q.id);
    for (let i = 0; i < this.queueAggs.length; i++) this.queueAggs[i].withinMs = this.queueWithinMs(this.queueIdList[i]);

    const intervalMs = settings.intervalMinutes * MINUTE;
    if (intervalMs !== this.intervalMs) {
      this.intervalMs = intervalMs;
      this.maxClosed = Math.ceil((25 * HOUR) / intervalMs) + 2; // a 25-hour fall-back day, plus slack
      if (prev) this.ivlEnd = (Math.floor((this.cur * BUCKET_MS) / intervalMs) + 1) * intervalMs;
    }
    if (clock !== this.clock) {
      this.clock = clock;
      if (prev) this.resetAt = this.boundaryAfter(this.now);
    }
  }

  /** The SAC legal wait limit of a queue (by index), ms: its own, else the center's, else 60 s. */
  private queueLegalMs(queue: number): number {
    let ms = this.legalMs[queue];
    if (ms === undefined) {
      const q = this.queueConf.get(this.queueIdList[queue]);
      this.legalMs[queue] = ms = (q?.legalWaitSeconds ?? this.s.legalWaitSeconds ?? DEFAULT_LEGAL_WAIT_SECONDS) * 1000;
    }
    return ms;
  }

  private queueWithinMs(id: string): number {
    return (this.queueConf.get(id)?.thresholdSeconds ?? this.s.thresholdSeconds) * 1000;
  }

  private termsOf(scope: Scope): ScopeTerms {
    if (scope.kind === 'queue') {
      const q = this.queueConf.get(scope.id);
      return {
        thresholdSeconds: q?.thresholdSeconds ?? this.s.thresholdSeconds,
        target: q?.target ?? this.s.target,
        formula: this.s.formula,
      };
    }
    return { thresholdSeconds: this.s.thresholdSeconds, target: this.s.target, formula: this.s.formula };
  }

  private aggOf(scope: Scope): ScopeAgg | undefined {
    switch (scope.kind) {
      case 'center': return this.center;
      case 'queue': {
        const i = this.queueIdx.get(scope.id);
        return i === undefined ? undefined : this.queueAggs[i];
      }
      case 'tier': return Number.isInteger(scope.tier) ? this.tierAggs[scope.tier - 1] : undefined;
      default: throw new RangeError(`unknown scope ${JSON.stringify(scope)}`);
    }
  }

  private tierAgg(tier: number): ScopeAgg {
    const t = tier >= 1 ? (tier <= this.tierCount ? tier | 0 : this.tierCount) : 1;
    return this.tierAggs[t - 1];
  }

  private boundaryAfter(t: number): number {
    return Math.ceil(this.clock.next(t) / BUCKET_MS) * BUCKET_MS;
  }

  private tick(at: number): void {
    if (at >= this.nextBucketAt) this.roll(at);
    this.now = at;
  }

  /**
   * Moves to the bucket of `now`, visiting boundaries (interval ends, minute
   * samples, daily reset) in time order. Work is O(min(elapsed buckets, window)
   * + boundaries crossed): minute samples older than the last hour are skipped,
   * and intervals that a reset inside this same jump would drop are not built.
   */
  private roll(now: number): void {
    const target = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const firstVisibleMinute = (Math.floor(target / MINUTE) - SERIES_POINTS + 1) * MINUTE;
    if (this.minuteAt < firstVisibleMinute) this.minuteAt = firstVisibleMinute;
    for (;;) {
      let stop = this.ivlEnd;
      if (this.resetAt < stop) stop = this.resetAt;
      if (this.minuteAt < stop) stop = this.minuteAt;
      if (stop > target) break;
      this.accrueTotals(stop);
      if (stop === this.minuteAt) {
        this.ringTo(stop - BUCKET_MS);
        this.ringAccrue(stop);
        this.minutes.sample(stop, this.center.win);
        this.minuteAt += MINUTE;
      }
      if (stop === this.ivlEnd) {
        if (this.resetAt <= target && stop <= this.resetAt) this.clearInterval();
        else this.closeInterval(stop);
        this.ivlStart = stop;
        this.ivlEnd = stop + this.intervalMs;
      }
      if (stop === this.resetAt) this.resetToday(stop);
    }
    this.accrueTotals(target);
    this.ringTo(target);
    this.nextBucketAt = target + BUCKET_MS;
  }

  private accrueTotals(t: number): void {
    const span = t - this.accruedTo;
    if (span <= 0) return;
    if (this.staffed !== 0 || this.busy !== 0) {
      const c = this.center;
      c.today[BUSY_MS] += this.busy * span;
      c.today[STAFFED_MS] += this.staffed * span;
      c.ivl[BUSY_MS] += this.busy * span;
      c.ivl[STAFFED_MS] += this.staffed * span;
    }
    this.accruedTo = t;
  }

  /** Agent time up to `t` (within the current bucket) into the ring. */
  private ringAccrue(t: number): void {
    const span = t - this.ringAccruedTo;
    if (span <= 0) return;
    if (this.staffed !== 0 || this.busy !== 0) {
      this.center.addRing(this.base, this.cur, BUSY_MS, this.busy * span);
      this.center.addRing(this.base, this.cur, STAFFED_MS, this.staffed * span);
    }
    this.ringAccruedTo = t;
  }

  /** Enters the bucket starting at `t`, evicting what leaves the window. */
  private ringTo(t: number): void {
    const b = t / BUCKET_MS;
    if (b <= this.cur) return;
    const size = this.windowBuckets;
    if (b - this.cur >= size) {
      this.refillRing(b);
      return;
    }
    this.ringAccrue((this.cur + 1) * BUCKET_MS);
    // Buckets cur+1−size .. b−size leave; their slots are the ones b's run enters.
    const all = this.all;
    const from = this.cur + 1 - size;
    const to = b - size;
    for (let i = 0; i < all.length; i++) all[i].evictRange(from, to);
    if (this.busy !== 0 || this.staffed !== 0) {
      // Whole buckets cur+1 .. b−1 pass with constant agent counts.
      const c = this.center;
      const busy = this.busy * BUCKET_MS;
      const staffed = this.staffed * BUCKET_MS;
      const ring = c.ring;
      const n = FIELDS, bf = BUSY_MS, sf = STAFFED_MS;
      for (let k = this.cur + 1; k < b; k++) {
        const o = (k % size) * n;
        ring[o + bf] = busy;
        ring[o + sf] = staffed;
      }
      const whole = b - 1 - this.cur;
      if (whole > 0) {
        c.win[BUSY_MS] += busy * whole;
        c.win[STAFFED_MS] += staffed * whole;
        c.lastBucket = b - 1;
      }
    }
    this.cur = b;
    this.base = (b % size) * FIELDS;
    this.ringAccruedTo = b * BUCKET_MS;
  }

  /** Whole window elapsed with no facts: only constant agent time is left in it. */
  private refillRing(b: number): void {
    for (const agg of this.all) agg.clearRing(this.cur);
    const size = this.windowBuckets;
    if (this.busy !== 0 || this.staffed !== 0) {
      const c = this.center;
      const busy = this.busy * BUCKET_MS;
      const staffed = this.staffed * BUCKET_MS;
      for (let k = b - size + 1; k < b; k++) {
        const o = (k % size) * FIELDS;
        c.ring[o + BUSY_MS] = busy;
        c.ring[o + STAFFED_MS] = staffed;
      }
      c.win[BUSY_MS] = busy * (size - 1);
      c.win[STAFFED_MS] = staffed * (size - 1);
      c.lastBucket = b - 1;
    }
    this.cur = b;
    this.base = (b % size) * FIELDS;
    this.ringAccruedTo = b * BUCKET_MS;
  }

  private closeInterval(end: number): void {
    const centerTerms = this.termsOf({ kind: 'center' });
    const c = this.center.ivl;
    const queues: Record<string, Figures> = {};
    for (let i = 0; i < this.queueAggs.length; i++) {
      const id = this.queueIdList[i];
      queues[id] = toFigures(this.queueAggs[i].ivl, 0, this.termsOf({ kind: 'queue', id }), null);
    }
    const tiers: Record<number, Figures> = {};
    for (let t = 1; t <= this.tierCount; t++) tiers[t] = toFigures(this.tierAggs[t - 1].ivl, 0, centerTerms, null);
    this.closed.push({
      start: this.ivlStart, end,
      center: toFigures(c, 0, centerTerms, ratio(c[BUSY_MS], c[STAFFED_MS])),
      queues, tiers,
    });
    if (this.closed.length > this.maxClosed) this.closed.shift();
    this.clearInterval();
  }

  private clearInterval(): void {
    for (const agg of this.all) agg.ivl.fill(0);
  }

  private resetToday(at: number): void {
    for (const agg of this.all) agg.today.fill(0);
    this.closed = this.closed.filter((iv) => iv.end > at);
    this.resetAt = this.boundaryAfter(at);
  }
}
