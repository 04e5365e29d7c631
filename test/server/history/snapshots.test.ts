// A start from the latest snapshot plus the events after it gives the center a full
// replay gives: the same /api/snapshot before and after a restart, and the same as a
// server that replays the whole log. A corrupt latest snapshot, or one written by
// another version of the code, is passed over for the one before it (or the whole log).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createAtende, type Atende } from '../../../server/start.ts';
import type { Settings } from '../../../server/config/types.ts';
import { SnapshotStore } from '../../../server/storage/history.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { playTraffic } from './traffic.ts';

const AGENTS = [
  { id: 'ana', queues: ['suporte', 'vendas'] }, { id: 'bruno', queues: ['suporte'] }, { id: 'carla', queues: ['suporte', 'financeiro'] },
  { id: 'diego', queues: ['vendas'] }, { id: 'gabriela', queues: ['financeiro'] },
];
const HOUR = 3_600_000;

const running: Atende[] = [];
afterEach(async () => { for (const a of running.splice(0)) await a.close(); });

interface Center { atende: Atende; clock: { t: number }; dbPath: string; settings: Settings }

async function start(dbPath: string, clock: { t: number }, settings: Settings): Promise<Atende> {
  const atende = await createAtende({
    settings, dbPath, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
    historyTimings: { startDelayMs: 0, pollMs: 20 },
  });
  running.push(atende);
  return atende;
}

async function center(everyEvents = 1000, dbPath = join(mkdtempSync(join(tmpdir(), 'atende-history-')), 'atende.db')): Promise<Center> {
  const settings = testSettings((s) => { s.history = { snapshotEveryEvents: everyEvents, snapshotEveryMinutes: 60 }; });
  const clock = { t: T0 - HOUR };
  const atende = await start(dbPath, clock, settings);
  // The log starts when the server did: a full replay starts its core at the first
  // event, so agents nobody touched show the same time in state as on the live server.
  atende.engine.dispatch({ type: 'agent.state', id: 'opening', at: clock.t, agentId: 'ana', state: 'offline' }, 'test');
  return { atende, clock, dbPath, settings };
}

async function stop(c: Center): Promise<void> {
  running.splice(running.indexOf(c.atende), 1);
  await c.atende.close();
}

const play = (c: Center, from: number, until: number, seed: number) => playTraffic(
  { engine: c.atende.engine, setNow: (t) => { c.clock.t = t; } },
  { start: from, days: 1, hours: 8, callsPerHour: 200, agents: AGENTS, seed, until },
);

async function snapshotOf(a: Atende): Promise<unknown> {
  const res = await a.app.inject({ method: 'GET', url: '/api/snapshot' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** A copy of the database without its snapshots: a server started on it replays the whole log. */
function withoutSnapshots(dbPath: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'atende-full-')), 'atende.db');
  copyFileSync(dbPath, copy);
  const db = new BetterSqlite3(copy);
  db.exec('DELETE FROM snapshots');
  db.close();
  return copy;
}

function snapshotRows(dbPath: string): { id: number; seq: number }[] {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try { return new SnapshotStore(db).list(); } finally { db.close(); }
}

/** A snapshot's stored body (its parts, put back together). */
function bodyOf(db: BetterSqlite3.Database, id: number): Buffer {
  return new SnapshotStore(db).get(id)!.core;
}

/** Replaces a snapshot's stored body with `core` (in one part). */
function rewrite(dbPath: string, id: number, core: Buffer): void {
  const db = new BetterSqlite3(dbPath);
  db.prepare('DELETE FROM snapshot_parts WHERE snapshot_id = ?').run(id);
  db.prepare('INSERT INTO snapshot_parts (snapshot_id, part, data) VALUES (?, 0, ?)').run(id, core);
  db.close();
}

