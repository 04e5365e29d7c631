// How long callers are willing to wait, estimated from what they did. A caller who hung
// up after 40 s of waiting showed a patience of 40 s; a caller answered after 40 s only
// showed that their patience was longer (a censored observation). Kaplan–Meier turns both
// kinds into a survival curve S(t) = P(patience > t) without assuming a shape; past the
// longest wait seen the curve goes on as an exponential with the rate the day showed
// (abandons ÷ total time callers spent waiting: the exponential estimate that counts
// censored waits too), so a caller who waited longer than anyone still gets a patience.
// Pure: the what-if replay (routing/whatif) and the intraday forecast both use it.

export interface PatienceObservation {
  /** How long the caller waited in the queue, ms. */
  waitMs: number;
  /** True: hung up while waiting (patience observed); false: answered or still waiting (patience > waitMs). */
  abandoned: boolean;
}

export interface PatienceSummary {
  observations: number;
  abandons: number;
  /** Mean patience in seconds (the area under the curve, tail included); null when nobody hung up. */
  meanSeconds: number | null;
  /** Median patience in seconds; null when fewer than half of the callers would ever hang up by the data. */
  medianSeconds: number | null;
}

export class PatienceEstimate {
  /** Distinct wait times at which somebody hung up, ascending (ms). */
  private readonly times: number[] = [];
  /** S right after each of `times`. */
  private readonly survival: number[] = [];
  /** Longest wait observed (ms), abandoned or not: where the tail starts. */
  private readonly lastMs: number;
  /** Mean of the exponential tail (ms); Infinity when nobody hung up. */
  private readonly tailMeanMs: number;
  readonly observations: number;
  readonly abandons: number;

  constructor(observations: readonly PatienceObservation[]) {
    const obs = observations.filter((o) => Number.isFinite(o.waitMs) && o.waitMs >= 0);
    obs.sort((a, b) => a.waitMs - b.waitMs || Number(b.abandoned) - Number(a.abandoned));
    this.observations = obs.length;
    let exposure = 0;
    let abandons = 0;
    for (const o of obs) {
      exposure += o.waitMs;
      if (o.abandoned) abandons++;
    }
    this.abandons = abandons;
    this.lastMs = obs.length ? obs[obs.length - 1].waitMs : 0;
    this.tailMeanMs = abandons > 0 ? Math.max(1, exposure) / abandons : Infinity;
    // Kaplan–Meier: at each abandon time t, S *= 1 − d/n with n the callers still waiting at t
    // (a caller answered at t is counted as still at risk at t).
    let s = 1;
    let i = 0;
    while (i < obs.length) {
      const t = obs[i].waitMs;
      const atRisk = obs.length - i;
      let d = 0;
      let j = i;
      for (; j < obs.length && obs[j].waitMs === t; j++) if (obs[j].abandoned) d++;
      if (d > 0) {
        s *= 1 - d / atRisk;
        this.times.push(t);
        this.survival.push(s);
      }
      i = j;
    }
  }

  /** P(patience > t), t in ms. */
  survivalAt(t: number): number {
    if (t > this.lastMs) return this.stepAt(this.lastMs) * Math.exp(-(t - this.lastMs) / this.tailMeanMs);
    return this.stepAt(t);
  }

  /**
   * One patience (ms) for a caller known to have waited `aboveMs` without hanging up,
   * from a uniform `u` in [0, 1): the curve conditioned on patience > aboveMs, inverted.
   * Null: this caller would never hang up (nobody did that day).
   */
  draw(u: number, aboveMs = 0): number | null {
    const above = Math.max(0, aboveMs);
    const s = (1 - Math.min(Math.max(u, 0), 1 - 1e-12)) * this.survivalAt(above);
    // Inside the observed range: the first abandon time after `above` where the curve reaches s.
    if (s >= this.stepAt(this.lastMs)) {
      for (let k = lowerBound(this.times, above + 1); k < this.times.length; k++) {
        if (this.survival[k] <= s) return this.times[k];
      }
    }
    if (!Number.isFinite(this.tailMeanMs)) return null;
    const from = Math.max(above, this.lastMs);
    const sFrom = this.survivalAt(from);
    if (s <= 0 || sFrom <= 0) return from + 1;
    return Math.max(from + 1, Math.round(from + this.tailMeanMs * Math.log(sFrom / s)));
  }

  summary(): PatienceSummary {
    if (this.abandons === 0) return { observations: this.observations, abandons: 0, meanSeconds: null, medianSeconds: null };
    // Area under the step curve up to the last observation, then the tail's.
    let area = 0;
    let prevT = 0;
    let prevS = 1;
    for (let k = 0; k < this.times.length; k++) {
      area += (this.times[k] - prevT) * prevS;
      prevT = this.times[k];
      prevS = this.survival[k];
    }
    area += (this.lastMs - prevT) * prevS;
    area += prevS * this.tailMeanMs;
    let median: number | null = null;
    for (let k = 0; k < this.times.length; k++) if (this.survival[k] <= 0.5) { median = this.times[k]; break; }
    if (median === null) median = this.lastMs + this.tailMeanMs * Math.log(this.stepAt(this.lastMs) / 0.5);
    return { observations: this.observations, abandons: this.abandons, meanSeconds: area / 1000, medianSeconds: median / 1000 };
  }

  private stepAt(t: number): number {
    const k = lowerBound(this.times, t + 1) - 1;
    return k < 0 ? 1 : this.survival[k];
  }
}

/** First index whose value is ≥ x (times are ascending). */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
