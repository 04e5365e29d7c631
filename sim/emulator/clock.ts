// The emulator's clock: emulated time runs `speed` times faster than real time, and
// every wait of the emulator (speech, ringing, talk, patience), of a live runner and
// of an Atende in the same process is measured on it. A clock given a start time
// stays there until started (the emulated day begins when its runner says so, not
// while the servers are still being set up).
//
// Faster than real time, the time this process could not run does not count: when a
// 5 ms tick comes late (the event loop was busy, or the machine gave the process no
// CPU), the delay is left out of emulated time. At ×200 a 40 ms stall would otherwise
// be 8 emulated seconds in which nobody could act (no webhook answered, no agent
// leg picked up), and callers would wait and give up for the machine's sake. The
// clock never goes backwards: a stall found late holds it still until it is made up.
export type ClockTimer = { cancel(): void };

/** Ticks this far apart (real ms) measure the stalls; a tick later than STALL_SLACK_MS counts the excess. */
const TICK_MS = 5;
const STALL_SLACK_MS = 2;

export class EmulatedClock {
  /** performance.now() when the clock started; null while it waits at `origin`. */
  private startedAt: number | null = null;
  /** Real ms left out of emulated time (stalls). */
  private stalledMs = 0;
  private last: number;
  private ticker: NodeJS.Timeout | null = null;

  constructor(readonly speed: number, private readonly origin: number, running: boolean) {
    this.last = origin;
    if (running) this.start();
  }

  /** Emulated epoch milliseconds (whole: event times are integers), never decreasing. */
  now(): number {
    if (this.startedAt === null) return this.origin;
    const t = Math.floor(this.origin + (performance.now() - this.startedAt - this.stalledMs) * this.speed);
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Starts emulated time; no-op once running. */
  start(): void {
    if (this.startedAt !== null) return;
    this.startedAt = performance.now();
    // At real time the emulated time is the real time: nothing is left out.
    if (this.speed <= 1) return;
    let prev = this.startedAt;
    this.ticker = setInterval(() => {
      const t = performance.now();
      const late = t - prev - TICK_MS;
      if (late > STALL_SLACK_MS) this.stalledMs += late;
      prev = t;
    }, TICK_MS);
    this.ticker.unref();
  }

  /** Calls `fn` once `ms` of emulated time have passed (a timer that fires early in emulated time waits again). */
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const due = this.now() + Math.max(0, ms);
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(() => {
        const rest = due - this.now();
        if (rest > 0 && this.startedAt !== null) arm(rest);
        else fn();
      }, left / this.speed);
    };
    arm(due - this.now());
    return { cancel: () => clearTimeout(timer) };
  }

  /** Resolves after `ms` of emulated time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.setTimeout(resolve, ms); });
  }

  /** Stops measuring stalls (the clock still reads). */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }
}
