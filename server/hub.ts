// The wallboard's topic on the fan-out (fanout.ts): a snapshot and the history on
// connect, then snapshots coalesced to at most two a second, a fresh snapshot as the
// heartbeat, and the history again whenever an interval closes.
import type { WebSocket } from 'ws';
import { Fanout, type FanoutOptions, type Topic } from './fanout.ts';

export interface HubOptions extends FanoutOptions {
  snapshot: () => unknown;
  history: () => unknown;
  /** At most one snapshot per this many ms (default 500). */
  minIntervalMs?: number;
}

export class WallboardHub {
  private readonly topic: Topic;
  /** Set when the hub made its own fan-out (standalone): closing the hub closes it. */
  private readonly ownFanout: Fanout | null;

  /** On `fanout` (shared with the agent consoles, its tuning wins), or on a fan-out of its own built from `opts`. */
  constructor(private readonly o: HubOptions, fanout?: Fanout) {
    this.ownFanout = fanout ? null : new Fanout(o);
    this.topic = (fanout ?? this.ownFanout!).topic({
      welcome: () => [o.snapshot(), o.history()],
      frame: o.snapshot,
      minIntervalMs: o.minIntervalMs ?? 500,
    });
  }

  /** Wallboards connected. */
  get size(): number { return this.topic.size; }

  add(ws: WebSocket): void { this.topic.add(ws); }

  /** Something changed: send a snapshot soon, at most one per minIntervalMs. */
  changed(): void { this.topic.changed(); }

  /** Sends a history message to everyone (e.g. when an interval closes). */
  historyChanged(): void { this.topic.send(this.o.history()); }

  /** A snapshot to everyone now. */
  broadcast(): void { this.topic.publish(); }

  close(code = 1001, reason = 'server shutting down'): void {
    if (this.ownFanout) this.ownFanout.close(code, reason);
    else this.topic.close(code, reason);
  }
}
