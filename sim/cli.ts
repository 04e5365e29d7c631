// Simulator command line:
//   tsx sim/cli.ts --scenario FILE [--virtual [--days N --db FILE] | --live] [--speed N] [--seed N] [--json]
// Virtual mode plays the day against the routing core in virtual time; with --days
// it writes instead the database a live Atende would have written over N days.
// Live mode places the calls through the Twilio emulator against a real Atende
// (one started in this process, on the emulator's clock, or a running one with
// --url). Each prints its summary (a table, or JSON on stdout with --json);
// progress goes to stderr.
// Exit codes: 0 done, 1 the scenario or settings file is refused, 2 bad arguments.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { SettingsError } from '../server/config/load.ts';
import { loadScenarioAndSettings, ScenarioError, SCENARIOS_DIR, type Scenario } from './model/scenario.ts';
import type { Settings } from '../server/config/types.ts';
import { createProgress, type ProgressStream } from '../server/tools/progress.ts';
import { renderSummary, type Summary } from './summary.ts';
import { runVirtual } from './virtual.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './emulator/index.ts';
import { runLive, type LiveProgress } from './live.ts';
import { startLocalStack } from './stack.ts';
import { renderDays } from './days/summary.ts';
import { DaysError, writeDays, type DaysSummary } from './days/writer.ts';
import { trafficFrame } from './model/traffic.ts';

export const USAGE = `usage: npm run sim -- --scenario FILE [--virtual [--days N --db FILE] | --live] [--speed N] [--seed N] [--json]

  --scenario FILE  scenario JSON (see sim/model/scenario.schema.json), or the name of one in sim/scenarios/ (sac-day)
  --virtual        run in virtual time against the routing core (the default)
  --days N         virtual: write the event log and call records a live Atende would have written over
                   N consecutive days of the scenario (day i: seed + i, date + i) into a new --db FILE,
                   as fast as possible; \`npm start\` with ATENDE_DB=FILE and the scenario's settings
                   file (ATENDE_CONFIG) then starts on it
  --live           place the calls through the Twilio emulator against Atende over HTTP: an Atende
                   started in this process on the emulator's clock (SQLite in --db, default a temporary
                   file), or with --url a running one started with TWILIO_API_URL=http://127.0.0.1:<--emulator-port>
                   and the same TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN as this command's environment
                   (that one keeps its own clock: its figures only mean something at --speed 1)
  --url URL        live: the running Atende (its PUBLIC_URL must be this URL)
  --emulator-port N  live with --url: where the emulator's REST API listens (default 3901)
  --db FILE        live without --url: the SQLite file of the in-process Atende; --days: the new database
  --max-calls N    live: stop after N calls;  --max-seconds N: stop after N real seconds
  --speed N        live: time compression (N > 0, default 1); virtual mode runs as fast as it can
  --seed N         override the scenario's seed (integer 0..4294967295)
  --date YYYY-MM-DD  override the scenario's date (with --days: the first day's)
  --json           print the summary as JSON on stdout (progress stays on stderr)
  --help           this text`;

/** Modes the CLI knows. A new mode adds its name here and a branch in `run`. */
export type Mode = 'virtual' | 'live';

export interface CliOptions {
  scenario: string;
  mode: Mode;
  speed: number | null;
  seed: number | null;
  json: boolean;
  url?: string;
  emulatorPort?: number;
  db?: string;
  maxCalls?: number;
  maxSeconds?: number;
  /** Virtual: write this many days into `db` instead of summarising one day. */
  days?: number;
  date?: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses argv (without node and script). Throws UsageError; returns null for --help. */
export function parseArgs(argv: string[]): CliOptions | null {
  const o: Partial<CliOptions> & { mode: Mode; json: boolean; speed: number | null; seed: number | null } = {
    mode: 'virtual', json: false, speed: null, seed: null,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--help': case '-h': return null;
      case '--scenario': o.scenario = take(); break;
      case '--virtual': o.mode = 'virtual'; break;
      case '--live': o.mode = 'live'; break;
      case '--url': {
        const raw = take();
        try { new URL(raw); } catch { throw new UsageError(`--url must be a URL, got ${raw}`); }
        o.url = raw.replace(/\/+$/, '');
        break;
      }
      case '--db': o.db = take(); break;
      case '--emulator-port': case '--max-calls': case '--max-seconds': case '--days': {
        const raw = take();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got ${raw}`);
        if (flag === '--emulator-port') o.emulatorPort = n;
        else if (flag === '--max-calls') o.maxCalls = n;
        else if (flag === '--days') o.days = n;
        else o.maxSeconds = n;
        break;
      }
      case '--date': {
        const raw = take();
        const day = new Date(`${raw}T00:00:00Z`);
        const real = /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === raw;
        if (!real) throw new UsageError(`--date must be a calendar date YYYY-MM-DD, got ${raw}`);
        o.date = raw;
        break;
      }
      case '--json': o.json = true; break;
      case '--speed': {
        const raw = take();
        const n = Number(raw);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--speed must be a number > 0, got ${raw}`);
        o.speed = n;
        break;
      }
      case '--seed': {
        const raw = take();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n > 0xffffffff) throw new UsageError(`--seed must be an integer 0..4294967295, got ${raw}`);
        o.seed = n;
        break;
      }
      default:
        throw new UsageError(`unknown argument ${a}`);
    }
  }
  if (!o.scenario) throw new UsageError('--scenario FILE is required');
  if (o.days !== undefined) {
    if (o.mode !== 'virtual') throw new UsageError('--days writes a history in virtual time: it does not go with --live');
    if (!o.db) throw new UsageError('--days needs --db FILE (a new database to write)');
  }
  return o as CliOptions;
}

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: ProgressStream;
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr });

