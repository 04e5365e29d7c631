// GET /api/calls/:id/why (supervisor): "por que esperou?" — the call's timeline and, for each
// stretch of its waiting, why the router gave it no agent (routing/why.ts). The log is
// replayed through a fresh routing core from its first event up to the call's last one (or
// to now for a call still going): O(events before it), on the request's thread, read page
// by page through the store (archived days included; SQLite or PostgreSQL).
import type { FastifyInstance } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RoutingCore } from '../../routing/core.ts';
import type { DomainEvent } from '../../routing/types.ts';
import { explainCall } from '../../routing/why.ts';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import { logEvents } from '../storage/read-log.ts';
import { UnknownCallError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Open = Type.Object({}, { additionalProperties: true });
const Why = Type.Object({
  callId: Type.String(),
  arrivedAt: Type.Number(),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  waitedSeconds: Type.Union([Type.Number(), Type.Null()]),
  timeline: Type.Array(Type.Object({ at: Type.Number(), what: Type.String() }, { additionalProperties: true })),
  waits: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), seconds: Type.Number(), reasons: Type.Array(Open) })),
  replayedEvents: Type.Integer(),
  replayMs: Type.Number(),
});

const callWhy: FastifyPluginAsyncTypebox = async (fastify) => {
  const { access, store, engine } = fastify as FastifyInstance;

  fastify.get('/api/calls/:id/why', {
    preHandler: access.require(['supervisor']),
    schema: { params: Params, response: { 200: Why, ...errorReplies(400, 401, 403, 404) } },
  }, async (req) => {
    const id = req.params.id;
    const last = await store.events.lastAtOf(id);
    if (last === null) throw new UnknownCallError(id);
    const { firstAt } = await store.events.bounds();
    const live = engine.core.call(id);
    const until = live && live.status !== 'ended' ? Math.max(engine.now(), last) : last;
    const settings = fastify.settings.current;
    const t0 = performance.now();
    let replayed = 0;
    const counted = async function* (events: AsyncIterable<DomainEvent>) {
      for await (const e of events) { replayed++; yield e; }
    };
    const core = new RoutingCore(toRoutingConfig(settings), toMetricsSettings(settings), firstAt ?? last);
    const why = await explainCall({ core, callId: id, events: counted(logEvents(store.events)), until });
    if (!why) throw new UnknownCallError(id);
    return { ...why, replayedEvents: replayed, replayMs: Math.round(performance.now() - t0) };
  });
};

export default callWhy;
