import { describe, expect, it } from 'vitest';
import {
  agentsRequired,
  agentsRequiredErlangA,
  erlangA,
  erlangB,
  erlangC,
  trafficIntensity,
  type ErlangAInput,
  type ErlangCInput,
  type StaffingInput,
} from '../../routing/erlang.ts';

/** 360 calls per 30 min at 240 s AHT: A = 48 Erlangs, the textbook example. */
const A48 = { callsPerHour: 720, ahtSeconds: 240, thresholdSeconds: 15 };
/** 100 calls per 30 min at 180 s AHT: A = 10 Erlangs, threshold 20 s. */
const A10 = { callsPerHour: 200, ahtSeconds: 180, thresholdSeconds: 20 };
/** Fact-sheet case: λ = 0.05/s, h = 300 s, p = 120 s, N = 16. */
const FACT_SHEET = { callsPerHour: 0.05 * 3600, ahtSeconds: 300, agents: 16, thresholdSeconds: 20 };

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

// ------------------------------------------------------------------ Erlang C

describe('trafficIntensity and erlangB', () => {
  it.each([
    [720, 240, 48],
    [200, 180, 10],
    [0, 300, 0],
  ])('%d calls/h at %d s is %d Erlangs', (calls, aht, erlangs) => {
    expect(trafficIntensity(calls, aht)).toBeCloseTo(erlangs, 12);
  });

  it.each([
    [10, 10, 0.21458],
    [5, 0, 1],
    [0, 7, 0],
    [1, 1, 0.5],
  ])('B(%d, %d) = %d', (a, n, b) => {
    expect(erlangB(a, n)).toBeCloseTo(b, 5);
  });
});

describe('erlangC literature vectors', () => {
  it.each([
    { inputs: A48, agents: 52, pw: 0.466, sl: 0.6371, asa: 27.96, occupancy: 48 / 52 },
    { inputs: A48, agents: 55, pw: 0.2387, sl: 0.8459, asa: 8.18, occupancy: 0.873 },
    { inputs: A48, agents: 57, pw: 0.1452, sl: 0.9173, asa: 3.87, occupancy: 48 / 57 },
  ])('A = 48, N = $agents', ({ inputs, agents, pw, sl, asa, occupancy }) => {
    const r = erlangC({ ...inputs, agents });
    expect(r.trafficErlangs).toBeCloseTo(48, 12);
    expect(r.probabilityOfWaiting).toBeCloseTo(pw, 4);
    expect(r.serviceLevel).toBeCloseTo(sl, 4);
    expect(r.asaSeconds).toBeCloseTo(asa, 2);
    expect(r.occupancy).toBeCloseTo(occupancy, 3);
  });

  it.each([
    [13, 0.7956],
    [14, 0.8884],
  ])('A = 10, T = 20 s, N = %d gives SL %d', (agents, sl) => {
    expect(erlangC({ ...A10, agents }).serviceLevel).toBeCloseTo(sl, 4);
  });

  it.each([48, 40, 1])('N = %d ≤ A = 48 is unstable but does not throw', (agents) => {
    const r = erlangC({ ...A48, agents });
    expect(r).toMatchObject({ probabilityOfWaiting: 1, serviceLevel: 0, asaSeconds: Infinity, occupancy: 1 });
  });

  it('no traffic: nobody waits', () => {
    const r = erlangC({ ...A10, callsPerHour: 0, agents: 1 });
    expect(r).toMatchObject({ probabilityOfWaiting: 0, serviceLevel: 1, asaSeconds: 0, occupancy: 0 });
  });
});

