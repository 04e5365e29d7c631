// Calls API: one call's live view and detail record; escalation to a higher level.
import type { FastifyInstance } from 'fastify';
import { refusalSchema, type Access } from '../auth/access.ts';
import type { Engine } from '../engine.ts';
import type { CallRecords } from '../storage/index.ts';

export interface CallsApiOptions {
  engine: Engine;
  records: CallRecords | null;
  access: Access;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const callSchema = {
  type: 'object', required: ['id', 'live', 'record'],
  properties: {
    id: { type: 'string' },
    live: { type: ['object', 'null'], additionalProperties: true },
    record: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export async function callsApi(app: FastifyInstance, opts: CallsApiOptions): Promise<void> {
  const { engine } = opts;
  const authorize = opts.access.require(['supervisor']);
  let seq = 0;

  app.get('/api/calls/:id', {
    preHandler: authorize,
    schema: { params: idParams, response: { 200: callSchema, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const live = engine.core.call(id);
    const record = opts.records?.getCall(id) ?? null;
    if (!live && !record) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_CALL', message: `no call with id '${id}'` });
    return { id, live, record };
  });

  // The agent on the call (or who last had it) acts on it; a supervisor on any call.
  const callAgent = opts.access.require(['agent'], (req) => engine.core.call((req.params as { id: string }).id)?.agentId ?? '');
  app.post('/api/calls/:id/escalate', {
    preHandler: callAgent,
    schema: {
      params: idParams,
      body: {
        type: 'object', required: ['toLevel'], additionalProperties: false,
        properties: {
          toLevel: { type: 'integer', minimum: 2, maximum: 9 },
          note: { type: 'string', maxLength: 500 },
          queue: { type: 'string', minLength: 1, maxLength: 64 },
        },
      },
      response: { 200: callSchema, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { toLevel, note, queue } = req.body as { toLevel: number; note?: string; queue?: string };
    if (!engine.core.call(id)) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_CALL', message: `no live call with id '${id}'` });
    const r = engine.dispatch({ type: 'call.escalated', id: `api:escalate:${id}:${engine.now()}:${seq++}`, at: engine.now(), callId: id, toLevel, note, queue }, 'api:calls');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    return { id, live: engine.core.call(id), record: opts.records?.getCall(id) ?? null };
  });

  const dispatchOn = async (id: string, kind: string, event: Record<string, unknown>, reply: import('fastify').FastifyReply) => {
    if (!engine.core.call(id)) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_CALL', message: `no live call with id '${id}'` });
    const r = engine.dispatch({ ...event, id: `api:${kind}:${id}:${engine.now()}:${seq++}`, at: engine.now(), callId: id } as never, 'api:calls');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    return { id, live: engine.core.call(id), record: opts.records?.getCall(id) ?? null };
  };

  app.post('/api/calls/:id/disposition', {
    preHandler: callAgent,
    schema: {
      params: idParams,
      body: {
        type: 'object', required: ['resolvedFirstContact'], additionalProperties: false,
        properties: { resolvedFirstContact: { type: 'boolean' }, note: { type: 'string', maxLength: 500 } },
      },
      response: { 200: callSchema, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { resolvedFirstContact, note } = req.body as { resolvedFirstContact: boolean; note?: string };
    return dispatchOn(id, 'disposition', { type: 'call.disposition', resolvedFirstContact, note }, reply);
  });

  // A supervisor moves a waiting caller to another queue or priority tier.
  app.post('/api/calls/:id/move', {
    preHandler: authorize,
    schema: {
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: { queue: { type: 'string', minLength: 1, maxLength: 64 }, tier: { type: 'integer', minimum: 1, maximum: 9 } },
      },
      response: { 200: callSchema, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { queue, tier } = req.body as { queue?: string; tier?: number };
    return dispatchOn(id, 'move', { type: 'call.moved', queue, tier }, reply);
  });
}
