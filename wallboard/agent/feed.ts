// The live feed of one agent: ticket → WebSocket → frames, with reconnects.
// Browser objects are injected so the protocol is testable in node. Same
// reconnecting socket as the wallboard feed (../src/reconnecting.ts).
//
// Protocol (server side: server/agents/console.ts):
// - POST /api/agent/ticket (Bearer token) → {ticket, expiresInSeconds, agent};
//   a fresh single-use ticket for every (re)connection.
// - ws(s)://<host>/ws/agent?ticket=<ticket> → {type:'agent', …AgentConsoleView}
//   on connect and on change, {type:'heartbeat', serverTime} every 2 s.
// - 401/403 on the ticket → `onDenied` and the feed stops (the page goes back
//   to sign-in). Close, error, or silence for `silenceMs` → reconnect after
//   backoff (0.5 s doubling to 15 s, ±30 % jitter).

import type { AgentConsoleView } from '../../server/contract.ts';
import { ReconnectingSocket, type LinkDeps, type LinkStatus, type SocketLike } from '../src/reconnecting.ts';
import type { Result, Ticket } from './api.ts';
import { agentWsUrl } from './params.ts';

export type { SocketLike };

export type AgentFrame = { type: 'agent'; view: AgentConsoleView } | { type: 'heartbeat'; serverTime: number };

export type AgentFeedStatus = LinkStatus;

export interface AgentFeedDeps extends Omit<LinkDeps<AgentFrame, AgentFeedStatus>, 'parse' | 'onMessage'> {
  location: { protocol: string; host: string };
  ticket: () => Promise<Result<Ticket>>;
  onFrame: (frame: AgentFrame) => void;
  onDenied: (status: number, message: string) => void;
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

export class AgentFeed extends ReconnectingSocket<AgentFrame, AgentFeedStatus> {
  constructor(private readonly d: AgentFeedDeps) {
    super({ ...d, parse: parseAgentFrame, onMessage: d.onFrame }, DEFAULT_SILENCE_MS);
  }

  protected async socketUrl(gen: number): Promise<string | null> {
    const r = await this.d.ticket();
    if (gen !== this.generation) return null;
    if (!r.ok) {
      if (r.status === 401 || r.status === 403) {
        this.stop();
        this.d.onDenied(r.status, r.message);
        return null;
      }
      throw new Error(`ticket HTTP ${r.status}`);
    }
    if (!isRecord(r.body) || typeof r.body.ticket !== 'string' || r.body.ticket === '') throw new Error('no ticket');
    return agentWsUrl(this.d.location.protocol, this.d.location.host, r.body.ticket);
  }
}
