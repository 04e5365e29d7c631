// HTTP + WebSocket surface. Process concerns (port, signals, demo traffic) live in server.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { agentConsole } from './agents/console.ts';
import { agentsApi } from './agents/routes.ts';
import { Access, bearerOf, parseAgentTokens, refusalSchema } from './auth/access.ts';
import { Tickets } from './auth/tickets.ts';
import { callsApi } from './calls/routes.ts';
import { forecastApi } from './forecast/routes.ts';
import { reportsApi } from './reports/routes.ts';
import { opsPlugin } from './ops/plugin.ts';
import type { Settings } from './config/types.ts';
import { StoreUnavailableError, type Engine } from './engine.ts';
import type { AuditLog, CallRecords, EventLog } from './storage/index.ts';
import { LiveSettings } from './settings/live.ts';
import { settingsApi } from './settings/routes.ts';
import { twilioEdge, type TwilioEdgeOptions } from './twilio/plugin.ts';
import { WallboardHub } from './hub.ts';
import { upgradeRequired } from './ws-routes.ts';
import { buildHistory, buildSnapshot, DEFAULT_COLOURS } from './snapshot/build.ts';
import type { ColourBands, ServiceLevelSetting } from './snapshot/types.ts';

declare module 'fastify' {
  interface FastifyInstance { hub: WallboardHub; engine: Engine; access: Access }
}

export interface AppOptions {
  engine: Engine;
  centerName?: string;
  demo?: boolean;
  colours?: ColourBands;
  serviceLevel?: ServiceLevelSetting;
  /** false to silence; true or pino options for JSON logs. */
  logger?: FastifyServerOptions['logger'];
  /** When set, the wallboard needs a bearer token or a ticket. Defaults to env ATENDE_VIEWER_TOKEN. */
  viewerToken?: string | null;
  staticDir?: string;
  /** The validated settings file: centre name, service level and colour bands come from it. */
  settings?: Settings;
  /** Twilio webhooks (needs settings). Without it the /twilio routes do not exist. */
  twilio?: Omit<TwilioEdgeOptions, 'engine' | 'settings'>;
  /** Supervisor token. Defaults to env ATENDE_SUPERVISOR_TOKEN. */
  supervisorToken?: string | null;
  /** agentId → token. Defaults to env ATENDE_AGENT_TOKENS ("ana=t1,bruno=t2"). */
  agentTokens?: Record<string, string>;
  /** All of the above, built by the caller (overrides them). */
  access?: Access;
  /** Readiness: throws when the database cannot take a write. */
  checkDatabase?: () => void;
  /** Requests per minute per IP on routes Twilio does not sign (default 600); false = off. */
  rateLimitPerMinute?: number | false;
  /** The settings in force (changed live by supervisors); defaults to `settings`. */
  live?: LiveSettings;
  /** Where supervisor changes are audited. */
  audit?: AuditLog | null;
  /** Call detail records, for GET /api/calls/:id. */
  records?: CallRecords | null;
  /** The event log, for GET /api/reports/intervals (which replays it); without it that route answers 503. */
  events?: EventLog;
  hub?: { minIntervalMs?: number; heartbeatMs?: number; pingMs?: number; maxBufferedBytes?: number; stuckCloseMs?: number };
}



