// Events moved out of the hot log (server/history/retention.ts) live in gzip'd JSON-lines
// files beside the database, one per local day: `<db dir>/<db name>-archive/events-YYYY-MM-DD.jsonl.gz`.
// One line per event: {"seq":…,"source":…,"recordedAt":…,"event":{…the DomainEvent…}}.
//
// A file is a series of gzip members of at most LINES_PER_MEMBER lines (concatenated
// members are one valid gzip file: `zcat` reads it whole), so a reader holds one member
// in memory, never a whole day. A day archived in two runs gets its second part as more
// members: the old bytes and the new members go to a temporary file that is fsynced and
// renamed over the old one, so a file is always whole. Readers skip any seq they have
// already passed, so a part written twice (a crash between the rename and the archives
// row) is read once.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { crc32, gzipSync, inflateRawSync } from 'node:zlib';
import type { DomainEvent } from '../../routing/types.ts';
import type { Database } from './db.ts';
import { EventLog, type LoggedEvent } from './event-log.ts';

export const LINES_PER_MEMBER = 5000;
const FILE_NAME = /^events-(\d{4}-\d{2}-\d{2})\.jsonl\.gz$/;

/** The archive folder of a database file (null for an in-memory database). */
export function archiveDirFor(dbPath: string): string | null {
  if (dbPath === ':memory:' || dbPath === '' || dbPath.startsWith('file::memory:')) return null;
  const full = resolve(dbPath);
  return join(dirname(full), `${basename(full, extname(full))}-archive`);
}

export const archiveFileName = (day: string): string => `events-${day}.jsonl.gz`;

export class ArchiveError extends Error {
  constructor(message: string) { super(message); this.name = 'ArchiveError'; }
}

export interface ArchivedLine { seq: number; source: string | null; recordedAt: number; event: DomainEvent }

/** One archive line, built from the stored JSON body without parsing it again. */
export function archiveLine(row: { seq: number; source: string | null; recorded_at: number; body: string }): string {
  return `{"seq":${row.seq},"source":${JSON.stringify(row.source)},"recordedAt":${row.recorded_at},"event":${row.body}}`;
}

/** Archive files of the folder, oldest day first (full paths). */
export function listArchives(dir: string | null): string[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => FILE_NAME.test(f)).sort().map((f) => join(dir, f));
}

/** The gzip members of a buffer, each inflated and checked (CRC-32 and length). */
function* members(buf: Buffer, file: string): Generator<Buffer> {
  let o = 0;
  while (o < buf.length) {
    if (buf[o] !== 0x1f || buf[o + 1] !== 0x8b || buf[o + 2] !== 8) throw new ArchiveError(`${file}: not gzip at byte ${o}`);
    const flags = buf[o + 3];
    let p = o + 10;
    if (flags & 4) p += 2 + buf.readUInt16LE(p); // FEXTRA
    if (flags & 8) while (buf[p++] !== 0); // FNAME
    if (flags & 16) while (buf[p++] !== 0); // FCOMMENT
    if (flags & 2) p += 2; // FHCRC
    let out: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      // Raw inflate stops at the end of this member's deflate stream and says how far it read.
      out = inflateRawSync(buf.subarray(p), { info: true } as object) as unknown as typeof out;
    } catch (err) {
      throw new ArchiveError(`${file}: ${(err as Error).message} at byte ${p}`);
    }
    p += out.engine.bytesWritten;
    if (p + 8 > buf.length) throw new ArchiveError(`${file}: cut short at byte ${p}`);
    if (buf.readUInt32LE(p) !== crc32(out.buffer) || buf.readUInt32LE(p + 4) !== out.buffer.length % 2 ** 32) {
      throw new ArchiveError(`${file}: checksum mismatch in the member at byte ${o}`);
    }
    yield out.buffer;
    o = p + 8;
  }
}

/** The lines of one archive file in order; memory holds one member at a time (plus the compressed file). */
export function* readArchiveFile(path: string): Generator<ArchivedLine> {
  for (const member of members(readFileSync(path), path)) {
    const text = member.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (nl > start) yield JSON.parse(text.slice(start, nl)) as ArchivedLine;
      start = nl + 1;
    }
  }
}