describe('agentsRequired (Erlang C)', () => {
  const target80: StaffingInput = { ...A10, targetServiceLevel: 0.8 };

  it('80/20 at A = 10 needs 14 agents, with rows 12 … 17 matching erlangC', () => {
    const r = agentsRequired(target80);
    expect(r.agentsRequired).toBe(14);
    expect(r.headcount).toBe(14);
    expect(r.serviceLevel).toBeCloseTo(0.8884, 4);
    expect(r.rows.map((row) => row.agents)).toEqual([12, 13, 14, 15, 16, 17]);
    for (const row of r.rows) expect(row).toEqual(erlangC({ ...A10, agents: row.agents }));
  });

  it.each([
    { name: 'service level binds', extra: {}, agents: 55 },
    { name: 'occupancy ceiling binds', extra: { maxOccupancy: 0.85 }, agents: 57 },
    { name: 'occupancy ceiling exactly reachable', extra: { maxOccupancy: 0.8 }, agents: 60 },
    { name: 'higher target', extra: { targetServiceLevel: 0.9 }, agents: 57 },
  ])('A = 48, 80/15: $name → $agents', ({ extra, agents }) => {
    const r = agentsRequired({ ...A48, targetServiceLevel: 0.8, ...extra });
    expect(r.agentsRequired).toBe(agents);
    expect(r.occupancy).toBeLessThanOrEqual(extra.maxOccupancy ?? 1);
  });

  it.each([
    [200, 0, 14, 14],
    [200, 0.3, 14, 20],
    [340, 0.3, 21, 30], // 21 / 0.7 = 30.000000000000004 in floating point
    [200, 0.5, 14, 28],
  ])('%d calls/h with shrinkage %d: %d on the phones, %d rostered', (calls, shrinkage, agents, headcount) => {
    const r = agentsRequired({ ...A10, callsPerHour: calls, targetServiceLevel: 0.8, shrinkage });
    expect(r.agentsRequired).toBe(agents);
    expect(r.headcount).toBe(headcount);
  });

  it('no traffic still staffs one agent', () => {
    expect(agentsRequired({ ...target80, callsPerHour: 0 }).agentsRequired).toBe(1);
  });

  it('rows near 1 agent do not go below 1', () => {
    const r = agentsRequired({ ...target80, callsPerHour: 10 });
    expect(r.rows[0].agents).toBe(1);
  });
});

/**
 * Independent Erlang C in log space: ℓ_k = log(A^k/k!) − log(A^N/N!) built
 * by walking down from N with ℓ_{k−1} = ℓ_k + log(k/A), then
 * Pw = X / (Σ_{k<N} e^ℓ_k + X) with X = N/(N − A), via log-sum-exp.
 */
function logSpaceErlangC(erlangs: number, agents: number, aht: number, threshold: number) {
  const logs: number[] = [];
  let l = 0;
  for (let k = agents; k >= 1; k--) {
    l += Math.log(k / erlangs);
    logs.push(l); // ℓ_{k−1}
  }
  const logX = Math.log(agents / (agents - erlangs));
  const max = Math.max(logX, ...logs);
  const sum = logs.reduce((s, v) => s + Math.exp(v - max), 0) + Math.exp(logX - max);
  const pw = Math.exp(logX - max) / sum;
  return {
    pw,
    sl: 1 - pw * Math.exp((-(agents - erlangs) * threshold) / aht),
    asa: (pw * aht) / (agents - erlangs),
  };
}

describe('Erlang C at scale agrees with a log-space computation', () => {
  it.each([
    { erlangs: 1000, aht: 300, threshold: 20 },
    { erlangs: 9900, aht: 300, threshold: 20 },
  ])('A = $erlangs', ({ erlangs, aht, threshold }) => {
    const input: StaffingInput = {
      callsPerHour: (erlangs * 3600) / aht,
      ahtSeconds: aht,
      thresholdSeconds: threshold,
      targetServiceLevel: 0.8,
    };
    const r = agentsRequired(input);
    expect(r.agentsRequired).toBeGreaterThan(erlangs);

    for (const row of r.rows.filter((x) => x.agents > erlangs)) {
      const ref = logSpaceErlangC(erlangs, row.agents, aht, threshold);
      expect(row.probabilityOfWaiting).toBeGreaterThan(0);
      expect(row.probabilityOfWaiting).toBeLessThan(1);
      expect(row.serviceLevel).toBeGreaterThan(0);
      expect(row.serviceLevel).toBeLessThan(1);
      expect(relErr(row.probabilityOfWaiting, ref.pw)).toBeLessThan(1e-9);
      expect(relErr(row.serviceLevel, ref.sl)).toBeLessThan(1e-9);
      expect(relErr(row.asaSeconds, ref.asa)).toBeLessThan(1e-9);
    }
    // The answer is the first N meeting 80 % by the independent computation too.
    const sl = (n: number) => logSpaceErlangC(erlangs, n, aht, threshold).sl;
    expect(sl(r.agentsRequired)).toBeGreaterThanOrEqual(0.8);
    expect(sl(r.agentsRequired - 1)).toBeLessThan(0.8);
  });
});

