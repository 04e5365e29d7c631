// The Redis connections of the leader's publisher and of an edge, with the same
// manners: never queue a command while disconnected (a frame held for later is
// held by its owner, latest per topic, not by the driver in an unbounded queue),
// never wait long for an answer, reconnect forever about once a second, and say
// "down" once and "up" once instead of an error per attempt.
//
// ioredis: the maintained Node client with pub/sub, MULTI, GETDEL, reconnects with
// a strategy and typed commands; node-redis would do too, ioredis's reconnect and
// offline-queue switches are the ones this needs.
import { Redis } from 'ioredis';

export interface RedisLinkOptions {
  /** Shown in Redis's CLIENT LIST, e.g. `atende-edge-sub`. */
  name: string;
  /** The link is up (connected, and subscribed when it subscribes). Called once per outage. */
  onUp?: () => void;
  /** The link went down: called once per outage, with why. */
  onDown?: (reason: string) => void;
  /** No answer after this long fails the command (default 2000 ms). */
  commandTimeoutMs?: number;
}

/** Reconnect delay: 100 ms, 200 ms, … then every second. */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 1000);

export class RedisLink {
  readonly client: Redis;
  private up = false;
  private downSaid = false;
  private closed = false;

  constructor(url: string, private readonly o: RedisLinkOptions) {
    this.client = new Redis(url, {
      connectionName: o.name,
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: o.commandTimeoutMs ?? 2000,
      retryStrategy: (attempt) => (this.closed ? null : reconnectDelay(attempt)),
    });
    this.client.on('ready', () => {
      this.up = true;
      this.downSaid = false;
      o.onUp?.();
    });
    this.client.on('error', (err: Error) => this.down(err.message));
    this.client.on('close', () => this.down('connection closed'));
  }

  /** Connected and ready for commands. */
  get isUp(): boolean { return this.up && this.client.status === 'ready'; }

  /** Resolves true once up (at once if it is), false after `timeoutMs` without. */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (up: boolean) => { clearTimeout(timer); this.client.off('ready', onReady); resolve(up); };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(this.isUp), timeoutMs);
      timer.unref();
      this.client.on('ready', onReady);
    });
  }

  /** Starts connecting; never rejects (a Redis that is down is retried in the background). */
  start(): void {
    this.client.connect().catch(() => { /* retried by retryStrategy; onDown said it */ });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.up = false;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private down(reason: string): void {
    this.up = false;
    if (this.closed || this.downSaid) return;
    this.downSaid = true;
    this.o.onDown?.(reason);
  }
}
