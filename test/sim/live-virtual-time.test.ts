// Live runs on virtual time: the in-process Atende runs on the emulator's clock
// (timers scaled by the speed), and the scenario's agents and wrap-up are put on it
// before the first call. So a day played live at high speed and the same day (same
// seed, same callers) played virtually against the bare core come out alike: the
// differences left are the live path's own (network round trips and timer latency
// stretched by the speed, the emulator's spoken IVR), not wall-clock figures.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../server/config/load.ts';
import { runLive } from '../../sim/live.ts';
import { checkScenario, parseScenario } from '../../sim/model/scenario.ts';
import { trafficFrame } from '../../sim/model/traffic.ts';
import { startLocalStack } from '../../sim/stack.ts';
import { runVirtual } from '../../sim/virtual.ts';

const SPEED = 200;

/** One busy hour (~95 calls, 5 agents at ~85 %) for agents the settings file does not have, with a wrap-up of its own. */
const scenario = parseScenario({
  name: 'live-vs-virtual', seed: 4242, settings: 'config/example.json', date: '2026-03-09', start: '10:00', arrivalsPerHour: [100],
  ivrPaths: [{ path: ['1', '1'], share: 0.5 }, { path: ['2'], share: 0.3 }, { path: ['3'], share: 0.2 }],
  patience: { distribution: 'exponential', meanSeconds: 100 },
  talk: { distribution: 'lognormal', medianSeconds: 140, sigma: 0.4 },
  wrapUpSeconds: 10,
  agentGroups: [{ name: 'turno', count: 5, skills: ['suporte', 'vendas', 'financeiro'], level: 1 }],
  ring: { minSeconds: 2, maxSeconds: 5, noAnswerProbability: 0.03 },
  drainMinutes: 30,
});

describe('live simulation on virtual time', () => {
  it('agrees with the virtual run of the same seed: offered, answered, abandoned, service level; no inflated short abandons', async () => {
    const settings = loadSettings('config/example.json');
    checkScenario(scenario, settings);
    const virtual = runVirtual(scenario, settings);
    const startAt = trafficFrame(scenario, settings).startAt;

    const dir = mkdtempSync(join(tmpdir(), 'atende-live-vt-'));
    const stack = await startLocalStack({ settings, dbPath: join(dir, 'a.db'), speed: SPEED, startAt, secondsPerWord: 0.1 });
    let live;
    try {
      live = await runLive(scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator, atende: stack.atende }, { speed: SPEED, maxSeconds: 75 });
    } finally {
      await stack.close();
    }
    const v = virtual.center, l = live.summary.center;
    const report = JSON.stringify({
      virtual: { offered: v.offered, answered: v.answered, abandoned: v.abandoned, short: v.shortAbandoned, sl: v.serviceLevel, asa: v.asaSeconds },
      live: { offered: l.offered, answered: l.answered, abandoned: l.abandoned, short: l.shortAbandoned, sl: l.serviceLevel, asa: l.asaSeconds },
    });
    // Atende ran on the emulator's clock: the figures are those of the scenario's morning.
    expect(live.snapshot.serverTime, report).toBeGreaterThan(startAt + 3_600_000);
    expect(live.snapshot.serverTime, report).toBeLessThan(startAt + 3 * 3_600_000);
    // Every caller of the day called, and none was lost on the way.
    expect(live.records.length, report).toBe(virtual.calls.generated);
    expect(live.records.filter((r) => r.outcome === 'error'), report).toEqual([]);
    // The same callers with the same patience: offered (answered + abandoned, short
    // abandons out) differs only by a caller crossing the 5 s short-abandon line.
    expect(Math.abs(l.offered - v.offered), report).toBeLessThanOrEqual(Math.ceil(0.03 * v.offered));
    // Live, an answer comes a few emulated seconds later than the virtual run's
    // offer + ring: the REST dequeue, the Dial, the whisper and the requests between
    // them (each ~0.2-0.6 s at ×200). Against a mean patience of 100 s that tips a few
    // callers from answered to abandoned, and each tipped call frees or holds an agent
    // for a whole talk. Measured over seeds and agent counts: answered within 4,
    // abandoned within 4, service level within 6 points, ASA 4-8 s longer.
    expect(Math.abs(l.answered - v.answered), report).toBeLessThanOrEqual(Math.max(6, Math.ceil(0.08 * v.answered)));
    expect(Math.abs(l.abandoned - v.abandoned), report).toBeLessThanOrEqual(Math.max(6, Math.ceil(0.4 * v.abandoned)));
    expect(Math.abs(l.serviceLevel! - v.serviceLevel!), report).toBeLessThanOrEqual(0.1);
    expect(l.asaSeconds! - v.asaSeconds!, report).toBeGreaterThan(-3);
    expect(l.asaSeconds! - v.asaSeconds!, report).toBeLessThan(15);
    // Short abandons are measured in the callers' seconds, not in real milliseconds
    // (on the wall clock every abandon at ×200 was shorter than 5 s).
    expect(l.shortAbandoned, report).toBeLessThanOrEqual(v.shortAbandoned + 2);
  }, 90_000);
});
