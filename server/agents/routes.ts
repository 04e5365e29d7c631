// The agents API: list agents (supervisors), change an agent's state and end their
// wrap-up (the agent themselves, or a supervisor for them).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { DomainEvent } from '../../routing/types.ts';
import { bearerOf } from '../auth/access.ts';
import { httpErrorOf, UnknownAgentError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { AgentParams, AgentState, StateChange } from './schemas.ts';

const agentsApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, store } = fastify as FastifyInstance;
  const core = engine.core;
  const supervisors = access.require(['supervisor']);

  const shown = (id: string): Static<typeof AgentState> => {
    engine.advance();
    const a = core.agent(id);
    if (!a) throw new UnknownAgentError(id);
    return {
      id: a.id, name: a.name, contact: a.contact, state: a.status, reason: a.reason,
      stateSeconds: Math.max(0, Math.floor((engine.now() - a.since) / 1000)), level: a.level, skills: a.skills,
      callId: a.callId, callTier: a.callTier, callsHandled: a.callsHandled, pending: a.pending,
    };
  };
  /** An agent changes their own state; a supervisor anyone's (a forgotten session, say). */
  const ownOrSupervisor = (req: FastifyRequest, agentId: string): void => {
    const refusal = access.check(bearerOf(req), ['agent'], agentId);
    if (refusal) throw refusal;
  };
  /** Sends one event about a known agent to the core; a refusal is thrown as its HTTP error. */
  let seq = 0;
  const act = async (id: string, kind: string, event: (base: { id: string; at: number; agentId: string }) => DomainEvent) => {
    if (!core.agent(id)) throw new UnknownAgentError(id);
    const r = await engine.submit(event({ id: `api:${kind}:${id}:${engine.now()}:${seq++}`, at: engine.now(), agentId: id }), 'api:agents');
    if (!r.ok) throw httpErrorOf(r.error);
    return shown(id);
  };

  fastify.get('/api/agents', {
    preHandler: supervisors,
    schema: { response: { 200: Type.Object({ agents: Type.Array(AgentState) }), ...errorReplies(401, 403) } },
  }, async () => ({ agents: core.agentList().map((a) => shown(a.id)) }));

  fastify.post('/api/agents/:id/state', {
    preHandler: async (req) => ownOrSupervisor(req, req.params.id),
    schema: { params: AgentParams, body: StateChange, response: { 200: AgentState, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const before = core.agent(req.params.id);
    const after = await act(req.params.id, 'state', (base) => ({ ...base, type: 'agent.state', state: req.body.state, reason: req.body.reason }));
    // A supervisor forcing someone's state (or logging them out) is audited; an agent's own change is not.
    if (before && access.identify(bearerOf(req))?.role === 'supervisor') {
      await store.audit.record({
        at: engine.now(), actor: access.describe(bearerOf(req)), action: 'agent.state', target: req.params.id,
        before: { state: before.status, reason: before.reason }, after: { state: req.body.state, reason: req.body.reason ?? null, now: after.state },
      });
    }
    return after;
  });

  fastify.post('/api/agents/:id/ready', {
    preHandler: async (req) => ownOrSupervisor(req, req.params.id),
    schema: { params: AgentParams, response: { 200: AgentState, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (req) => act(req.params.id, 'ready', (base) => ({ ...base, type: 'agent.ready' })));
};

export default agentsApi;
