// The one fan-out behind every live socket Atende serves: the TV wallboards and the
// agent consoles. A socket joins a topic (the wallboard is one topic, each agent
// another); a topic's frame is built and serialised once and the very same string
// goes to each of its sockets. Every topic gets the same care: coalesced updates, a
// heartbeat re-armed by each frame, slow readers skipped (they catch up with the
// newest frame, never a backlog) and closed when stuck, silent peers pinged out.
// A topic can also be fed frames serialised elsewhere (an edge relays its leader's,
// server/edge/): they go out as they are, with the same care.
import type { WebSocket } from 'ws';

/** A message already serialised (a frame relayed from another process): sent as is, never re-encoded. */
export class Serialised {
  constructor(readonly json: string) {}
}

const encode = (message: unknown): string => (message instanceof Serialised ? message.json : JSON.stringify(message));

export interface FanoutOptions {
  /** A topic that sent no frame for this long sends its heartbeat (a page goes stale after 5 s). */
  heartbeatMs?: number;
  /** Every socket is pinged this often; one that missed the previous pong is terminated. */
  pingMs?: number;
  /** A socket with more than this still unsent is skipped... */
  maxBufferedBytes?: number;
  /** ...and terminated once it has been skipped for longer than this. */
  stuckCloseMs?: number;
}

export interface TopicOptions {
  /** What a socket is sent on joining, one frame each (only to that socket). */
  welcome: () => unknown[];
  /** The topic's frame as of now; null when there is nothing new to say. */
  frame: () => unknown;
  /**
   * Sent after heartbeatMs without a frame; by default a fresh frame(). Null or undefined
   * sends nothing: a topic fed from elsewhere relays its source's heartbeats, and falls
   * silent (so the screens say stale) when its source does.
   */
  heartbeat?: () => unknown;
  /** At most one frame per this many ms; changes in between leave in one trailing frame. */
  minIntervalMs?: number;
  /** This topic's bound instead of the fan-out's. */
  maxBufferedBytes?: number;
  /** The last socket left. */
  onEmpty?: () => void;
}

const DEFAULTS: Required<FanoutOptions> = {
  heartbeatMs: 2000, pingMs: 15_000, maxBufferedBytes: 1024 * 1024, stuckCloseMs: 30_000,
};
const OPEN = 1;

interface Subscriber {
  ws: WebSocket;
  /** Answered the last ping. */
  alive: boolean;
  /** When it was first skipped for a full buffer, null while it keeps up. */
  stuckSince: number | null;
  leave: () => void;
}

export class Fanout {
  readonly options: Required<FanoutOptions>;
  private readonly topics = new Set<Topic>();
  /** Every socket of every topic, for the pings. */
  private readonly subscribers = new Set<Subscriber>();
  private readonly pinger: NodeJS.Timeout;
  private closed = false;

  constructor(opts: FanoutOptions = {}) {
    // Field by field: `{ heartbeatMs: undefined }` keeps the default, and nothing else gets in.
    this.options = {
      heartbeatMs: opts.heartbeatMs ?? DEFAULTS.heartbeatMs,
      pingMs: opts.pingMs ?? DEFAULTS.pingMs,
      maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      stuckCloseMs: opts.stuckCloseMs ?? DEFAULTS.stuckCloseMs,
    };
    this.pinger = setInterval(() => this.pingAll(), this.options.pingMs);
    this.pinger.unref();
  }

  get isClosed(): boolean { return this.closed; }

  /** A new topic; it lives until close() (its own, or the fan-out's). */
  topic(opts: TopicOptions): Topic {
    const t: Topic = new Topic(opts, this.options, {
      joined: (s) => this.subscribers.add(s),
      left: (s) => this.subscribers.delete(s),
      closed: (): boolean => this.closed || !this.topics.has(t),
      disposed: () => this.topics.delete(t),
    });
    this.topics.add(t);
    return t;
  }

  /** Something every topic shows changed (the settings in force): each sends a frame soon. */
  changedAll(): void {
    for (const t of this.topics) t.changed();
  }

  /** Closes every socket of every topic with this code; newcomers are turned away. */
  close(code = 1001, reason = 'server shutting down'): void {
    this.closed = true;
    clearInterval(this.pinger);
    for (const t of [...this.topics]) t.close(code, reason);
  }

  private pingAll(): void {
    for (const s of this.subscribers) {
      if (!s.alive) { s.ws.terminate(); s.leave(); continue; }
      s.alive = false;
      try { s.ws.ping(); } catch { /* closed meanwhile */ }
    }
  }
}

