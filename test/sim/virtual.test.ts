// The virtual-time runner against the real routing core: invariants of a run,
// shifts, ring-no-answer, overflow, the CLI and the big-center timing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { main } from '../../sim/cli.ts';
import { loadScenarioAndSettings, parseScenario, SCENARIOS_DIR, type Scenario } from '../../sim/model/scenario.ts';
import { generateTraffic } from '../../sim/model/traffic.ts';
import { renderSummary, type Summary } from '../../sim/summary.ts';
import { runVirtual, type VirtualCallRecord } from '../../sim/virtual.ts';

const settings = loadSettings(DEFAULT_SETTINGS_PATH);

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    name: 'small', seed: 3, date: '2026-11-23', start: '09:00', arrivalsPerHour: [120, 160],
    ivrPaths: [{ path: ['1', '1'], share: 0.5 }, { path: ['1', '9'], share: 0.05 }, { path: ['2'], share: 0.25 }, { path: ['3'], share: 0.2 }],
    vipShare: 0.03, repeatCallerShare: 0.1,
    patience: { distribution: 'exponential', meanSeconds: 150 },
    talk: { distribution: 'lognormal', medianSeconds: 180, sigma: 0.5 },
    hold: { share: 0.2, meanSeconds: 30 },
    ring: { noAnswerProbability: 0.05 },
    survey: { responseRate: 0.3, nps: [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 4], csat: [1, 1, 2, 4, 4] },
    firstContactResolution: 0.7,
    ...overrides,
  });
}

function run(s: Scenario, st: Settings = settings): { summary: Summary; records: VirtualCallRecord[] } {
  const records: VirtualCallRecord[] = [];
  const summary = runVirtual(s, st, { onCall: (r) => records.push(r) });
  return { summary, records };
}

function checkInvariants(summary: Summary, records: VirtualCallRecord[]): void {
  const c = summary.calls;
  expect(c.generated).toBe(c.queued + c.overflowed + c.inIvrAtEnd);
  // Every call that reached a queue was answered, abandoned or is still waiting.
  expect(c.answered + c.abandoned + c.waitingAtEnd).toBe(c.queued);
  // The metrics core agrees (it leaves short abandons out of "offered").
  expect(summary.center.answered).toBe(c.answered);
  expect(summary.center.offered + summary.center.shortAbandoned).toBe(c.answered + c.abandoned);
  expect(summary.queues.reduce((s, q) => s + q.offered, 0)).toBe(summary.center.offered);
  expect(summary.tiers.reduce((s, t) => s + t.offered, 0)).toBe(summary.center.offered);
  // One record per call, and no negative waits.
  expect(records).toHaveLength(c.generated);
  expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  for (const r of records) {
    if (r.queuedAt !== null) {
      expect(r.waitMs!).toBeGreaterThanOrEqual(0);
      expect(r.queuedAt).toBeGreaterThanOrEqual(r.arriveAt);
    }
    if (r.outcome === 'answered') expect(r.agentId).not.toBeNull();
  }
  const longest = Math.max(0, ...records.filter((r) => r.waitMs !== null).map((r) => r.waitMs!)) / 1000;
  expect(summary.center.longestWaitSeconds ?? 0).toBeCloseTo(longest, 6);
  expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
}

