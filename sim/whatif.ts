// What-if on a recorded day, from the command line:
//   npm run whatif -- --db FILE --date 2026-12-05 --change "+2 suporte 09:00-10:00" [--change …]
//                     [--config SETTINGS] [--seed N] [--json]
// The day is replayed through the routing core with the changes (routing/whatif, through
// server/whatif/run.ts like POST /api/whatif); the figures per interval and for the day,
// before and after, go to stdout; progress to stderr.
// Exit codes: 0 done, 1 the database, settings or day cannot be used, 2 bad arguments.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANGE_SYNTAX, type ScopeFigures, type ScopeSet, type WhatIfSummary } from '../routing/whatif/index.ts';
import { DEFAULT_SETTINGS_PATH, loadSettings, SettingsError } from '../server/config/load.ts';
import type { Settings } from '../server/config/types.ts';
import { Zone } from '../server/reports/zone.ts';
import { openStorage } from '../server/storage/index.ts';
import { sqliteStore } from '../server/storage/sqlite-store.ts';
import { createProgress, type ProgressStream } from '../server/tools/progress.ts';
import { runWhatIf, WhatIfInputError } from '../server/whatif/run.ts';

export const USAGE = `usage: npm run whatif -- --db FILE --date YYYY-MM-DD [--change CHANGE]… [--config SETTINGS] [--seed N] [--json]
  Replays a recorded day of an Atende database through the routing core with changes, and
  prints the figures per interval and for the day, before and after.
  --db      the Atende database (SQLite) holding the day's event log
  --date    the local date of the day (in the settings' time zone)
  --change  a change (repeatable); none: the day as it was
  --config  the settings the server ran with (default: $ATENDE_CONFIG or config/example.json)
  --seed    seeds the patience drawn for callers who did not hang up (default 1)
  --json    the result as JSON on stdout

${CHANGE_SYNTAX}`;

interface Io { stdout: { write(s: string): unknown }; stderr: ProgressStream }

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let db: string | null = null, date: string | null = null, json = false, seed: number | undefined;
  let config = process.env.ATENDE_CONFIG || DEFAULT_SETTINGS_PATH;
  const changes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--db') db = value();
      else if (a === '--date') date = value();
      else if (a === '--change') changes.push(value());
      else if (a === '--config') config = value();
      else if (a === '--seed') {
        const v = value();
        seed = Number(v);
        if (!/^\d+$/.test(v) || seed > 4294967295) throw new Error(`--seed must be an integer 0..4294967295, got "${v}"`);
      } else if (a === '--json') json = true;
      else if (a === '--help' || a === '-h') { io.stdout.write(`${USAGE}\n`); return 0; }
      else throw new Error(`unknown argument: ${a}`);
    } catch (err) {
      io.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
  }
  if (!db || !date) { io.stderr.write(`${USAGE}\n`); return 2; }
  const dbPath = resolve(db);
  if (!existsSync(dbPath)) { io.stderr.write(`${dbPath}: no such database file\n`); return 1; }
  let settings: Settings;
  try {
    settings = loadSettings(config);
  } catch (err) {
    io.stderr.write(`${err instanceof SettingsError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const storage = openStorage(dbPath);
  const bar = createProgress(`what-if ${date}`, io.stderr, { unit: (v) => `${Math.round(v)}%` });
  let result: WhatIfSummary;
  try {
    result = await runWhatIf(sqliteStore(storage).events, settings, { date, changes, seed }, Date.now(), (f) => bar.update(f * 100, 100));
  } catch (err) {
    if (err instanceof WhatIfInputError) { io.stderr.write(`${err.field}: ${err.message}\n`); return err.field === 'date' ? 1 : 2; }
    throw err;
  } finally {
    storage.close();
  }
  bar.finish();
  io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${renderWhatIf(result, new Zone(settings.timezone), settings)}\n`);
  return 0;
}

// ---- rendering ----------------------------------------------------------------------------

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const secs = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)}s`);
const cells = (f: ScopeFigures) => [String(f.offered), String(f.answered), String(f.abandoned), pct(f.serviceLevel), secs(f.asaSeconds), secs(f.tmaSeconds), pct(f.occupancy)];
const HEAD = ['Offered', 'Answered', 'Aband.', 'SL', 'ASA', 'TMA', 'Occup.'];

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const busy = (s: ScopeSet) => s.center.offered > 0 || s.center.handled > 0;

/** The result as text: the changes, the day before/after per scope, the intervals with traffic, the limits. */
export function renderWhatIf(r: WhatIfSummary, zone: Zone, settings: Settings): string {
  const out: string[] = [];
  const time = (t: number) => zone.iso(t).slice(11, 16);
  out.push(`What-if ${zone.iso(r.dayStart).slice(0, 10)} (${time(r.dayStart)}–${time(r.endAt)}, ${settings.timezone}), seed ${r.seed}`);
  out.push(r.changes.length ? `Changes: ${r.changes.join('; ')}` : 'No change: the day as it was.');
  out.push(`Callers replayed: ${r.calls.recorded}${r.calls.carriedOver ? ` (+${r.calls.carriedOver} under way when the day began)` : ''}; ` +
    `patience: ${r.patience.abandons} of ${r.patience.observations} hung up, median ${secs(r.patience.medianSeconds)}, mean ${secs(r.patience.meanSeconds)} (Kaplan–Meier)`);
  out.push('');
  const names = new Map(settings.queues.map((q) => [q.id, q.name]));
  const dayRows: string[][] = [];
  const both = (label: string, b: ScopeFigures, a: ScopeFigures) => { dayRows.push([`${label} before`, ...cells(b)]); dayRows.push([`${label} after`, ...cells(a)]); };
  both('Center', r.day.before.center, r.day.after.center);
  for (const id of Object.keys(r.day.before.queues)) both(`  ${names.get(id) ?? id}`, r.day.before.queues[id], r.day.after.queues[id]);
  out.push(table(['Day', ...HEAD], dayRows));
  out.push('');
  const ivRows: string[][] = [];
  for (const iv of r.intervals) {
    if (!busy(iv.before) && !busy(iv.after)) continue;
    const label = `${time(iv.start)}–${time(iv.end)}${iv.complete ? '' : '*'}`;
    ivRows.push([`${label} before`, ...cells(iv.before.center)]);
    ivRows.push([`${' '.repeat(label.length)} after`, ...cells(iv.after.center)]);
  }
  if (ivRows.length) out.push(table(['Center by interval', ...HEAD], ivRows), '');
  if (r.refused.before || r.refused.after) out.push(`Events refused by the core: ${r.refused.before} recorded, ${r.refused.after} in the what-if.`);
  out.push('Limits:');
  for (const l of r.limits) out.push(`  - ${l}`);
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
