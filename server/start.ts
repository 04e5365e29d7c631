// Assembles Atende from its settings: the store, the log brought into the core, the
// engine with its clock, the HTTP app. server.ts adds process concerns; tests call
// this directly (twice, to restart on the same database). On PostgreSQL a cluster node
// (server/cluster/node.ts) opens the store and keeps a core current while it waits,
// and calls this with both once it leads.
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
import type { RoutingCore } from '../routing/core.ts';
import { Engine } from './engine.ts';
import { projectRecords } from './records.ts';
import { openStorage, type Storage } from './storage/index.ts';
import type { PostgresStore } from './storage/postgres/store.ts';
import { sqliteOnlyStorage } from './storage/sqlite-only.ts';
import { sqliteStore } from './storage/sqlite-store.ts';
import type { Store } from './storage/store.ts';
import { startHistory, type History } from './history/host.ts';
import type { HistoryOrigin } from './history/processor.ts';
import { catchUpFromLog, settingsHash, startPoint, type StartPoint } from './history/restore.ts';

/** A database made before auto_vacuum was set is converted at start when it is at most this big (docs/reliability.md). */
const VACUUM_AT_START_UP_TO_BYTES = 64 * 1024 * 1024;

export interface AtendeOptions {
  settings: Settings;
  /** SQLite file (':memory:' for throwaway runs); not used with `prepared`. */
  dbPath: string;
  /** A store opened by the caller with a core already brought to the end of its log (a cluster node taking the lead); the caller closes the store. */
  prepared?: Prepared;
  /** false: one commit per event (the load test's baseline without group commit). */
  groupCommit?: boolean;
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
  /** Proxies (IPs, CIDRs) whose X-Forwarded-For names the client (req.ip, the rate limit); none by default. */
  trustProxy?: string[];
  /** Called with every route as it is registered (an onRoute hook set before the app's routes): the fuzz suite's route list. */
  onRoute?: (route: RouteOptions) => void;
  /** History worker timings (tests, tools): when it starts, how often it polls the log, when retention runs. */
  historyTimings?: { startDelayMs?: number; pollMs?: number; retentionAfterMs?: number; retentionEveryMs?: number };
}

/** A store and a core that stands at the end of its log (prepareStart). */
export interface Prepared {
  store: Store;
  core: RoutingCore;
  /** The supervisors' settings changes in the log, oldest first (from the snapshot's on). */
  patches: SettingsPatch[];
  snapshot: StartPoint['snapshot'];
  /** Where the history worker starts. */
  origin: HistoryOrigin;
  /** How the core got there: events applied after the snapshot started from (`fromSeq`; 0 = the whole log). */
  replayed: { applied: number; refused: number; ms: number; fromSeq: number };
  /** Last seq applied. */
  lastSeq: number;
}

/**
 * The log is the truth: the latest snapshot that reads plus the events after it (or the
 * whole log, archives first), applied to a core before anything can add to the log.
 */
export async function prepareStart(store: Store, settings: Settings, now: number, warn: (msg: string) => void): Promise<Prepared> {
  const t0 = performance.now();
  const start = await startPoint(store, settings, now, warn);
  const patches: SettingsPatch[] = [...(start.snapshot?.extra.patches ?? [])];
  const fed = await catchUpFromLog(store, start.core, start.afterSeq, (e) => collectPatch(patches, e));
  return {
    store, core: start.core, patches, snapshot: start.snapshot, origin: start.origin, lastSeq: fed.lastSeq,
    replayed: { applied: fed.applied, refused: fed.refused, ms: Math.round(performance.now() - t0), fromSeq: start.afterSeq },
  };
}

/** A logged settings change (config.changed) adds its patch to the list a start settles on. */
export function collectPatch(patches: SettingsPatch[], e: { type: string; settings?: unknown }): void {
  if (e.type === 'config.changed') patches.push(((e.settings ?? {}) as { patch?: SettingsPatch }).patch ?? {});
}

