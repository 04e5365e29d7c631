// The simulator against queueing theory. With a single queue, Poisson arrivals,
// exponential talk, no IVR delay, no ring, no wrap-up and agents always on, the
// routing core + virtual runner is an M/M/c queue (M/M/c+M with exponential
// patience), so its service level and ASA must agree with routing/erlang.ts.
// Each check is a 95 % confidence interval from batch means over one long run
// (warm-up dropped; batches much longer than the queue's relaxation time).
import { describe, expect, it } from 'vitest';
import { erlangA, erlangC } from '../../routing/erlang.ts';
import { loadSettings, DEFAULT_SETTINGS_PATH } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { parseScenario } from '../../sim/model/scenario.ts';
import { runVirtual, type VirtualCallRecord } from '../../sim/virtual.ts';

const BATCHES = 20;
/** Student t, 0.975 quantile, 19 degrees of freedom. */
const T_975_19 = 2.093;

function settingsMMc(): Settings {
  const s = loadSettings(DEFAULT_SETTINGS_PATH);
  // FIFO within one tier: no aging, no level widening, no overflow on Financeiro.
  s.levelWideningSeconds = null;
  s.priority.agingSeconds = [null, null, null];
  return s;
}

interface Point { agents: number; ahtSeconds: number; callsPerHour: number; hours: number; thresholdSeconds: number; patienceSeconds?: number; seed: number }

interface Interval { mean: number; low: number; high: number }

function interval(values: number[]): Interval {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  const half = T_975_19 * Math.sqrt(variance / values.length);
  return { mean, low: mean - half, high: mean + half };
}

/** Runs the point and returns batch-mean intervals for SL (answered within T ÷ offered), ASA and abandon rate. */
function simulate(p: Point): { sl: Interval; asa: Interval; abandon: Interval; calls: number } {
  const scenario = parseScenario({
    name: 'mmc', seed: p.seed, date: '2026-11-23', start: '00:00', hours: p.hours, arrivalsPerHour: p.callsPerHour,
    ivrPaths: [{ path: ['3'], share: 1 }], ivrSeconds: 0,
    patience: p.patienceSeconds === undefined ? null : { distribution: 'exponential', meanSeconds: p.patienceSeconds },
    talk: { distribution: 'exponential', meanSeconds: p.ahtSeconds },
    wrapUpSeconds: 0,
    agentGroups: [{ name: 'mmc', count: p.agents, skills: ['financeiro'] }],
    ring: { minSeconds: 0, maxSeconds: 0, noAnswerProbability: 0 },
    drainMinutes: 0,
  });
  const records: VirtualCallRecord[] = [];
  runVirtual(scenario, settingsMMc(), { onCall: (r) => records.push(r) });
  records.sort((a, b) => a.arriveAt - b.arriveAt || (a.id < b.id ? -1 : 1));
  // Drop the warm-up (first 10 %) and the tail whose waits were cut by the end of the run (last 2 %).
  const used = records.slice(Math.floor(records.length * 0.1), Math.floor(records.length * 0.98));
  for (const r of used) expect(r.outcome === 'answered' || r.outcome === 'abandoned').toBe(true);
  const size = Math.floor(used.length / BATCHES);
  const sl: number[] = [], asa: number[] = [], ab: number[] = [];
  const tMs = p.thresholdSeconds * 1000;
  for (let b = 0; b < BATCHES; b++) {
    const batch = used.slice(b * size, (b + 1) * size);
    let within = 0, answered = 0, wait = 0, abandoned = 0;
    for (const r of batch) {
      if (r.outcome === 'answered') {
        answered++;
        wait += r.waitMs!;
        if (r.waitMs! <= tMs) within++;
      } else abandoned++;
    }
    sl.push(within / batch.length);
    asa.push(wait / answered / 1000);
    ab.push(abandoned / batch.length);
  }
  return { sl: interval(sl), asa: interval(asa), abandon: interval(ab), calls: records.length };
}

const within = (v: number, i: Interval) => v >= i.low && v <= i.high;
const show = (name: string, theory: number, i: Interval) =>
  `${name}: theory ${theory.toFixed(4)}, simulated ${i.mean.toFixed(4)} [${i.low.toFixed(4)}, ${i.high.toFixed(4)}]`;

describe('M/M/c: simulation agrees with Erlang C', () => {
  const points: (Point & { label: string })[] = [
    { label: '10 agents, ρ 0.80', agents: 10, ahtSeconds: 15, callsPerHour: 1920, hours: 22, thresholdSeconds: 3, seed: 11 },
    { label: '50 agents, ρ 0.90', agents: 50, ahtSeconds: 30, callsPerHour: 5400, hours: 12, thresholdSeconds: 2, seed: 12 },
    { label: '20 agents, ρ 0.95 (heavy)', agents: 20, ahtSeconds: 10, callsPerHour: 6840, hours: 22, thresholdSeconds: 5, seed: 13 },
  ];
  for (const p of points) {
    it(`${p.label}: service level and ASA within the 95 % interval`, () => {
      const theory = erlangC({ callsPerHour: p.callsPerHour, ahtSeconds: p.ahtSeconds, agents: p.agents, thresholdSeconds: p.thresholdSeconds });
      const sim = simulate(p);
      expect(sim.calls).toBeGreaterThan(40_000);
      expect(within(theory.serviceLevel, sim.sl), show('SL', theory.serviceLevel, sim.sl)).toBe(true);
      expect(within(theory.asaSeconds, sim.asa), show('ASA', theory.asaSeconds, sim.asa)).toBe(true);
      expect(sim.abandon.mean).toBe(0);
    });
  }
});

describe('M/M/c+M: simulation agrees with Erlang A', () => {
  const points: (Point & { label: string })[] = [
    { label: '20 agents, offered ρ 1.0, patience 2×AHT', agents: 20, ahtSeconds: 20, callsPerHour: 3600, hours: 20, thresholdSeconds: 5, patienceSeconds: 40, seed: 21 },
    { label: '10 agents, offered ρ 0.9, patience 4×AHT', agents: 10, ahtSeconds: 15, callsPerHour: 2160, hours: 20, thresholdSeconds: 3, patienceSeconds: 60, seed: 22 },
  ];
  for (const p of points) {
    it(`${p.label}: abandon rate and service level within the 95 % interval`, () => {
      const theory = erlangA({
        callsPerHour: p.callsPerHour, ahtSeconds: p.ahtSeconds, agents: p.agents, thresholdSeconds: p.thresholdSeconds, patienceSeconds: p.patienceSeconds!,
      });
      const sim = simulate(p);
      expect(sim.calls).toBeGreaterThan(40_000);
      expect(within(theory.probabilityOfAbandon, sim.abandon), show('abandon', theory.probabilityOfAbandon, sim.abandon)).toBe(true);
      expect(within(theory.serviceLevel, sim.sl), show('SL', theory.serviceLevel, sim.sl)).toBe(true);
    });
  }
});
