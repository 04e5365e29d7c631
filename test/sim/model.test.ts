// Scenario files and traffic generation: determinism, Poisson arrivals, shares,
// and refusals that name the field.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import {
  checkScenario, loadScenario, loadScenarioAndSettings, parseScenario, ScenarioError, SCENARIOS_DIR, type Scenario,
} from '../../sim/model/scenario.ts';
import { generateTraffic, localTimeToEpoch, type CallPlan } from '../../sim/model/traffic.ts';
import { runVirtual } from '../../sim/virtual.ts';

const settings = loadSettings(DEFAULT_SETTINGS_PATH);
const QUIET = join(SCENARIOS_DIR, 'quiet-morning.json');

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    name: 'test', seed: 7, date: '2026-11-23', start: '08:00', arrivalsPerHour: [120, 240, 60],
    languages: { 'pt-BR': 0.7, en: 0.2, es: 0.1 },
    ivrPaths: [{ path: ['1', '1'], share: 0.5 }, { path: ['1', '9'], share: 0.1 }, { path: ['2'], share: 0.25 }, { path: ['3'], share: 0.15 }],
    vipShare: 0.05, repeatCallerShare: 0.15,
    patience: { distribution: 'exponential', meanSeconds: 120 },
    talk: { distribution: 'exponential', meanSeconds: 200 },
    survey: { responseRate: 0.4, nps: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], csat: [1, 1, 1, 1, 1] },
    firstContactResolution: 0.7,
    ...overrides,
  });
}