export interface Atende {
  app: FastifyInstance;
  engine: Engine;
  /** Everything kept, SQLite or PostgreSQL alike (server/storage/store.ts). */
  store: Store;
  /** The SQLite file's facade (features that still read it directly); on PostgreSQL each use answers 501. */
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
  let warn = (msg: string) => { process.emitWarning(msg); };
  const storage = opts.prepared ? sqliteOnlyStorage() : openStorage(opts.dbPath, { vacuumIntoIncrementalUpTo: VACUUM_AT_START_UP_TO_BYTES });
  const ownStore = !opts.prepared;
  const prepared = opts.prepared ?? await prepareStart(sqliteStore(storage), opts.settings, now(), (msg) => warn(msg));
  const { store, core, patches } = prepared;
  const engine = new Engine(core, { now, log: store.events, groupCommit: opts.groupCommit });
  const replayed = prepared.replayed;
  engine.advance();
  // The settings file, then the supervisors' logged changes on top.
  const live = new LiveSettings(replaySettings(opts.settings, patches, (msg) => process.emitWarning(msg)));
  // A snapshot taken under another settings file holds that file's settings and agents.
  const fileChanged = prepared.snapshot !== null && prepared.snapshot.extra.settingsHash !== settingsHash(opts.settings);
  if (fileChanged) {
    for (const a of toRoutingConfig(opts.settings).agents) {
      if (!core.agent(a.id)) await engine.submit({ type: 'agent.configured', id: `start:agent:${a.id}:${now()}`, at: now(), agent: a }, 'start');
    }
  }
  // Agents changed through the API live in the log (agent.configured), not in the file.
  live.current = {
    ...live.current,
    agents: core.agentList().map((a) => ({
      id: a.id, name: a.name, ...(a.contact ? { contact: a.contact } : {}), skills: a.skills, level: a.level, ...fileOnlyAgentSettings(opts.settings, a.id),
    })),
  };
  if (patches.length || fileChanged) {
    // The core replayed those changes against the file as it was then; settle it on today's file + changes.
    await engine.submit(configChangedEvent(`start:settings:${now()}`, now(), live.current, {}), 'start');
  }
  // Snapshots, interval figures and retention, off the main thread (server/history).
  const kept = historyOf(opts.settings);
  const history = startHistory({
    source: historySource(store, storage), store, archiveDir: storage.archiveDir, settings: opts.settings, origin: prepared.origin,
    ...kept, ...opts.historyTimings, onError: (msg) => warn(msg),
  });
  storage.history = history;
  // SQLite's synchronous readers of the records (reports, tests) see pending rows too.
  const installBeforeRead = (flush: () => void) => {
    if (!ownStore) return () => {};
    storage.records.beforeRead = flush;
    return () => { storage.records.beforeRead = null; };
  };
  const projection = projectRecords(engine, store.records, installBeforeRead, { onError: (err) => warn(`call records not written: ${(err as Error).message}`) });
  // What the routes see: the records read after the rows still pending are written.
  const appStore: Store = {
    kind: store.kind, where: store.where, events: store.events, snapshots: store.snapshots, intervals: store.intervals,
    records: projection.rows, audit: store.audit, protocols: store.protocols, checkWritable: () => store.checkWritable(), close: () => store.close(),
  };

  const access = opts.access ?? new Access(opts.settings.auth, {
    viewer: opts.viewerToken ?? null,
    supervisor: opts.supervisorToken ?? null,
    agents: opts.agentTokens ?? parseAgentTokens(undefined),
  });
  const app = Fastify({
    ...fastifyLogger(opts.logger ?? false),
    bodyLimit: 64 * 1024,
    trustProxy: opts.trustProxy?.length ? opts.trustProxy : false,
    // An unknown field is refused with a reason (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (an over-long path parameter: 414) in the one shape too.
    frameworkErrors: (err, _req, reply) => { void (reply as FastifyReply).code(err.statusCode ?? 400).send(errorBody(err)); },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  await app.register(fp(appPlugin), {
    engine, settings: live, store: appStore, storage, records: projection, access, demo: opts.demo ?? false,
    twilio: opts.twilio ?? null, voice: opts.voice ?? null, staticDir: opts.staticDir, hub: opts.hub, rateLimitPerMinute: opts.rateLimitPerMinute,
  });
  await app.ready();
  warn = (msg) => app.log.warn(msg);
  let closed = false;
  return {
    app, engine, store: appStore, storage, replayed, history,
    idle: () => app.twilioIdle(),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      engine.stop();
      projection.stop();
      await history.stop(); // one last snapshot, on the worker's own connection
      if (ownStore) await store.close();
    },
  };
}

/** Where the history worker connects: the same SQLite file or PostgreSQL; null in memory (it runs inline). */
function historySource(store: Store, storage: Storage): { dbPath: string } | { databaseUrl: string } | null {
  if (store.kind === 'postgres') return { databaseUrl: (store as PostgresStore).url };
  const file = storage.db.name;
  return file === ':memory:' || file === '' ? null : { dbPath: file };
}