describe('runVirtual', () => {
  it('runs a small day with consistent counts and figures', () => {
    const { summary, records } = run(scenario());
    checkInvariants(summary, records);
    expect(summary.calls.generated).toBeGreaterThan(200);
    expect(summary.calls.answered).toBeGreaterThan(150);
    expect(summary.calls.ringNoAnswer).toBeGreaterThan(0);
    expect(summary.center.serviceLevel).not.toBeNull();
    expect(summary.center.occupancy!).toBeGreaterThan(0);
    expect(summary.center.occupancy!).toBeLessThanOrEqual(1);
    expect(summary.center.nps.responses).toBeGreaterThan(0);
    expect(summary.center.fcr.responses).toBe(summary.calls.answered);
    // Every survey answer of an answered call reached the metrics, the last ones included.
    const plans = generateTraffic(scenario(), settings).calls;
    const answeredIds = new Set(records.filter((r) => r.outcome === 'answered').map((r) => r.id));
    expect(summary.center.nps.responses).toBe(plans.filter((p) => answeredIds.has(p.id) && p.surveyNps !== undefined).length);
    expect(summary.theory?.erlangA).not.toBeNull();
    const table = renderSummary(summary);
    for (const word of ['Center', 'Suporte', 'Vendas', 'Financeiro', 'P1', 'Erlang C', 'Erlang A', 'wall clock']) expect(table).toContain(word);
  });

  it('keeps the invariant when the day ends with callers still waiting', () => {
    const { summary, records } = run(scenario({
      arrivalsPerHour: [400], patience: null, drainMinutes: 0,
      agentGroups: [{ count: 4, skills: ['suporte', 'vendas', 'financeiro'] }],
    }));
    checkInvariants(summary, records);
    expect(summary.calls.abandoned).toBe(0);
    expect(summary.calls.waitingAtEnd).toBeGreaterThan(50);
    expect(records.filter((r) => r.outcome === 'waiting')).toHaveLength(summary.calls.waitingAtEnd);
  });

  it('counts overflow refused by a full queue', () => {
    const st = structuredClone(settings);
    st.queues.find((q) => q.id === 'suporte')!.maxWaiting = 3;
    const { summary, records } = run(scenario({ arrivalsPerHour: [500], ivrPaths: [{ path: ['1', '1'], share: 1 }], patience: null }), st);
    checkInvariants(summary, records);
    expect(summary.calls.overflowed).toBeGreaterThan(0);
  });

  it('agents take calls only inside their shifts', () => {
    const s = scenario({
      arrivalsPerHour: [150, 150, 150], drainMinutes: 20, patience: { distribution: 'exponential', meanSeconds: 300 },
      agentGroups: [
        { name: 'cedo', count: 6, skills: ['suporte', 'vendas', 'financeiro'], shifts: [{ start: '09:00', end: '10:30' }] },
        { name: 'tarde', count: 6, skills: ['suporte', 'vendas', 'financeiro'], shifts: [{ start: '10:00', end: '11:00' }, { start: '11:30', end: '12:20' }] },
      ],
    });
    const { summary, records } = run(s);
    checkInvariants(summary, records);
    const shifts = new Map(generateTraffic(s, settings).agents.map((a) => [a.id, a.shifts]));
    const answered = records.filter((r) => r.outcome === 'answered');
    const byGroup = new Set(answered.map((r) => r.agentId!.split('-')[0]));
    expect(byGroup).toEqual(new Set(['cedo', 'tarde']));
    for (const r of answered) {
      const ok = shifts.get(r.agentId!)!.some((sh) => r.at >= sh.start && r.at < sh.end);
      expect(ok, `${r.id} answered by ${r.agentId} at ${new Date(r.at).toISOString()}`).toBe(true);
    }
    // 11:00–11:30 nobody is on shift: no answers then.
    const gap = answered.filter((r) => r.at >= Date.UTC(2026, 10, 23, 14, 0) && r.at < Date.UTC(2026, 10, 23, 14, 30));
    expect(gap).toHaveLength(0);
  });

  it('agents set away for ring-no-answer come back, so the roster does not drain', () => {
    const { summary, records } = run(scenario({
      patience: null, ring: { noAnswerProbability: 0.5, awayAfterNoAnswerSeconds: 20 }, drainMinutes: 60,
    }));
    checkInvariants(summary, records);
    expect(summary.calls.ringNoAnswer).toBeGreaterThan(100);
    expect(summary.calls.waitingAtEnd).toBe(0);
    expect(summary.calls.answered).toBe(summary.calls.queued);
  });

  it('outage surge: the urgent P1 calls are served ahead of the rest', () => {
    const { scenario: s, settings: st } = loadScenarioAndSettings(join(SCENARIOS_DIR, 'outage-surge.json'));
    const { summary, records } = run(s, st);
    checkInvariants(summary, records);
    expect(summary.tiers[0].offered).toBeGreaterThan(100);
  });

  it(`big center: 500 agents, ~100,000 calls in under 30 s`, () => {
    const { scenario: s, settings: st } = loadScenarioAndSettings(join(SCENARIOS_DIR, 'big-center.json'));
    const summary = runVirtual(s, st);
    expect(summary.agents.rostered).toBe(500);
    expect(summary.calls.generated).toBeGreaterThan(90_000);
    expect(summary.calls.answered + summary.calls.abandoned + summary.calls.waitingAtEnd).toBe(summary.calls.queued);
    expect(summary.wallClockMs).toBeLessThan(30_000);
  }, 60_000);
});

describe('cli', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { isTTY: false, write: (s: string) => err.push(s) } } };
  };
  const QUIET = join(SCENARIOS_DIR, 'quiet-morning.json');

  it('bad arguments print the usage and exit 2', async () => {
    for (const argv of [[], ['--bogus'], ['--scenario'], ['--scenario', QUIET, '--seed', 'x'], ['--scenario', QUIET, '--speed', '0']]) {
      const t = io();
      expect(await main(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err.join('')).toContain('usage: npm run sim --');
    }
  });

  it('--json prints the summary on stdout and progress on stderr; --seed overrides', async () => {
    const t = io();
    expect(await main(['--scenario', QUIET, '--json', '--seed', '5'], t.io)).toBe(0);
    const summary = JSON.parse(t.out.join('')) as Summary;
    expect(summary.scenario.seed).toBe(5);
    expect(summary.calls.generated).toBeGreaterThan(0);
    expect(t.err.join('')).toMatch(/quiet-morning \(virtual\): 100%/);
    expect(t.err.join('').split('\n').filter(Boolean).length).toBeLessThanOrEqual(12);
  });

  it('a table by default, ending with the wall-clock time; a refused scenario exits 1 naming the file', async () => {
    const t = io();
    expect(await main(['--scenario', QUIET, '--virtual'], t.io)).toBe(0);
    expect(t.out.join('').trimEnd()).toMatch(/wall clock \d+\.\d\d s$/);
    const bad = io();
    expect(await main(['--scenario', '/nonexistent/s.json'], bad.io)).toBe(1);
    expect(bad.err.join('')).toContain('scenario file /nonexistent/s.json: not found');
  });
});
