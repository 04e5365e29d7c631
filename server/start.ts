// Assembles Atende from its settings: storage, replay of the event log into the
// core, the engine with its clock, the HTTP app. server.ts adds process concerns;
// tests call this directly (twice, to restart on the same database).
import Fastify, { type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorBody } from './plugins/error-handler.ts';
import appPlugin, { type AppOptions } from './app.ts';
import { Access, parseAgentTokens } from './auth/access.ts';
import { fastifyLogger, type LoggerSetting } from './logger.ts';
import { configChangedEvent, LiveSettings, replaySettings, type SettingsPatch } from './settings/live.ts';
import { fileOnlyAgentSettings, historyOf, toRoutingConfig } from './config/load.ts';
import type { Settings } from './config/types.ts';
import { Engine } from './engine.ts';
import { projectRecords } from './records.ts';
import { openStorage, type Storage } from './storage/index.ts';

import { readLog } from './storage/archive.ts';
import { startHistory, type History } from './history/host.ts';
import { settingsHash, startPoint } from './history/restore.ts';

/** A database made before auto_vacuum was set is converted at start when it is at most this big (docs/reliability.md). */
const VACUUM_AT_START_UP_TO_BYTES = 64 * 1024 * 1024;

export interface AtendeOptions {
  settings: Settings;
  /** SQLite file (':memory:' for throwaway runs). */
  dbPath: string;
  now?: () => number;
  logger?: LoggerSetting;
  demo?: boolean;
  twilio?: AppOptions['twilio'];
  /** API key for the agent console's softphone tokens (GET /api/agent/voice-token); null/absent = none. */
  voice?: AppOptions['voice'];
  viewerToken?: string | null;
  supervisorToken?: string | null;
  agentTokens?: Record<string, string>;
  /** Roles and tokens, built by the caller (overrides the three above). */
  access?: Access;
  staticDir?: string;
  hub?: AppOptions['hub'];
  rateLimitPerMinute?: number | false;
  /** Called with every route as it is registered (an onRoute hook set before the app's routes): the fuzz suite's route list. */
  onRoute?: (route: RouteOptions) => void;
  /** History worker timings (tests, tools): when it starts, how often it polls the log, when retention runs. */
  historyTimings?: { startDelayMs?: number; pollMs?: number; retentionAfterMs?: number; retentionEveryMs?: number };
}

export interface Atende {
  app: FastifyInstance;
  engine: Engine;
  storage: Storage;
  /** The start: events applied after the snapshot started from (`fromSeq`; 0 = the whole log was replayed). */
  replayed: { applied: number; refused: number; ms: number; fromSeq: number };
  history: History;
  /** Resolves once the Twilio dequeues and redirects under way have finished (tests, draining). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createAtende(opts: AtendeOptions): Promise<Atende> {
  const now = opts.now ?? Date.now;
  const storage = openStorage(opts.dbPath, { vacuumIntoIncrementalUpTo: VACUUM_AT_START_UP_TO_BYTES });
  let warn = (msg: string) => { process.emitWarning(msg); };
  // The log is the truth: the latest snapshot that reads plus the events after it (or
  // the whole log, archives first), before anything can add to it.
  const t0 = performance.now();
  const start = startPoint(storage.db, opts.settings, now(), (msg) => warn(msg));
  const core = start.core;
  const engine = new Engine(core, {
    now,
    store: {
      append: (e, source) => storage.events.append(e, source),
      has: (id) => storage.events.has(id),
      remove: (id) => { storage.events.remove(id); },
    },
  });
  const patches: SettingsPatch[] = [...(start.snapshot?.extra.patches ?? [])];
  const logged = function* () { for (const { event } of readLog(storage.db, storage.archiveDir, { afterSeq: start.afterSeq })) yield event; };
  const counts = engine.replay(logged(), (e) => {
    if (e.type === 'config.changed') patches.push(((e.settings ?? {}) as { patch?: SettingsPatch }).patch ?? {});
  });
  const replayed = { ...counts, ms: Math.round(performance.now() - t0), fromSeq: start.afterSeq };
  engine.advance();
  // The settings file, then the supervisors' logged changes on top.
  const live = new LiveSettings(replaySettings(opts.settings, patches, (msg) => process.emitWarning(msg)));
  // A snapshot taken under another settings file holds that file's settings and agents.
  const fileChanged = start.snapshot !== null && start.snapshot.extra.settingsHash !== settingsHash(opts.settings);
  if (fileChanged) {
    for (const a of toRoutingConfig(opts.settings).agents) {
      if (!core.agent(a.id)) engine.dispatch({ type: 'agent.configured', id: `start:agent:${a.id}:${now()}`, at: now(), agent: a }, 'start');
    }
  }
  // Agents changed through the API live in the log (agent.configured), not in the file.
  live.current = {
    ...live.current,
    agents: core.agentList().map((a) => ({ id: a.id, name: a.name, ...(a.contact ? { contact: a.contact } : {}), skills: a.skills, level: a.level, ...fileOnlyAgentSettings(opts.settings, a.id) })),
  };
  if (patches.length || fileChanged) {
    // The core replayed those changes against the file as it was then; settle it on today's file + changes.
    engine.dispatch(configChangedEvent(`start:settings:${now()}`, now(), live.current, {}), 'start');
  }
  // Snapshots, interval figures and retention, off the main thread (server/history).
  const kept = historyOf(opts.settings);
  const history = startHistory({
    dbPath: opts.dbPath, db: storage.db, archiveDir: storage.archiveDir, settings: opts.settings, origin: start.origin,
    ...kept, ...opts.historyTimings, onError: (msg) => warn(msg),
  });
  storage.history = history;
  const projection = projectRecords(engine, storage.records, (fn) => storage.transaction(fn));

  const access = opts.access ?? new Access(opts.settings.auth, {
    viewer: opts.viewerToken ?? null,
    supervisor: opts.supervisorToken ?? null,
    agents: opts.agentTokens ?? parseAgentTokens(undefined),
  });
  const app = Fastify({
    ...fastifyLogger(opts.logger ?? false),
    bodyLimit: 64 * 1024,
    // An unknown field is refused with a reason (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (an over-long path parameter: 414) in the one shape too.
    frameworkErrors: (err, _req, reply) => { void (reply as FastifyReply).code(err.statusCode ?? 400).send(errorBody(err)); },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  await app.register(fp(appPlugin), {
    engine, settings: live, storage, records: projection, access, demo: opts.demo ?? false,
    twilio: opts.twilio ?? null, voice: opts.voice ?? null, staticDir: opts.staticDir, hub: opts.hub, rateLimitPerMinute: opts.rateLimitPerMinute,
  });
  await app.ready();
  warn = (msg) => app.log.warn(msg);
  let closed = false;
  return {
    app, engine, storage, replayed, history,
    idle: () => app.twilioIdle(),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      engine.stop();
      projection.stop();
      await history.stop(); // one last snapshot, on the worker's own connection
      storage.close();
    },
  };
}
