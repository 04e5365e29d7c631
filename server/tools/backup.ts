// Online backup of an Atende database while the server runs: SQLite's backup API
// (better-sqlite3 `db.backup`) copies the pages through a read transaction, which in
// WAL mode never blocks the server's writes. The copy is a consistent snapshot of
// the log at one instant (a prefix of the live log), turned into a single
// self-contained file (journal_mode=DELETE: no -wal beside it) and verified.
//
//   npm run backup -- DEST_FILE [--db FILE] [--force]
//
// Restore: stop the server (SIGTERM), remove ATENDE_DB and its -wal/-shm files,
// copy the backup to ATENDE_DB, start the server: it replays the copy's log.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { archiveDirFor, listArchives } from '../storage/archive.ts';
import { schemaVersion } from '../storage/db.ts';
import { createProgress, type ProgressStream } from './progress.ts';

export interface BackupOptions {
  /** Pages copied per step (one step per event-loop turn). Default 1000 (4 MB with 4 KiB pages). */
  pagesPerStep?: number;
  /**
   * SQLite restarts an online backup when another connection writes to the source
   * between two steps. After this many restarts the rest is copied in one step
   * (one read transaction: still no lock on the writer in WAL mode). Default 3.
   */
  maxRestarts?: number;
  /** Overwrite DEST when it exists. */
  force?: boolean;
  onProgress?(copiedPages: number, totalPages: number): void;
}

export interface BackupResult {
  source: string;
  dest: string;
  pages: number;
  pageSize: number;
  bytes: number;
  /** Events in the copy, and the last sequence number among them. */
  events: number;
  lastSeq: number;
  schemaVersion: number;
  /** How often SQLite restarted the copy because the source was written meanwhile. */
  restarts: number;
  integrity: 'ok';
  ms: number;
}

export class BackupError extends Error {
  constructor(message: string) { super(message); this.name = 'BackupError'; }
}

/** Copies `source` to `dest` online, converts the copy to a single file and verifies it. */
export async function backupDatabase(source: string, dest: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const t0 = performance.now();
  const src = resolve(source);
  const out = resolve(dest);
  if (!existsSync(src)) throw new BackupError(`${src}: no such database file`);
  if (src === out) throw new BackupError('the backup cannot be the database itself');
  if (existsSync(out) && !opts.force) throw new BackupError(`${out} exists (pass --force to overwrite it)`);
  const partial = `${out}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(f, { force: true });

  const perStep = Math.max(1, Math.floor(opts.pagesPerStep ?? 1000));
  const maxRestarts = Math.max(0, Math.floor(opts.maxRestarts ?? 3));
  // Read-only: the backup never writes to the live database (no migration, no pragma).
  const db = new BetterSqlite3(src, { readonly: true, fileMustExist: true });
  let restarts = 0;
  try {
    db.pragma('busy_timeout = 5000');
    let lastRemaining = Infinity;
    await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        opts.onProgress?.(totalPages - remainingPages, totalPages);
        return restarts >= maxRestarts ? 0x7fffffff : perStep;
      },
    });
  } catch (err) {
    rmSync(partial, { force: true });
    throw new BackupError(`backup of ${src} failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }

  // The copy carries the source's WAL flag: make it one self-contained file, then check it.
  let result: Omit<BackupResult, 'ms'>;
  const copy = new BetterSqlite3(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') throw new BackupError(`the copy fails integrity_check: ${integrity}`);
    const hasEvents = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get() === 1;
    if (!hasEvents) throw new BackupError(`${src} is not an Atende database (no events table)`);
    const events = copy.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
    const lastSeq = (copy.prepare('SELECT MAX(seq) FROM events').pluck().get() as number | null) ?? 0;
    const pages = copy.pragma('page_count', { simple: true }) as number;
    const pageSize = copy.pragma('page_size', { simple: true }) as number;
    result = { source: src, dest: out, pages, pageSize, bytes: 0, events, lastSeq, schemaVersion: schemaVersion(copy), restarts, integrity: 'ok' };
  } catch (err) {
    copy.close();
    rmSync(partial, { force: true });
    throw err;
  }
  copy.close();
  // Only a verified copy takes the destination's name.
  for (const f of [`${out}-wal`, `${out}-shm`, `${out}-journal`]) rmSync(f, { force: true });
  renameSync(partial, out);
  result.bytes = statSync(out).size;
  return { ...result, ms: Math.round(performance.now() - t0) };
}

export const USAGE = `usage: npm run backup -- DEST_FILE [--db FILE] [--force]
  Copies the Atende database online (the server may be running: WAL lets it keep
  writing) into DEST_FILE, a single self-contained SQLite file, and verifies it
  (PRAGMA integrity_check, events counted).
  --db     the database (default: $ATENDE_DB or data/atende.db)
  --force  overwrite DEST_FILE if it exists
  Restore: stop the server, delete ATENDE_DB and its -wal and -shm files, copy
  DEST_FILE to ATENDE_DB, start the server (it replays the log of the copy).
  Events older than retention.eventDays live in the archive folder beside the
  database (ATENDE_DB's name + "-archive/"): plain files, copy them as they are.`;

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export async function main(argv: string[], io: { stdout: { write(s: string): unknown }; stderr: ProgressStream } = { stdout: process.stdout, stderr: process.stderr }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let dest: string | null = null;
  let db = env.ATENDE_DB || 'data/atende.db';
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--db' && argv[i + 1]) db = argv[++i];
    else if (a === '--force') force = true;
    else if (a === '--help' || a === '-h') { io.stdout.write(`${USAGE}\n`); return 0; }
    else if (!a.startsWith('--') && dest === null) dest = a;
    else { io.stderr.write(`unknown argument: ${a}\n\n${USAGE}\n`); return 2; }
  }
  if (!dest) { io.stderr.write(`${USAGE}\n`); return 2; }
  const bar = createProgress('backup', io.stderr);
  let r: BackupResult;
  try {
    r = await backupDatabase(db, dest, { force, onProgress: (done, total) => bar.update(done, total) });
  } catch (err) {
    io.stderr.write(`\n${(err as Error).message}\n`);
    return 1;
  }
  bar.finish();
  io.stdout.write([
    `backup of ${r.source}`,
    `  into       ${r.dest}`,
    `  pages      ${r.pages} × ${r.pageSize} B = ${mb(r.bytes)}`,
    `  events     ${r.events} (last seq ${r.lastSeq}), schema v${r.schemaVersion}`,
    `  integrity  ${r.integrity}`,
    `  time       ${r.ms} ms${r.restarts ? ` (${r.restarts} restart${r.restarts > 1 ? 's' : ''}: the server wrote meanwhile)` : ''}`,
    ...archivesNote(r.source),
    '',
  ].join('\n'));
  return 0;
}

/** The archived events are files beside the database, not in it: the copy does not hold them. */
function archivesNote(db: string): string[] {
  const dir = archiveDirFor(db);
  const files = listArchives(dir);
  return files.length ? [`  archives   ${files.length} file${files.length > 1 ? 's' : ''} in ${dir} are not in the copy: copy that folder too`] : [];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
