// npm run whatif: a recorded day written to a database file, replayed from the command line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH } from '../../server/config/load.ts';
import { createAtende } from '../../server/start.ts';
import { main } from '../../sim/whatif.ts';
import { playDay } from '../helpers/recorded-day.ts';
import { testSettings } from '../helpers/twilio.ts';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atende-whatif-'));
  db = join(dir, 'atende.db');
  const clock = { now: Date.UTC(2026, 11, 5, 10, 0) };
  const atende = await createAtende({ settings: testSettings(), dbPath: db, now: () => clock.now, logger: false, viewerToken: null, supervisorToken: null });
  playDay(atende.engine, (t) => { clock.now = t; }, atende.app.settings.current, { hours: 2, callsPerHour: 110 });
  await atende.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } } };
}

describe('npm run whatif', () => {
  it('--json with no change: after = before for every interval and the day', async () => {
    const { out, io: streams } = io();
    expect(await main(['--db', db, '--date', '2026-12-05', '--config', DEFAULT_SETTINGS_PATH, '--json'], streams)).toBe(0);
    const r = JSON.parse(out.stdout);
    expect(r.day.after).toEqual(r.day.before);
    for (const iv of r.intervals) expect(iv.after).toEqual(iv.before);
    expect(r.calls.recorded).toBeGreaterThan(150);
    expect(out.stderr).toMatch(/what-if 2026-12-05: 100%/);
  }, 60_000);

  it('prints before and after, the changes and the limits; more agents answer more callers', async () => {
    const { out, io: streams } = io();
    expect(await main(['--db', db, '--date', '2026-12-05', '--change', '+3 suporte,vendas 08:00-10:00', '--change', 'wrapup=20'], streams)).toBe(0);
    expect(out.stdout).toContain('Changes: +3 agents N1 with suporte, vendas, 08:00-10:00; wrap-up 20 s');
    expect(out.stdout).toMatch(/Center before/);
    expect(out.stdout).toMatch(/Center by interval/);
    expect(out.stdout).toContain('Limits:');
    const { out: json, io: j } = io();
    await main(['--db', db, '--date', '2026-12-05', '--change', '+3 suporte,vendas 08:00-10:00', '--change', 'wrapup=20', '--json'], j);
    const r = JSON.parse(json.stdout);
    expect(r.day.after.center.abandoned).toBeLessThan(r.day.before.center.abandoned);
    expect(r.day.after.center.serviceLevel).toBeGreaterThan(r.day.before.center.serviceLevel);
    expect(r.day.after.center.offered).toBe(r.day.before.center.offered);
  }, 60_000);

  it('says what is wrong: exit 2 for arguments and changes, 1 for the database or the day', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--date', '2026-12-05'], 2, /usage/],
      [['--db', db, '--date', '2026-12-05', '--change', '+2 nowhere'], 2, /changes\[0\]: no queue "nowhere"/],
      [['--db', db, '--date', '2026-12-05', '--seed', 'x'], 2, /--seed must be an integer/],
      [['--db', join(dir, 'none.db'), '--date', '2026-12-05'], 1, /no such database file/],
      [['--db', db, '--date', '2020-01-01'], 1, /date: no event was logged by the end of 2020-01-01/],
    ];
    for (const [argv, code, message] of cases) {
      const { out, io: streams } = io();
      expect(await main(argv, streams)).toBe(code);
      expect(out.stderr).toMatch(message);
    }
  }, 60_000);
});