/** Refusal of `data`: the ScenarioError's field. */
function refusal(data: Record<string, unknown>, withSettings = false): ScenarioError {
  try {
    const s = scenario(data);
    if (withSettings) checkScenario(s, settings, 'bad.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return err as ScenarioError;
  }
  throw new Error('the scenario was accepted');
}

const strip = <T extends { wallClockMs: number }>(s: T) => ({ ...s, wallClockMs: 0 });

describe('determinism', () => {
  it('the same seed gives identical call plans and an identical summary', () => {
    const { scenario: s } = loadScenarioAndSettings(QUIET);
    const a = generateTraffic(s, settings);
    const b = generateTraffic(structuredClone(s), settings);
    expect(a.calls.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    expect(strip(runVirtual(s, settings))).toEqual(strip(runVirtual(structuredClone(s), settings)));
  });

  it('a different seed gives a different day', () => {
    const s = scenario();
    const a = generateTraffic(s, settings);
    const b = generateTraffic({ ...s, seed: 8 }, settings);
    expect(b.calls.map((c) => c.arriveAt)).not.toEqual(a.calls.map((c) => c.arriveAt));
    expect(b.calls.map((c) => c.talkMs)).not.toEqual(a.calls.map((c) => c.talkMs));
    expect(strip(runVirtual({ ...s, seed: 8 }, settings))).not.toEqual(strip(runVirtual(s, settings)));
  });

  it('changing a duration leaves arrivals and choices alone (separate streams)', () => {
    const s = scenario();
    const a = generateTraffic(s, settings).calls;
    const b = generateTraffic({ ...s, talk: { distribution: 'exponential', meanSeconds: 400 } }, settings).calls;
    expect(b.map((c) => [c.arriveAt, c.from, c.queue, c.language, c.patienceMs])).toEqual(a.map((c) => [c.arriveAt, c.from, c.queue, c.language, c.patienceMs]));
    expect(b.map((c) => c.talkMs)).not.toEqual(a.map((c) => c.talkMs));
  });

  it('plans are plain JSON', () => {
    const t = generateTraffic(scenario(), settings);
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});

describe('arrivals', () => {
  it('hourly counts stay inside a Poisson band, also when the rate changes hour by hour', () => {
    const rates = [400, 50, 900, 0, 250, 1200, 600, 30, 800, 400, 100, 700];
    for (const seed of [1, 2, 3]) {
      const s = scenario({ seed, arrivalsPerHour: rates });
      const t = generateTraffic(s, settings);
      const counts = new Array(rates.length).fill(0);
      for (const c of t.calls) counts[Math.floor((c.arriveAt - t.startAt) / 3_600_000)]++;
      rates.forEach((r, h) => {
        // ±4σ (plus one for rounding): a real Poisson count leaves this band about once in 16,000 hours.
        expect(Math.abs(counts[h] - r), `hour ${h}: ${counts[h]} calls for a rate of ${r}`).toBeLessThanOrEqual(4 * Math.sqrt(r) + 1);
      });
      expect(counts[3]).toBe(0);
    }
  });

  it('gaps within an hour are exponential (mean and coefficient of variation ≈ 1)', () => {
    const t = generateTraffic(scenario({ arrivalsPerHour: 3600, hours: 10 }), settings);
    const gaps = t.calls.slice(1).map((c, i) => (c.arriveAt - t.calls[i].arriveAt) / 1000);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(0.97);
    expect(mean).toBeLessThan(1.03);
    expect(sd / mean).toBeGreaterThan(0.96);
    expect(sd / mean).toBeLessThan(1.04);
  });

  it('calls come in time order and start at the local start time', () => {
    const t = generateTraffic(scenario(), settings);
    expect(t.startAt).toBe(Date.UTC(2026, 10, 23, 11, 0)); // 08:00 in São Paulo (UTC−3)
    for (let i = 1; i < t.calls.length; i++) expect(t.calls[i].arriveAt).toBeGreaterThanOrEqual(t.calls[i - 1].arriveAt);
    expect(t.calls[0].arriveAt).toBeGreaterThanOrEqual(t.startAt);
    expect(t.calls.at(-1)!.arriveAt).toBeLessThan(t.arrivalsEndAt);
  });

  it('local times follow the settings time zone, DST included', () => {
    expect(localTimeToEpoch('2026-11-23', '08:00', 'America/Sao_Paulo')).toBe(Date.UTC(2026, 10, 23, 11, 0));
    expect(localTimeToEpoch('2026-07-01', '09:30', 'Europe/Lisbon')).toBe(Date.UTC(2026, 6, 1, 8, 30));
    expect(localTimeToEpoch('2026-01-15', '09:30', 'Europe/Lisbon')).toBe(Date.UTC(2026, 0, 15, 9, 30));
  });

  it('a surge adds its calls in its hour, all through its path', () => {
    const s = scenario({ arrivalsPerHour: [100, 100, 100], surges: [{ fromHour: 1, hours: 1, callsPerHour: 500, ivrPath: ['1', '9'] }] });
    const t = generateTraffic(s, settings);
    const surge = t.calls.filter((c) => c.surge);
    expect(surge.length).toBeGreaterThan(500 - 4 * Math.sqrt(500));
    expect(surge.length).toBeLessThan(500 + 4 * Math.sqrt(500));
    for (const c of surge) {
      expect(Math.floor((c.arriveAt - t.startAt) / 3_600_000)).toBe(1);
      expect(c.ivrPath).toEqual(['1', '9']);
      expect(c.queue).toBe('suporte');
      expect(c.attributes).toEqual({ impact: 3 });
    }
  });
});

describe('shares', () => {
  const t = generateTraffic(scenario({ arrivalsPerHour: [4000, 4000, 4000] }), settings);
  const calls = t.calls;
  const n = calls.length;
  /** Within 4 binomial standard deviations. */
  const near = (count: number, total: number, p: number, what: string) => {
    const sd = Math.sqrt(total * p * (1 - p));
    expect(Math.abs(count - total * p), `${what}: ${count} of ${total}, expected share ${p}`).toBeLessThanOrEqual(4 * sd + 1);
  };
  const count = (f: (c: CallPlan) => boolean, list = calls) => list.filter(f).length;

  it('languages, IVR paths and the queues they lead to', () => {
    near(count((c) => c.language === 'pt-BR'), n, 0.7, 'pt-BR');
    near(count((c) => c.language === 'en'), n, 0.2, 'en');
    near(count((c) => c.language === 'es'), n, 0.1, 'es');
    expect(calls.every((c) => c.languageDigit === settings.ivr.languages.find((l) => l.code === c.language)!.digit)).toBe(true);
    near(count((c) => c.ivrPath.join() === '1,1'), n, 0.5, '1-1');
    near(count((c) => c.ivrPath.join() === '1,9'), n, 0.1, '1-9');
    near(count((c) => c.ivrPath.join() === '2'), n, 0.25, '2');
    for (const c of calls) {
      const expected = { '1,1': 'suporte', '1,9': 'suporte', '2': 'vendas', '3': 'financeiro' }[c.ivrPath.join()];
      expect(c.queue).toBe(expected);
      expect(c.attributes).toEqual(c.ivrPath.join() === '1,9' ? { impact: 3 } : {});
    }
  });

  it('VIP and repeat callers', () => {
    near(count((c) => c.vip), n, 0.05, 'vip');
    expect(calls.filter((c) => c.vip).every((c) => settings.priority.vipNumbers.includes(c.from))).toBe(true);
    near(count((c) => c.repeat), n, 0.15, 'repeat');
    const earlier = new Set<string>();
    for (const c of calls) {
      if (c.repeat) expect(earlier.has(c.from)).toBe(true);
      else if (!c.vip) expect(earlier.has(c.from)).toBe(false);
      earlier.add(c.from);
    }
  });

  it('survey, NPS and CSAT distributions, first-contact resolution', () => {
    const answered = calls.filter((c) => c.surveyNps !== undefined);
    near(answered.length, n, 0.4, 'survey responses');
    expect(answered.every((c) => c.surveyNps! >= 7 && c.surveyNps! <= 10)).toBe(true);
    near(count((c) => c.surveyNps === 10, answered), answered.length, 0.25, 'nps 10');
    near(count((c) => c.surveyCsat === 1, answered), answered.length, 0.2, 'csat 1');
    near(count((c) => c.resolvedFirstContact === true), n, 0.7, 'fcr');
  });

  it('durations: exponential means, no patience when null', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const talk = mean(calls.map((c) => c.talkMs / 1000));
    const patience = mean(calls.map((c) => c.patienceMs! / 1000));
    expect(Math.abs(talk - 200)).toBeLessThan(4 * 200 / Math.sqrt(n));
    expect(Math.abs(patience - 120)).toBeLessThan(4 * 120 / Math.sqrt(n));
    expect(calls.every((c) => c.answersAfterMs >= 2000 && c.answersAfterMs <= 8000)).toBe(true);
    const none = generateTraffic(scenario({ patience: null }), settings).calls;
    expect(none.every((c) => c.patienceMs === null)).toBe(true);
  });
});

describe('agents', () => {
  it('default roster: the settings agents, on shift the whole run', () => {
    const t = generateTraffic(scenario(), settings);
    expect(t.agents.map((a) => a.id)).toEqual(settings.agents.map((a) => a.id));
    for (const a of t.agents) expect(a.shifts).toEqual([{ start: t.startAt, end: t.runEndAt }]);
  });

  it('groups generate agents with their shifts', () => {
    const t = generateTraffic(scenario({
      agentGroups: [
        { name: 'manha', count: 12, skills: ['suporte'], shifts: [{ start: '08:00', end: '10:00' }] },
        { count: 3, skills: ['vendas', 'financeiro'], level: 2 },
      ],
      ring: { noAnswerProbability: 0.1 },
    }), settings);
    expect(t.agents).toHaveLength(15);
    expect(t.agents[0]).toMatchObject({ id: 'manha-01', skills: ['suporte'], level: 1, ringNoAnswerProbability: 0.1 });
    expect(t.agents[0].shifts).toEqual([{ start: t.startAt, end: t.startAt + 2 * 3_600_000 }]);
    expect(t.agents[12]).toMatchObject({ id: 'g1-1', level: 2 });
  });
});

describe('validation', () => {
  it('every shipped scenario loads and fits its settings', () => {
    const files = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(() => loadScenarioAndSettings(join(SCENARIOS_DIR, f)), f).not.toThrow();
  });

  it('refuses a bad scenario naming the field', () => {
    expect(refusal({ talk: undefined }).field).toBe('/talk');
    expect(refusal({ seed: -1 }).field).toBe('/seed');
    expect(refusal({ start: '8h' }).message).toMatch(/\/start must be a local time "HH:MM"/);
    expect(refusal({ talk: { distribution: 'exponential' } }).field).toBe('/talk/meanSeconds');
    expect(refusal({ talk: { distribution: 'gamma', meanSeconds: 3 } }).field).toBe('/talk/distribution');
    expect(refusal({ ivrPaths: [{ path: ['2'], share: 0.5 }] }).field).toBe('/ivrPaths');
    expect(refusal({ hours: 5 }).field).toBe('/hours');
    expect(refusal({ date: '2026-02-30' }).field).toBe('/date');
    expect(refusal({ surprise: 1 }).message).toMatch(/unknown field "surprise"/);
    expect(refusal({ ring: { minSeconds: 5, maxSeconds: 1 } }).field).toBe('/ring/maxSeconds');
    expect(refusal({ survey: { responseRate: 0.5, nps: [1, 2] } }).field).toBe('/survey/nps');
  });

  it('refuses what does not fit the settings, naming the field and the file', () => {
    const bad = refusal({ ivrPaths: [{ path: ['1', '7'], share: 1 }] }, true);
    expect(bad.field).toBe('/ivrPaths/0/path');
    expect(bad.message).toMatch(/^scenario file bad\.json: .*menu "suporte" has no digit "7"/);
    expect(refusal({ ivrPaths: [{ path: ['2', '1'], share: 1 }] }, true).field).toBe('/ivrPaths/0/path');
    expect(refusal({ languages: { 'pt-BR': 0.5, fr: 0.5 } }, true).field).toBe('/languages/fr');
    expect(refusal({ agentGroups: [{ count: 2, skills: ['cobranca'] }] }, true).field).toBe('/agentGroups/0/skills/0');
    expect(refusal({ agentGroups: [{ count: 2, skills: ['vendas'], level: 3 }] }, true).field).toBe('/agentGroups/0/level');
    expect(refusal({ surges: [{ fromHour: 2, hours: 2, callsPerHour: 10, ivrPath: ['2'] }] }, true).field).toBe('/surges/0/hours');
  });

  it('a missing file or bad JSON names the file', () => {
    expect(() => loadScenario('/nonexistent/x.json')).toThrow(/scenario file \/nonexistent\/x\.json: not found/);
  });

  it('fills the defaults', () => {
    const s = scenario();
    expect(s).toMatchObject({ settings: 'config/example.json', ivrSeconds: 8, drainMinutes: 30, surges: [] });
    expect(s.ring).toEqual({ minSeconds: 2, maxSeconds: 8, noAnswerProbability: 0, awayAfterNoAnswerSeconds: 30 });
    expect(scenario({ arrivalsPerHour: 50, hours: 4 }).arrivalsPerHour).toEqual([50, 50, 50, 50]);
  });
});
