// Simulator command line:
//   tsx sim/cli.ts --scenario FILE [--virtual] [--speed N] [--seed N] [--json]
// Virtual mode plays the day against the routing core in virtual time and prints
// the summary (a table, or JSON on stdout with --json); progress goes to stderr.
// Exit codes: 0 done, 1 the scenario or settings file is refused, 2 bad arguments.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { SettingsError } from '../server/config/load.ts';
import { loadScenarioAndSettings, ScenarioError, type Scenario } from './model/scenario.ts';
import type { Settings } from '../server/config/types.ts';
import { createProgress, type ProgressStream } from './progress.ts';
import { renderSummary, type Summary } from './summary.ts';
import { runVirtual } from './virtual.ts';

export const USAGE = `usage: tsx sim/cli.ts --scenario FILE [--virtual] [--speed N] [--seed N] [--json]

  --scenario FILE  scenario JSON (see sim/model/scenario.schema.json; examples in sim/scenarios/)
  --virtual        run in virtual time against the routing core (the default)
  --speed N        time compression for real-time modes (N > 0; virtual mode runs as fast as it can)
  --seed N         override the scenario's seed (integer 0..4294967295)
  --json           print the summary as JSON on stdout (progress stays on stderr)
  --help           this text`;

/** Modes the CLI knows. A new mode adds its name here and a branch in `run`. */
export type Mode = 'virtual';

export interface CliOptions {
  scenario: string;
  mode: Mode;
  speed: number | null;
  seed: number | null;
  json: boolean;
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
  }
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
    loaded = loadScenarioAndSettings(resolve(opts.scenario), opts.seed === null ? {} : { seed: opts.seed });
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof SettingsError) {
      io.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
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
