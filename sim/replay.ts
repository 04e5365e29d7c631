// Replays a recorded event log through the routing core in virtual time and prints
// the same summary as the simulator. The log is the truth: the figures come out
// exactly as the server showed them. The log is the archive files beside the
// database (events moved out by retention, server/history/retention.ts) followed by
// the events still in the database.
//
//   tsx sim/replay.ts DB_FILE [--config SETTINGS] [--at ISO_TIME] [--json]
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RoutingCore } from '../routing/core.ts';
import type { DomainEvent } from '../routing/types.ts';
import { DEFAULT_SETTINGS_PATH, loadSettings, SettingsError, toMetricsSettings, toRoutingConfig } from '../server/config/load.ts';
import type { Settings } from '../server/config/types.ts';
import { openStorage } from '../server/storage/index.ts';
import { logBounds, readLog } from '../server/storage/archive.ts';
import { createProgress, type ProgressStream } from '../server/tools/progress.ts';
import { renderSummary, scopeSummary, type Summary } from './summary.ts';
import { startEmulator } from './emulator/index.ts';
import { runLivePlan, type LivePlan } from './live.ts';
import type { Scenario } from './model/scenario.ts';
import type { AgentPlan, CallPlan } from './model/traffic.ts';
import { startLocalStack } from './stack.ts';

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
    const { events: total, firstAt, lastAt } = logBounds(storage.db);
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
    for (const { event: e } of readLog(storage.db, storage.archiveDir)) {
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

/**
 * The recorded calls as a live plan: each caller arrives at the same offset, presses the
 * same keys, talks as long, hangs up (or gives up) as they did; agents log in and out as
 * they did. Calls that never left the IVR are left out (the emulator cannot tell why they hung up).
 */
export function planFromLog(dbPath: string, settings: Settings): { plan: LivePlan; skipped: number } {
  if (!existsSync(dbPath)) throw new Error(`${dbPath}: no such database file`);
  const storage = openStorage(dbPath);
  try {
    interface Rec { arrivedAt: number; from: string; to: string; path: string[]; language: string | null; queue: string | null; attributes: Record<string, string | number | boolean>; queuedAt: number | null; answeredAt: number | null; endedAt: number | null; abandoned: boolean; by: string | null; nps?: number; csat?: number; fcr?: boolean }
    const calls = new Map<string, Rec>();
    const shifts = new Map<string, { start: number; end: number }[]>();
    let firstAt: number | null = null, lastAt = 0;
    for (const { event: e } of readLog(storage.db, storage.archiveDir)) {
      firstAt ??= e.at;
      lastAt = Math.max(lastAt, e.at);
      const c = 'callId' in e ? calls.get(e.callId) : undefined;
      switch (e.type) {
        case 'call.arrived': calls.set(e.callId, { arrivedAt: e.at, from: e.from, to: e.to ?? '', path: [], language: null, queue: null, attributes: {}, queuedAt: null, answeredAt: null, endedAt: null, abandoned: false, by: null }); break;
        case 'call.ivr': if (c) { c.path = e.path; c.language = e.language ?? null; } break;
        case 'call.queued': if (c) { c.queue = e.queue; c.queuedAt = e.at; c.attributes = (e.attributes ?? {}) as Rec['attributes']; } break;
        case 'call.answered': if (c && c.answeredAt === null) c.answeredAt = e.at; break;
        case 'call.abandoned': if (c) { c.abandoned = true; c.endedAt = e.at; } break;
        case 'call.ended': if (c && c.endedAt === null) { c.endedAt = e.at; c.by = e.by; } break;
        case 'call.survey': if (c) { if (e.nps !== undefined) c.nps = e.nps; if (e.csat !== undefined) c.csat = e.csat; } break;
        case 'call.disposition': if (c) c.fcr = e.resolvedFirstContact; break;
        case 'agent.state': {
          const list = shifts.get(e.agentId) ?? [];
          const open = list.at(-1);
          if (e.state === 'available' && (!open || Number.isFinite(open.end))) list.push({ start: e.at, end: Infinity });
          if (e.state === 'offline' && open && !Number.isFinite(open.end)) open.end = e.at;
          shifts.set(e.agentId, list);
          break;
        }
      }
    }
    if (firstAt === null) throw new Error(`${dbPath}: the event log is empty`);
    const digitOf = (code: string | null) => settings.ivr.languages.length > 1 ? (settings.ivr.languages.find((l) => l.code === code) ?? settings.ivr.languages[0]).digit : null;
    let skipped = 0, seq = 0;
    const planned: CallPlan[] = [];
    for (const [id, r] of calls) {
      if (r.queuedAt === null || !r.queue) { skipped++; continue; }
      const end = r.endedAt ?? lastAt;
      planned.push({
        id, seq: seq++, arriveAt: r.arrivedAt, from: r.from, to: r.to, vip: false, repeat: false, surge: false,
        language: r.language ?? settings.ivr.languages[0].code, languageDigit: digitOf(r.language), ivrPath: r.path, queue: r.queue,
        attributes: r.attributes, ivrMs: r.queuedAt - r.arrivedAt,
        patienceMs: r.abandoned ? Math.max(1000, end - r.queuedAt) : null,
        talkMs: r.answeredAt === null ? 0 : Math.max(1000, end - r.answeredAt), holdMs: 0, answersAfterMs: 3000,
        hangsUpBy: r.by === 'caller' ? 'caller' : 'agent', surveyNps: r.nps, surveyCsat: r.nps === undefined ? undefined : r.csat,
        resolvedFirstContact: r.fcr,
      });
    }
    const agents: AgentPlan[] = settings.agents.map((a) => ({
      id: a.id, name: a.name, contact: a.contact, skills: a.skills, level: a.level, shifts: shifts.get(a.id) ?? [], ringNoAnswerProbability: 0,
    }));
    return { plan: { calls: planned, agents, startAt: firstAt, runEndAt: lastAt + 60_000, seed: 1 }, skipped };
  } finally {
    storage.close();
  }
}

export const USAGE = `usage: npm run replay -- DB_FILE [--config SETTINGS_FILE] [--at ISO_TIME] [--json]
       npm run replay -- DB_FILE --live [--speed N] [--url URL] [--config SETTINGS_FILE]
  Replays the event log of an Atende database through the routing core (virtual time)
  and prints the figures of the log's last day, as the simulator does. Events moved out
  of the database by retention are read from the archive folder beside it
  (DB_FILE's name + "-archive/events-YYYY-MM-DD.jsonl.gz"), oldest first.
  --config  the settings the server ran with (default: $ATENDE_CONFIG or config/example.json)
  --at      read the figures at this time (default: the last logged event; timers up to then fire)
  --json    the summary as JSON on stdout (progress stays on stderr)
  --live    replays the recorded calls as phone calls through the Twilio emulator against an Atende
            started in this process (or --url a running one, started with TWILIO_API_URL pointing at
            the emulator on port 3901 and this environment's TWILIO_ACCOUNT_SID/AUTH_TOKEN), at --speed`;

export async function main(argv: string[], io: { stdout: { write(s: string): unknown }; stderr: ProgressStream } = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let db: string | null = null, config = process.env.ATENDE_CONFIG || DEFAULT_SETTINGS_PATH, json = false;
  let at: number | undefined;
  let live = false, speed = 1, url: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--config' && argv[i + 1]) config = argv[++i];
    else if (a === '--live') live = true;
    else if (a === '--speed' && argv[i + 1]) { speed = Number(argv[++i]); if (!(speed > 0)) { io.stderr.write(`--speed must be > 0\n`); return 2; } }
    else if (a === '--url' && argv[i + 1]) url = argv[++i].replace(/\/+$/, '');
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
  if (live) return replayLive(resolve(db), settings, config, { speed, url, json }, io);
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

async function replayLive(db: string, settings: Settings, config: string, o: { speed: number; url: string | null; json: boolean }, io: { stdout: { write(s: string): unknown }; stderr: ProgressStream }): Promise<number> {
  let built;
  try { built = planFromLog(db, settings); } catch (err) { io.stderr.write(`${(err as Error).message}\n`); return 1; }
  const { plan, skipped } = built;
  if (skipped) io.stderr.write(`${skipped} calls that never left the IVR are not replayed\n`);
  const scenario = {
    name: `replay of ${db}`, description: `${plan.calls.length} recorded calls`, seed: 1, settings: config,
    date: new Date(plan.startAt).toISOString().slice(0, 10), start: new Date(plan.startAt).toISOString().slice(11, 16),
    hours: Math.max(1, Math.ceil((plan.runEndAt - plan.startAt) / 3_600_000)),
  } as unknown as Scenario;
  const bar = createProgress(`replay live ×${o.speed}`, io.stderr);
  const log = (msg: string) => io.stderr.write(`${msg}\n`);
  let summary: Summary;
  if (o.url) {
    const accountSid = process.env.TWILIO_ACCOUNT_SID, authToken = process.env.TWILIO_AUTH_TOKEN;
    if (!accountSid || !authToken) { io.stderr.write('--url needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, the same the server runs with\n'); return 2; }
    const emulator = await startEmulator({ accountSid, authToken, speed: o.speed, atendeUrl: o.url, port: 3901 });
    try {
      summary = (await runLivePlan(plan, scenario, settings, { atendeUrl: o.url, emulator, supervisorToken: process.env.ATENDE_SUPERVISOR_TOKEN || null }, { speed: o.speed, onProgress: (p) => bar.update(p.done, p.total), log })).summary;
    } finally { await emulator.close(); }
  } else {
    const stack = await startLocalStack({ settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-replay-')), 'atende.db'), speed: o.speed });
    try {
      summary = (await runLivePlan(plan, scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator }, { speed: o.speed, onProgress: (p) => bar.update(p.done, p.total), log })).summary;
    } finally { await stack.close(); }
  }
  bar.finish();
  io.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
