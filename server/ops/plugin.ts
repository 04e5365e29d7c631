// Operations: readiness, Prometheus metrics, security headers and rate limits.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RateLimitedError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';

export interface OpsOptions {
  /** Requests per minute per client IP on routes without a signature; false = off. */
  rateLimitPerMinute?: number | false;
}

declare module 'fastify' {
  interface FastifyInstance { metricsRegistry: Registry }
}

// Twilio's own requests are verified by signature and must never be throttled by IP:
// every call of a busy center comes from the same few Twilio addresses.
const unthrottled = (req: FastifyRequest) => req.url.startsWith('/twilio/') || req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics';

/** Readiness: each check's verdict ("ok", or what is wrong), 503 when one fails. */
const Readiness = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.String()),
});

// A tuning option only (how hard to throttle); the services come from the decorators.
const ops: FastifyPluginAsyncTypebox<OpsOptions> = async (app, opts) => {
  const { engine, access } = app as FastifyInstance;
  const core = engine.core;

  // ---- security headers and rate limits ----------------------------------------
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // uPlot and the tiles set element styles from script.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The wallboard is served over plain HTTP on a LAN TV as often as over HTTPS.
    strictTransportSecurity: false,
  });
  if (opts.rateLimitPerMinute !== false) {
    await app.register(rateLimit, {
      max: opts.rateLimitPerMinute ?? 600,
      timeWindow: 60_000,
      allowList: (req) => unthrottled(req),
      // Thrown, so the one error handler answers it in the one shape.
      errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.after),
    });
  }

  // ---- Prometheus ---------------------------------------------------------------
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atende_' });
  const webhooks = new Counter({
    name: 'atende_webhooks_total', help: 'Twilio webhooks answered, by route and HTTP status',
    labelNames: ['route', 'status'] as const, registers: [registry],
  });
  const webhookSeconds = new Histogram({
    name: 'atende_webhook_duration_seconds', help: 'Time to answer a Twilio webhook',
    labelNames: ['route'] as const, buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1], registers: [registry],
  });
  const decisions = new Counter({
    name: 'atende_routing_decisions_total', help: 'Routing decisions taken by the core, by type',
    labelNames: ['type'] as const, registers: [registry],
  });
  new Gauge({
    name: 'atende_wallboard_clients', help: 'Wallboard WebSocket clients connected', registers: [registry],
    collect() { this.set(app.hub?.size ?? 0); },
  });
  const perQueue = (name: string, help: string, read: (queue: string) => number | null) => new Gauge({
    name, help, labelNames: ['queue'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const q of core.queueConfigs()) {
        const v = read(q.id);
        if (v !== null) this.set({ queue: q.id }, v);
      }
    },
  });
  perQueue('atende_service_level_ratio', 'Service level of the rolling window (0-1), per queue', (q) => core.metrics.read({ kind: 'queue', id: q }, 'rolling').serviceLevel);
  perQueue('atende_tma_seconds', 'Average handle time today (talk + hold + wrap-up), per queue', (q) => core.metrics.read({ kind: 'queue', id: q }, 'today').tmaSeconds);
  perQueue('atende_calls_waiting', 'Calls waiting now, per queue', (q) => core.waitingCount(q));
  perQueue('atende_longest_wait_seconds', 'Longest current wait, per queue', (q) => {
    const since = core.longestWaitStart(q);
    return since === null ? 0 : Math.max(0, (engine.now() - since) / 1000);
  });
  new Gauge({
    name: 'atende_agents', help: 'Agents by state', labelNames: ['state'] as const, registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(core.agentCountsByStatus())) this.set({ state }, n);
    },
  });
  // Group commit: events per commit is events ÷ commits (server/engine.ts).
  new Gauge({
    name: 'atende_log_commits', help: 'Commits of the event log since the start (each holds one or more events)', registers: [registry],
    collect() { this.set(engine.commits.count); },
  });
  new Gauge({
    name: 'atende_log_committed_events', help: 'Events committed to the log since the start', registers: [registry],
    collect() { this.set(engine.commits.events); },
  });

  const offDecisions = engine.onDecisions((ds) => { for (const d of ds) decisions.inc({ type: d.type }); });
  app.addHook('onClose', async () => { offDecisions(); });
  // Server-Timing on webhooks: a load generator can tell Atende's own time from its own delays.
  app.addHook('onSend', async (req, reply) => {
    if (req.routeOptions.url?.startsWith('/twilio/')) reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route?.startsWith('/twilio/')) return;
    webhooks.inc({ route, status: String(reply.statusCode) });
    webhookSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.decorate('metricsRegistry', registry);

  app.get('/metrics', {
    preHandler: access.require(['viewer']),
    schema: { response: { 200: Type.String(), ...errorReplies(401, 403) } },
  }, async (_req, reply) => {
    engine.advance();
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });

  // ---- readiness ------------------------------------------------------------------
  // A 503 here is the readiness verdict itself (a load balancer reads it), so it keeps
  // the checks rather than the error shape.
  app.get('/readyz', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (req, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await app.store.checkWritable();
      if (engine.storeError) throw new Error(engine.storeError);
      checks.database = 'ok';
    } catch (err) {
      ready = false;
      checks.database = `not writable: ${(err as Error).message}`;
      req.log.error({ err }, 'readiness: database not writable');
    }
    checks.settings = app.settings.current ? 'ok' : 'not loaded';
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
};

export const opsPlugin = fp(ops, { name: 'atende-ops', dependencies: ['atende-services'] });
