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

import type { History, Snapshot } from '../../server/contract.ts';
import { wsUrl } from './params.ts';
import { ReconnectingSocket, type LinkDeps, type SocketLike } from './reconnecting.ts';

export type FeedStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'closed'; retryAt: number }
  | { kind: 'denied'; httpStatus: number; retryAt: number };

export type FeedMessage = { type: 'snapshot'; snapshot: Snapshot } | { type: 'history'; history: History };

export type { SocketLike };

export interface TicketResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export interface FeedDeps extends Omit<LinkDeps<FeedMessage, FeedStatus>, 'parse'> {
  location: { protocol: string; host: string };
  token: string | null;
  fetchTicket: (url: string, init: { method: string; headers: Record<string, string> }) => Promise<TicketResponse>;
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

export class Feed extends ReconnectingSocket<FeedMessage, FeedStatus> {
  constructor(private readonly d: FeedDeps) {
    super({ ...d, parse: parseMessage }, DEFAULT_SILENCE_MS);
  }

  protected async socketUrl(gen: number): Promise<string | null> {
    if (this.d.token == null) return wsUrl(this.d.location.protocol, this.d.location.host, null);
    const res = await this.d.fetchTicket(TICKET_PATH, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.d.token}` },
    });
    if (gen !== this.generation) return null;
    if (res.status === 401 || res.status === 403) {
      const wait = this.d.deniedRetryMs ?? DEFAULT_DENIED_RETRY_MS;
      this.d.onStatus({ kind: 'denied', httpStatus: res.status, retryAt: this.d.now() + wait });
      this.timer = this.d.setTimer(() => void this.connect(), wait);
      return null;
    }
    if (!res.ok) throw new Error(`ticket HTTP ${res.status}`);
    const body = await res.json();
    if (gen !== this.generation) return null;
    if (!isRecord(body) || typeof body.ticket !== 'string' || body.ticket === '') throw new Error('no ticket');
    return wsUrl(this.d.location.protocol, this.d.location.host, body.ticket);
  }
}
