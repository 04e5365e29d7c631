// Which agent an agent-console request is about: the token's own agent, or ?agent= for
// supervisors (and anyone while the agent role is open). Shared by the console routes
// and the softphone token route, so both refuse the same way.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerOf, type Principal } from '../auth/access.ts';
import { AgentRequiredError, ForbiddenError, UnknownAgentError } from '../errors.ts';

export interface AgentQuery { agent?: string; token?: string }

export type AgentOf = (req: FastifyRequest, query: AgentQuery, principal: Principal | null, ticketed?: boolean) => string;

/**
 * The resolver for this app. Throws 403 for an agent token naming someone else, the role
 * check's 401/403, 400 when nobody is named, 404 for an unknown agent. `ticketed`: the
 * socket's single-use ticket already vouched for the principal.
 */
export function agentResolver(fastify: FastifyInstance): AgentOf {
  const { engine, access } = fastify;
  return (req, query, principal, ticketed = false) => {
    const asked = query.agent ?? null;
    if (principal?.role === 'agent' && principal.agentId) {
      if (asked && asked !== principal.agentId) throw new ForbiddenError(`this token belongs to agent '${principal.agentId}', not '${asked}'`);
      return principal.agentId;
    }
    if (!ticketed) {
      const refusal = access.check(bearerOf(req) ?? query.token ?? null, ['agent'], asked);
      if (refusal) throw refusal;
    }
    if (!asked) throw new AgentRequiredError();
    if (!engine.core.agent(asked)) throw new UnknownAgentError(asked);
    return asked;
  };
}