// ------------------------------------------------------------------ Erlang A

describe('erlangA', () => {
  it('fact sheet: P(wait) ≈ 0.35 with abandonment, ≈ 0.73 without', () => {
    expect(erlangA({ ...FACT_SHEET, patienceSeconds: 120 }).probabilityOfWaiting).toBeCloseTo(0.35, 2);
    expect(erlangC(FACT_SHEET).probabilityOfWaiting).toBeCloseTo(0.73, 2);
  });

  it.each([
    { ...A48, agents: 55 },
    { ...A48, agents: 52 },
    { ...A10, agents: 13 },
  ])('patience 1e9 s converges to Erlang C (A = 48 or 10, N = $agents)', (input: ErlangCInput) => {
    const a = erlangA({ ...input, patienceSeconds: 1e9 });
    const c = erlangC(input);
    expect(Math.abs(a.probabilityOfWaiting - c.probabilityOfWaiting)).toBeLessThan(1e-3);
    expect(Math.abs(a.serviceLevel - c.serviceLevel)).toBeLessThan(1e-3);
    expect(Math.abs(a.asaSeconds - c.asaSeconds)).toBeLessThan(1e-3);
    expect(a.probabilityOfAbandon).toBeLessThan(1e-6);
  });

  it('N = 55 at A = 48 with near-infinite patience keeps the textbook 84.59 %', () => {
    expect(erlangA({ ...A48, agents: 55, patienceSeconds: 1e9 }).serviceLevel).toBeCloseTo(0.8459, 4);
  });

  it.each([48, 40, 20, 1])('N = %d ≤ A = 48 is stable thanks to abandonment', (agents) => {
    const r = erlangA({ ...A48, agents, patienceSeconds: 120 });
    expect(r.probabilityOfAbandon).toBeGreaterThan(0);
    expect(r.probabilityOfAbandon).toBeLessThan(1);
    expect(r.probabilityOfWaiting).toBeGreaterThan(0);
    expect(r.probabilityOfWaiting).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.asaSeconds)).toBe(true);
    expect(r.occupancy).toBeLessThanOrEqual(1);
  });

  it('overloaded with near-infinite patience never settles: a RangeError, not a hang', () => {
    expect(() => erlangA({ ...A48, agents: 40, patienceSeconds: 1e9 })).toThrow(/^patienceSeconds/);
  });

  it('heavily overloaded at 5,000 agents: half the calls abandon, nothing overflows', () => {
    const r = erlangA({ callsPerHour: 120_000, ahtSeconds: 300, agents: 5000, patienceSeconds: 600, thresholdSeconds: 20 });
    expect(r.trafficErlangs).toBeCloseTo(10_000, 9);
    expect(r.probabilityOfAbandon).toBeCloseTo(0.5, 6);
    expect(r.occupancy).toBeCloseTo(1, 6);
  });

  it('threshold 0: only calls answered on arrival count', () => {
    const r = erlangA({ ...FACT_SHEET, patienceSeconds: 120, thresholdSeconds: 0 });
    expect(r.serviceLevel).toBeCloseTo(1 - r.probabilityOfWaiting, 12);
  });

  it('a very long threshold counts every answered call', () => {
    const r = erlangA({ ...FACT_SHEET, patienceSeconds: 120, thresholdSeconds: 5000 });
    expect(r.serviceLevel).toBeCloseTo(1 - r.probabilityOfAbandon, 9);
  });

  it('no traffic', () => {
    const r = erlangA({ ...FACT_SHEET, callsPerHour: 0, patienceSeconds: 120 });
    expect(r).toMatchObject({ probabilityOfWaiting: 0, probabilityOfAbandon: 0, serviceLevel: 1, asaSeconds: 0 });
  });

  it('adding agents raises service level and lowers abandonment and occupancy', () => {
    const rows = Array.from({ length: 30 }, (_, i) => erlangA({ ...A48, agents: 35 + i, patienceSeconds: 90 }));
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].serviceLevel).toBeGreaterThan(rows[i - 1].serviceLevel);
      expect(rows[i].probabilityOfAbandon).toBeLessThan(rows[i - 1].probabilityOfAbandon);
      expect(rows[i].occupancy).toBeLessThan(rows[i - 1].occupancy);
    }
  });
});