/** What a topic needs of the fan-out it belongs to. */
interface Host {
  joined(s: Subscriber): void;
  left(s: Subscriber): void;
  closed(): boolean;
  disposed(): void;
}

export class Topic {
  private readonly subscribers = new Set<Subscriber>();
  private readonly minIntervalMs: number;
  private readonly maxBufferedBytes: number;
  private lastSent = 0;
  private pending: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly t: TopicOptions, private readonly o: Required<FanoutOptions>, private readonly host: Host) {
    this.minIntervalMs = t.minIntervalMs ?? 0;
    this.maxBufferedBytes = t.maxBufferedBytes ?? o.maxBufferedBytes;
    // Re-armed by every frame (refresh), so a quiet topic gets one heartbeatMs
    // after its last frame, not on a fixed grid (up to 2x later).
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number { return this.subscribers.size; }

  add(ws: WebSocket): void {
    if (this.host.closed()) { ws.close(1001, 'server shutting down'); return; }
    const s: Subscriber = { ws, alive: true, stuckSince: null, leave: () => this.remove(s) };
    this.subscribers.add(s);
    this.host.joined(s);
    ws.on('pong', () => { s.alive = true; });
    ws.on('close', s.leave);
    ws.on('error', s.leave);
    for (const f of this.t.welcome()) ws.send(encode(f));
  }

  /** Something changed: a frame soon, at most one per minIntervalMs. */
  changed(): void {
    if (this.host.closed() || this.pending || this.subscribers.size === 0) return;
    const wait = this.lastSent + this.minIntervalMs - Date.now();
    if (wait <= 0) { this.publish(); return; }
    this.pending = setTimeout(() => { this.pending = null; this.publish(); }, wait);
    this.pending.unref();
  }

  /** Builds the frame now and sends it to every socket (it counts as the heartbeat). */
  publish(): void {
    if (this.host.closed() || this.subscribers.size === 0) return;
    const frame = this.t.frame();
    if (frame === null || frame === undefined) return;
    this.lastSent = Date.now();
    this.heartbeat.refresh();
    this.deliver(encode(frame));
  }

  /**
   * A frame that was built and serialised elsewhere (an edge feeding its leader's frames
   * through): sent as is to every socket, now, and it counts as the heartbeat.
   */
  feed(json: string): void {
    if (this.host.closed() || this.subscribers.size === 0) return;
    this.lastSent = Date.now();
    this.heartbeat.refresh();
    // Encoded to UTF-8 once here, not once per socket: an edge sends each frame to
    // thousands of screens (docs/performance.md, "Edges").
    this.deliver(Buffer.from(json, 'utf8'));
  }

  /** Sends one more message to every socket, serialised once (not the topic's frame). */
  send(message: unknown): void {
    if (this.host.closed() || this.subscribers.size === 0) return;
    this.deliver(encode(message));
  }

  /** Closes this topic's sockets; newcomers are turned away. */
  close(code = 1001, reason = 'server shutting down'): void {
    if (this.pending) clearTimeout(this.pending);
    clearInterval(this.heartbeat);
    this.host.disposed();
    const all = [...this.subscribers];
    this.subscribers.clear();
    for (const s of all) {
      this.host.left(s);
      try { s.ws.close(code, reason); } catch { /* already gone */ }
    }
  }

  private beat(): void {
    if (!this.t.heartbeat) { this.publish(); return; }
    if (this.host.closed() || this.subscribers.size === 0) return;
    const beat = this.t.heartbeat();
    if (beat === null || beat === undefined) return;
    this.deliver(encode(beat));
  }

  /** A socket too far behind is skipped (it gets the newest frame once it drains), then dropped. */
  private deliver(payload: string | Buffer): void {
    const now = Date.now();
    for (const s of this.subscribers) {
      if (s.ws.readyState !== OPEN) continue;
      if (s.ws.bufferedAmount > this.maxBufferedBytes) {
        s.stuckSince ??= now;
        if (now - s.stuckSince > this.o.stuckCloseMs) { s.ws.terminate(); this.remove(s); }
        continue;
      }
      s.stuckSince = null;
      if (typeof payload === 'string') s.ws.send(payload);
      else s.ws.send(payload, { binary: false });
    }
  }

  private remove(s: Subscriber): void {
    if (!this.subscribers.delete(s)) return;
    this.host.left(s);
    if (this.subscribers.size === 0) this.t.onEmpty?.();
  }
}

