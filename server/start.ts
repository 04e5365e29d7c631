// Assembles Atende from its settings: storage, replay of the event log into the
// core, the engine with its clock, the HTTP app. server.ts adds process concerns;
// tests call this directly (twice, to restart on the same database).
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { RoutingCore } from '../routing/core.ts';
import { buildApp } from './app.ts';
import { configChangedEvent, LiveSettings, replaySettings, type SettingsPatch } from './settings/live.ts';
import type { Access } from './auth/access.ts';
import { toMetricsSettings, toRoutingConfig } from './config/load.ts';
import type { Settings } from './config/types.ts';
import { Engine } from './engine.ts';
import { projectRecords } from './records.ts';
import { openStorage, type Storage } from './storage/index.ts';
import type { TwilioRest } from './twilio/rest.ts';

export interface AtendeOptions {
  settings: Settings;
  /** SQLite file (':memory:' for throwaway runs). */
  dbPath: string;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  demo?: boolean;
  twilio?: { publicUrl: string | (() => string); authToken: string | null; rest: TwilioRest | null; dequeueBackoffMs?: number[] } | null;
  viewerToken?: string | null;
  supervisorToken?: string | null;
  agentTokens?: Record<string, string>;
  /** Roles and tokens, built by the caller (overrides the three above). */
  access?: Access;
  staticDir?: string;
  hub?: { minIntervalMs?: number; heartbeatMs?: number; pingMs?: number; maxBufferedBytes?: number; stuckCloseMs?: number };
  rateLimitPerMinute?: number | false;
}

export interface Atende {
  app: FastifyInstance;
  engine: Engine;
  storage: Storage;
  replayed: { applied: number; refused: number; ms: number };
  close(): Promise<void>;
}

export async function createAtende(opts: AtendeOptions): Promise<Atende> {
  const now = opts.now ?? Date.now;
  const storage = openStorage(opts.dbPath);
  const firstAt = (storage.db.prepare('SELECT MIN(at) AS at FROM events').get() as { at: number | null }).at;
  const core = new RoutingCore(toRoutingConfig(opts.settings), toMetricsSettings(opts.settings), Math.min(firstAt ?? now(), now()));
  const engine = new Engine(core, {
    now,
    store: {
      append: (e, source) => storage.events.append(e, source),
      has: (id) => storage.events.has(id),
      remove: (id) => { storage.events.remove(id); },
    },
  });
  // The log is the truth: replay it before anything can add to it.
  const t0 = performance.now();
  const patches: SettingsPatch[] = [];
  const counts = engine.replay(storage.events.replay(), (e) => {
    if (e.type === 'config.changed') patches.push(((e.settings ?? {}) as { patch?: SettingsPatch }).patch ?? {});
  });
  const replayed = { ...counts, ms: Math.round(performance.now() - t0) };
  engine.advance();
  // The settings file, then the supervisors' logged changes on top.
  const live = new LiveSettings(replaySettings(opts.settings, patches, (msg) => process.emitWarning(msg)));
  // Agents changed through the API live in the log (agent.configured), not in the file.
  live.current = {
    ...live.current,
    agents: core.agentList().map((a) => ({ id: a.id, name: a.name, ...(a.contact ? { contact: a.contact } : {}), skills: a.skills, level: a.level })),
  };
  if (patches.length) {
    // The core replayed those changes against the file as it was then; settle it on today's file + changes.
    engine.dispatch(configChangedEvent(`start:settings:${now()}`, now(), live.current, {}), 'start');
  }
  const projection = projectRecords(engine, storage.records, (fn) => storage.transaction(fn));

  const twilio = opts.twilio ? {
    ...opts.twilio,
    onQueueSid: (callId: string, queueSid: string) => projection.note(callId, { twilioQueueSid: queueSid }),
    recordedQueueSid: (callId: string) => storage.records.getCall(callId)?.twilioQueueSid ?? null,
  } : undefined;
  const app = await buildApp({
    engine, settings: live.current, live, audit: storage.audit, logger: opts.logger ?? false, demo: opts.demo ?? false,
    viewerToken: opts.viewerToken, supervisorToken: opts.supervisorToken, agentTokens: opts.agentTokens, access: opts.access, staticDir: opts.staticDir, hub: opts.hub,
    twilio, records: storage.records, events: storage.events, checkDatabase: () => {
      storage.checkWritable();
      if (engine.storeError) throw new Error(engine.storeError);
    }, rateLimitPerMinute: opts.rateLimitPerMinute,
  });
  let closed = false;
  return {
    app, engine, storage, replayed,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      engine.stop();
      projection.stop();
      storage.close();
    },
  };
}
