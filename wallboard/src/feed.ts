// The live feed: (ticket →) WebSocket → snapshot/history callbacks, with
// reconnects. Browser objects are injected so the protocol is testable in node.
//
// Protocol (server side: /api/wallboard/ticket and /ws/wallboard):
// - With a token: POST /api/wallboard/ticket, `Authorization: Bearer <token>`,
//   answers {"ticket": "..."} (short-lived, single use); then open
//   ws(s)://<host>/ws/wallboard?ticket=<ticket>. A new ticket for every
//   (re)connect. 401/403 → "access denied" (retried slowly, in case the token
//   is re-enabled, without hammering the server).
// - Without a token: open ws(s)://<host>/ws/wallboard directly.
// - Messages are JSON text: {type:'snapshot',...} / {type:'history',...};
//   anything else is ignored.
// - Close, error, or silence for `silenceMs` → reconnect after backoff.

import type { History, Snapshot } from '../../server/snapshot/types.ts';
import { Backoff } from './backoff.ts';
import { wsUrl } from './params.ts';

export type FeedStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'closed'; retryAt: number }
  | { kind: 'denied'; httpStatus: number; retryAt: number };

export type FeedMessage = { type: 'snapshot'; snapshot: Snapshot } | { type: 'history'; history: History };

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface TicketResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export interface FeedDeps {
  location: { protocol: string; host: string };
  token: string | null;
  fetchTicket: (url: string, init: { method: string; headers: Record<string, string> }) => Promise<TicketResponse>;
  openSocket: (url: string) => SocketLike;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  now: () => number;
  random: () => number;
  onMessage: (msg: FeedMessage) => void;
  onStatus: (status: FeedStatus) => void;
  /** Silence after which the socket is presumed dead and replaced. */
  silenceMs?: number;
  /** Retry period while the token is refused. */
  deniedRetryMs?: number;
}

export const TICKET_PATH = '/api/wallboard/ticket';
const DEFAULT_SILENCE_MS = 15_000;
const DEFAULT_DENIED_RETRY_MS = 60_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** Parse one text frame; null for anything that is not a well-formed snapshot/history. */
export function parseMessage(data: unknown): FeedMessage | null {
  if (typeof data !== 'string') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(raw)) return null;
  if (raw.type === 'snapshot') {
    if (typeof raw.serverTime !== 'number' || !isRecord(raw.center) || !isRecord(raw.serviceLevel) || !isRecord(raw.colours)) {
      return null;
    }
    // Lists default to empty, so one missing field cannot blank the board.
    const snapshot = {
      ...raw,
      queues: arr(raw.queues),
      agents: arr(raw.agents),
      waitingCalls: arr(raw.waitingCalls),
      recentAbandons: arr(raw.recentAbandons),
    } as unknown as Snapshot;
    return { type: 'snapshot', snapshot };
  }
  if (raw.type === 'history') {
    const series = isRecord(raw.series) ? raw.series : {};
    const history = {
      type: 'history',
      intervals: arr(raw.intervals),
      series: { at: arr(series.at), serviceLevel: arr(series.serviceLevel), waiting: arr(series.waiting) },
    } as History;
    return { type: 'history', history };
  }
  return null;
}

export class Feed {
  private readonly backoff: Backoff;
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private watchdog: unknown = null;
  /** Bumped on every attempt; callbacks from older attempts are ignored. */
  private generation = 0;
  private stopped = false;
  private gotMessage = false;

  constructor(private readonly d: FeedDeps) {
    this.backoff = new Backoff(d.random);
  }

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

  private clear(): void {
    if (this.timer != null) this.d.clearTimer(this.timer);
    if (this.watchdog != null) this.d.clearTimer(this.watchdog);
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

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.clear();
    this.closeSocket();
    this.gotMessage = false;
    this.d.onStatus({ kind: 'connecting' });

    let ticket: string | null = null;
    if (this.d.token != null) {
      try {
        const res = await this.d.fetchTicket(TICKET_PATH, {
          method: 'POST',
          headers: { Authorization: `Bearer ${this.d.token}` },
        });
        if (gen !== this.generation) return;
        if (res.status === 401 || res.status === 403) {
          const wait = this.d.deniedRetryMs ?? DEFAULT_DENIED_RETRY_MS;
          this.d.onStatus({ kind: 'denied', httpStatus: res.status, retryAt: this.d.now() + wait });
          this.timer = this.d.setTimer(() => void this.connect(), wait);
          return;
        }
        if (!res.ok) throw new Error(`ticket HTTP ${res.status}`);
        const body = await res.json();
        if (gen !== this.generation) return;
        if (!isRecord(body) || typeof body.ticket !== 'string' || body.ticket === '') throw new Error('no ticket');
        ticket = body.ticket;
      } catch {
        if (gen === this.generation) this.retry();
        return;
      }
    }

    let socket: SocketLike;
    try {
      socket = this.d.openSocket(wsUrl(this.d.location.protocol, this.d.location.host, ticket));
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.armWatchdog(gen);
    socket.onopen = () => {
      if (gen === this.generation) this.d.onStatus({ kind: 'open' });
    };
    socket.onmessage = (ev) => {
      if (gen !== this.generation) return;
      this.armWatchdog(gen);
      const msg = parseMessage(ev.data);
      if (msg == null) return;
      if (!this.gotMessage) {
        // Only a socket that actually delivers counts as healthy: a server
        // that accepts then drops us keeps backing off.
        this.gotMessage = true;
        this.backoff.reset();
      }
      this.d.onMessage(msg);
    };
    socket.onclose = socket.onerror = () => {
      if (gen === this.generation) this.retry();
    };
  }

  private armWatchdog(gen: number): void {
    if (this.watchdog != null) this.d.clearTimer(this.watchdog);
    this.watchdog = this.d.setTimer(() => {
      if (gen === this.generation) this.retry();
    }, this.d.silenceMs ?? DEFAULT_SILENCE_MS);
  }

  private retry(): void {
    if (this.stopped) return;
    this.generation++; // orphan the failed attempt's callbacks
    this.clear();
    this.closeSocket();
    const delay = this.backoff.next();
    this.d.onStatus({ kind: 'closed', retryAt: this.d.now() + delay });
    const gen = this.generation;
    this.timer = this.d.setTimer(() => {
      if (gen === this.generation) void this.connect();
    }, delay);
  }
}
