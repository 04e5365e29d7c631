// Online backup (server/tools/backup.ts) of a database the server is writing to, and the
// restore procedure: stop, copy the backup over ATENDE_DB, start, replay.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../../server/config/load.ts';
import { createAtende, type Atende } from '../../../server/start.ts';
import type { Snapshot } from '../../../server/contract.ts';
import { MIGRATIONS } from '../../../server/storage/index.ts';
import { backupDatabase, main } from '../../../server/tools/backup.ts';
import { replayLog } from '../../../sim/replay.ts';

const settings = loadSettings(DEFAULT_SETTINGS_PATH);
const open: Atende[] = [];
afterEach(async () => { for (const a of open) await a.close(); open.length = 0; });

async function start(dbPath: string): Promise<Atende> {
  const a = await createAtende({ settings, dbPath, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false });
  open.push(a);
  return a;
}

let n = 0;
/** One caller through the core: arrives, queued; some abandon. Every event goes to the log first. */
function call(a: Atende, abandon: boolean): void {
  const callId = `CA${(n++).toString(16).padStart(32, '0')}`;
  const at = a.engine.now();
  const ok = (r: ReturnType<Atende['engine']['dispatch']>) => { if (!r.ok) throw r.error; };
  ok(a.engine.dispatch({ type: 'call.arrived', id: `${callId}:arrived`, at, callId, from: `+5511${String(900000000 + (n % 5000))}` }, 'test'));
  ok(a.engine.dispatch({ type: 'call.ivr', id: `${callId}:ivr`, at, callId, path: ['3'], language: 'pt-BR' }, 'test'));
  ok(a.engine.dispatch({ type: 'call.queued', id: `${callId}:queued`, at, callId, queue: 'financeiro' }, 'test'));
  if (abandon) ok(a.engine.dispatch({ type: 'call.abandoned', id: `${callId}:ended`, at, callId }, 'test'));
}

type Row = { seq: number; id: string; body: string };
const rows = (file: string): Row[] => {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try { return db.prepare('SELECT seq, id, body FROM events ORDER BY seq').all() as Row[]; } finally { db.close(); }
};

