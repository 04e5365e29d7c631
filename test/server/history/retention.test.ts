// Retention: on a log of 40 days, the events older than 30 days (all covered by the
// latest snapshot) move to one gzip'd JSON-lines file per local day, exactly those
// events; the hot log keeps the rest; the archives followed by the hot log are the
// log it was, and replay to the same figures; call records and interval figures older
// than callDays go; the freed pages go back to the file system; a second run moves
// nothing twice and a later one appends to a day it had cut.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../../server/history/retention.ts';
import { Zone } from '../../../server/reports/zone.ts';
import { archiveDirFor, readArchiveFile, readLog } from '../../../server/storage/archive.ts';
import { createAtende, type Atende } from '../../../server/start.ts';
import { DEFAULT_SETTINGS_PATH } from '../../../server/config/load.ts';
import { replayLog } from '../../../sim/replay.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { playTraffic } from './traffic.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const running: Atende[] = [];
afterEach(async () => { for (const a of running.splice(0)) await a.close(); });

/** 40 days of a small center into a new database, a snapshot at the end; the server is closed. */
async function writeFortyDays(): Promise<{ dbPath: string; now: number; firstDay: number }> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'atende-retention-')), 'atende.db');
  const settings = testSettings();
  const firstDay = T0 - 40 * DAY - HOUR; // 08:00 in São Paulo, 40 days before T0
  const clock = { t: firstDay };
  const atende = await createAtende({
    settings, dbPath, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false,
    historyTimings: { startDelayMs: 0, pollMs: 20, retentionAfterMs: 3_600_000 },
  });
  running.push(atende);
  atende.engine.dispatch({ type: 'agent.state', id: 'opening', at: clock.t, agentId: 'ana', state: 'offline' }, 'test');
  playTraffic({ engine: atende.engine, setNow: (t) => { clock.t = t; }, flush: () => atende.app.records.flush() }, {
    start: firstDay, days: 40, hours: 4, callsPerHour: 6, seed: 40,
    agents: [{ id: 'ana', queues: ['suporte', 'vendas'] }, { id: 'bruno', queues: ['suporte'] }, { id: 'gabriela', queues: ['financeiro'] }],
  });
  await atende.history.snapshotNow();
  running.splice(running.indexOf(atende), 1);
  await atende.close();
  return { dbPath, now: clock.t, firstDay };
}

// Written once (a few seconds of dispatching); each test works on its own copy.
let template: { dbPath: string; now: number; firstDay: number };
beforeAll(async () => { template = await writeFortyDays(); }, 120_000);

async function fortyDays(): Promise<{ dbPath: string; now: number; firstDay: number }> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'atende-retention-')), 'atende.db');
  copyFileSync(template.dbPath, dbPath);
  if (existsSync(`${template.dbPath}-wal`)) copyFileSync(`${template.dbPath}-wal`, `${dbPath}-wal`);
  return { ...template, dbPath };
}

type Row = { seq: number; at: number; body: string };
const allEvents = (db: BetterSqlite3.Database) => db.prepare('SELECT seq, at, body FROM events ORDER BY seq').all() as Row[];

