// Wraps the routing core with a clock: events are applied as they come, and one
// timer is armed for the core's next deadline (no polling loop).
import type { RoutingCore } from '../routing/core.ts';
import { RoutingError } from '../routing/errors.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import { StoreUnavailableError } from './errors.ts';

export type DispatchResult =
  | { ok: true; applied: boolean; decisions: Decision[] }
  | { ok: false; error: RoutingError; decisions: Decision[] };

/** Where accepted events are written before they count (the SQLite event log). */
export interface EventStore {
  /** False when the id is already stored: a duplicate. Throws when the store cannot take the write. */
  append(event: DomainEvent, source?: string): boolean;
  has(id: string): boolean;
  /** Takes back an event the core refused. */
  remove(id: string): void;
}

export { StoreUnavailableError };

export interface EngineOptions {
  /** Called after every change (dispatch or deadline). */
  onChange?: () => void;
  /** Sees every decision, from dispatch and from deadlines. */
  onDecisions?: (decisions: Decision[]) => void;
  now?: () => number;
  /** Every accepted event is appended here first; a refused one leaves no row. */
  store?: EventStore;
}

export class Engine {
  readonly core: RoutingCore;
  private timer: NodeJS.Timeout | null = null;
  private armedFor: number | null = null;
  private stopped = false;
  private readonly listeners = new Set<(d: Decision[]) => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(e: DomainEvent) => void>();
  readonly now: () => number;
  /** Why the last append failed, until one succeeds again (readiness reads it). */
  storeError: string | null = null;
  private readonly store: EventStore | null;
  /** How many times faster than real time `now` runs (1 unless a simulation says otherwise). */
  private timerSpeed = 1;

  constructor(core: RoutingCore, opts: EngineOptions = {}) {
    this.core = core;
    this.now = opts.now ?? Date.now;
    this.store = opts.store ?? null;
    if (opts.onChange) this.changeListeners.add(opts.onChange);
    if (opts.onDecisions) this.listeners.add(opts.onDecisions);
    this.arm();
  }

  onDecisions(fn: (d: Decision[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Sees every event the core accepted live (not replayed ones). */
  onEvent(fn: (e: DomainEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /**
   * Logs then applies one event. The append is committed before the core sees the
   * event, so a crash in between replays it at start; an event the core refuses is
   * taken back out of the log. When the log cannot take the write (disk full,
   * database locked) nothing is applied and StoreUnavailableError is thrown.
   */
  dispatch(event: DomainEvent, source?: string): DispatchResult {
    let result: DispatchResult;
    if (!this.store) {
      result = this.apply(event);
    } else {
      let fresh: boolean;
      try {
        fresh = this.store.append(event, source);
        this.storeError = null;
      } catch (err) {
        this.storeError = (err as Error)?.message ?? String(err);
        // The event could not be made durable: nothing was applied.
        throw new (StoreUnavailableError as unknown as new (m: string, o: { cause: unknown }) => Error)(this.storeError, { cause: err });
      }
      if (!fresh) {
        // Already logged (a retry or a duplicate callback): applied once, long ago.
        result = { ok: true, applied: false, decisions: this.advanceTo(event.at) };
      } else {
        try {
          result = this.apply(event);
        } catch (err) {
          // A bug, not a refusal: the event must not stay in the log to fail every replay.
          this.takeBack(event.id);
          throw err;
        }
        if (!result.ok) this.takeBack(event.id);
      }
    }
    if (result.ok && result.applied) for (const fn of this.eventListeners) fn(event);
    this.afterChange(result.decisions);
    return result;
  }

  private takeBack(id: string): void {
    try {
      this.store!.remove(id);
    } catch {
      // Harmless if it stays: a replay refuses it again, exactly as the live core did.
    }
  }

  /** Applies logged events at start-up: no store, no listeners, no timers. */
  replay(events: Iterable<DomainEvent>, onEvent?: (e: DomainEvent) => void): { applied: number; refused: number } {
    let applied = 0, refused = 0;
    for (const e of events) {
      let r: DispatchResult;
      try {
        r = this.apply(e);
      } catch {
        // One bad logged event must not keep the center from starting.
        refused++;
        continue;
      }
      if (r.ok) applied++; else refused++;
      onEvent?.(e);
    }
    this.arm();
    return { applied, refused };
  }

  private apply(event: DomainEvent): DispatchResult {
    try {
      const out = this.core.apply(event);
      return { ok: true, applied: out.applied, decisions: out.decisions };
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      const advanced = (err as RoutingError & { advanced?: Decision[] }).advanced ?? [];
      return { ok: false, error: err, decisions: advanced };
    }
  }

  private advanceTo(at: number): Decision[] {
    if (at < this.core.now) return [];
    return this.core.advance(at).decisions;
  }

  /** Lets time pass up to now (also used before reads). */
  advance(): Decision[] {
    const now = this.now();
    if (now < this.core.now) return [];
    const out = this.core.advance(now);
    this.afterChange(out.decisions);
    return out.decisions;
  }

  /**
   * For a simulation whose clock (`now`) runs `speed` times faster than real time:
   * the deadline timer waits (due − now) ÷ speed real ms, so at ×1000 a 15 s offer
   * timeout fires after 15 ms, when the simulation's clock says 15 s have passed.
   */
  setTimerSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`timer speed must be a finite number > 0, got ${speed}`);
    this.timerSpeed = speed;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = null;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private afterChange(decisions: Decision[]): void {
    this.arm();
    if (decisions.length) for (const fn of this.listeners) fn(decisions);
    for (const fn of this.changeListeners) fn();
  }

  private arm(): void {
    if (this.stopped) return;
    const due = this.core.nextDeadline();
    if (due === null) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.armedFor = null;
      return;
    }
    if (this.timer && this.armedFor === due) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    const delay = Math.max(0, Math.min((due - this.now()) / this.timerSpeed, 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = null;
      this.advance();
    }, delay);
    this.timer.unref();
  }
}
