// Single-use, short-lived tickets for WebSocket handshakes: browsers cannot set an
// Authorization header on a WebSocket, and a long-lived token in a URL ends up in
// access logs. The page trades its token for a ticket over HTTP, then connects.
// With edges (server/edge/), a ticket the leader issues is also shared with them
// (a mirror writes it to Redis), so an edge can take it once.
import { randomBytes } from 'node:crypto';
import type { Principal } from './access.ts';

export const TICKET_TTL_MS = 60_000;

/** What a ticket opens: a wallboard ticket never opens an agent's console (nor the supervisor's screen). */
export type TicketPurpose = 'wallboard' | 'agent' | 'supervisor';

/** What a ticket stands for, as kept here and as shared with other processes. */
export interface TicketRecord { expires: number; principal: Principal | null; purpose: TicketPurpose }

/** Where issued tickets are also told (the edges' shared store); it must not throw. */
export interface TicketMirror {
  issued(ticket: string, record: TicketRecord): void;
}

export class Tickets {
  private readonly live = new Map<string, TicketRecord>();
  private mirror: TicketMirror | null = null;

  issue(purpose: TicketPurpose, principal: Principal | null, now = Date.now()): { ticket: string; expiresInSeconds: number } {
    for (const [t, v] of this.live) if (v.expires <= now) this.live.delete(t);
    const ticket = randomBytes(18).toString('base64url');
    const record: TicketRecord = { expires: now + TICKET_TTL_MS, principal, purpose };
    this.live.set(ticket, record);
    this.mirror?.issued(ticket, record);
    return { ticket, expiresInSeconds: TICKET_TTL_MS / 1000 };
  }

  /** The ticket's holder, once; undefined when unknown, used or expired. */
  take(ticket: string | undefined, purpose: TicketPurpose, now = Date.now()): Principal | null | undefined {
    if (!ticket) return undefined;
    const v = this.live.get(ticket);
    if (!v) return undefined;
    this.live.delete(ticket);
    return v.expires > now && v.purpose === purpose ? v.principal : undefined;
  }

  /** Also tell `mirror` of every ticket issued from now on; null stops. */
  share(mirror: TicketMirror | null): void {
    this.mirror = mirror;
  }

  /** A ticket used elsewhere (an edge took it): it opens nothing here any more. */
  forget(ticket: string): void {
    this.live.delete(ticket);
  }
}
