// `npm run sim -- --virtual --days N --db FILE`: the database a live Atende would
// have written over N days. Its events look like the edge's and the APIs' (ids,
// sources, times), Atende starts on it without refusing any, and the figures it
// shows are those `npm run replay` computes from the same log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../routing/types.ts';
import { loadSettings } from '../../server/config/load.ts';
import type { Snapshot } from '../../server/contract.ts';
import { createAtende } from '../../server/start.ts';
import { openStorage } from '../../server/storage/index.ts';
import { main } from '../../sim/cli.ts';
import type { DaysSummary } from '../../sim/days/writer.ts';
import { replayLog } from '../../sim/replay.ts';

const SETTINGS = 'config/example.json';
const SID = 'CA[0-9a-f]{32}';

/** Two hours a day, a roster the settings file lacks (and a wrap-up it does not have): the writer must configure them. */
const SCENARIO = {
  name: 'two-small-days', seed: 77, settings: SETTINGS, date: '2026-03-09', start: '09:00', arrivalsPerHour: [70, 90],
  ivrPaths: [{ path: ['1', '1'], share: 0.45 }, { path: ['1', '9'], share: 0.05 }, { path: ['2'], share: 0.3 }, { path: ['3'], share: 0.2 }],
  vipShare: 0.03, repeatCallerShare: 0.1,
  patience: { distribution: 'exponential', meanSeconds: 120 },
  talk: { distribution: 'lognormal', medianSeconds: 150, sigma: 0.5 },
  hold: { share: 0.2, meanSeconds: 30 },
  wrapUpSeconds: 12,
  agentGroups: [
    { name: 'dia', count: 3, skills: ['suporte', 'vendas', 'financeiro'], level: 1 },
    { name: 'tarde', count: 2, skills: ['suporte'], level: 2, shifts: [{ start: '10:00', end: '11:30' }] },
  ],
  ring: { noAnswerProbability: 0.05 },
  survey: { responseRate: 0.4, nps: [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 4], csat: [1, 1, 2, 4, 4] },
  firstContactResolution: 0.7,
  drainMinutes: 20,
};

/** Id and source of each event type, as server/twilio/webhooks/* and the APIs write them (docs/api.md). */
const SHAPES: Record<string, { id: RegExp; source: string }> = {
  'call.arrived': { id: new RegExp(`^${SID}:arrived$`), source: 'twilio:/twilio/voice' },
  'call.ivr': { id: new RegExp(`^${SID}:ivr$`), source: 'twilio:/twilio/ivr' },
  'call.queued': { id: new RegExp(`^${SID}:queued$`), source: 'twilio:/twilio/ivr' },
  'call.answered': { id: new RegExp(`^${SID}:answered:${SID}$`), source: 'twilio:/twilio/agent/whisper' },
  'call.offer-missed': { id: new RegExp(`^${SID}:missed:${SID}$`), source: 'twilio:/twilio/dial/done' },
  'call.ended': { id: new RegExp(`^${SID}:ended$`), source: 'twilio:/twilio/dial/done' },
  'call.abandoned': { id: new RegExp(`^${SID}:ended$`), source: 'twilio:/twilio/queue/exit' },
  'call.survey': { id: new RegExp(`^${SID}:survey:(nps|csat)$`), source: 'twilio:/twilio/survey' },
  'call.disposition': { id: new RegExp(`^api:disposition:${SID}:\\d+:\\d+$`), source: 'api:calls' },
  'agent.state': { id: /^api:state:[a-z]+-\d+:\d+:\d+$/, source: 'api:agents' },
  'agent.ready': { id: /^api:ready:[a-z]+-\d+:\d+:\d+$/, source: 'api:agents' },
  'agent.configured': { id: /^api:agent:[a-z]+-\d+:\d+:\d+$/, source: 'api:agents' },
  'config.changed': { id: /^api:settings:\d+:\d+$/, source: 'api:settings' },
};

const localDate = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(at);

