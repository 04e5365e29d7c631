// Wraps the routing core with a clock: events are applied as they come, and one
// timer is armed for the core's next deadline (no polling loop).
import type { RoutingCore } from '../routing/core.ts';
import { RoutingError } from '../routing/errors.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';

export type DispatchResult =
  | { ok: true; applied: boolean; decisions: Decision[] }
  | { ok: false; error: RoutingError; decisions: Decision[] };

export interface EngineOptions {
  /** Called after every change (dispatch or deadline). */
  onChange?: () => void;
  /** Sees every decision, from dispatch and from deadlines. */
  onDecisions?: (decisions: Decision[]) => void;
  now?: () => number;
}

export class Engine {
  readonly core: RoutingCore;
  private timer: NodeJS.Timeout | null = null;
  private armedFor: number | null = null;
  private stopped = false;
  private readonly listeners = new Set<(d: Decision[]) => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(core: RoutingCore, opts: EngineOptions = {}) {
    this.core = core;
    this.now = opts.now ?? Date.now;
    if (opts.onChange) this.changeListeners.add(opts.onChange);
    if (opts.onDecisions) this.listeners.add(opts.onDecisions);
    this.arm();
  }

  onDecisions(fn: (d: Decision[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  dispatch(event: DomainEvent): DispatchResult {
    let result: DispatchResult;
    try {
      const out = this.core.apply(event);
      result = { ok: true, applied: out.applied, decisions: out.decisions };
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      const advanced = (err as RoutingError & { advanced?: Decision[] }).advanced ?? [];
      result = { ok: false, error: err, decisions: advanced };
    }
    this.afterChange(result.decisions);
    return result;
  }

  /** Lets time pass up to now (also used before reads). */
  advance(): Decision[] {
    const now = this.now();
    if (now < this.core.now) return [];
    const out = this.core.advance(now);
    this.afterChange(out.decisions);
    return out.decisions;
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
    const delay = Math.max(0, Math.min(due - this.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = null;
      this.advance();
    }, delay);
    this.timer.unref();
  }
}
