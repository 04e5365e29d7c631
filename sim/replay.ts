// Replays a recorded event log through the routing core in virtual time and prints
// the same summary as the simulator. The log is the truth: the figures come out
// exactly as the server showed them.
//
//   tsx sim/replay.ts DB_FILE [--config SETTINGS] [--at ISO_TIME] [--json]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RoutingCore } from '../routing/core.ts';
import type { DomainEvent } from '../routing/types.ts';
import { DEFAULT_SETTINGS_PATH, loadSettings, SettingsError, toMetricsSettings, toRoutingConfig } from '../server/config/load.ts';
import type { Settings } from '../server/config/types.ts';
import { openStorage } from '../server/storage/index.ts';
import { createProgress, type ProgressStream } from './progress.ts';
import { renderSummary, scopeSummary, type Summary } from './summary.ts';

export interface ReplayOptions {
  onProgress?(done: number, total: number): void;
  /** Read the figures at this time (epoch ms) instead of the last event's: timers after it fire too. */
  at?: number;
}

export interface ReplayResult {
  summary: Summary;
  events: number;
  refused: number;
  core: RoutingCore;
}

/** Applies every logged event in order; figures are read at the time of the last event. */
export function replayLog(dbPath: string, settings: Settings, settingsPath: string, opts: ReplayOptions = {}): ReplayResult {
  const t0 = performance.now();
  if (dbPath !== ':memory:' && !existsSync(dbPath)) throw new Error(`${dbPath}: no such database file`);
  const storage = openStorage(dbPath);
  try {
    const total = storage.events.count();
    const firstAt = (storage.db.prepare('SELECT MIN(at) AS at FROM events').get() as { at: number | null }).at;
    const lastAt = storage.events.lastAt();
    if (firstAt === null || lastAt === null) throw new Error(`${dbPath}: the event log is empty`);
    const core = new RoutingCore(toRoutingConfig(settings), toMetricsSettings(settings), firstAt);
    let applied = 0, refused = 0;
    const counts = { arrived: 0, queued: 0, answered: new Set<string>(), abandoned: 0, missed: 0 };
    const count = (e: DomainEvent) => {
      if (e.type === 'call.arrived') counts.arrived++;
      else if (e.type === 'call.queued') counts.queued++;
      else if (e.type === 'call.answered') counts.answered.add(e.callId);
      else if (e.type === 'call.abandoned') counts.abandoned++;
      else if (e.type === 'call.offer-missed') counts.missed++;
    };
    for (const e of storage.events.replay()) {
      try {
        core.apply(e);
        count(e);
      } catch {
        refused++;
      }
      if (++applied % 5000 === 0) opts.onProgress?.(applied, total);
    }
    opts.onProgress?.(total, total);
    const now = Math.max(opts.at ?? lastAt, core.now);
    core.advance(now);
    const longest = (queue?: string) => {
      const since = core.longestWaitStart(queue);
      return since === null ? null : now - since;
    };
    const read = (scope: Parameters<typeof core.metrics.read>[0]) => core.metrics.read(scope, 'today');
    const agents = core.agentList();
    const calls = core.waitingCalls();
    const summary: Summary = {
      scenario: {
        name: `replay of ${dbPath}`, description: `${total} logged events`, seed: 0, settings: settingsPath,
        date: new Date(firstAt).toISOString().slice(0, 10), start: new Date(firstAt).toISOString().slice(11, 16),
        hours: Math.round(((lastAt - firstAt) / 3_600_000) * 10) / 10, timezone: settings.timezone,
      },
      simulated: { startAt: new Date(firstAt).toISOString(), arrivalsEndAt: new Date(lastAt).toISOString(), endAt: new Date(now).toISOString(), events: applied - refused },
      calls: {
        generated: counts.arrived, queued: counts.queued, answered: counts.answered.size, abandoned: counts.abandoned, overflowed: 0,
        waitingAtEnd: calls.length, connectedAtEnd: agents.filter((a) => a.status === 'on-call').length,
        inIvrAtEnd: 0, ringNoAnswer: counts.missed,
      },
      agents: { rostered: agents.length, averageOnShift: agents.filter((a) => a.status !== 'offline').length, peakOnShift: agents.filter((a) => a.status !== 'offline').length },
      center: scopeSummary(read({ kind: 'center' }), longest()),
      queues: core.queueConfigs().map((q) => ({ id: q.id, name: q.name, ...scopeSummary(read({ kind: 'queue', id: q.id }), longest(q.id)) })),
      tiers: Array.from({ length: settings.priority.tiers }, (_, i) => ({ tier: i + 1, ...scopeSummary(read({ kind: 'tier', tier: i + 1 }), null) })),
      theory: null,
      wallClockMs: Math.round(performance.now() - t0),
    };
    return { summary, events: applied, refused, core };
  } finally {
    storage.close();
  }
}

export const USAGE = `usage: npm run replay -- DB_FILE [--config SETTINGS_FILE] [--at ISO_TIME] [--json]
  Replays the event log of an Atende database through the routing core (virtual time)
  and prints the figures of the log's last day, as the simulator does.
  --config  the settings the server ran with (default: $ATENDE_CONFIG or config/example.json)
  --at      read the figures at this time (default: the last logged event; timers up to then fire)
  --json    the summary as JSON on stdout (progress stays on stderr)`;

export async function main(argv: string[], io: { stdout: { write(s: string): unknown }; stderr: ProgressStream } = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let db: string | null = null, config = process.env.ATENDE_CONFIG || DEFAULT_SETTINGS_PATH, json = false;
  let at: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--config' && argv[i + 1]) config = argv[++i];
    else if (a === '--at' && argv[i + 1]) {
      at = Date.parse(argv[++i]);
      if (!Number.isFinite(at)) { io.stderr.write(`--at needs an ISO time, got "${argv[i]}"\n`); return 2; }
    }
    else if (a === '--help' || a === '-h') { io.stdout.write(`${USAGE}\n`); return 0; }
    else if (!a.startsWith('--') && db === null) db = a;
    else { io.stderr.write(`unknown argument: ${a}\n\n${USAGE}\n`); return 2; }
  }
  if (!db) { io.stderr.write(`${USAGE}\n`); return 2; }
  let settings: Settings;
  try {
    settings = loadSettings(config);
  } catch (err) {
    io.stderr.write(`${err instanceof SettingsError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const bar = createProgress('replay', io.stderr);
  let result: ReplayResult;
  try {
    result = replayLog(resolve(db), settings, config, { at, onProgress: (d, t) => bar.update(d, t) });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  bar.finish();
  if (result.refused) io.stderr.write(`note: ${result.refused} logged events were refused by the core (they were refused live too)\n`);
  io.stdout.write(json ? `${JSON.stringify(result.summary, null, 2)}\n` : `${renderSummary(result.summary)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