describe('start from the latest snapshot', { timeout: 120_000 }, () => {
  it('a long day restarted mid-way: /api/snapshot is the same before, after, and after a full replay', async () => {
    const c = await center(1000);
    const logged = play(c, T0 - HOUR, T0 + 3 * HOUR, 1);
    expect(logged).toBeGreaterThan(3000);
    // The worker wrote snapshots as it went (every 1000 events); one more now, then more traffic after it.
    const taken = await c.atende.history.snapshotNow();
    expect(taken!.seq).toBe(c.atende.storage.events.lastSeq());
    expect(taken!.jsonBytes).toBeGreaterThan(taken!.bytes); // gzip pays
    const more = playTraffic({ engine: c.atende.engine, setNow: (t) => { c.clock.t = t; } },
      { start: T0 + 3 * HOUR + 60_000, days: 1, hours: 1, callsPerHour: 60, agents: AGENTS.slice(0, 2), seed: 2 });
    expect(more).toBeGreaterThan(100);
    expect(more).toBeLessThan(1000); // no snapshot after `taken`
    const before = await snapshotOf(c.atende);
    const lastSeq = c.atende.storage.events.lastSeq();

    // A crash (no last snapshot at close): the worker is stopped without one.
    await c.atende.history.stop({ lastSnapshot: false });
    await stop(c);
    const rows = snapshotRows(c.dbPath);
    expect(rows[0].seq).toBe(taken!.seq);
    expect(rows.length).toBe(3); // the newest three are kept

    const fullPath = withoutSnapshots(c.dbPath);
    const restarted = await start(c.dbPath, c.clock, c.settings);
    expect(restarted.replayed.fromSeq).toBe(taken!.seq);
    expect(restarted.replayed).toMatchObject({ applied: countAfter(c.dbPath, taken!.seq), refused: 0 });
    expect(await snapshotOf(restarted)).toEqual(before);

    const full = await start(fullPath, c.clock, c.settings);
    expect(full.replayed.fromSeq).toBe(0);
    expect(full.replayed.applied).toBeGreaterThan(restarted.replayed.applied);
    expect(await snapshotOf(full)).toEqual(before);
    expect(restarted.storage.events.lastSeq()).toBeGreaterThanOrEqual(lastSeq);
  });

  it('a clean close writes a last snapshot: the next start replays nothing', async () => {
    const c = await center(100_000);
    play(c, T0 - HOUR, T0 + HOUR, 3);
    const before = await snapshotOf(c.atende);
    const lastSeq = c.atende.storage.events.lastSeq();
    await stop(c);
    expect(snapshotRows(c.dbPath)[0].seq).toBe(lastSeq);
    const again = await start(c.dbPath, c.clock, c.settings);
    expect(again.replayed).toMatchObject({ fromSeq: lastSeq, applied: 0, refused: 0 });
    expect(await snapshotOf(again)).toEqual(before);
  });

  it('a corrupt latest snapshot (bad gzip, bad JSON) is passed over with a warning for the one before', async () => {
    const c = await center(100_000);
    play(c, T0 - HOUR, T0 + HOUR, 4);
    const older = (await c.atende.history.snapshotNow())!;
    play(c, T0 + HOUR + 60_000, T0 + 2 * HOUR, 5);
    const before = await snapshotOf(c.atende);
    await stop(c); // writes the newest snapshot
    const [newest, previous] = snapshotRows(c.dbPath);
    expect(previous.seq).toBe(older.seq);
    expect(newest.seq).toBeGreaterThan(older.seq);

    for (const [what, core] of [['bad gzip', Buffer.from('not gzip at all')], ['bad JSON', gzipSync('{"format":"atende/routing-core",')]] as const) {
      rewrite(c.dbPath, newest.id, core);
      const warnings = captureWarnings();
      const a = await start(c.dbPath, c.clock, c.settings);
      expect(warnings.stop().join('\n'), what).toMatch(new RegExp(`snapshot ${newest.id} \\(seq ${newest.seq}\\).*trying an older one`));
      expect(a.replayed.fromSeq, what).toBe(older.seq);
      expect(await snapshotOf(a), what).toEqual(before);
      await a.history.stop({ lastSnapshot: false });
      running.splice(running.indexOf(a), 1);
      await a.close();
    }
  });

  it('a snapshot written by another version of the code is passed over; with none left, the whole log is replayed', async () => {
    const c = await center(100_000);
    play(c, T0 - HOUR, T0 + HOUR, 6);
    await c.atende.history.snapshotNow();
    play(c, T0 + HOUR + 60_000, T0 + 2 * HOUR, 7);
    const before = await snapshotOf(c.atende);
    await stop(c);
    const db = new BetterSqlite3(c.dbPath);
    const rows = (db.prepare('SELECT id FROM snapshots ORDER BY id').pluck().all() as number[]).map((id) => ({ id, core: bodyOf(db, id) }));
    db.close();
    expect(rows).toHaveLength(2);
    const bump = (core: Buffer) => gzipSync(JSON.stringify({ ...JSON.parse(gunzip(core)), version: 999 }));
    rewrite(c.dbPath, rows[1].id, bump(rows[1].core));

    const warnings = captureWarnings();
    const a = await start(c.dbPath, c.clock, c.settings);
    expect(warnings.stop().join('\n')).toMatch(/version 999 cannot be read by this code/);
    expect(a.replayed.fromSeq).toBe(snapshotRows(c.dbPath).find((r) => r.id === rows[0].id)!.seq);
    expect(await snapshotOf(a)).toEqual(before);
    await a.history.stop({ lastSnapshot: false });
    running.splice(running.indexOf(a), 1);
    await a.close();

    rewrite(c.dbPath, rows[0].id, bump(rows[0].core));
    const b = await start(c.dbPath, c.clock, c.settings);
    expect(b.replayed.fromSeq).toBe(0);
    expect(await snapshotOf(b)).toEqual(before);
  });

  it('a snapshot taken under another settings file: a new agent is added to it; another routing strategy means a full replay', async () => {
    const c = await center(100_000);
    play(c, T0 - HOUR, T0 + HOUR, 8);
    await stop(c);
    const seq = snapshotRows(c.dbPath)[0].seq;

    const withAgent = testSettings((s) => {
      s.history = c.settings.history;
      s.agents.push({ id: 'zeca', name: 'Zeca', skills: ['vendas'], level: 1 });
    });
    const a = await start(c.dbPath, c.clock, withAgent);
    expect(a.replayed.fromSeq).toBe(seq);
    expect(a.engine.core.agent('zeca')).toMatchObject({ status: 'offline', skills: ['vendas'] });
    running.splice(running.indexOf(a), 1);
    await a.close();

    const otherStrategy = testSettings((s) => { s.history = c.settings.history; s.strategy = 'fewest-calls'; });
    const warnings = captureWarnings();
    const b = await start(c.dbPath, c.clock, otherStrategy);
    expect(warnings.stop().join('\n')).toMatch(/taken under other settings: strategy was longest-idle, the settings file says fewest-calls/);
    expect(b.replayed.fromSeq).toBe(0);
  });
});

function countAfter(dbPath: string, seq: number): number {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try { return db.prepare('SELECT COUNT(*) FROM events WHERE seq > ?').pluck().get(seq) as number; } finally { db.close(); }
}

const gunzip = (b: Buffer): string => gunzipSync(b).toString('utf8');

function captureWarnings(): { stop(): string[] } {
  const seen: string[] = [];
  const on = (w: Error) => seen.push(w.message);
  process.on('warning', on);
  return { stop: () => { process.off('warning', on); return seen; } };
}
