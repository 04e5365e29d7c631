// Calls API: one call's live view and detail record; escalation to a higher level.
import type { FastifyInstance } from 'fastify';
import { refusalSchema, requireSupervisor } from '../auth.ts';
import type { Engine } from '../engine.ts';
import type { CallRecords } from '../storage/index.ts';

export interface CallsApiOptions {
  engine: Engine;
  records: CallRecords | null;
  supervisorToken: string | null;
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
  const authorize = requireSupervisor(opts.supervisorToken);
  let seq = 0;

  app.get('/api/calls/:id', {
    preHandler: authorize,
    schema: { params: idParams, response: { 200: callSchema, 401: refusalSchema, 404: refusalSchema } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const live = engine.core.call(id);
    const record = opts.records?.getCall(id) ?? null;
    if (!live && !record) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_CALL', message: `no call with id '${id}'` });
    return { id, live, record };
  });

  app.post('/api/calls/:id/escalate', {
    preHandler: authorize,
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
      response: { 200: callSchema, 401: refusalSchema, 404: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { toLevel, note, queue } = req.body as { toLevel: number; note?: string; queue?: string };
    if (!engine.core.call(id)) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_CALL', message: `no live call with id '${id}'` });
    const r = engine.dispatch({ type: 'call.escalated', id: `api:escalate:${id}:${engine.now()}:${seq++}`, at: engine.now(), callId: id, toLevel, note, queue }, 'api:calls');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    return { id, live: engine.core.call(id), record: opts.records?.getCall(id) ?? null };
  });
}
