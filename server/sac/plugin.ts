// The SAC in the app: the `sac` service the Twilio edge and the APIs call (service.ts),
// business hours kept in the routing core (schedule.ts), the queues API (close / open),
// and, at start, a warning for each SAC rule the settings break (refused in sac.strict).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sacRuleProblems } from '../config/sac-rules.ts';
import queuesApi from '../queues/routes.ts';
import { syncSchedule } from './schedule.ts';
import { SacService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sac: SacService & {
      /** Applies the schedule now (business hours, holidays, dates); a timer and every engine change call it when due. Resolves once logged and applied. */
      syncSchedule(): Promise<void>;
    };
  }
}

/** A schedule check at least this often, whatever the clock does (a settings change may move hours). */
const RECHECK_MS = 60_000;

async function sacPlugin(fastify: FastifyInstance): Promise<void> {
  const { engine, store } = fastify;
  const service = new SacService(engine, fastify.settings, store.protocols);
  let dueAt = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  /** The sync under way: another call while it runs waits for it rather than starting a second. */
  let syncing: Promise<void> | null = null;

  const sync = (): Promise<void> => {
    syncing ??= (async () => {
      try {
        const now = engine.now();
        const next = await syncSchedule(engine, fastify.settings.current, service.hours(), now);
        dueAt = Math.min(next ?? Infinity, now + RECHECK_MS);
        arm(dueAt - now);
      } catch (err) {
        // The log could not take the event (disk full…): the next change or the timer tries again.
        fastify.log.warn({ err }, 'business hours: the schedule could not be applied');
        dueAt = engine.now() + 1000;
        arm(1000);
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  };
  const arm = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { void sync(); }, Math.max(10, Math.min(ms, RECHECK_MS)));
    timer.unref();
  };
  const offChange = engine.onChange(() => { if (engine.now() >= dueAt) void sync(); });

  fastify.decorate('sac', Object.assign(service, { syncSchedule: sync }));
  fastify.addHook('onReady', async () => {
    for (const p of sacRuleProblems(fastify.settings.current)) {
      fastify.log.warn({ field: p.field }, `SAC rules: ${p.rule} (set sac.strict to refuse to start)`);
    }
    await sync();
  });
  fastify.addHook('onClose', async () => {
    offChange();
    if (timer) clearTimeout(timer);
  });
  await fastify.register(queuesApi);
}

export default fp(sacPlugin, { name: 'atende-sac', dependencies: ['atende-services'] });
