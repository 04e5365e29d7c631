// Queues API (supervisor): each queue's state as callers find it, and closing or reopening
// one at once, with a reason. Both are `queue.closed` / `queue.opened` events (logged,
// replayed, seen by the alerts: an emergency closure fires queueClosedByEmergency) and audited.
//   GET  /api/queues               every queue: open, reason, next opening, callbacks waiting
//   POST /api/queues/:id/close     { reason, emergency?, until? }
//   POST /api/queues/:id/open
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { bearerOf } from '../auth/access.ts';
import { sacOf } from '../config/load.ts';
import { BadInputError, httpErrorOf, UnknownQueueError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';

const QueueParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Close = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 200 }),
  /** An emergency (system down, evacuation): the alerts' queueClosedByEmergency rule fires. */
  emergency: Type.Optional(Type.Boolean()),
  /** ISO 8601 date-time: reopens by itself then. */
  until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
}, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const QueueView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  open: Type.Boolean(),
  reason: Nullable(Type.String()),
  emergency: Type.Boolean(),
  /** "supervisor" or "schedule" (business hours, holidays, the center's dates); null while open. */
  by: Nullable(Type.String()),
  since: Nullable(Type.Number()),
  nextOpeningAt: Nullable(Type.Number()),
  /** The queue takes callback requests. */
  callbacks: Type.Boolean(),
  callbacksWaiting: Type.Integer(),
  /** Business hours as configured; null = open 24 hours, 7 days. */
  hours: Nullable(Type.Object({}, { additionalProperties: true })),
});
type QueueView = Static<typeof QueueView>;

const queuesApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, store } = fastify as FastifyInstance;
  const supervisors = access.require(['supervisor']);
  let seq = 0;
  const audit = (req: FastifyRequest, action: string, target: string, before: unknown, after: unknown) =>
    store.audit.record({ at: engine.now(), actor: access.describe(bearerOf(req)), action, target, before, after });

  const view = (id: string): QueueView => {
    const q = fastify.settings.current.queues.find((x) => x.id === id);
    if (!q) throw new UnknownQueueError(id);
    const state = engine.core.queueState(id);
    return {
      id, name: q.name, open: state.open, reason: state.reason, emergency: state.emergency, by: state.by, since: state.since,
      nextOpeningAt: state.until, callbacks: q.callbacks ?? true, callbacksWaiting: engine.core.callbacksWaiting(id).waiting,
      hours: q.hours ?? null,
    };
  };

  fastify.get('/api/queues', {
    preHandler: supervisors,
    schema: { response: { 200: Type.Object({ queues: Type.Array(QueueView) }), ...errorReplies(401, 403) } },
  }, async () => ({ queues: fastify.settings.current.queues.map((q) => view(q.id)) }));

  fastify.post('/api/queues/:id/close', {
    preHandler: supervisors,
    schema: { params: QueueParams, body: Close, response: { 200: QueueView, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const id = req.params.id;
    const before = view(id);
    const now = engine.now();
    const until = req.body.until === undefined ? undefined : Date.parse(req.body.until);
    if (until !== undefined && !(until > now)) throw new BadInputError('until', 'must be a time in the future');
    const r = await engine.submit({
      id: `api:queue-close:${id}:${now}:${seq++}`, at: now, type: 'queue.closed', queue: id, by: 'supervisor',
      reason: req.body.reason, emergency: req.body.emergency === true, ...(until !== undefined ? { until } : {}),
      // Callers already waiting: served, or (sac.onClose) offered a callback.
      waiting: sacOf(fastify.settings.current).onClose,
    }, 'api:queues');
    if (!r.ok) throw httpErrorOf(r.error);
    const after = view(id);
    await audit(req, 'queue.closed', id, { open: before.open, reason: before.reason }, { reason: req.body.reason, emergency: req.body.emergency === true, until: req.body.until ?? null });
    return after;
  });

  fastify.post('/api/queues/:id/open', {
    preHandler: supervisors,
    schema: { params: QueueParams, response: { 200: QueueView, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const id = req.params.id;
    const before = view(id);
    const now = engine.now();
    const r = await engine.submit({ id: `api:queue-open:${id}:${now}:${seq++}`, at: now, type: 'queue.opened', queue: id, by: 'supervisor' }, 'api:queues');
    if (!r.ok) throw httpErrorOf(r.error);
    await audit(req, 'queue.opened', id, { open: before.open, reason: before.reason }, { open: true });
    return view(id);
  });
};

export default queuesApi;