describe('retention', () => {
  it('40 days: the 10 oldest days go to day files with exactly their events; the rest stays; replay is unchanged', async () => {
    const { dbPath, now } = await fortyDays();
    const settings = testSettings();
    const zone = new Zone(settings.timezone);
    const before = replayLog(dbPath, settings, DEFAULT_SETTINGS_PATH);

    const db = new BetterSqlite3(dbPath);
    const original = allEvents(db);
    const cutoff = now - 30 * DAY;
    const old = original.filter((r) => r.at < cutoff);
    expect(old.length).toBeGreaterThan(1000);
    expect(original.length - old.length).toBeGreaterThan(2000);
    const callCutoff = now - 35 * DAY;
    const oldCalls = db.prepare("SELECT COUNT(*) FROM calls WHERE arrived_at < ? AND status = 'ended'").pluck().get(callCutoff) as number;
    const liveOld = db.prepare("SELECT COUNT(*) FROM calls WHERE arrived_at < ? AND status <> 'ended'").pluck().get(callCutoff) as number;
    const calls = db.prepare('SELECT COUNT(*) FROM calls').pluck().get() as number;
    const oldIntervals = db.prepare('SELECT COUNT(*) FROM interval_figures WHERE start_at < ? AND end_at <= ?').pluck().get(callCutoff, callCutoff) as number;
    const intervals = db.prepare('SELECT COUNT(*) FROM interval_figures').pluck().get() as number;
    expect(oldCalls).toBeGreaterThan(50);
    expect(oldIntervals).toBeGreaterThan(50);
    // Each call's protocol number, as /twilio/voice hands them out: a period per local day, its sequence in arrival order.
    const numbered = db.prepare('SELECT call_id, arrived_at, status FROM calls ORDER BY arrived_at, call_id').all() as { call_id: string; arrived_at: number; status: string }[];
    const lastOfDay = new Map<string, number>();
    const insertProtocol = db.prepare('INSERT INTO protocols (protocol, call_id, period, seq, at) VALUES (?, ?, ?, ?, ?)');
    const protocolRows = numbered.map((c) => {
      const period = zone.iso(c.arrived_at).slice(0, 10).replaceAll('-', '');
      const seq = (lastOfDay.get(period) ?? 0) + 1;
      lastOfDay.set(period, seq);
      insertProtocol.run(`${period}${String(seq).padStart(6, '0')}`, c.call_id, period, seq, c.arrived_at);
      return { ...c, period, seq };
    });
    // Two old days whose call records are all gone already: the first
    // number of the pair goes, each day's last stays, or that day's next number would be given again.
    for (const [n, period, seq] of [[1, '19990101', 1], [2, '19990101', 2], [3, '19990102', 7]] as const) {
      insertProtocol.run(`X${n}`, `CAgone${n}`, period, seq, callCutoff - DAY);
      protocolRows.push({ call_id: `CAgone${n}`, arrived_at: callCutoff - DAY, status: 'ended', period, seq });
      lastOfDay.set(period, Math.max(seq, lastOfDay.get(period) ?? 0));
    }
    // What goes: the numbers of the calls whose records go, but each day's last number (the next one follows it).
    const goneProtocols = protocolRows.filter((c) => c.arrived_at < callCutoff && c.status === 'ended' && c.seq < lastOfDay.get(c.period)!);
    expect(goneProtocols.length).toBeGreaterThan(40);
    expect(goneProtocols.filter((c) => c.call_id.startsWith('CAgone')).map((c) => c.call_id)).toEqual(['CAgone1']);
    const pagesBefore = db.pragma('page_count', { simple: true }) as number;

    const r = runRetention({ db, archiveDir: archiveDirFor(dbPath), eventDays: 30, callDays: 35, now, timezone: settings.timezone, batch: 500 });

    // Archived: exactly the old events, one file per local day, in log order.
    expect(r.archivedEvents).toBe(old.length);
    expect(r.deletedEvents).toBe(old.length);
    const byDay = new Map<string, Row[]>();
    for (const e of old) {
      const day = zone.iso(e.at).slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), e]);
    }
    expect(byDay.size).toBe(10);
    const dir = archiveDirFor(dbPath)!;
    expect(readdirSync(dir).sort()).toEqual([...byDay.keys()].sort().map((d) => `events-${d}.jsonl.gz`));
    for (const [day, rows] of byDay) {
      const lines = [...readArchiveFile(join(dir, `events-${day}.jsonl.gz`))];
      expect(lines.map((l) => l.seq), day).toEqual(rows.map((x) => x.seq));
      expect(lines.map((l) => JSON.stringify(l.event))).toEqual(rows.map((x) => JSON.stringify(JSON.parse(x.body))));
    }
    // The hot log holds the rest; archives + hot log = the log.
    expect(allEvents(db).map((x) => x.seq)).toEqual(original.filter((x) => x.at >= cutoff).map((x) => x.seq));
    expect([...readLog(db, dir)].map((x) => [x.seq, JSON.stringify(x.event)])).toEqual(original.map((x) => [x.seq, JSON.stringify(JSON.parse(x.body))]));

    // Calls and interval figures past callDays: ended calls go, a call still live stays.
    expect(r.deletedCalls).toBe(oldCalls);
    expect(db.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(calls - oldCalls);
    expect(db.prepare("SELECT COUNT(*) FROM calls WHERE arrived_at < ?").pluck().get(callCutoff)).toBe(liveOld);
    expect(r.deletedIntervals).toBe(oldIntervals);
    expect(db.prepare('SELECT COUNT(*) FROM interval_figures').pluck().get()).toBe(intervals - oldIntervals);
    // Protocol numbers: those of the calls gone, but each day's last; a live call's and the recent ones stay.
    expect(r.deletedProtocols).toBe(goneProtocols.length);
    const kept = new Set(db.prepare('SELECT call_id FROM protocols').pluck().all() as string[]);
    expect(protocolRows.filter((c) => !kept.has(c.call_id)).map((c) => c.call_id).sort()).toEqual(goneProtocols.map((c) => c.call_id).sort());
    // The space went back to the file system.
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(db.pragma('page_count', { simple: true }) as number).toBeLessThan(pagesBefore);

    // A second run the same day moves nothing twice.
    const again = runRetention({ db, archiveDir: dir, eventDays: 30, callDays: 35, now, timezone: settings.timezone });
    expect(again).toMatchObject({ archivedEvents: 0, deletedEvents: 0, deletedCalls: 0, deletedProtocols: 0, deletedIntervals: 0 });
    db.close();

    // npm run replay reads the archives and the database: the same figures.
    const after = replayLog(dbPath, settings, DEFAULT_SETTINGS_PATH);
    expect({ ...after.summary, wallClockMs: 0 }).toEqual({ ...before.summary, wallClockMs: 0 });
    expect(after.events).toBe(before.events);

    // A server starts on it from its snapshot, and reports the 35 days it keeps.
    const clock = { t: now };
    const atende = await createAtende({ settings, dbPath, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false });
    running.push(atende);
    expect(atende.replayed.fromSeq).toBe(original.at(-1)!.seq);
    const days = await atende.app.inject({ method: 'GET', url: `/api/reports/intervals?from=${now - 34 * DAY}&to=${now}&granularity=day` });
    expect(days.statusCode, days.body).toBe(200);
    expect(days.json().rows.filter((x: { offered: number }) => x.offered > 0).length).toBeGreaterThanOrEqual(34);
  }, 120_000);

  it('a day cut by the first run is completed by the next one in the same file; a full replay reads the archives', async () => {
    const { dbPath, now } = await fortyDays();
    const settings = testSettings();
    const db = new BetterSqlite3(dbPath);
    const original = allEvents(db);
    const dir = archiveDirFor(dbPath)!;
    // The first run's cut falls inside a day (at one of its events); the second, later, finishes that day.
    const old = original.filter((x) => x.at < now - 30 * DAY);
    const mid = old[Math.floor(old.length / 2)];
    const first = runRetention({ db, archiveDir: dir, eventDays: 30, callDays: 400, now: mid.at + 30 * DAY, timezone: settings.timezone });
    expect(first.archivedEvents).toBe(old.filter((x) => x.at < mid.at).length);
    const cutDay = first.files.at(-1)!;
    const sizeAfterFirst = statSync(join(dir, cutDay)).size;
    const second = runRetention({ db, archiveDir: dir, eventDays: 30, callDays: 400, now, timezone: settings.timezone });
    expect(second.files[0]).toBe(cutDay);
    expect(statSync(join(dir, cutDay)).size).toBeGreaterThan(sizeAfterFirst);
    expect(first.archivedEvents + second.archivedEvents).toBe(original.filter((x) => x.at < now - 30 * DAY).length);
    expect([...readLog(db, dir)].map((x) => x.seq)).toEqual(original.map((x) => x.seq));
    // No snapshot at all: the start replays the whole log, archives first, to the same center.
    const live = replayLog(dbPath, settings, DEFAULT_SETTINGS_PATH);
    db.exec('DELETE FROM snapshots');
    db.close();
    const clock = { t: now };
    const atende = await createAtende({ settings, dbPath, now: () => clock.t, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false });
    running.push(atende);
    expect(atende.replayed).toMatchObject({ fromSeq: 0, applied: original.length, refused: 0 });
    expect(atende.engine.core.metrics.read({ kind: 'center' }, 'today').offered).toBe(live.summary.center.offered);
    expect(existsSync(join(dir, cutDay))).toBe(true);
  }, 120_000);

  it('without a snapshot nothing is archived (a start would need those events)', async () => {
    const { dbPath, now } = await fortyDays();
    const db = new BetterSqlite3(dbPath);
    db.exec('DELETE FROM snapshots');
    const count = allEvents(db).length;
    const r = runRetention({ db, archiveDir: archiveDirFor(dbPath), eventDays: 30, callDays: 400, now, timezone: 'America/Sao_Paulo' });
    expect(r).toMatchObject({ archivedEvents: 0, deletedEvents: 0, files: [] });
    expect(allEvents(db).length).toBe(count);
    db.close();
  });
});
