// Calls API: one call's live view and detail record; escalation to a higher level,
// the agent's disposition, and a supervisor moving a waiting caller. SAC: every call
// shows its protocol number, calls are found by protocol (GET /api/calls?protocol=…, JSON
// or CSV), and a call that dropped on the company's side is marked for a callback.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { DomainEvent } from '../../routing/types.ts';
import { bearerOf } from '../auth/access.ts';
import { BadInputError, httpErrorOf, UnknownCallError } from '../errors.ts';
import { csvField } from '../reports/csv.ts';
import { parseBound, Zone } from '../reports/zone.ts';
import { errorReplies } from '../schemas.ts';
import callWhy from './why.ts';

const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const OpenObject = Type.Object({}, { additionalProperties: true });
/** The core's live view (null once forgotten) and the call detail record (null until written). */
const Call = Type.Object({
  id: Type.String(),
  /** The SAC protocol number (null for a call that arrived without one). */
  protocol: Type.Union([Type.String(), Type.Null()]),
  live: Type.Union([OpenObject, Type.Null()]),
  record: Type.Union([OpenObject, Type.Null()]),
});
const Bound = Type.Optional(Type.String({ minLength: 1, maxLength: 40 }));
const CallSearch = Type.Object({
  protocol: Type.Optional(Type.String({ pattern: '^\\d{1,40}$' })),
  /** Arrival: epoch ms, a date or a local date-time (as the reports take); from inclusive, to exclusive. */
  from: Bound,
  to: Bound,
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 100 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
}, { additionalProperties: false });
/** The call-record columns of the CSV export, protocol first. */
const CSV_COLUMNS = [
  'protocol', 'callId', 'from', 'to', 'arrivedAt', 'queue', 'tier', 'tierLabel', 'queuedAt', 'answeredAt', 'endedAt',
  'outcome', 'agentId', 'level', 'escalations', 'surveyNps', 'surveyCsat', 'resolvedFirstContact',
  // Twilio's recording (docs/sac.md, "Gravações"): where it is, never the audio.
  'recordingSid', 'recordingUrl', 'recordingDurationSeconds', 'recordingStatus',
] as const;
const Dropped = Type.Object({
  /** The number to call back; default the caller ID. */
  number: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{4,20}$' })),
}, { additionalProperties: false });
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
  const { engine, access, store } = fastify as FastifyInstance;
  const supervisors = access.require(['supervisor']);
  const shown = async (id: string): Promise<Static<typeof Call>> => {
    const live = engine.core.call(id);
    const record = await store.records.getCall(id);
    return { id, protocol: live?.protocol ?? record?.protocol ?? null, live, record };
  };
  const audit = (req: FastifyRequest, action: string, target: string, before: unknown, after: unknown) =>
    store.audit.record({ at: engine.now(), actor: access.describe(bearerOf(req)), action, target, before, after });

  /** The agent on the call (or who last had it) acts on it; a supervisor on any call. */
  const callAgentOrSupervisor = (req: FastifyRequest, callId: string): void => {
    const refusal = access.check(bearerOf(req), ['agent'], engine.core.call(callId)?.agentId ?? '');
    if (refusal) throw refusal;
  };
  /** Sends one event about a live call to the core; a refusal is thrown as its HTTP error. */
  let seq = 0;
  const act = async (id: string, kind: string, event: (base: { id: string; at: number; callId: string }) => DomainEvent) => {
    if (!engine.core.call(id)) throw new UnknownCallError(id);
    const r = await engine.submit(event({ id: `api:${kind}:${id}:${engine.now()}:${seq++}`, at: engine.now(), callId: id }), 'api:calls');
    if (!r.ok) throw httpErrorOf(r.error);
    return shown(id);
  };

  fastify.get('/api/calls/:id', {
    preHandler: supervisors,
    schema: { params: CallParams, response: { 200: Call, ...errorReplies(400, 401, 403, 404) } },
  }, async (req) => {
    const call = await shown(req.params.id);
    if (!call.live && !call.record) throw new UnknownCallError(req.params.id);
    return call;
  });

  // Calls by protocol number (SAC), or by arrival time and queue; newest first. CSV with format=csv.
  fastify.get('/api/calls', {
    preHandler: supervisors,
    schema: {
      querystring: CallSearch,
      response: {
        200: {
          content: {
            'application/json': { schema: Type.Object({ calls: Type.Array(OpenObject) }) },
            'text/csv': { schema: Type.String() },
          },
        },
        ...errorReplies(400, 401, 403),
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const zone = new Zone(fastify.settings.current.timezone);
    const bound = (name: 'from' | 'to', text: string | undefined) => {
      if (text === undefined) return undefined;
      const t = parseBound(text, name, zone);
      if (t === null) throw new BadInputError(name, `"${text}" is not epoch ms, a date or a date-time`);
      return t;
    };
    const calls = await store.records.listCalls({
      protocol: q.protocol, queue: q.queue, from: bound('from', q.from), to: bound('to', q.to), limit: q.limit ?? 100,
    });
    if (q.format !== 'csv') return { calls };
    const lines = [CSV_COLUMNS.join(',')];
    for (const c of calls) lines.push(CSV_COLUMNS.map((k) => csvField(c[k])).join(','));
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="atende-calls${q.protocol ? `-${q.protocol}` : ''}.csv"`)
      .send(lines.join('\r\n') + '\r\n');
  });

  // "Por que esperou?": the call's timeline and why it waited (why.ts).
  await fastify.register(callWhy);

  fastify.post('/api/calls/:id/escalate', {
    preHandler: async (req) => callAgentOrSupervisor(req, req.params.id),
    schema: { params: CallParams, body: Escalation, response: replies },
  }, async (req) => {
    const { toLevel, note, queue, reason } = req.body;
    const before = engine.core.call(req.params.id);
    const shownAfter = await act(req.params.id, 'escalate', (base) => ({ ...base, type: 'call.escalated', toLevel, note, queue, ...(reason ? { reason } : {}) }));
    // A supervisor's escalation (or any given with a reason) is audited; an agent's own is in the call's notes.
    if (reason || access.identify(bearerOf(req))?.role === 'supervisor') {
      await audit(req, 'call.escalated', req.params.id, { level: before?.level, queue: before?.queue }, { toLevel, queue: queue ?? before?.queue, note: note ?? null, reason: reason ?? null });
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

  // The call dropped on the company's side (the agent on it, or a supervisor, says so): it becomes a
  // callback at the head of its tier, with its protocol (docs/sac.md).
  fastify.post('/api/calls/:id/dropped', {
    preHandler: async (req) => callAgentOrSupervisor(req, req.params.id),
    schema: { params: CallParams, body: Type.Optional(Dropped), response: replies },
  }, async (req) => {
    const number = req.body?.number;
    const before = engine.core.call(req.params.id);
    const shownAfter = await act(req.params.id, 'dropped', (base) => ({ ...base, type: 'call.dropped', ...(number ? { number } : {}) }));
    await audit(req, 'call.dropped', req.params.id, { status: before?.status, agentId: before?.agentId }, { callback: number ?? before?.from ?? null });
    return shownAfter;
  });

  // A supervisor moves a waiting caller to another queue or priority tier.
  fastify.post('/api/calls/:id/move', {
    preHandler: supervisors,
    schema: { params: CallParams, body: Move, response: replies },
  }, async (req) => {
    const { queue, tier, reason } = req.body;
    const before = engine.core.call(req.params.id);
    const shownAfter = await act(req.params.id, 'move', (base) => ({ ...base, type: 'call.moved', queue, tier, ...(reason ? { reason } : {}) }));
    await audit(req, 'call.moved', req.params.id, { queue: before?.queue, tier: before?.tier }, { queue: queue ?? before?.queue, tier: tier ?? before?.tier, reason: reason ?? null });
    return shownAfter;
  });
};

export default callsApi;
