// The TV wallboard's routes: the snapshot and history a page loads first, the
// single-use ticket it trades its token for, and the live socket.
import type { FastifyInstance } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerOf } from '../auth/access.ts';
import { upgradeRequired } from '../ws-routes.ts';
import { errorReplies } from '../schemas.ts';

const Ticket = Type.Object({ ticket: Type.String(), expiresInSeconds: Type.Number() });
const Health = Type.Object({ ok: Type.Boolean(), uptimeSeconds: Type.Integer(), wallboards: Type.Integer() });
const Anything = Type.Object({}, { additionalProperties: true });
const Snapshot = Type.Object({
  type: Type.String(),
  serverTime: Type.Number(),
  demo: Type.Boolean(),
  centerName: Type.String(),
  timezone: Type.Optional(Type.String()),
  tiers: Type.Integer(),
  serviceLevel: Anything,
  colours: Anything,
  center: Type.Union([Anything, Type.Null()]),
  queues: Type.Array(Anything),
  agents: Type.Array(Anything),
  waitingCalls: Type.Array(Anything),
  recentAbandons: Type.Array(Anything),
}, { additionalProperties: true });
const History = Type.Object({
  type: Type.String(),
  intervals: Type.Array(Anything),
  series: Anything,
}, { additionalProperties: true });
const SocketQuery = Type.Object({
  ticket: Type.Optional(Type.String({ maxLength: 128 })),
  token: Type.Optional(Type.String({ maxLength: 512 })),
});

const wallboardRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { access, tickets, hub } = fastify as FastifyInstance;
  const viewers = access.require(['viewer']);

  fastify.post('/api/wallboard/ticket', {
    preHandler: viewers,
    schema: { response: { 200: Ticket, ...errorReplies(401, 403) } },
  }, async (req) => tickets.issue('wallboard', access.identify(bearerOf(req))));

  fastify.get('/healthz', { schema: { response: { 200: Health } } },
    async () => ({ ok: true, uptimeSeconds: Math.round(process.uptime()), wallboards: hub.size }));
  fastify.get('/api/snapshot', { preHandler: viewers, schema: { response: { 200: Snapshot, ...errorReplies(401, 403) } } },
    async () => fastify.wallboardSnapshot());
  fastify.get('/api/history', { preHandler: viewers, schema: { response: { 200: History, ...errorReplies(401, 403) } } },
    async () => fastify.wallboardHistory());

  fastify.route({
    method: 'GET',
    url: '/ws/wallboard',
    schema: { querystring: SocketQuery, response: errorReplies(400, 401, 403, 426) },
    // Refused before the upgrade (after the query is validated): a ticket, a bearer token,
    // or ?token= (a bookmarked TV URL).
    preHandler: async (req) => {
      const held = tickets.take(req.query.ticket, 'wallboard');
      if (held !== undefined) return;
      const refusal = access.check(bearerOf(req) ?? req.query.token ?? null, ['viewer']);
      if (refusal) throw refusal;
    },
    handler: upgradeRequired,
    wsHandler: (socket) => {
      socket.on('message', () => { /* the wallboard only listens */ });
      hub.add(socket);
    },
  });
};

export default wallboardRoutes;
