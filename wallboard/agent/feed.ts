// The live feed of one agent: ticket → WebSocket → frames, with reconnects.
// Browser objects are injected so the protocol is testable in node. Same
// shape as the wallboard feed (../src/feed.ts), reusing its backoff.
//
// Protocol (server side: server/agents/console.ts):
// - POST /api/agent/ticket (Bearer token) → {ticket, expiresInSeconds, agent};
//   a fresh single-use ticket for every (re)connection.
// - ws(s)://<host>/ws/agent?ticket=<ticket> → {type:'agent', …AgentConsoleView}
//   on connect and on change, {type:'heartbeat', serverTime} every 2 s.
// - 401/403 on the ticket → `onDenied` and the feed stops (the page goes back
//   to sign-in). Close, error, or silence for `silenceMs` → reconnect after
//   backoff (0.5 s doubling to 15 s, ±30 % jitter).

import type { AgentConsoleView } from '../../server/agents/console.ts';
import { Backoff } from '../src/backoff.ts';
import type { SocketLike } from '../src/feed.ts';
import type { Result, Ticket } from './api.ts';
import { agentWsUrl } from './params.ts';

export type { SocketLike };

export type AgentFrame = { type: 'agent'; view: AgentConsoleView } | { type: 'heartbeat'; serverTime: number };

export type AgentFeedStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'closed'; retryAt: number };

export interface AgentFeedDeps {
  location: { protocol: string; host: string };
  ticket: () => Promise<Result<Ticket>>;
  openSocket: (url: string) => SocketLike;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  now: () => number;
  random: () => number;
  onFrame: (frame: AgentFrame) => void;
  onStatus: (status: AgentFeedStatus) => void;
  onDenied: (status: number, message: string) => void;
  /** Silence after which the socket is presumed dead and replaced. */
  silenceMs?: number;
}

const DEFAULT_SILENCE_MS = 10_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse one text frame; null for anything that is not a well-formed agent view or heartbeat. */
export function parseAgentFrame(data: unknown): AgentFrame | null {
  if (typeof data !== 'string') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(raw) || typeof raw.serverTime !== 'number') return null;
  if (raw.type === 'heartbeat') return { type: 'heartbeat', serverTime: raw.serverTime };
  if (raw.type !== 'agent' || !isRecord(raw.agent) || typeof raw.agent.id !== 'string' || typeof raw.agent.state !== 'string') return null;
  const view = {
    ...raw,
    call: isRecord(raw.call) ? raw.call : null,
    pauseReasons: Array.isArray(raw.pauseReasons) ? raw.pauseReasons.filter((r) => typeof r === 'string') : [],
    escalateTo: Array.isArray(raw.escalateTo) ? raw.escalateTo.filter((l) => Number.isInteger(l)) : [],
  } as unknown as AgentConsoleView;
  return { type: 'agent', view };
}

export class AgentFeed {
  private readonly backoff: Backoff;
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private watchdog: unknown = null;
  /** Bumped on every attempt; callbacks from older attempts are ignored. */
  private generation = 0;
  private stopped = true;
  private gotFrame = false;

  constructor(private readonly d: AgentFeedDeps) {
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

  get running(): boolean {
    return !this.stopped;
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
    this.gotFrame = false;
    this.d.onStatus({ kind: 'connecting' });

    const r = await this.d.ticket();
    if (gen !== this.generation) return;
    if (!r.ok) {
      if (r.status === 401 || r.status === 403) {
        this.stop();
        this.d.onDenied(r.status, r.message);
      } else {
        this.retry();
      }
      return;
    }
    if (!isRecord(r.body) || typeof r.body.ticket !== 'string' || r.body.ticket === '') {
      this.retry();
      return;
    }

    let socket: SocketLike;
    try {
      socket = this.d.openSocket(agentWsUrl(this.d.location.protocol, this.d.location.host, r.body.ticket));
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
      const frame = parseAgentFrame(ev.data);
      if (frame == null) return;
      if (!this.gotFrame) {
        // Only a socket that actually delivers counts as healthy.
        this.gotFrame = true;
        this.backoff.reset();
      }
      this.d.onFrame(frame);
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