const figuresSchema = { type: ['object', 'null'], additionalProperties: true };
const snapshotSchema = {
  type: 'object',
  required: ['type', 'serverTime', 'demo', 'centerName', 'tiers', 'serviceLevel', 'colours', 'center', 'queues', 'agents', 'waitingCalls', 'recentAbandons'],
  properties: {
    type: { type: 'string' },
    serverTime: { type: 'number' },
    demo: { type: 'boolean' },
    centerName: { type: 'string' },
    tiers: { type: 'integer' },
    serviceLevel: { type: 'object', additionalProperties: true },
    colours: { type: 'object', additionalProperties: true },
    center: figuresSchema,
    queues: { type: 'array', items: { type: 'object', additionalProperties: true } },
    agents: { type: 'array', items: { type: 'object', additionalProperties: true } },
    waitingCalls: { type: 'array', items: { type: 'object', additionalProperties: true } },
    recentAbandons: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const ticketSchema = {
  type: 'object', required: ['ticket', 'expiresInSeconds'],
  properties: { ticket: { type: 'string' }, expiresInSeconds: { type: 'number' } },
} as const;
const healthSchema = {
  type: 'object', required: ['ok', 'uptimeSeconds', 'wallboards'],
  properties: { ok: { type: 'boolean' }, uptimeSeconds: { type: 'integer' }, wallboards: { type: 'integer' } },
} as const;
const historySchema = {
  type: 'object', required: ['type', 'intervals', 'series'],
  properties: {
    type: { type: 'string' },
    intervals: { type: 'array', items: { type: 'object', additionalProperties: true } },
    series: { type: 'object', additionalProperties: true },
  },
} as const;
const wallboardQuerySchema = {
  type: 'object',
  properties: { ticket: { type: 'string', maxLength: 128 }, token: { type: 'string', maxLength: 512 } },
} as const;

/** Hides secrets that travel in URLs (viewer token, wallboard ticket) from request logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|ticket)=)[^&#]*/gi, '$1[redacted]');
}

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    redact: ['req.headers.authorization', 'req.headers["x-twilio-signature"]', 'req.headers.cookie'],
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
    },
  } as FastifyServerOptions['logger'];
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withRedaction(opts.logger ?? false),
    bodyLimit: 64 * 1024,
    // An unknown field is refused with a reason (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const engine = opts.engine;
  const core = engine.core;
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof StoreUnavailableError) {
      req.log.error({ err }, 'event log unavailable: answered 503 so the sender retries');
      return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', code: err.code, message: err.message });
    }
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send(err);
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  const settings = opts.settings;
  // ---- roles: viewer for the wallboard, supervisor for everything -----------------
  const access = opts.access ?? new Access(settings?.auth, {
    viewer: opts.viewerToken === undefined ? (process.env.ATENDE_VIEWER_TOKEN || null) : opts.viewerToken,
    supervisor: opts.supervisorToken === undefined ? (process.env.ATENDE_SUPERVISOR_TOKEN || null) : opts.supervisorToken,
    agents: opts.agentTokens ?? parseAgentTokens(process.env.ATENDE_AGENT_TOKENS),
  });
  app.decorate('access', access);
  // First: security headers, rate limits and request metrics apply to every route below.
  await app.register(opsPlugin, {
    engine, access, checkDatabase: opts.checkDatabase, settingsLoaded: true, rateLimitPerMinute: opts.rateLimitPerMinute,
    wallboardClients: () => app.hub?.size ?? 0,
  });
  // Settings a supervisor changes live are read afresh for every snapshot.
  const live = opts.live ?? (settings ? new LiveSettings(settings) : null);
  const serviceLevelOf = (): ServiceLevelSetting => {
    if (opts.serviceLevel) return opts.serviceLevel;
    const s = live?.current.serviceLevel;
    if (s) return { thresholdSeconds: s.thresholdSeconds, target: s.target, formula: s.formula, shortAbandonSeconds: s.shortAbandonSeconds, windowMinutes: s.windowMinutes };
    const rolling = core.metrics.read({ kind: 'center' }, 'rolling');
    return { thresholdSeconds: rolling.thresholdSeconds, target: rolling.target, formula: rolling.formula, shortAbandonSeconds: 0, windowMinutes: 30 };
  };
  const snapOpts = () => ({
    demo: opts.demo ?? false,
    centerName: opts.centerName ?? live?.current.centerName ?? 'Atende',
    colours: opts.colours ?? live?.current.colours ?? DEFAULT_COLOURS,
    serviceLevel: serviceLevelOf(),
  });
  const serviceLevel = serviceLevelOf();

  // Waiting count sampled once a minute for the history line.
  const samples: { at: number; waiting: number }[] = [];
  const sample = () => {
    samples.push({ at: engine.now(), waiting: core.waitingCount() });
    while (samples.length > 70) samples.shift();
  };
  sample();
  const sampler = setInterval(sample, 60_000);
  sampler.unref();

  const snapshot = () => buildSnapshot(core, { ...snapOpts(), now: engine.now() });
  const history = () => buildHistory(core, engine.now(), samples);
  const hub = new WallboardHub({ snapshot, history, ...opts.hub });
  let intervalsSeen = core.metrics.intervals().length;
  const offChange = engine.onChange(() => {
    hub.changed();
    const n = core.metrics.intervals().length;
    if (n !== intervalsSeen) { intervalsSeen = n; hub.historyChanged(); }
  });
  app.decorate('hub', hub);
  app.decorate('engine', engine);
  app.addHook('preClose', async () => {
    offChange();
    clearInterval(sampler);
    hub.close(1001, 'server shutting down');
  });

  const tickets = new Tickets();
  const viewers = access.require(['viewer']);

  app.post('/api/wallboard/ticket', {
    preHandler: viewers,
    schema: { response: { 200: ticketSchema, 401: refusalSchema, 403: refusalSchema } },
  }, async (req) => tickets.issue('wallboard', access.identify(bearerOf(req))));

  // ---- reads ---------------------------------------------------------------
  app.get('/healthz', { schema: { response: { 200: healthSchema } } }, async () => ({ ok: true, uptimeSeconds: Math.round(process.uptime()), wallboards: hub.size }));
  app.get('/api/snapshot', { preHandler: viewers, schema: { response: { 200: snapshotSchema, 401: refusalSchema, 403: refusalSchema } } }, async () => snapshot());
  app.get('/api/history', { preHandler: viewers, schema: { response: { 200: historySchema, 401: refusalSchema, 403: refusalSchema } } }, async () => history());

  // ---- websocket -------------------------------------------------------------
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  app.route({
    method: 'GET',
    url: '/ws/wallboard',
    schema: { querystring: wallboardQuerySchema, response: { 401: refusalSchema, 403: refusalSchema, 426: refusalSchema } },
    // Refused before the upgrade (after the query is validated): a ticket, a bearer token,
    // or ?token= (a bookmarked TV URL).
    preHandler: async (req, reply) => {
      const q = req.query as { ticket?: string; token?: string };
      const held = tickets.take(q.ticket, 'wallboard');
      if (held !== undefined) return;
      const refusal = access.check(bearerOf(req) ?? q.token ?? null, ['viewer']);
      if (refusal) return reply.code(refusal.status).send(refusal.body);
    },
    handler: upgradeRequired,
    wsHandler: (socket) => {
      socket.on('message', () => { /* the wallboard only listens */ });
      hub.add(socket);
    },
  });

  // ---- agents and telephony ------------------------------------------------
  await app.register(agentsApi, { engine, access });
  if (live) await app.register(settingsApi, { engine, access, live, audit: opts.audit ?? null, onChanged: () => hub.changed() });
  await app.register(agentConsole, { engine, access, tickets, settings: settings ?? null, heartbeatMs: opts.hub?.heartbeatMs });
  await app.register(callsApi, { engine, access, records: opts.records ?? null });
  await app.register(forecastApi, { engine, access, windowMinutes: serviceLevel.windowMinutes });
  await app.register(reportsApi, { engine, access, settings: settings ?? null, events: opts.events ?? null });
  if (opts.twilio) {
    if (!settings) throw new Error('buildApp: the Twilio edge needs the settings');
    await app.register(twilioEdge, { ...opts.twilio, engine, settings });
  }

  // ---- static wallboard ------------------------------------------------------
  const staticDir = opts.staticDir ?? fileURLToPath(new URL('../dist/wallboard/', import.meta.url));
  if (existsSync(staticDir)) {
    await app.register(fastifyStatic, { root: staticDir, prefix: '/' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain').send('Wallboard not built: run `npm run build` first.\n'));
  }
  return app;
}
