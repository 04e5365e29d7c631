// Reconnect delays: exponential from 0.5 s, doubling, capped at 15 s, with
// ±30 % jitter so a room full of TVs does not reconnect in lockstep after a
// server restart. `random` is injectable for tests.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0.3 = ±30 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 15_000, jitter: 0.3 };

/** Delay before reconnect attempt number `attempt` (0 = first retry). Never above `maxMs`. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2 ** n overflows to Infinity long after the cap; min() keeps it finite.
  const nominal = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n, 30));
  const r = Math.min(1, Math.max(0, random()));
  const jittered = nominal * (1 + opts.jitter * (2 * r - 1));
  return Math.round(Math.min(opts.maxMs, Math.max(0, jittered)));
}

/** Attempt counter: `next()` gives the next delay, `reset()` after the feed proved healthy. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  next(): number {
    return backoffDelay(this.attempt++, this.random, this.opts);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