describe('online backup', () => {
  it('copies a database being written to: the copy opens, passes integrity_check, holds a prefix of the log and replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-backup-'));
    const live = join(dir, 'atende.db');
    const a = await start(live);
    // Agents on shift (nobody on Financeiro, so callers wait or abandon), then a day's worth of log.
    for (const id of ['ana', 'bruno', 'isabela']) a.engine.dispatch({ type: 'agent.state', id: `api:state:${id}:1`, at: a.engine.now(), agentId: id, state: id === 'ana' ? 'away' : 'available', reason: id === 'ana' ? 'almoço' : undefined }, 'api:agents');
    a.storage.transaction(() => { for (let i = 0; i < 6000; i++) call(a, i % 20 !== 0); });
    const before = a.storage.events.count();

    // Back up while the server keeps appending (one caller per event-loop turn).
    let writing = true, written = 0;
    const writer = (async () => {
      while (writing) {
        call(a, written % 3 === 0);
        written++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const progress: [number, number][] = [];
    const copy = join(dir, 'backup.db');
    const r = await backupDatabase(live, copy, { pagesPerStep: 25, onProgress: (done, total) => progress.push([done, total]) });
    const duringBackup = written;
    for (let i = 0; i < 50; i++) { call(a, false); written++; } // and after it
    writing = false;
    await writer;

    console.info(`backup: ${r.pages} pages, ${r.bytes} B, ${r.events} events, ${r.restarts} restarts, ${r.ms} ms; ${duringBackup} callers appended during the backup`);
    expect(duringBackup).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(3); // copied in steps, not in one go
    expect(r).toMatchObject({ integrity: 'ok', schemaVersion: MIGRATIONS.at(-1)!.version });
    expect(r.events).toBeGreaterThanOrEqual(before);

    // A single self-contained file: no -wal next to it, not in WAL mode.
    expect(existsSync(`${copy}-wal`)).toBe(false);
    expect(existsSync(`${copy}.partial`)).toBe(false);
    const check = new BetterSqlite3(copy, { readonly: true, fileMustExist: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(check.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(r.events);
    } finally {
      check.close();
    }

    // The copy's log is exactly the first r.events events of the live log, byte for byte.
    const source = rows(live);
    const copied = rows(copy);
    expect(source.length).toBeGreaterThan(copied.length); // the server wrote after the copy's instant
    expect(copied).toEqual(source.slice(0, copied.length));
    expect(copied.at(-1)!.seq).toBe(r.lastSeq);
    // A consistent instant: every caller in the copy is whole (arrived, ivr, queued come in one turn).
    const ids = new Set(copied.map((x) => x.id));
    for (const x of copied) if (x.id.endsWith(':arrived')) expect(ids.has(x.id.replace(':arrived', ':queued'))).toBe(true);

    // The copy replays through the routing core.
    const replay = replayLog(copy, settings, DEFAULT_SETTINGS_PATH);
    expect(replay.events).toBe(copied.length);
    expect(replay.refused).toBe(0);
    expect(replay.summary.calls.generated).toBe(copied.filter((x) => x.id.endsWith(':arrived')).length);
  }, 60_000);

  it('restore: stop the server, copy the backup over ATENDE_DB, start: the server replays the copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-restore-'));
    const live = join(dir, 'atende.db');
    const a = await start(live);
    a.engine.dispatch({ type: 'agent.state', id: 'api:state:bruno:1', at: a.engine.now(), agentId: 'bruno', state: 'away', reason: 'treino' }, 'api:agents');
    for (let i = 0; i < 30; i++) call(a, i % 4 === 0);
    const atBackup = (await a.app.inject({ method: 'GET', url: '/api/snapshot' })).json() as Snapshot;
    const backup = join(dir, 'backup.db');
    const r = await backupDatabase(live, backup);
    // Life goes on after the backup, then the disk is lost.
    for (let i = 0; i < 10; i++) call(a, false);
    await a.close();
    open.length = 0;

    // The procedure: server stopped; the old file and its -wal/-shm removed; the backup copied in.
    for (const f of ['', '-wal', '-shm']) rmSync(live + f, { force: true });
    copyFileSync(backup, live);
    const b = await start(live);
    expect(b.replayed).toMatchObject({ applied: r.events, refused: 0 });
    const after = (await b.app.inject({ method: 'GET', url: '/api/snapshot' })).json() as Snapshot;
    expect(after.waitingCalls.map((c) => c.callId)).toEqual(atBackup.waitingCalls.map((c) => c.callId));
    expect(after.center.today).toEqual(atBackup.center.today);
    expect(after.agents.find((x) => x.id === 'bruno')).toMatchObject({ state: 'away', reason: 'treino' });
    // Back in WAL mode (Atende sets it at start) and writing again.
    expect(b.storage.db.pragma('journal_mode', { simple: true })).toBe('wal');
    call(b, false);
    expect(b.storage.events.count()).toBe(r.events + 3);
  });

  it('the command: backs up a stopped database, prints a summary, refuses to overwrite, explains its arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-backup-cli-'));
    const live = join(dir, 'atende.db');
    const a = await start(live);
    for (let i = 0; i < 20; i++) call(a, true);
    await a.close(); // a cleanly stopped server: no -wal left
    open.length = 0;
    const io = () => {
      const o = { out: '', err: '' };
      return { o, io: { stdout: { write: (s: string) => { o.out += s; } }, stderr: { write: (s: string) => { o.err += s; } } } };
    };
    const dest = join(dir, 'copy.db');
    const ok = io();
    expect(await main([dest], ok.io, { ATENDE_DB: live })).toBe(0);
    const count = rows(live).length;
    expect(count).toBeGreaterThanOrEqual(80); // 20 callers × 4 events
    expect(ok.o.out).toContain(`events     ${count} (last seq ${count})`);
    expect(ok.o.out).toContain('integrity  ok');
    expect(ok.o.out).toMatch(/pages +\d+ × \d+ B = [\d.]+ MB/);
    expect(ok.o.err).toContain('backup');

    const again = io();
    expect(await main([dest, '--db', live], again.io, {})).toBe(1);
    expect(again.o.err).toContain('exists');
    expect(await main([dest, '--db', live, '--force'], io().io, {})).toBe(0);

    const missing = io();
    expect(await main([join(dir, 'x.db'), '--db', join(dir, 'nope.db')], missing.io, {})).toBe(1);
    expect(missing.o.err).toContain('no such database file');
    const usage = io();
    expect(await main([], usage.io, {})).toBe(2);
    expect(usage.o.err).toContain('usage: npm run backup');
    expect(await main([dest, '--what'], io().io, {})).toBe(2);
  });
});
