// Per-scope aggregates: a circular buffer of bucket rows plus three running rows
// (window sums, today, open interval). A fact is added to all four at once, so a
// window read never rescans buckets; only a bucket leaving the window costs a
// subtraction of its row.

import {
  ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN, ANSWER_WAIT_MS, CSAT_RESPONSES, CSAT_SATISFIED,
  DETRACTORS, FCR_RESOLVED, FCR_RESPONSES, FIELDS, HANDLED, HOLD_MS, NPS_RESPONSES, PASSIVES, PROMOTERS,
  SHORT_ABANDONED, TALK_MS, WRAP_MS, ANSWERED_WITHIN_LEGAL, LEGAL_BREACHES,
} from './fields.ts';
import { decodeSparse, encodeSparse, type ScopeSnapshot } from './snapshot.ts';

export class ScopeAgg {
  /** size × FIELDS; bucket b lives in slot b % size. */
  ring: Float64Array;
  readonly win = new Float64Array(FIELDS);
  readonly today = new Float64Array(FIELDS);
  readonly ivl = new Float64Array(FIELDS);
  /**
   * Last bucket written. A slot whose bucket is newer than this was never
   * written and is still zero, which lets eviction and refills skip idle scopes.
   */
  lastBucket = -Infinity;

  constructor(public size: number, public withinMs: number) {
    this.ring = new Float64Array(size * FIELDS);
  }

  private add(base: number, f: number, v: number): void {
    this.ring[base + f] += v;
    this.win[f] += v;
    this.today[f] += v;
    this.ivl[f] += v;
  }

  /** `legalMs`: the legal wait limit of the call's queue (the same verdict in every scope the fact lands in). */
  answered(base: number, bucket: number, waitMs: number, legalMs: number): void {
    this.add(base, ANSWERED, 1);
    this.add(base, ANSWER_WAIT_MS, waitMs);
    if (waitMs <= this.withinMs) this.add(base, ANSWERED_WITHIN, 1);
    this.add(base, waitMs <= legalMs ? ANSWERED_WITHIN_LEGAL : LEGAL_BREACHES, 1);
    this.lastBucket = bucket;
  }

  /** `short` is decided by the core (one center-wide setting). */
  abandoned(base: number, bucket: number, waitMs: number, short: boolean, legalMs: number): void {
    if (short) this.add(base, SHORT_ABANDONED, 1);
    else {
      this.add(base, ABANDONED, 1);
      if (waitMs <= this.withinMs) this.add(base, ABANDONED_WITHIN, 1);
      if (waitMs > legalMs) this.add(base, LEGAL_BREACHES, 1);
    }
    this.lastBucket = bucket;
  }

  handled(base: number, bucket: number, talkMs: number, holdMs: number, wrapMs: number): void {
    this.add(base, HANDLED, 1);
    this.add(base, TALK_MS, talkMs);
    this.add(base, HOLD_MS, holdMs);
    this.add(base, WRAP_MS, wrapMs);
    this.lastBucket = bucket;
  }

  /** `nps` −1 = absent, else 0 detractor / 1 passive / 2 promoter; `csat` −1 absent, 0/1 satisfied. */
  survey(base: number, bucket: number, nps: number, csat: number): void {
    if (nps >= 0) {
      this.add(base, NPS_RESPONSES, 1);
      this.add(base, nps === 2 ? PROMOTERS : nps === 1 ? PASSIVES : DETRACTORS, 1);
    }
    if (csat >= 0) {
      this.add(base, CSAT_RESPONSES, 1);
      if (csat === 1) this.add(base, CSAT_SATISFIED, 1);
    }
    this.lastBucket = bucket;
  }

  /** One callback fact: a column of fields.ts (CALLBACKS_REQUESTED … DROPPED). */
  count(base: number, bucket: number, field: number): void {
    this.add(base, field, 1);
    this.lastBucket = bucket;
  }

  disposition(base: number, bucket: number, resolved: boolean): void {
    this.add(base, FCR_RESPONSES, 1);
    if (resolved) this.add(base, FCR_RESOLVED, 1);
    this.lastBucket = bucket;
  }

  /** Adds to the ring slot and window sums only (agent time is accrued into today/interval separately). */
  addRing(base: number, bucket: number, f: number, v: number): void {
    this.ring[base + f] += v;
    this.win[f] += v;
    this.lastBucket = bucket;
  }

  /**
   * Drops buckets from..to (inclusive, fewer than `size` of them) from the window.
   * Only buckets up to lastBucket can hold anything, so an idle scope costs O(1).
   */
  evictRange(from: number, to: number): void {
    const last = to < this.lastBucket ? to : this.lastBucket;
    if (last < from) return;
    const ring = this.ring;
    const win = this.win;
    const size = this.size;
    const n = FIELDS;
    for (let b = from; b <= last; b++) {
      const base = (b % size) * n;
      for (let f = 0; f < n; f++) {
        const v = ring[base + f];
        if (v !== 0) { win[f] -= v; ring[base + f] = 0; }
      }
    }
  }

  /** Empties the window; `cur` is the current bucket. */
  clearRing(cur: number): void {
    if (this.lastBucket > cur - this.size) {
      this.ring.fill(0);
      this.win.fill(0);
    }
  }

  /** New ring size keeping buckets (cur − min(old,new), cur]; window sums recomputed exactly from them. */
  resize(size: number, cur: number): void {
    const old = this.ring;
    const oldSize = this.size;
    const ring = new Float64Array(size * FIELDS);
    this.win.fill(0);
    const keep = Math.min(size, oldSize);
    for (let b = cur - keep + 1; b <= cur; b++) {
      if (b < 0) continue;
      const from = (b % oldSize) * FIELDS;
      const to = (b % size) * FIELDS;
      for (let f = 0; f < FIELDS; f++) {
        const v = old[from + f];
        ring[to + f] = v;
        this.win[f] += v;
      }
    }
    this.ring = ring;
    this.size = size;
  }

  snapshot(): ScopeSnapshot {
    return {
      ring: encodeSparse(this.ring), win: Array.from(this.win), today: Array.from(this.today), ivl: Array.from(this.ivl),
      lastBucket: this.lastBucket === -Infinity ? null : this.lastBucket,
    };
  }

  /** Takes a snapshot's rows; `size` is the window in buckets of the settings in force. */
  restore(s: ScopeSnapshot, size: number): void {
    if (size !== this.size) {
      this.ring = new Float64Array(size * FIELDS);
      this.size = size;
    }
    decodeSparse(s.ring, this.ring);
    this.win.set(s.win);
    this.today.set(s.today);
    this.ivl.set(s.ivl);
    this.lastBucket = s.lastBucket ?? -Infinity;
  }
}