export interface DayArchive {
  /** Adds lines (each without its newline) as gzip members of at most LINES_PER_MEMBER lines. */
  add(lines: string[]): void;
  /** fsyncs and renames the day's file into place; returns its name and size. */
  commit(): { file: string; bytes: number };
  /** Leaves the day's file as it was. */
  abort(): void;
}

/**
 * Opens the day's file for more lines: its old bytes are copied to `<file>.tmp`, new
 * members are appended there, and `commit` fsyncs it and renames it over the file.
 */
export function openDayArchive(dir: string, day: string): DayArchive {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, archiveFileName(day));
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  let open = true;
  const abort = () => {
    if (!open) return;
    open = false;
    closeSync(fd);
    rmSync(tmp, { force: true });
  };
  try {
    if (existsSync(file)) bytes += writeSync(fd, readFileSync(file));
  } catch (err) {
    abort();
    throw err;
  }
  return {
    add(lines) {
      for (let i = 0; i < lines.length; i += LINES_PER_MEMBER) {
        bytes += writeSync(fd, gzipSync(`${lines.slice(i, i + LINES_PER_MEMBER).join('\n')}\n`));
      }
    },
    commit() {
      fsyncSync(fd);
      closeSync(fd);
      open = false;
      renameSync(tmp, file);
      syncDir(dir);
      return { file: basename(file), bytes };
    },
    abort,
  };
}

/** The rename itself must survive a power loss before the rows it replaces are deleted. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Not every platform can fsync a directory; the file itself is synced.
  }
}

/**
 * The whole log from `afterSeq` on: the archived events (oldest file first), then the
 * hot table, each seq once and in increasing order. A file the archives table says ends
 * before `afterSeq` is not opened. The table is read in batches, so the connection is
 * never held by an open iterator.
 */
export function* readLog(db: Database, archiveDir: string | null, { afterSeq = 0 }: { afterSeq?: number } = {}): Generator<LoggedEvent> {
  const events = new EventLog(db);
  const ends = new Map((db.prepare('SELECT file, MAX(last_seq) AS last FROM archives GROUP BY file').all() as { file: string; last: number }[])
    .map((r) => [r.file, r.last]));
  let last = afterSeq;
  for (const file of listArchives(archiveDir)) {
    if ((ends.get(basename(file)) ?? Infinity) <= last) continue;
    for (const line of readArchiveFile(file)) {
      if (line.seq <= last) continue;
      last = line.seq;
      yield { seq: line.seq, event: line.event };
    }
  }
  for (;;) {
    const batch = events.after(last, 2000);
    if (!batch.length) return;
    for (const e of batch) yield e;
    last = batch[batch.length - 1].seq;
  }
}

/**
 * Time of the call's last archived event, or null. Files are read newest first and stop at
 * the first that holds the call (the archive is a prefix of the log, so its later events are
 * there or in the hot table); a line is parsed only when its text names the call.
 */
export function lastAtInArchives(dir: string | null, callId: string): number | null {
  const needle = `"callId":${JSON.stringify(callId)}`;
  for (const file of listArchives(dir).reverse()) {
    let last: number | null = null;
    for (const member of members(readFileSync(file), file)) {
      const text = member.toString('utf8');
      for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
        const start = text.lastIndexOf('\n', i) + 1;
        const end = text.indexOf('\n', i);
        const line = JSON.parse(text.slice(start, end === -1 ? undefined : end)) as ArchivedLine;
        if ('callId' in line.event && line.event.callId === callId) last = last === null ? line.event.at : Math.max(last, line.event.at);
        if (end === -1) break;
        i = end - needle.length;
      }
    }
    if (last !== null) return last;
  }
  return null;
}

/** Size and time span of the whole log, archives included (from the archives table and the hot table). */
export function logBounds(db: Database): { events: number; firstAt: number | null; lastAt: number | null; archived: number } {
  const a = db.prepare('SELECT COALESCE(SUM(events), 0) AS n, MIN(min_at) AS first, MAX(max_at) AS last FROM archives').get() as { n: number; first: number | null; last: number | null };
  const h = db.prepare('SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM events').get() as { n: number; first: number | null; last: number | null };
  const min = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const max = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  return { events: a.n + h.n, firstAt: min(a.first, h.first), lastAt: max(a.last, h.last), archived: a.n };
}
