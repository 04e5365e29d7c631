// The live feeds: the one fan-out every socket goes through (wallboards and agent
// consoles, server/fanout.ts), and the wallboard's topic on it, fed by the engine's
// changes. Snapshots read the settings in force at the moment they are built, so a
// supervisor's change reaches the screens at once.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Fanout } from '../fanout.ts';
import { buildHistory, buildSnapshot, DEFAULT_COLOURS } from '../snapshot/build.ts';
import { WallboardHub, type HubOptions } from '../hub.ts';

/** Heartbeat, pings, buffer bound and stuck limit for every socket; coalescing for the wallboard. */
export type HubTuning = Omit<HubOptions, 'snapshot' | 'history'>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every live socket's fan-out: the agent console opens a topic per agent on it. */
    fanout: Fanout;
    hub: WallboardHub;
    /** The wallboard snapshot as of now (also GET /api/snapshot). */
    wallboardSnapshot(): ReturnType<typeof buildSnapshot>;
    wallboardHistory(): ReturnType<typeof buildHistory>;
  }
}

async function hubPlugin(fastify: FastifyInstance, opts: { tuning?: HubTuning }): Promise<void> {
  const { engine } = fastify;
  const core = engine.core;
  const snapshot = () => {
    const s = fastify.settings.current;
    const sl = s.serviceLevel;
    return buildSnapshot(core, {
      now: engine.now(),
      demo: fastify.demo,
      centerName: s.centerName,
      timezone: s.timezone,
      colours: s.colours ?? DEFAULT_COLOURS,
      serviceLevel: { thresholdSeconds: sl.thresholdSeconds, target: sl.target, formula: sl.formula, shortAbandonSeconds: sl.shortAbandonSeconds, windowMinutes: sl.windowMinutes },
    });
  };

  // Waiting count sampled once a minute for the history line.
  const samples: { at: number; waiting: number }[] = [];
  const sample = () => {
    samples.push({ at: engine.now(), waiting: core.waitingCount() });
    while (samples.length > 70) samples.shift();
  };
  sample();
  const sampler = setInterval(sample, 60_000);
  sampler.unref();
  const history = () => buildHistory(core, engine.now(), samples);

  const fanout = new Fanout(opts.tuning);
  const hub = new WallboardHub({ snapshot, history, minIntervalMs: opts.tuning?.minIntervalMs }, fanout);
  let intervalsSeen = core.metrics.intervals().length;
  const offChange = engine.onChange(() => {
    hub.changed();
    const n = core.metrics.intervals().length;
    if (n !== intervalsSeen) { intervalsSeen = n; hub.historyChanged(); }
  });
  fastify.decorate('fanout', fanout);
  fastify.decorate('hub', hub);
  fastify.decorate('wallboardSnapshot', snapshot);
  fastify.decorate('wallboardHistory', history);
  fastify.addHook('preClose', async () => {
    offChange();
    clearInterval(sampler);
    fanout.close(1001, 'server shutting down');
  });
}

export default fp(hubPlugin, { name: 'atende-hub', dependencies: ['atende-services'] });
