// The live feed of the supervisor's screen: ticket → WebSocket → views, with
// reconnects (the wallboard's reconnecting socket, ../src/reconnecting.ts).
// Server side: server/supervisor/plugin.ts.
// - POST /api/supervisor/ticket (Bearer token) → {ticket}; a fresh one per (re)connection.
// - ws(s)://<host>/ws/supervisor?ticket=<ticket> → {type:'supervisor', …SupervisorView}
//   on connect, on change (at most 2 a second) and every 2 s.
// - 401/403 on the ticket → `onDenied` and the feed stops (back to sign-in).

import type { SupervisorView } from '../../server/contract.ts';
import { ReconnectingSocket, type LinkDeps, type LinkStatus } from '../src/reconnecting.ts';
import type { Result, Ticket } from './api.ts';
import { supervisorWsUrl } from './params.ts';

export interface SupervisorFeedDeps extends Omit<LinkDeps<SupervisorView, LinkStatus>, 'parse' | 'onMessage'> {
  location: { protocol: string; host: string };
  ticket: () => Promise<Result<Ticket>>;
  onView: (view: SupervisorView) => void;
  onDenied: (status: number, message: string) => void;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One text frame as a view; null for anything malformed. */
export function parseView(data: unknown): SupervisorView | null {
  if (typeof data !== 'string') return null;
  let raw: unknown;
  try { raw = JSON.parse(data); } catch { return null; }
  if (!isRecord(raw) || raw.type !== 'supervisor' || typeof raw.serverTime !== 'number') return null;
  const snap = raw.snapshot;
  if (!isRecord(snap) || !Array.isArray(snap.queues) || !Array.isArray(snap.agents) || !Array.isArray(snap.waitingCalls)) return null;
  if (!Array.isArray(raw.queues) || !Array.isArray(raw.agents) || !Array.isArray(raw.alerts)) return null;
  return raw as unknown as SupervisorView;
}

export class SupervisorFeed extends ReconnectingSocket<SupervisorView, LinkStatus> {
  constructor(private readonly d: SupervisorFeedDeps) {
    super({ ...d, parse: parseView, onMessage: d.onView }, 10_000);
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
    return supervisorWsUrl(this.d.location.protocol, this.d.location.host, r.body.ticket);
  }
}
