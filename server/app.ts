// The app as a plugin (fastify/demo's shape): services first, as typed decorators,
// then the route groups, one folder each. Process concerns (logger, listen,
// signals) live in server.ts; start.ts assembles the services this plugin is given.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import agentConsole from './agents/console.ts';
import agentsApi from './agents/routes.ts';
import alertsPlugin from './alerts/plugin.ts';
import callsApi from './calls/routes.ts';
import { forecastApi } from './forecast/routes.ts';
import { opsPlugin } from './ops/plugin.ts';
import edgePublisher from './edge/publisher.ts';
import errorHandler from './plugins/error-handler.ts';
import services, { type Services } from './plugins/services.ts';
import { reportsApi } from './reports/routes.ts';
import sacPlugin from './sac/plugin.ts';
import settingsApi from './settings/routes.ts';
import supervisorScreen from './supervisor/plugin.ts';
import { twilioEdge } from './twilio/plugin.ts';
import hubPlugin, { type HubTuning } from './wallboard/hub-plugin.ts';
import wallboardRoutes from './wallboard/routes.ts';
import { whatIfApi } from './whatif/routes.ts';

export interface AppOptions extends Services {
  /** Where the built pages are (dist/wallboard by default). */
  staticDir?: string;
  hub?: HubTuning;
  /** Requests per minute per IP on routes Twilio does not sign (default 600); false = off. */
  rateLimitPerMinute?: number | false;
}

export default async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(errorHandler);
  await fastify.register(services, opts);
  // Security headers, rate limits and request metrics apply to every route below.
  await fastify.register(opsPlugin, { rateLimitPerMinute: opts.rateLimitPerMinute });
  await fastify.register(hubPlugin, { tuning: opts.hub });
  await fastify.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await fastify.register(edgePublisher);

  await fastify.register(wallboardRoutes);
  await fastify.register(agentsApi);
  await fastify.register(settingsApi);
  await fastify.register(agentConsole);
  await fastify.register(callsApi);
  await fastify.register(forecastApi);
  await fastify.register(reportsApi);
  await fastify.register(whatIfApi);
  await fastify.register(alertsPlugin);
  await fastify.register(supervisorScreen);
  await fastify.register(sacPlugin);
  await fastify.register(twilioEdge);

  // The built pages: the wallboard at /, the agent console at /agent/.
  const staticDir = opts.staticDir ?? fileURLToPath(new URL('../dist/wallboard/', import.meta.url));
  if (existsSync(staticDir)) {
    await fastify.register(fastifyStatic, { root: staticDir, prefix: '/' });
  } else {
    fastify.get('/', { schema: { response: { 200: { type: 'string' } } } },
      async (_req, reply) => reply.type('text/plain').send('Wallboard not built: run `npm run build` first.\n'));
  }
}
