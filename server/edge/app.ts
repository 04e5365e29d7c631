// An edge as a plugin: the built pages (wallboard, agent console, supervisor screen)
// with the leader's security headers, the three screen sockets fed from Redis
// (sockets.ts), /api/* forwarded to the leader (proxy.ts), and its own health.
// Stateless: no database, no settings, no tokens; start as many as the screens need.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import helmet from '@fastify/helmet';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import agentConsoleCsp from '../agents/csp.ts';
import type { FanoutOptions } from '../fanout.ts';
import errorHandler from '../plugins/error-handler.ts';
import type { EdgeKeys } from './channel.ts';
import type { EdgeFeed } from './feed.ts';
import { leaderProxy } from './proxy.ts';
import { edgeSockets } from './sockets.ts';

export interface EdgeAppOptions {
  feed: EdgeFeed;
  keys: EdgeKeys;
  /** ATENDE_LEADER_URL, without a trailing slash. */
  leaderUrl: string;
  /** Where the built pages are (dist/wallboard by default). */
  staticDir?: string;
  tuning?: FanoutOptions;
}

/** The leader's policy (server/ops/plugin.ts), so a page behaves the same from either. */
export const PAGE_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  upgradeInsecureRequests: null,
};

const Health = Type.Object({
  ok: Type.Boolean(), uptimeSeconds: Type.Integer(), wallboards: Type.Integer(), agents: Type.Integer(), supervisors: Type.Integer(),
  feed: Type.String(),
});
const Readiness = Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.String()) });

const health: FastifyPluginAsyncTypebox<{ feed: EdgeFeed }> = async (fastify, { feed }) => {
  const app = fastify as unknown as FastifyInstance;
  fastify.get('/healthz', { schema: { response: { 200: Health } } },
    async () => ({ ok: true, uptimeSeconds: Math.round(process.uptime()), ...app.edgeScreens(), feed: feed.state }));
  // Ready while Redis answers: a balancer then moves screens off an edge cut from it. A
  // silent leader is not this edge's fault (every edge would be as silent): still ready.
  fastify.get('/readyz', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (_req, reply) => {
    const redis = feed.connected ? 'ok' : 'unreachable';
    const ready = redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ ready, checks: { redis, feed: feed.state } });
  });
};

async function edgeApp(fastify: FastifyInstance, opts: EdgeAppOptions): Promise<void> {
  await fastify.register(errorHandler);
  await fastify.register(helmet, { contentSecurityPolicy: { directives: PAGE_POLICY }, strictTransportSecurity: false });
  await fastify.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await fastify.register(agentConsoleCsp);
  await fastify.register(fp(edgeSockets), { feed: opts.feed, keys: opts.keys, leaderUrl: opts.leaderUrl, tuning: opts.tuning });
  await fastify.register(health, { feed: opts.feed });
  await fastify.register(leaderProxy, { leaderUrl: opts.leaderUrl });

  const staticDir = opts.staticDir ?? fileURLToPath(new URL('../../dist/wallboard/', import.meta.url));
  if (existsSync(staticDir)) {
    await fastify.register(fastifyStatic, { root: staticDir, prefix: '/' });
  } else {
    fastify.get('/', { schema: { response: { 200: { type: 'string' } } } },
      async (_req, reply) => reply.type('text/plain').send('Pages not built: run `npm run build` first.\n'));
  }
}

export default fp(edgeApp, { name: 'atende-edge' });
