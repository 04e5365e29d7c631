// Minimal agents API (until the agent console): list agents, change state, end wrap-up.
// With ATENDE_SUPERVISOR_TOKEN set, every route needs `Authorization: Bearer <token>`.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { refusalSchema as refusal, type Access } from '../auth/access.ts';
import type { Engine } from '../engine.ts';

export interface AgentsApiOptions {
  engine: Engine;
  access: Access;
}

const agentSchema = {
  type: 'object',
  required: ['id', 'name', 'state', 'reason', 'stateSeconds', 'level', 'skills', 'callId', 'callTier', 'callsHandled', 'pending'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, contact: { type: ['string', 'null'] },
    state: { type: 'string' }, reason: { type: ['string', 'null'] }, stateSeconds: { type: 'integer' },
    level: { type: 'integer' }, skills: { type: 'array', items: { type: 'string' } },
    callId: { type: ['string', 'null'] }, callTier: { type: ['integer', 'null'] }, callsHandled: { type: 'integer' },
    pending: {
      anyOf: [{ type: 'null' }, { type: 'object', properties: { state: { type: 'string' }, reason: { type: ['string', 'null'] } } }],
    },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

export async function agentsApi(app: FastifyInstance, opts: AgentsApiOptions): Promise<void> {
  const { engine } = opts;
  const core = engine.core;

  const authorize = opts.access.require(['supervisor']);
  const view = (id: string) => {
    engine.advance();
    const a = core.agent(id)!;
    return {
      id: a.id, name: a.name, contact: a.contact, state: a.status, reason: a.reason,
      stateSeconds: Math.max(0, Math.floor((engine.now() - a.since) / 1000)), level: a.level, skills: a.skills,
      callId: a.callId, callTier: a.callTier, callsHandled: a.callsHandled, pending: a.pending,
    };
  };
  const notFound = (reply: FastifyReply, id: string) =>
    reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_AGENT', message: `no agent with id '${id}'` });
  let seq = 0;
  const eventId = (kind: string, id: string) => `api:${kind}:${id}:${engine.now()}:${seq++}`;

  app.get('/api/agents', {
    preHandler: authorize,
    schema: { response: { 200: { type: 'object', required: ['agents'], properties: { agents: { type: 'array', items: agentSchema } } }, 401: refusal, 403: refusal } },
  }, async () => ({ agents: core.agentList().map((a) => view(a.id)) }));

  // An agent changes their own state; a supervisor anyone's (a forgotten session, say).
  const ownOrSupervisor = opts.access.require(['agent'], (req) => (req.params as { id?: string }).id ?? null);
  app.post('/api/agents/:id/state', {
    preHandler: ownOrSupervisor,
    schema: {
      params: idParams,
      body: {
        type: 'object', required: ['state'], additionalProperties: false,
        properties: { state: { type: 'string', enum: ['available', 'away', 'offline'] }, reason: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      response: { 200: agentSchema, 401: refusal, 403: refusal, 404: refusal, 409: refusal },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { state, reason } = req.body as { state: 'available' | 'away' | 'offline'; reason?: string };
    if (!core.agent(id)) return notFound(reply, id);
    const r = engine.dispatch({ type: 'agent.state', id: eventId('state', id), at: engine.now(), agentId: id, state, reason }, 'api:agents');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    return view(id);
  });

  app.post('/api/agents/:id/ready', {
    preHandler: ownOrSupervisor,
    schema: { params: idParams, response: { 200: agentSchema, 401: refusal, 403: refusal, 404: refusal, 409: refusal } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!core.agent(id)) return notFound(reply, id);
    const r = engine.dispatch({ type: 'agent.ready', id: eventId('ready', id), at: engine.now(), agentId: id }, 'api:agents');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    return view(id);
  });
}
