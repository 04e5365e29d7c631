// Wraps the routing core with a clock: events are logged, then applied, and one
// timer is armed for the core's next deadline (no polling loop).
//
// Group commit: `submit` queues an event; the first submit of an event-loop turn
// schedules a flush (or, while a commit is under way, the flush that follows it), and a
// flush appends everything queued in ONE transaction, then applies it to the core in
// log order, then answers each submit. Webhooks that arrive together cost one commit
// (one WAL append on SQLite, one round trip on PostgreSQL), and none is answered before
// its event is durable.
import type { RoutingCore } from '../routing/core.ts';
import { RoutingError } from '../routing/errors.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import { storeUnavailable, StoreUnavailableError } from './errors.ts';
import { hasSyncLog, type EventLogStore, type LogAppend, type SyncEventLog } from './storage/store.ts';

export type DispatchResult =
  | { ok: true; applied: boolean; decisions: Decision[] }
  | { ok: false; error: RoutingError; decisions: Decision[] };

/** One event at a time, synchronously (tests and tools that build an engine by hand). */
export interface EventStore {
  /** False when the id is already stored: a duplicate. Throws when the store cannot take the write. */
  append(event: DomainEvent, source?: string): boolean;
  has(id: string): boolean;
  /** Takes back an event the core refused. */
  remove(id: string): void;
}

/** The log as the engine writes it: a batch per group commit (server/storage/store.ts; SQLite also synchronously). */
export type EngineLog = Pick<EventLogStore, 'append' | 'remove'> & Partial<SyncEventLog>;

/** A one-event-at-a-time store as a (synchronous) batch log. */
function batchLog(store: EventStore): EngineLog & SyncEventLog {
  const appendSync = (batch: readonly LogAppend[]) => batch.map((a) => store.append(a.event, a.source ?? undefined));
  const removeSync = (ids: readonly string[]) => { for (const id of ids) store.remove(id); };
  return {
    appendSync, removeSync,
    append: async (batch) => appendSync(batch),
    remove: async (ids) => removeSync(ids),
  };
}

interface Submitted {
  event: DomainEvent;
  source: string | null;
  resolve: (r: DispatchResult) => void;
  reject: (err: unknown) => void;
  /** Set once applied: the answer to give. */
  outcome?: { result: DispatchResult } | { error: unknown };
}

export { StoreUnavailableError };

