// Socket tickets across processes. The leader issues a ticket as always (server/auth/
// tickets.ts) and also writes it to Redis with its time to live; whichever process
// the page then opens its socket on takes it there with GETDEL, which only one taker
// can win: an edge, or the leader itself (its own sockets check Redis first when the
// ticket was shared, so a ticket an edge took opens nothing on the leader either).
// Redis holds no secret: a ticket is 18 random bytes that open one socket once.
import { TICKET_TTL_MS, type TicketMirror, type TicketPurpose, type TicketRecord } from '../auth/tickets.ts';
import type { Principal } from '../auth/access.ts';
import { EdgeFeedUnavailableError } from '../errors.ts';
import type { EdgeKeys } from './channel.ts';
import type { RedisLink } from './redis.ts';

/** A ticket route does not answer before its ticket is in Redis, for this long at most. */
const SETTLE_TIMEOUT_MS = 1000;

/** The leader's side: every ticket issued is written to Redis (the mirror of its Tickets). */
export class SharedTickets implements TicketMirror {
  private readonly pending = new Set<Promise<void>>();
  /** Tickets that reached Redis, with their expiry: only those can have been taken elsewhere. */
  private readonly shared = new Map<string, number>();

  constructor(private readonly link: RedisLink, private readonly keys: EdgeKeys) {}

  issued(ticket: string, record: TicketRecord): void {
    const now = Date.now();
    for (const [t, expires] of this.shared) if (expires <= now) this.shared.delete(t);
    if (!this.link.isUp) return; // the leader's own sockets still take it; no edge can
    const ttl = Math.max(1, Math.min(TICKET_TTL_MS, record.expires - now));
    const write: Promise<void> = this.link.client.set(this.keys.ticket(ticket), JSON.stringify(record), 'PX', ttl)
      .then(() => { this.shared.set(ticket, record.expires); })
      .catch(() => { /* Redis went away: the ticket works on the leader only */ })
      .finally(() => { this.pending.delete(write); });
    this.pending.add(write);
  }

  /** Resolves once every ticket issued so far is in Redis (or failed to get there), 1 s at most. */
  async settled(): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.pending]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, SETTLE_TIMEOUT_MS); timer.unref(); }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Before the leader takes a ticket for one of its own sockets: false when the ticket
   * was shared and is no longer in Redis (an edge took it, or it expired there). A
   * ticket never shared, or Redis unreachable: the leader decides alone (true).
   */
  async stillUnused(ticket: string): Promise<boolean> {
    if (!this.shared.has(ticket)) return true;
    this.shared.delete(ticket);
    try {
      return (await this.link.client.getdel(this.keys.ticket(ticket))) !== null;
    } catch {
      return true;
    }
  }
}

/**
 * An edge's side: the ticket's holder, once; undefined when unknown, used, expired or for
 * another purpose (as Tickets.take). Throws 503 when Redis cannot be asked: the page
 * retries, rather than being told its ticket is bad.
 */
export async function takeSharedTicket(link: RedisLink, keys: EdgeKeys, ticket: string, purpose: TicketPurpose, now = Date.now()): Promise<Principal | null | undefined> {
  if (!link.isUp) throw new EdgeFeedUnavailableError('Redis is unreachable from this edge');
  let raw: string | null;
  try {
    raw = await link.client.getdel(keys.ticket(ticket));
  } catch (err) {
    throw new EdgeFeedUnavailableError(`Redis did not answer (${(err as Error).message})`);
  }
  if (raw === null) return undefined;
  let record: TicketRecord;
  try { record = JSON.parse(raw) as TicketRecord; } catch { return undefined; }
  return record.expires > now && record.purpose === purpose ? record.principal : undefined;
}