/**
 * Independent Erlang A for a small system: plain-float stationary
 * distribution, P(answered | j) as an unsimplified product, and the
 * textbook closed form of the hypoexponential CDF (fine here because the
 * rates are well separated and j stays small).
 */
function directErlangA(input: ErlangAInput) {
  const lambda = input.callsPerHour / 3600;
  const { agents: N, ahtSeconds: h, patienceSeconds: p, thresholdSeconds: T } = input;
  const death = (n: number) => Math.min(n, N) / h + Math.max(n - N, 0) / p;
  const pi = [1];
  for (let n = 1; n < 200; n++) pi.push((pi[n - 1] * lambda) / death(n));
  const z = pi.reduce((s, v) => s + v, 0);
  const prob = pi.map((v) => v / z);

  const q = (k: number) => N / h + (k + 1) / p;
  const hypoCdf = (j: number) => {
    let tail = 0;
    for (let k = 0; k <= j; k++) {
      let coef = 1;
      for (let m = 0; m <= j; m++) if (m !== k) coef *= q(m) / (q(m) - q(k));
      tail += coef * Math.exp(-q(k) * T);
    }
    return 1 - tail;
  };
  let pWait = 0;
  let sl = 0;
  let answered = 0;
  let lq = 0;
  for (let n = 0; n < prob.length; n++) {
    if (n < N) {
      sl += prob[n];
      answered += prob[n];
      continue;
    }
    const j = n - N;
    let pAns = 1;
    for (let k = 0; k <= j; k++) pAns *= (N / h + k / p) / q(k);
    pWait += prob[n];
    lq += j * prob[n];
    answered += prob[n] * pAns;
    if (j < 25) sl += prob[n] * pAns * hypoCdf(j);
  }
  return { pWait, sl, abandonByArrivals: 1 - answered, abandonByQueue: lq / p / lambda };
}

describe('erlangA agrees with a direct small-system computation', () => {
  it.each([
    { callsPerHour: 120, ahtSeconds: 60, agents: 2, patienceSeconds: 10, thresholdSeconds: 15 },
    { callsPerHour: 300, ahtSeconds: 60, agents: 3, patienceSeconds: 20, thresholdSeconds: 5 },
    { callsPerHour: 60, ahtSeconds: 200, agents: 2, patienceSeconds: 30, thresholdSeconds: 40 },
  ])('λ = $callsPerHour/h, N = $agents, p = $patienceSeconds s', (input) => {
    const r = erlangA(input);
    const ref = directErlangA(input);
    expect(relErr(r.probabilityOfWaiting, ref.pWait)).toBeLessThan(1e-9);
    expect(relErr(r.serviceLevel, ref.sl)).toBeLessThan(1e-9);
    // Abandon rate over arrival rate equals the arrivals' own chance of abandoning.
    expect(relErr(r.probabilityOfAbandon, ref.abandonByQueue)).toBeLessThan(1e-9);
    expect(relErr(r.probabilityOfAbandon, ref.abandonByArrivals)).toBeLessThan(1e-9);
  });
});

