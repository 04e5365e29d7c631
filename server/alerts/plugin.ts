// Alerts away from the TV, wired into the app: the rules are evaluated on the
// engine's changes (coalesced) and on a timer, reading the settings in force each
// time; notices go to the configured webhooks; the supervisor screen lists the
// alerts with their delivery state and acknowledges them.
//   GET  /api/alerts                    firing and recent alerts (supervisor)
//   POST /api/alerts/:id/acknowledge    a supervisor saw it (audited)
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerOf } from '../auth/access.ts';
import { UnknownAlertError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { httpPost } from './delivery.ts';
import { AbandonWindow, queueFigures } from './figures.ts';
import { AlertService, ALERTS_ACTOR } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertService;
    /** Abandons of the last 60 minutes in this queue (short ones left out), as the rules count them. */
    abandonsLastHour(queue: string): number;
  }
}

/** After an engine change, evaluate this much later: a burst of changes is one evaluation. */
const COALESCE_MS = 200;

const Anything = Type.Object({}, { additionalProperties: true });

const alertRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { access, alerts } = fastify as FastifyInstance;
  const supervisors = access.require(['supervisor']);
  fastify.get('/api/alerts', {
    preHandler: supervisors,
    schema: { response: { 200: Type.Object({ alerts: Type.Array(Anything) }), ...errorReplies(401, 403) } },
  }, async () => ({ alerts: alerts.list() }));

  fastify.post('/api/alerts/:id/acknowledge', {
    preHandler: supervisors,
    schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), response: { 200: Anything, ...errorReplies(400, 401, 403, 404) } },
  }, async (req) => {
    const a = alerts.acknowledge(req.params.id, access.describe(bearerOf(req)));
    if (!a) throw new UnknownAlertError(req.params.id);
    return a;
  });
};

async function alertsPlugin(fastify: FastifyInstance): Promise<void> {
  const { engine, store } = fastify;
  const abandons = new AbandonWindow();
  /** Set while an evaluation advances the engine: its own change must not schedule another. */
  let evaluating = false;

  const service = new AlertService({
    now: engine.now,
    settings: () => fastify.settings.current,
    figures: () => {
      const now = engine.now();
      engine.advance();
      abandons.observe(engine.core.recentAbandons(50), fastify.settings.current.serviceLevel.shortAbandonSeconds, now);
      return queueFigures(fastify.wallboardSnapshot(), (q) => abandons.count(q, now));
    },
    audit: (action, target, after, actor = ALERTS_ACTOR) => {
      store.audit.record({ at: engine.now(), actor, action, target, before: null, after })
        .catch((err) => fastify.log.warn({ err }, 'alerts: the audit entry could not be written'));
    },
    post: httpPost,
    warn: (message) => fastify.log.warn(message),
  });
  const evaluate = () => {
    if (evaluating) return;
    evaluating = true;
    try {
      service.evaluate();
    } catch (err) {
      fastify.log.error({ err }, 'alert evaluation failed');
    } finally {
      evaluating = false;
    }
  };

  let soon: NodeJS.Timeout | null = null;
  const offChange = engine.onChange(() => {
    if (evaluating || soon) return;
    soon = setTimeout(() => { soon = null; evaluate(); }, COALESCE_MS);
    soon.unref();
  });
  // A closure or an opening is judged at once (an emergency alert must not wait for the timer).
  const offEvent = engine.onEvent((e) => { if (e.type === 'queue.closed' || e.type === 'queue.opened') evaluate(); });
  const timer = setInterval(evaluate, service.tuning.evaluateEveryMs);
  timer.unref();

  fastify.decorate('alerts', service);
  fastify.decorate('abandonsLastHour', (queue: string) => {
    const now = engine.now();
    abandons.observe(engine.core.recentAbandons(50), fastify.settings.current.serviceLevel.shortAbandonSeconds, now);
    return abandons.count(queue, now);
  });
  fastify.addHook('preClose', async () => {
    offChange();
    offEvent();
    clearInterval(timer);
    if (soon) clearTimeout(soon);
    service.close();
  });
  await fastify.register(alertRoutes);
}

export default fp(alertsPlugin, { name: 'atende-alerts', dependencies: ['atende-services', 'atende-hub'] });