describe('--days: a history as a live Atende would have written it', () => {
  it('writes two days of edge-shaped events; Atende starts on them with the figures npm run replay computes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-days-'));
    const scenarioFile = join(dir, 'scenario.json');
    writeFileSync(scenarioFile, JSON.stringify(SCENARIO));
    const db = join(dir, 'history.db');
    const out: string[] = [], err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };

    expect(await main(['--scenario', scenarioFile, '--virtual', '--days', '2', '--db', db, '--json'], io), err.join('')).toBe(0);
    const written = JSON.parse(out.join('')) as DaysSummary;
    expect(written.days.map((d) => [d.date, d.seed])).toEqual([['2026-03-09', 77], ['2026-03-10', 78]]);
    expect(written.refused).toBe(0);
    for (const d of written.days) expect(d.calls).toBeGreaterThan(100);
    // A second write into the same file is refused: a history goes into a new database.
    expect(await main(['--scenario', scenarioFile, '--days', '1', '--db', db], io)).toBe(1);

    // ---- the log: edge-shaped ids and sources, times in the id where the API puts them
    const storage = openStorage(db);
    let rows: { id: string; type: string; at: number; source: string; body: string; call_id: string | null }[];
    let calls: number, withQueueSid: number, intervalStarts: number[], snapshotSeqs: number[];
    try {
      rows = storage.db.prepare('SELECT id, type, at, source, body, call_id FROM events ORDER BY seq').all() as typeof rows;
      calls = storage.db.prepare('SELECT COUNT(*) FROM calls').pluck().get() as number;
      withQueueSid = storage.db.prepare("SELECT COUNT(*) FROM calls WHERE twilio_queue_sid LIKE 'QU%'").pluck().get() as number;
      intervalStarts = storage.db.prepare("SELECT start_at FROM interval_figures WHERE scope = 'center' ORDER BY start_at").pluck().all() as number[];
      snapshotSeqs = storage.db.prepare('SELECT seq FROM snapshots').pluck().all() as number[];
    } finally {
      storage.close();
    }
    expect(rows.length).toBe(written.events);
    const seen = new Set<string>();
    for (const r of rows) {
      const e = JSON.parse(r.body) as DomainEvent;
      expect([e.id, e.type, e.at]).toEqual([r.id, r.type, r.at]);
      const shape = SHAPES[r.type];
      expect(shape, `unexpected event type ${r.type}`).toBeDefined();
      expect(r.id).toMatch(shape.id);
      expect(r.source, r.id).toBe(shape.source);
      if (r.id.startsWith('api:')) expect(r.id.split(':').at(-2)).toBe(String(r.at));
      seen.add(r.type);
    }
    for (const t of ['call.arrived', 'call.ivr', 'call.queued', 'call.answered', 'call.ended', 'call.abandoned', 'call.offer-missed',
      'call.survey', 'call.disposition', 'agent.state', 'agent.configured', 'config.changed']) expect(seen, t).toContain(t);
    // Events in time order within the log, on two consecutive days in the center's zone.
    for (let i = 1; i < rows.length; i++) expect(rows[i].at).toBeGreaterThanOrEqual(rows[i - 1].at);
    expect([...new Set(rows.filter((r) => r.type === 'call.arrived').map((r) => localDate(r.at)))]).toEqual(['2026-03-09', '2026-03-10']);
    // One call record per call, each with the QueueSid the wait URL reports.
    const arrivals = rows.filter((r) => r.type === 'call.arrived').length;
    expect(calls).toBe(arrivals);
    expect(withQueueSid).toBe(rows.filter((r) => r.type === 'call.queued').length);
    // The history worker kept up: closed intervals on both days, a snapshot of the whole log.
    expect([...new Set(intervalStarts.map(localDate))]).toEqual(['2026-03-09', '2026-03-10']);
    expect(Math.max(...snapshotSeqs)).toBe(rows.length);

    // ---- npm run replay and a starting Atende agree
    const settings = loadSettings(SETTINGS);
    const replay = replayLog(db, settings, SETTINGS);
    expect(replay.refused).toBe(0);
    const lastAt = rows.at(-1)!.at;
    const atende = await createAtende({ settings, dbPath: db, now: () => lastAt, logger: false });
    try {
      expect(atende.replayed.refused).toBe(0);
      const snap = (await atende.app.inject({ method: 'GET', url: '/api/snapshot' })).json() as Snapshot;
      const today = snap.center.today;
      const r = replay.summary.center;
      expect(today.offered).toBeGreaterThan(100);
      expect({
        offered: today.offered, answered: today.answered, abandoned: today.abandoned, shortAbandoned: today.shortAbandoned,
        serviceLevel: today.serviceLevel, tmaSeconds: today.tmaSeconds, asaSeconds: today.asaSeconds, abandonRate: today.abandonRate,
      }).toEqual({
        offered: r.offered, answered: r.answered, abandoned: r.abandoned, shortAbandoned: r.shortAbandoned,
        serviceLevel: r.serviceLevel, tmaSeconds: r.tmaSeconds, asaSeconds: r.asaSeconds, abandonRate: r.abandonRate,
      });
      // The second day's figures, as the writer read them at its end.
      expect(today.offered).toBe(written.days[1].center.offered);
      expect(today.answered).toBe(written.days[1].center.answered);
      // The scenario's roster, configured through the log, is the server's.
      const agents = snap.agents.map((a) => a.id);
      expect(agents).toEqual(expect.arrayContaining(['dia-1', 'dia-3', 'tarde-1', 'tarde-2']));
    } finally {
      await atende.close();
    }
  }, 60_000);

  it('refuses --days without --db, and with --live', async () => {
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    expect(await main(['--scenario', 'x.json', '--days', '2'], io)).toBe(2);
    expect(err.join('')).toContain('--days needs --db');
    expect(await main(['--scenario', 'x.json', '--live', '--days', '2', '--db', 'x.db'], io)).toBe(2);
    expect(await main(['--scenario', 'x.json', '--days', '0', '--db', 'x.db'], io)).toBe(2);
  });
});