/** Small, fast, seedable PRNG so the simulation is reproducible. */
function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FCFS M/M/N+M by arrival order: a call's offered wait is fixed by the
 * calls before it (the earliest agent-free time), so it abandons iff its
 * patience is shorter than that wait, and then never holds an agent.
 */
function simulateErlangA(input: ErlangAInput, calls: number, seed: number) {
  const rnd = mulberry32(seed);
  const exp = (mean: number) => -mean * Math.log(1 - rnd());
  const freeAt = new Float64Array(input.agents);
  const warmUp = Math.floor(calls / 50);
  let now = 0;
  let abandoned = 0;
  let waited = 0;
  let inTime = 0;
  let answeredWait = 0;
  for (let i = 0; i < warmUp + calls; i++) {
    now += exp(3600 / input.callsPerHour);
    const patience = exp(input.patienceSeconds);
    const service = exp(input.ahtSeconds);
    let k = 0;
    for (let a = 1; a < freeAt.length; a++) if (freeAt[a] < freeAt[k]) k = a;
    const wait = Math.max(0, freeAt[k] - now);
    const abandons = wait > patience;
    if (!abandons) freeAt[k] = now + wait + service;
    if (i < warmUp) continue;
    if (wait > 0) waited++;
    if (abandons) abandoned++;
    else {
      answeredWait += wait;
      if (wait <= input.thresholdSeconds) inTime++;
    }
  }
  return {
    pWait: waited / calls,
    pAbandon: abandoned / calls,
    serviceLevel: inTime / calls,
    asa: answeredWait / (calls - abandoned),
  };
}

describe('erlangA agrees with a seeded discrete-event simulation', () => {
  // 2M calls keep the batch standard error near 0.1 % (measured over seeds), so
  // 0.4 % absolute is ~4σ; the fixed seed makes the run reproducible anyway.
  it.each([
    { callsPerHour: 300, ahtSeconds: 60, agents: 5, patienceSeconds: 60, thresholdSeconds: 20, seed: 12345 },
    { callsPerHour: 240, ahtSeconds: 60, agents: 5, patienceSeconds: 180, thresholdSeconds: 10, seed: 777 },
  ])('N = 5, A = $callsPerHour/60, p = $patienceSeconds s', ({ seed, ...input }) => {
    const r = erlangA(input);
    const sim = simulateErlangA(input, 2_000_000, seed);
    expect(Math.abs(sim.pWait - r.probabilityOfWaiting)).toBeLessThan(0.004);
    expect(Math.abs(sim.pAbandon - r.probabilityOfAbandon)).toBeLessThan(0.004);
    expect(Math.abs(sim.serviceLevel - r.serviceLevel)).toBeLessThan(0.004);
    expect(relErr(sim.asa, r.asaSeconds)).toBeLessThan(0.03);
  });
});