/** Runs one mode and returns its summary. */
export async function run(opts: CliOptions, scenario: Scenario, settings: Settings, io: CliIo): Promise<Summary> {
  switch (opts.mode) {
    case 'virtual': {
      const clock = (s: number) => {
        const h = Math.floor(s / 3600);
        const m = Math.floor((s % 3600) / 60);
        return `${h}h${String(m).padStart(2, '0')}`;
      };
      const bar = createProgress(`${scenario.name} (virtual)`, io.stderr, { unit: clock });
      const summary = runVirtual(scenario, settings, { onProgress: (d, t) => bar.update(d, t) });
      bar.finish();
      return summary;
    }
    case 'live': return runLiveMode(opts, scenario, settings, io);
  }
}

/** --days: the history written, its report on stderr as it goes. */
export async function runDays(opts: CliOptions, scenario: Scenario, settings: Settings, io: CliIo): Promise<DaysSummary> {
  const bar = createProgress(`${scenario.name} (${opts.days} days, calls)`, io.stderr);
  const summary = await writeDays(scenario, settings, { days: opts.days!, dbPath: resolve(opts.db!), onProgress: (d, t) => bar.update(d, t) });
  bar.finish();
  return summary;
}

async function runLiveMode(opts: CliOptions, scenario: Scenario, settings: Settings, io: CliIo): Promise<Summary> {
  const speed = opts.speed ?? 1;
  const bar = createProgress(`${scenario.name} (live ×${speed})`, io.stderr);
  const log = (msg: string) => io.stderr.write(`${msg}\n`);
  const onProgress = (p: LiveProgress) => bar.update(p.done, p.total);
  const bounds = { maxCalls: opts.maxCalls, maxSeconds: opts.maxSeconds };
  if (opts.url) {
    const accountSid = process.env.TWILIO_ACCOUNT_SID, authToken = process.env.TWILIO_AUTH_TOKEN;
    if (!accountSid || !authToken) throw new UsageError('--url needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, the same the server runs with');
    const emulator = await startEmulator({ accountSid, authToken, speed, seed: scenario.seed, atendeUrl: opts.url, port: opts.emulatorPort ?? 3901 });
    log(`emulator REST API at ${emulator.apiUrl} (the server's TWILIO_API_URL); calls go to ${opts.url}`);
    if (speed !== 1) log(`the server at ${opts.url} keeps its own clock: at ×${speed} the times and figures it computes are not the callers'`);
    try {
      const r = await runLive(scenario, settings, { atendeUrl: opts.url, emulator, supervisorToken: process.env.ATENDE_SUPERVISOR_TOKEN || null }, { speed, ...bounds, onProgress, log });
      bar.finish();
      return r.summary;
    } finally {
      await emulator.close();
    }
  }
  const dbPath = opts.db ?? join(mkdtempSync(join(tmpdir(), 'atende-sim-')), 'atende.db');
  // Atende runs on the emulator's clock, which starts at the scenario's first minute.
  const startAt = trafficFrame(scenario, settings).startAt;
  const stack = await startLocalStack({ settings, dbPath, speed, seed: scenario.seed, startAt });
  log(`Atende at ${stack.url} (SQLite ${dbPath}), Twilio emulator at ${stack.emulator.apiUrl}`);
  try {
    const r = await runLive(scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator, atende: stack.atende }, { speed, ...bounds, onProgress, log });
    bar.finish();
    return r.summary;
  } finally {
    await stack.close();
  }
}

/** A file, or the name of a shipped scenario ("sac-day" is sim/scenarios/sac-day.json). */
export function scenarioPath(arg: string): string {
  const path = resolve(arg);
  if (existsSync(path) || /[\\/]/.test(arg)) return path;
  const shipped = join(SCENARIOS_DIR, arg.endsWith('.json') ? arg : `${arg}.json`);
  return existsSync(shipped) ? shipped : path;
}

/** The whole command: parse, load, run, print. Resolves to the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let opts: CliOptions | null;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === null) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let loaded: { scenario: Scenario; settings: Settings };
  try {
    loaded = loadScenarioAndSettings(scenarioPath(opts.scenario), opts.seed === null ? {} : { seed: opts.seed });
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof SettingsError) {
      io.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (opts.date) loaded.scenario.date = opts.date;
  if (opts.days !== undefined) {
    let days: DaysSummary;
    try {
      days = await runDays(opts, loaded.scenario, loaded.settings, io);
    } catch (err) {
      if (!(err instanceof DaysError)) throw err;
      io.stderr.write(`${err.message}\n`);
      return 1;
    }
    io.stdout.write(opts.json ? `${JSON.stringify(days, null, 2)}\n` : `${renderDays(days)}\n`);
    return 0;
  }
  const summary = await run(opts, loaded.scenario, loaded.settings, io);
  io.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
