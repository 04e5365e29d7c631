// Calls API: one call's live view and detail record; escalation to a higher level,
// the agent's disposition, and a supervisor moving a waiting caller.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { DomainEvent } from '../../routing/types.ts';
import { bearerOf } from '../auth/access.ts';
import { httpErrorOf, UnknownCallError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import callWhy from './why.ts';

const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const OpenObject = Type.Object({}, { additionalProperties: true });
/** The core's live view (null once forgotten) and the call detail record (null until written). */
const Call = Type.Object({ id: Type.String(), live: Type.Union([OpenObject, Type.Null()]), record: Type.Union([OpenObject, Type.Null()]) });
const Escalation = Type.Object({
  toLevel: Type.Integer({ minimum: 2, maximum: 9 }),
  note: Type.Optional(Type.String({ maxLength: 500 })),
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Why (the supervisor screen asks): kept in the event and the audit log. */
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
}, { additionalProperties: false });
const Disposition = Type.Object({
  resolvedFirstContact: Type.Boolean(),
  note: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });
const Move = Type.Object({
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  tier: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
  /** Why: kept in the event and the audit log. */
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
}, { additionalProperties: false, minProperties: 1 });
const replies = { 200: Call, ...errorReplies(400, 401, 403, 404, 409) };

const callsApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, storage } = fastify as FastifyInstance;
  const supervisors = access.require(['supervisor']);
  const shown = (id: string): Static<typeof Call> => ({ id, live: engine.core.call(id), record: storage.records.getCall(id) });
  const audit = (req: FastifyRequest, action: string, target: string, before: unknown, after: unknown) =>
    storage.audit.record({ at: engine.now(), actor: access.describe(bearerOf(req)), action, target, before, after });

  /** The agent on the call (or who last had it) acts on it; a supervisor on any call. */
  const callAgentOrSupervisor = (req: FastifyRequest, callId: string): void => {
    const refusal = access.check(bearerOf(req), ['agent'], engine.core.call(callId)?.agentId ?? '');
    if (refusal) throw refusal;
  };
  /** Sends one event about a live call to the core; a refusal is thrown as its HTTP error. */
  let seq = 0;
  const act = (id: string, kind: string, event: (base: { id: string; at: number; callId: string }) => DomainEvent) => {
    if (!engine.core.call(id)) throw new UnknownCallError(id);
    const r = engine.dispatch(event({ id: `api:${kind}:${id}:${engine.now()}:${seq++}`, at: engine.now(), callId: id }), 'api:calls');
    if (!r.ok) throw httpErrorOf(r.error);
    return shown(id);
  };

  fastify.get('/api/calls/:id', {
    preHandler: supervisors,
    schema: { params: CallParams, response: { 200: Call, ...errorReplies(400, 401, 403, 404) } },
  }, async (req) => {
    const call = shown(req.params.id);
    if (!call.live && !call.record) throw new UnknownCallError(req.params.id);
    return call;
  });

  // "Por que esperou?": the call's timeline and why it waited (why.ts).
  await fastify.register(callWhy);

  fastify.post('/api/calls/:id/escalate', {
    preHandler: async (req) => callAgentOrSupervisor(req, req.params.id),
    schema: { params: CallParams, body: Escalation, response: replies },
  }, async (req) => {
    const { toLevel, note, queue, reason } = req.body;
    const before = engine.core.call(req.params.id);
    const shownAfter = act(req.params.id, 'escalate', (base) => ({ ...base, type: 'call.escalated', toLevel, note, queue, ...(reason ? { reason } : {}) }));
    // A supervisor's escalation (or any given with a reason) is audited; an agent's own is in the call's notes.
    if (reason || access.identify(bearerOf(req))?.role === 'supervisor') {
      audit(req, 'call.escalated', req.params.id, { level: before?.level, queue: before?.queue }, { toLevel, queue: queue ?? before?.queue, note: note ?? null, reason: reason ?? null });
    }
    return shownAfter;
  });

  fastify.post('/api/calls/:id/disposition', {
    preHandler: async (req) => callAgentOrSupervisor(req, req.params.id),
    schema: { params: CallParams, body: Disposition, response: replies },
  }, async (req) => {
    const { resolvedFirstContact, note } = req.body;
    return act(req.params.id, 'disposition', (base) => ({ ...base, type: 'call.disposition', resolvedFirstContact, note }));
  });

  // A supervisor moves a waiting caller to another queue or priority tier.
  fastify.post('/api/calls/:id/move', {
    preHandler: supervisors,
    schema: { params: CallParams, body: Move, response: replies },
  }, async (req) => {
    const { queue, tier, reason } = req.body;
    const before = engine.core.call(req.params.id);
    const shownAfter = act(req.params.id, 'move', (base) => ({ ...base, type: 'call.moved', queue, tier, ...(reason ? { reason } : {}) }));
    audit(req, 'call.moved', req.params.id, { queue: before?.queue, tier: before?.tier }, { queue: queue ?? before?.queue, tier: tier ?? before?.tier, reason: reason ?? null });
    return shownAfter;
  });
};

export default callsApi;