describe('agentsRequiredErlangA', () => {
  const base: StaffingInput = { ...A48, targetServiceLevel: 0.8 };

  it.each([
    { patienceSeconds: 60 },
    { patienceSeconds: 120 },
    { patienceSeconds: 600 },
    { patienceSeconds: 120, maxOccupancy: 0.85 },
    { patienceSeconds: 5, targetServiceLevel: 0.5 },
  ])('returns the first N meeting the target ($patienceSeconds s patience)', (extra) => {
    const input = { ...base, ...extra };
    const r = agentsRequiredErlangA(input);
    const meets = (n: number) => {
      const f = erlangA({ ...input, agents: n });
      return f.serviceLevel >= input.targetServiceLevel && f.occupancy <= (input.maxOccupancy ?? 1);
    };
    expect(meets(r.agentsRequired)).toBe(true);
    if (r.agentsRequired > 1) expect(meets(r.agentsRequired - 1)).toBe(false);
    // Abandonment thins the queue, so it never asks for more than Erlang C here.
    expect(r.agentsRequired).toBeLessThanOrEqual(agentsRequired(input).agentsRequired);
    expect(r.rows.find((row) => row.agents === r.agentsRequired)).toEqual(erlangA({ ...input, agents: r.agentsRequired }));
  });

  it('near-infinite patience staffs like Erlang C', () => {
    expect(agentsRequiredErlangA({ ...base, patienceSeconds: 1e9 }).agentsRequired).toBe(55);
  });

  it('short patience can meet a low target with N below A', () => {
    const r = agentsRequiredErlangA({ ...base, patienceSeconds: 5, targetServiceLevel: 0.5 });
    expect(r.agentsRequired).toBeLessThan(48);
  });

  it('shrinkage inflates headcount', () => {
    const r = agentsRequiredErlangA({ ...base, patienceSeconds: 120, shrinkage: 0.3 });
    expect(r.headcount).toBe(Math.ceil(r.agentsRequired / 0.7 - 1e-9));
  });

  it('10,000 Erlangs: finite, sane, and bounded by Erlang C', () => {
    const input = {
      callsPerHour: 120_000,
      ahtSeconds: 300,
      thresholdSeconds: 20,
      targetServiceLevel: 0.8,
      patienceSeconds: 120,
    };
    const r = agentsRequiredErlangA(input);
    expect(r.agentsRequired).toBeGreaterThan(5000);
    expect(r.agentsRequired).toBeLessThanOrEqual(agentsRequired(input).agentsRequired);
    expect(r.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(r.probabilityOfAbandon).toBeGreaterThan(0);
    expect(r.probabilityOfAbandon).toBeLessThan(1);
  });
});

// ---------------------------------------------------------------- validation

describe('input validation', () => {
  const c: ErlangCInput = { ...A48, agents: 55 };
  const a: ErlangAInput = { ...c, patienceSeconds: 120 };
  const s: StaffingInput = { ...A48, targetServiceLevel: 0.8 };

  it.each([
    ['callsPerHour', () => erlangC({ ...c, callsPerHour: -1 })],
    ['callsPerHour', () => erlangC({ ...c, callsPerHour: NaN })],
    ['callsPerHour', () => trafficIntensity(Infinity, 300)],
    ['ahtSeconds', () => erlangC({ ...c, ahtSeconds: 0 })],
    ['ahtSeconds', () => trafficIntensity(100, -5)],
    ['agents', () => erlangC({ ...c, agents: 0 })],
    ['agents', () => erlangC({ ...c, agents: 2.5 })],
    ['agents', () => erlangB(10, -1)],
    ['erlangs', () => erlangB(NaN, 3)],
    ['thresholdSeconds', () => erlangC({ ...c, thresholdSeconds: -1 })],
    ['patienceSeconds', () => erlangA({ ...a, patienceSeconds: 0 })],
    ['patienceSeconds', () => erlangA({ ...a, patienceSeconds: Infinity })],
    ['targetServiceLevel', () => agentsRequired({ ...s, targetServiceLevel: 0 })],
    ['targetServiceLevel', () => agentsRequired({ ...s, targetServiceLevel: 1 })],
    ['targetServiceLevel', () => agentsRequiredErlangA({ ...s, targetServiceLevel: 80, patienceSeconds: 60 })],
    ['shrinkage', () => agentsRequired({ ...s, shrinkage: 1 })],
    ['shrinkage', () => agentsRequired({ ...s, shrinkage: -0.1 })],
    ['maxOccupancy', () => agentsRequired({ ...s, maxOccupancy: 0 })],
    ['maxOccupancy', () => agentsRequired({ ...s, maxOccupancy: 1.2 })],
    ['patienceSeconds', () => agentsRequiredErlangA({ ...s, patienceSeconds: -3 })],
  ])('rejects a bad %s', (name, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(new RegExp(`^${name} `));
  });

  it.each([
    ['shrinkage 0', () => agentsRequired({ ...s, shrinkage: 0 })],
    ['maxOccupancy 1', () => agentsRequired({ ...s, maxOccupancy: 1 })],
    ['threshold 0', () => erlangC({ ...c, thresholdSeconds: 0 })],
  ])('accepts the boundary %s', (_name, call) => {
    expect(call).not.toThrow();
  });
});