export interface EngineOptions {
  /** Called after every change (dispatch or deadline). */
  onChange?: () => void;
  /** Sees every decision, from dispatch and from deadlines. */
  onDecisions?: (decisions: Decision[]) => void;
  now?: () => number;
  /** Every accepted event is appended here first, one at a time; a refused one leaves no row. */
  store?: EventStore;
  /** The same, a batch per group commit (server/storage/store.ts); takes the place of `store`. */
  log?: EngineLog;
  /**
   * false: one commit per event, as before group commit (the load test's baseline): on a
   * synchronous log `submit` appends and applies at once; on an asynchronous one each
   * commit holds one event. Default true.
   */
  groupCommit?: boolean;
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
  private readonly store: EngineLog | null;
  /** How many times faster than real time `now` runs (1 unless a simulation says otherwise). */
  private timerSpeed = 1;
  /** Submitted events waiting for the next flush, in submission order. */
  private queue: Submitted[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  /** A batch is being committed (an asynchronous store): the next flush waits for it. */
  private committing = false;
  /** Events per commit, for the load test and /metrics (count, events). */
  readonly commits = { count: 0, events: 0 };
  private readonly maxBatch: number;
  /** While a batch is applied: its events still to apply after the one whose listeners run now. */
  private unappliedInBatch = 0;

  constructor(core: RoutingCore, opts: EngineOptions = {}) {
    this.core = core;
    this.now = opts.now ?? Date.now;
    this.store = opts.log ?? (opts.store ? batchLog(opts.store) : null);
    this.maxBatch = opts.groupCommit === false ? 1 : Infinity;
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
   * Logs then applies one event, through the group commit: resolves once the event is
   * committed and applied (or refused by the core, which takes it back out of the log).
   * The append is committed before the core sees the event, so a crash in between
   * replays it at start. When the log cannot take the write (disk full, database
   * locked or unreachable, a lease taken over) nothing is applied and the promise
   * rejects with StoreUnavailableError.
   */
  submit(event: DomainEvent, source?: string): Promise<DispatchResult> {
    if (!this.store || (this.maxBatch === 1 && hasSyncLog(this.store))) {
      try { return Promise.resolve(this.dispatch(event, source)); } catch (err) { return Promise.reject(err); }
    }
    return new Promise<DispatchResult>((resolve, reject) => {
      this.queue.push({ event, source: source ?? null, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * The same, synchronously: only on a synchronous log (SQLite) or none. For the
   * virtual-time simulator and tests that drive the engine by hand; a server's routes
   * and webhooks use `submit`. Anything already submitted is flushed first, so the
   * order of application stays the order of arrival.
   */
  dispatch(event: DomainEvent, source?: string): DispatchResult {
    if (!this.store) {
      const result = this.apply(event);
      if (result.ok && result.applied) for (const fn of this.eventListeners) fn(event);
      this.afterChange(result.decisions);
      return result;
    }
    const log = this.store;
    if (!hasSyncLog(log)) throw new Error('Engine.dispatch needs a synchronous event log (SQLite): use submit()');
    // From a listener, mid-batch: it would be applied before events logged ahead of it.
    if (this.unappliedInBatch > 0) throw new Error('Engine.dispatch from a listener while a batch is applied: use submit()');
    if (this.queue.length) this.flushSync(log);
    let result: DispatchResult | null = null;
    let failure: unknown = null;
    this.commitBatch([{ event, source: source ?? null, resolve: (r) => { result = r; }, reject: (err) => { failure = err; } }], log);
    if (failure !== null) throw failure;
    return result!;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.committing) return;
    this.flushScheduled = setImmediate(() => {
      this.flushScheduled = null;
      void this.flush();
    });
  }

  /** Commits everything queued, then applies it in log order and answers each submit. */
  private async flush(): Promise<void> {
    const log = this.store;
    if (!log || this.committing || !this.queue.length) return;
    if (hasSyncLog(log)) { this.flushSync(log); return; }
    const batch = this.queue.splice(0, this.maxBatch);
    this.committing = true;
    let fresh: boolean[] | null = null;
    try {
      fresh = await log.append(batch.map(({ event, source }) => ({ event, source })));
      this.storeError = null;
    } catch (err) {
      this.refuseBatch(batch, err);
    }
    if (fresh) {
      const refused = this.applyBatch(batch, fresh);
      // Taken back before anyone is answered, as a synchronous dispatch does.
      if (refused.length) await log.remove(refused).catch(() => { /* harmless: a replay refuses it again */ });
      this.answer(batch);
    }
    this.committing = false;
    // What came in during the commit goes now, in one more batch.
    if (this.queue.length) void this.flush();
    else this.arm();
  }

  private flushSync(log: EngineLog & SyncEventLog): void {
    if (this.flushScheduled) { clearImmediate(this.flushScheduled); this.flushScheduled = null; }
    const batch = this.queue;
    this.queue = [];
    if (batch.length) this.commitBatch(batch, log);
  }

  /** One batch on a synchronous log: append, apply, take back, answer, all in this turn. */
  private commitBatch(batch: Submitted[], log: EngineLog & SyncEventLog): void {
    let fresh: boolean[];
    try {
      fresh = log.appendSync(batch.map(({ event, source }) => ({ event, source })));
      this.storeError = null;
    } catch (err) {
      this.refuseBatch(batch, err);
      return;
    }
    const refused = this.applyBatch(batch, fresh);
    if (refused.length) {
      try { log.removeSync(refused); } catch { /* harmless: a replay refuses it again */ }
    }
    this.answer(batch);
  }

  /** The batch could not be made durable: nothing of it is applied. */
  private refuseBatch(batch: Submitted[], err: unknown): void {
    this.storeError = (err as Error)?.message ?? String(err);
    const unavailable = storeUnavailable(err, this.storeError);
    for (const s of batch) s.reject(unavailable);
  }

  /** Applies a committed batch in log order; returns the ids to take back out of the log. */
  private applyBatch(batch: Submitted[], fresh: boolean[]): string[] {
    this.commits.count++;
    this.commits.events += batch.length;
    const refused: string[] = [];
    batch.forEach((s, i) => {
      let result: DispatchResult;
      if (!fresh[i]) {
        // Already logged (a retry or a duplicate callback): applied once, long ago.
        result = { ok: true, applied: false, decisions: this.advanceTo(s.event.at) };
      } else {
        try {
          result = this.apply(s.event);
        } catch (err) {
          // A bug, not a refusal: the event must not stay in the log to fail every replay.
          refused.push(s.event.id);
          s.outcome = { error: err };
          return;
        }
        if (!result.ok) refused.push(s.event.id);
      }
      s.outcome = { result };
      // A listener that throws fails its own submit only: the rest of the batch is committed and must be applied.
      this.unappliedInBatch = batch.length - 1 - i;
      try {
        if (result.ok && result.applied) for (const fn of this.eventListeners) fn(s.event);
        this.afterChange(result.decisions);
      } catch (err) {
        s.outcome = { error: err };
      } finally {
        this.unappliedInBatch = 0;
      }
    });
    return refused;
  }

  private answer(batch: Submitted[]): void {
    for (const s of batch) {
      const outcome = s.outcome!;
      if ('error' in outcome) s.reject(outcome.error);
      else s.resolve(outcome.result);
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

  /**
   * Lets time pass up to now (also used before reads). Not while events are queued or
   * being committed: they were stamped before this moment, and the core must apply them
   * at the clock a replay of the log will have (the flush re-arms the timer after).
   */
  advance(): Decision[] {
    if (this.queue.length || this.committing) return [];
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
