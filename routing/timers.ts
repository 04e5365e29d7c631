// Deadlines the core owes itself (wrap-up ending, an unanswered offer, aging,
// level widening). The core has no timers: the owner asks `next()` and feeds the
// clock back, so one wall-clock timer (or a simulator's event queue) drives them all.
import { Heap } from './heap.ts';

export type DeadlineKind =
  | 'wrap-end' | 'offer-expire' | 'aging' | 'widen' | 'unblock' | 'exclusion-end'
  /** A callback waiting for its retry (or its queue's opening) takes its place again. */
  | 'callback-retry'
  /** A supervisor's closure with `until` ends. */
  | 'queue-reopen';

export interface Deadline { at: number; seq: number; kind: DeadlineKind; ref: string; version: number }

export class Deadlines {
  private readonly heap = new Heap<Deadline>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  private seq = 0;

  add(at: number, kind: DeadlineKind, ref: string, version: number): void {
    this.heap.push({ at, seq: this.seq++, kind, ref, version });
  }

  /** Pops the next deadline due at or before `now`, or undefined. Stale ones are the caller's to skip. */
  popDue(now: number): Deadline | undefined {
    const top = this.heap.peek();
    if (!top || top.at > now) return undefined;
    return this.heap.pop();
  }

  peek(): Deadline | undefined {
    return this.heap.peek();
  }

  get size(): number { return this.heap.size; }

  /**
   * Every pending deadline, for a snapshot. Stale ones are included: they still move the
   * clock when they pop, and `nextDeadline()` still reports them.
   */
  pending(): Deadline[] { return this.heap.toArray(); }

  get nextSeq(): number { return this.seq; }

  /** Refills from `pending()`; (at, seq) is a total order, so pop order is the same whatever the heap's layout. */
  restore(pending: readonly Deadline[], nextSeq: number): void {
    for (const d of pending) this.heap.push({ at: d.at, seq: d.seq, kind: d.kind, ref: d.ref, version: d.version });
    this.seq = nextSeq;
  }
}
