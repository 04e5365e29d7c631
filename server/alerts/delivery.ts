// Carries notices to the webhooks: one POST of JSON per notice and destination,
// retried with backoff when the receiver fails (network error, timeout, 5xx, 408,
// 429) until the delays run out; any other 4xx fails at once (a wrong URL or body
// does not get better by asking again). Retries wait on real timers.
import type { AlertDelivery } from '../contract.ts';

export interface DeliveryTuning {
  /** Wait before each retry; its length bounds the attempts (1 + retries). */
  retryDelaysMs: number[];
  /** One attempt's time limit. */
  timeoutMs: number;
}

export type Post = (url: string, body: unknown, timeoutMs: number) => Promise<{ status: number }>;

/** POST with fetch (Node's undici), JSON body, bounded by a timeout. */
export const httpPost: Post = async (url, body, timeoutMs) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Atende-alerts' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
};

const retryable = (status: number): boolean => status >= 500 || status === 408 || status === 429;

export interface DeliveryEvents {
  /** The delivery's state changed (shown on the supervisor screen). */
  changed(d: AlertDelivery): void;
  delivered(d: AlertDelivery): void;
  failed(d: AlertDelivery): void;
}

export class Courier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly tuning: () => DeliveryTuning, private readonly post: Post, private readonly now: () => number) {}

  /** Sends `body` to `url`, updating `d` in place as attempts go. */
  send(d: AlertDelivery, url: string, body: unknown, events: DeliveryEvents): void {
    const attempt = async (): Promise<void> => {
      if (this.closed) return;
      d.attempts++;
      d.lastAttemptAt = this.now();
      d.nextAttemptAt = null;
      this.inFlight++;
      let error: string | null = null;
      let again = true;
      try {
        const { status } = await this.post(url, body, this.tuning().timeoutMs);
        if (status < 200 || status > 299) { error = `HTTP ${status}`; again = retryable(status); }
      } catch (err) {
        const e = err as Error;
        error = e.name === 'TimeoutError' ? 'timeout' : (e.cause as Error | undefined)?.message ?? e.message;
      } finally {
        this.inFlight--;
      }
      if (this.closed) { this.settle(); return; }
      const delay = this.tuning().retryDelaysMs[d.attempts - 1];
      if (error === null) {
        d.state = 'delivered';
        d.lastError = null;
        events.delivered(d);
      } else if (!again || delay === undefined) {
        d.state = 'failed';
        d.lastError = error;
        events.failed(d);
      } else {
        d.state = 'retrying';
        d.lastError = error;
        d.nextAttemptAt = this.now() + delay;
        const timer = setTimeout(() => { this.timers.delete(timer); void attempt(); }, delay);
        timer.unref();
        this.timers.add(timer);
      }
      events.changed(d);
      this.settle();
    };
    void attempt();
  }

  /** Resolves once nothing is being sent or waiting for a retry. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.settle();
  }

  private settle(): void {
    if (this.inFlight !== 0 || (this.timers.size !== 0 && !this.closed)) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
}
