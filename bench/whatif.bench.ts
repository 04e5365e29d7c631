// The what-if on a busy day (about 1,900 callers, 9,000 logged events, written by the
// simulator as a live Atende would have: `sim --virtual --days 1`): how long it takes and
// how long it holds the server's event loop (the longest gap between two turns, when no
// webhook or screen can be answered), with the event loop handed back every thousand
// events (`breathe`, as POST /api/whatif runs it) and without.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../server/config/load.ts';
import { createAtende } from '../server/start.ts';
import { runWhatIf } from '../server/whatif/run.ts';
import { main as sim } from '../sim/cli.ts';

const SETTINGS = 'config/example.json';
const DATE = '2026-03-09';
const SCENARIO = {
  name: 'busy-day', seed: 5, settings: join(process.cwd(), SETTINGS), date: DATE, start: '08:00',
  arrivalsPerHour: [200, 300, 300, 250, 200, 200, 250, 200],
  ivrPaths: [{ path: ['1', '1'], share: 0.5 }, { path: ['2'], share: 0.3 }, { path: ['3'], share: 0.2 }],
  patience: { distribution: 'exponential', meanSeconds: 120 },
  talk: { distribution: 'lognormal', medianSeconds: 150, sigma: 0.5 },
  wrapUpSeconds: 12,
  agentGroups: [{ name: 'dia', count: 18, skills: ['suporte', 'vendas', 'financeiro'], level: 1 }],
  drainMinutes: 20,
};

/** The longest time between two turns of the event loop while `work` runs (a 1 ms timer's late ticks). */
async function longestStall<T>(work: () => Promise<T>): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now(), stall = 0;
  const tick = setInterval(() => { const t = performance.now(); stall = Math.max(stall, t - last); last = t; }, 1);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  clearInterval(tick);
  return { ms: Math.round(ms), stallMs: Math.round(Math.max(stall, performance.now() - last)) };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'atende-bench-whatif-'));
  const scenario = join(dir, 'busy-day.json');
  writeFileSync(scenario, JSON.stringify(SCENARIO));
  const db = join(dir, 'atende.db');
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
  if (await sim(['--scenario', scenario, '--virtual', '--days', '1', '--db', db, '--json'], quiet as never) !== 0) throw new Error('the simulator could not write the day');
  const settings = loadSettings(SETTINGS);
  const atende = await createAtende({ settings, dbPath: db, logger: false, viewerToken: null, supervisorToken: null, rateLimitPerMinute: false });
  try {
    const events = (atende.storage.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    const request = { date: DATE, changes: ['+2 suporte 09:00-11:00'] };
    const now = atende.engine.now();
    let callers = 0;
    // Once untimed: the first run also compiles the code it runs.
    await runWhatIf(atende.store.events, settings, request, now);
    const handedBack = await longestStall(async () => { callers = (await runWhatIf(atende.store.events, settings, request, now)).calls.recorded; });
    const inOneGo = await longestStall(() => runWhatIf(atende.store.events, settings, request, now, undefined, async () => {}));
    return {
      'events in the log': events,
      callers,
      'what-if, ms': handedBack.ms,
      'longest event-loop stall, ms': handedBack.stallMs,
      'without breathe: what-if, ms': inOneGo.ms,
      'without breathe: longest stall, ms': inOneGo.stallMs,
    };
  } finally {
    await atende.close();
  }
}
