// An edge's HTTP side of its leader (ATENDE_LEADER_URL): every decision about who may
// do what stays there. The pages' /api/* calls are forwarded as they are (proxy.ts);
// and a socket that comes without a ticket (a bearer token, ?token=, or an open role)
// is vouched for by asking the leader for a ticket on its behalf, so the edge holds
// no token and no settings, and refuses exactly what the leader would.
import type { Principal } from '../auth/access.ts';
import type { TicketPurpose } from '../auth/tickets.ts';
import { LeaderUnreachableError } from '../errors.ts';
import type { ErrorBody } from '../errors.ts';

/** How long an edge waits for its leader on one request. */
export const LEADER_TIMEOUT_MS = 10_000;

/** The leader's own refusal (401, 403, 404…), passed on with its status, code and message. */
export function leaderRefusal(body: ErrorBody): Error {
  return Object.assign(new Error(body.message), { statusCode: body.statusCode, code: body.code });
}

const isErrorBody = (v: unknown): v is ErrorBody => typeof v === 'object' && v !== null
  && typeof (v as ErrorBody).statusCode === 'number' && typeof (v as ErrorBody).code === 'string' && typeof (v as ErrorBody).message === 'string';

export interface Vouched { principal: Principal | null; ticket: string }

/**
 * What the leader says of a socket that brought `token` (or nothing): the principal its
 * ticket route grants, or the leader's refusal thrown as is.
 */
export async function vouch(leaderUrl: string, purpose: TicketPurpose, token: string | null, agent: string | undefined, forwardedFor: string): Promise<Vouched> {
  const query = purpose === 'agent' && agent !== undefined ? `?agent=${encodeURIComponent(agent)}` : '';
  let res: Response;
  try {
    res = await fetch(`${leaderUrl}/api/${purpose}/ticket${query}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-forwarded-for': forwardedFor },
      signal: AbortSignal.timeout(LEADER_TIMEOUT_MS),
    });
  } catch (err) {
    throw new LeaderUnreachableError((err as Error).message);
  }
  const body = await res.json().catch(() => null) as unknown;
  if (!res.ok) {
    if (res.status < 500 && isErrorBody(body)) throw leaderRefusal(body);
    throw new LeaderUnreachableError(`it answered ${res.status}`);
  }
  const b = body as { ticket?: unknown; agent?: unknown } | null;
  if (typeof b?.ticket !== 'string') throw new LeaderUnreachableError('it answered no ticket');
  // The leader grants an agent's console to that agent only (a supervisor names one).
  const principal: Principal | null = purpose === 'agent' && typeof b.agent === 'string' ? { role: 'agent', agentId: b.agent } : null;
  return { principal, ticket: b.ticket };
}
