// What the wallboard feed and the agent console feed share: a WebSocket that is
// replaced on close, error or silence, after a jittered backoff; callbacks from
// an older attempt are ignored. A subclass says where to connect and how frames parse.

import { Backoff } from './backoff.ts';

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

/** Adapts a browser WebSocket to the minimal socket shape the feeds use. */
export function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const s: SocketLike = { onopen: null, onmessage: null, onclose: null, onerror: null, close: () => ws.close() };
  ws.onopen = (e) => s.onopen?.(e);
  ws.onmessage = (e) => s.onmessage?.(e);
  ws.onclose = (e) => s.onclose?.(e);
  ws.onerror = (e) => s.onerror?.(e);
  return s;
}

export type LinkStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'closed'; retryAt: number };

export interface LinkDeps<M, S> {
  openSocket: (url: string) => SocketLike;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  now: () => number;
  random: () => number;
  onStatus: (status: S) => void;
  /** Silence after which the socket is presumed dead and replaced. */
  silenceMs?: number;
  parse: (data: unknown) => M | null;
  onMessage: (msg: M) => void;
}

export abstract class ReconnectingSocket<M, S extends { kind: string } = LinkStatus> {
  private readonly backoff: Backoff;
  private socket: SocketLike | null = null;
  protected timer: unknown = null;
  private watchdog: unknown = null;
  /** Bumped on every attempt; callbacks from older attempts are ignored. */
  protected generation = 0;
  protected stopped = true;
  private delivered = false;

  constructor(private readonly link: LinkDeps<M, S | LinkStatus>, private readonly defaultSilenceMs: number) {
    this.backoff = new Backoff(link.random);
  }

  /**
   * Where this attempt connects. Null when the subclass has dealt with the attempt
   * itself (refused, rescheduled); throwing means "retry after backoff".
   */
  protected abstract socketUrl(gen: number): Promise<string | null>;

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.clear();
    this.closeSocket();
  }

  get running(): boolean {
    return !this.stopped;
  }

  private clear(): void {
    if (this.timer != null) this.link.clearTimer(this.timer);
    if (this.watchdog != null) this.link.clearTimer(this.watchdog);
    this.timer = null;
    this.watchdog = null;
  }

  private closeSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
  }

  protected async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.clear();
    this.closeSocket();
    this.delivered = false;
    this.link.onStatus({ kind: 'connecting' });

    let url: string | null;
    try {
      url = await this.socketUrl(gen);
    } catch {
      if (gen === this.generation) this.retry();
      return;
    }
    if (gen !== this.generation || url === null) return;

    let socket: SocketLike;
    try {
      socket = this.link.openSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.armWatchdog(gen);
    socket.onopen = () => {
      if (gen === this.generation) this.link.onStatus({ kind: 'open' });
    };
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return;
      this.armWatchdog(gen);
      const msg = this.link.parse(ev.data);
      if (msg == null) return;
      if (!this.delivered) {
        // Only a socket that actually delivers counts as healthy: a server
        // that accepts then drops us keeps backing off.
        this.delivered = true;
        this.backoff.reset();
      }
      this.link.onMessage(msg);
    };
    socket.onclose = socket.onerror = () => {
      if (gen === this.generation) this.retry();
    };
  }

  private armWatchdog(gen: number): void {
    if (this.watchdog != null) this.link.clearTimer(this.watchdog);
    this.watchdog = this.link.setTimer(() => {
      if (gen === this.generation) this.retry();
    }, this.link.silenceMs ?? this.defaultSilenceMs);
  }

  protected retry(): void {
    if (this.stopped) return;
    this.generation++; // orphan the failed attempt's callbacks
    this.clear();
    this.closeSocket();
    const delay = this.backoff.next();
    this.link.onStatus({ kind: 'closed', retryAt: this.link.now() + delay });
    const gen = this.generation;
    this.timer = this.link.setTimer(() => {
      if (gen === this.generation) void this.connect();
    }, delay);
  }
}
