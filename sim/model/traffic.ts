// Traffic generation: a scenario plus the center's settings become a list of
// self-contained call plans and an agent roster. Deterministic from the seed:
// separate mulberry32 streams for arrivals, choices and durations, and a fixed
// number of draws per call in each stream, so changing one share or one mean
// does not reshuffle every other draw. Plans are plain JSON: the virtual runner
// plays them against the routing core, and a live runner can turn each one into
// a scripted phone call.
import { toMetricsSettings, toRoutingConfig } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import type { MetricsSettings } from '../../routing/metrics/types.ts';
import type { RoutingConfig } from '../../routing/types.ts';
import { mulberry32 } from '../random.ts';
import { resolveIvrPath, type Duration, type Scenario } from './scenario.ts';

const HOUR_MS = 3_600_000;

/** One caller, from the first ring to the survey; every time is relative to `arriveAt` except `arriveAt` itself. */
export interface CallPlan {
  id: string;
  /** 0-based order of arrival. */
  seq: number;
  /** Epoch ms the call reaches the center. */
  arriveAt: number;
  from: string;
  /** The center's number. */
  to: string;
  vip: boolean;
  /** The number called earlier the same day. */
  repeat: boolean;
  /** Part of a scenario surge (e.g. the outage option). */
  surge: boolean;
  language: string;
  /** Key pressed in the language menu; null when the settings have a single language (no language menu). */
  languageDigit: string | null;
  /** Digits pressed after the language menu. */
  ivrPath: string[];
  /** Queue the menu tree sends the call to. */
  queue: string;
  /** Attributes of the menu options on the way (e.g. { impact: 3 }). */
  attributes: Record<string, string | number | boolean>;
  /** Greeting and menus: ms from arrival to entering the queue. */
  ivrMs: number;
  /** Caller hangs up this long after entering the queue unless answered; null = never. */
  patienceMs: number | null;
  /** Talk time once answered (hold excluded). */
  talkMs: number;
  /** One hold of this length in the middle of the talk; 0 = none. */
  holdMs: number;
  /** Ring time before an agent who answers picks up. */
  answersAfterMs: number;
  hangsUpBy: 'caller' | 'agent';
  surveyNps?: number;
  surveyCsat?: number;
  resolvedFirstContact?: boolean;
  /** What the caller does on a SAC day (scenarios with `callbacks` or `drops`). */
  sac?: CallSac;
}

/** One caller's SAC behaviour, drawn from its own stream (other draws are not shifted by it). */
export interface CallSac {
  /** Takes the callback at the first offer the wait makes. */
  asksCallback: boolean;
  /** At a closed queue that takes callbacks: leaves a request for its next opening (else hangs up after the message). */
  requestsWhenClosed: boolean;
  /** Once answered (not as a callback), the call drops on the company's side `dropAfterMs` into the talk. */
  drops: boolean;
  dropAfterMs: number;
  /** The first N calls placed to the customer go unanswered (each missed with the scenario's missShare). */
  missedCallbackCalls: number;
}

interface ShiftRange { start: number; end: number }

export interface AgentPlan {
  id: string;
  name: string;
  contact?: string;
  skills: string[];
  level: number;
  /** Epoch-ms ranges [start, end) the agent is logged in. */
  shifts: ShiftRange[];
  /** Chance the agent lets an offer ring out. */
  ringNoAnswerProbability: number;
}

/** Everything but the calls: the frame of the run. */
export interface TrafficFrame {
  scenario: string;
  seed: number;
  timezone: string;
  /** Epoch ms of `start` on `date` in the settings' time zone. */
  startAt: number;
  /** End of the last arrival hour. */
  arrivalsEndAt: number;
  /** End of the drain period: the run stops here at the latest. */
  runEndAt: number;
  to: string;
  agents: AgentPlan[];
  /** Expected number of calls (sum of the hourly rates). */
  expectedCalls: number;
}

export interface TrafficPlan extends TrafficFrame { calls: CallPlan[] }

// ---- random streams -----------------------------------------------------------

export type Stream = 'arrivals' | 'choices' | 'durations' | 'agents' | 'sac';
const STREAM_IDS: Record<Stream, number> = { arrivals: 1, choices: 2, durations: 3, agents: 4, sac: 5 };
/** Draws from the `sac` stream per call: asks, at closed, drops, then one per possible missed callback call. */
const SAC_MISS_DRAWS = 9;

/** An independent mulberry32 stream per purpose, all from one seed. */
export function streamRandom(seed: number, stream: Stream): () => number {
  let h = (seed ^ Math.imul(STREAM_IDS[stream], 0x9e3779b9)) >>> 0;
  // murmur3 finaliser: nearby seeds give unrelated streams.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return mulberry32(h);
}

/** One draw of a duration in seconds from two uniforms in [0, 1). */
function drawSeconds(d: Duration, u1: number, u2: number): number {
  switch (d.distribution) {
    case 'exponential': return -Math.log(1 - u1) * d.meanSeconds;
    case 'lognormal': return d.medianSeconds * Math.exp(d.sigma * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    case 'fixed': return d.seconds;
  }
}

/** Mean of a duration, seconds. */
export function meanSeconds(d: Duration): number {
  switch (d.distribution) {
    case 'exponential': return d.meanSeconds;
    case 'lognormal': return d.medianSeconds * Math.exp((d.sigma * d.sigma) / 2);
    case 'fixed': return d.seconds;
  }
}

function pickWeighted(weights: number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = u * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0 && weights[i] > 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}

// ---- time -------------------------------------------------------------------------

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneOffsetMs(t: number, timezone: string): number {
  let fmt = zoneFormats.get(timezone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    zoneFormats.set(timezone, fmt);
  }
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** Epoch ms of local "HH:MM" (24:00 allowed) on "YYYY-MM-DD" in an IANA zone. */
export function localTimeToEpoch(date: string, hhmm: string, timezone: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = hhmm.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let t = wall - zoneOffsetMs(wall, timezone);
  t = wall - zoneOffsetMs(t, timezone);
  return t;
}

// ---- frame: times and agents ---------------------------------------------------------

export function trafficFrame(scenario: Scenario, settings: Settings): TrafficFrame {
  const startAt = localTimeToEpoch(scenario.date, scenario.start, settings.timezone);
  const arrivalsEndAt = startAt + scenario.hours * HOUR_MS;
  const runEndAt = arrivalsEndAt + Math.round(scenario.drainMinutes * 60_000);
  const whole: ShiftRange[] = [{ start: startAt, end: runEndAt }];
  const p = scenario.ring.noAnswerProbability;
  let agents: AgentPlan[];
  if (scenario.agentGroups) {
    agents = [];
    scenario.agentGroups.forEach((g, gi) => {
      const name = g.name ?? `g${gi}`;
      const width = String(g.count).length;
      const shifts = g.shifts
        ? g.shifts.map((s) => ({
          start: localTimeToEpoch(scenario.date, s.start, settings.timezone),
          end: localTimeToEpoch(scenario.date, s.end, settings.timezone),
        }))
        : whole;
      for (let k = 1; k <= g.count; k++) {
        const n = String(k).padStart(width, '0');
        agents.push({
          id: `${name}-${n}`, name: `${name} ${n}`, skills: [...g.skills], level: g.level,
          shifts: shifts.map((s) => ({ ...s })), ringNoAnswerProbability: p,
        });
      }
    });
  } else {
    agents = settings.agents.map((a) => {
      const plan: AgentPlan = {
        id: a.id, name: a.name, skills: [...a.skills], level: a.level,
        shifts: whole.map((s) => ({ ...s })), ringNoAnswerProbability: p,
      };
      if (a.contact !== undefined) plan.contact = a.contact;
      return plan;
    });
  }
  let expectedCalls = scenario.arrivalsPerHour.reduce((a, b) => a + b, 0);
  for (const s of scenario.surges) expectedCalls += s.callsPerHour * s.hours;
  return {
    scenario: scenario.name, seed: scenario.seed, timezone: settings.timezone,
    startAt, arrivalsEndAt, runEndAt, to: '+551140040000', agents, expectedCalls,
  };
}

/** The routing configuration the core runs with: the settings, the scenario's roster and wrap-up. */
export function routingConfigFor(scenario: Scenario, settings: Settings, agents: AgentPlan[]): RoutingConfig {
  const config = toRoutingConfig(settings);
  config.agents = agents.map((a) => {
    const c: RoutingConfig['agents'][number] = { id: a.id, name: a.name, skills: [...a.skills], level: a.level };
    if (a.contact !== undefined) c.contact = a.contact;
    return c;
  });
  config.wrapUpSeconds = scenario.wrapUpSeconds ?? settings.wrapUpSeconds;
  return config;
}

/** Metrics settings with the daily window starting at the scenario's start, so "today" covers the whole run. */
export function metricsSettingsFor(scenario: Scenario, settings: Settings): MetricsSettings {
  return { ...toMetricsSettings(settings), todayResetsAt: scenario.start };
}

// ---- calls ------------------------------------------------------------------------------

const AREAS = ['11', '21', '31', '41', '51', '61', '71', '81'];
const RECENT_KEPT = 1000;

/** Call plans in arrival order, lazily. */
export function* callPlans(scenario: Scenario, settings: Settings, frame = trafficFrame(scenario, settings)): Generator<CallPlan> {
  const arrivals = streamRandom(scenario.seed, 'arrivals');
  const choices = streamRandom(scenario.seed, 'choices');
  const durations = streamRandom(scenario.seed, 'durations');
  const cu = new Float64Array(9);
  const du = new Float64Array(8);
  const sacRandom = scenario.callbacks || scenario.drops ? streamRandom(scenario.seed, 'sac') : null;
  const su = new Float64Array(3 + SAC_MISS_DRAWS);

  const langs = settings.ivr.languages;
  const langShares = langs.map((l) => scenario.languages?.[l.code] ?? (scenario.languages ? 0 : l === langs[0] ? 1 : 0));
  const hasLanguageMenu = langs.length > 1;
  const routes = scenario.ivrPaths.map((p) => {
    const r = resolveIvrPath(settings, p.path);
    if ('error' in r) throw new Error(`scenario ${scenario.name}: ivr path ${r.error}`);
    return { path: p.path, ...r };
  });
  const pathShares = scenario.ivrPaths.map((p) => p.share);
  const surgeRoutes = scenario.surges.map((s) => {
    const r = resolveIvrPath(settings, s.ivrPath);
    if ('error' in r) throw new Error(`scenario ${scenario.name}: surge path ${r.error}`);
    return { path: s.ivrPath, language: s.language, ...r };
  });
  const vips = settings.priority.vipNumbers;
  const vipSet = new Set(vips);
  const recent: string[] = [];
  let recentNext = 0;
  const survey = scenario.survey;
  const ring = scenario.ring;
  const ivrMs = Math.round(scenario.ivrSeconds * 1000);

  // Total rate per hour and the surges active in it.
  const hourRates = scenario.arrivalsPerHour.map((base, h) => {
    const active = scenario.surges.map((s, i) => ({ i, rate: h >= s.fromHour && h < s.fromHour + s.hours ? s.callsPerHour : 0 }));
    return { base, active, total: base + active.reduce((a, s) => a + s.rate, 0) };
  });

  let seq = 0;
  let t = 0; // seconds since start
  let h = 0;
  while (h < scenario.hours) {
    const rate = hourRates[h].total / 3600;
    const u = arrivals();
    const pick = arrivals();
    if (rate <= 0) { t = (h + 1) * 3600; h++; continue; }
    const gap = -Math.log(1 - u) / rate;
    // Memoryless: an arrival that would fall past the hour restarts at the hour with the next rate.
    if (t + gap >= (h + 1) * 3600) { t = (h + 1) * 3600; h++; continue; }
    t += gap;

    for (let i = 0; i < cu.length; i++) cu[i] = choices();
    for (let i = 0; i < du.length; i++) du[i] = durations();
    if (sacRandom) for (let i = 0; i < su.length; i++) su[i] = sacRandom();

    // Base traffic or one of the surges (superposition of Poisson processes).
    let surgeIdx = -1;
    const hr = hourRates[h];
    let x = pick * hr.total - hr.base;
    if (x >= 0) {
      for (const s of hr.active) {
        x -= s.rate;
        if (x < 0 && s.rate > 0) { surgeIdx = s.i; break; }
      }
      if (surgeIdx < 0) surgeIdx = hr.active.filter((s) => s.rate > 0).at(-1)?.i ?? -1;
    }

    let langIdx = pickWeighted(langShares, cu[0]);
    let route: { path: string[]; queue: string; attributes: Record<string, string | number | boolean> };
    if (surgeIdx >= 0) {
      const sr = surgeRoutes[surgeIdx];
      route = sr;
      if (sr.language !== undefined) langIdx = langs.findIndex((l) => l.code === sr.language);
    } else {
      route = routes[pickWeighted(pathShares, cu[1])];
    }

    // Caller number: VIP, repeat caller or a new number.
    let from: string;
    let vip = false;
    let repeat = false;
    if (cu[2] < scenario.vipShare && vips.length > 0) {
      from = vips[Math.floor(cu[3] * vips.length)];
      vip = true;
    } else if (cu[2] < scenario.vipShare + scenario.repeatCallerShare && recent.length > 0) {
      from = recent[Math.floor(cu[3] * recent.length)];
      repeat = true;
    } else {
      let k = seq;
      do {
        from = `+55${AREAS[Math.floor(cu[3] * AREAS.length)]}9${String((k * 7919 + 1_234_567) % 100_000_000).padStart(8, '0')}`;
        k += 100_000_000 / 8; // not reached in practice: only on a clash with a VIP number
      } while (vipSet.has(from));
      if (recent.length < RECENT_KEPT) recent.push(from);
      else recent[recentNext] = from;
      recentNext = (recentNext + 1) % RECENT_KEPT;
    }

    const patience = scenario.patience ? drawSeconds(scenario.patience, du[0], du[1]) : null;
    const talk = drawSeconds(scenario.talk, du[2], du[3]);
    const hold = scenario.hold && du[4] < scenario.hold.share ? -Math.log(1 - du[5]) * scenario.hold.meanSeconds : 0;
    const ringS = ring.minSeconds + (ring.maxSeconds - ring.minSeconds) * du[6];

    const plan: CallPlan = {
      id: `c${String(seq).padStart(6, '0')}`,
      seq,
      arriveAt: Math.round(frame.startAt + t * 1000),
      from,
      to: frame.to,
      vip,
      repeat,
      surge: surgeIdx >= 0,
      language: langs[langIdx].code,
      languageDigit: hasLanguageMenu ? langs[langIdx].digit : null,
      ivrPath: [...route.path],
      queue: route.queue,
      attributes: { ...route.attributes },
      ivrMs,
      patienceMs: patience === null ? null : Math.max(0, Math.round(patience * 1000)),
      talkMs: Math.max(0, Math.round(talk * 1000)),
      holdMs: Math.round(hold * 1000),
      answersAfterMs: Math.round(ringS * 1000),
      hangsUpBy: cu[8] < 0.5 ? 'caller' : 'agent',
    };
    if (survey && cu[4] < survey.responseRate) {
      if (survey.nps) plan.surveyNps = pickWeighted(survey.nps, cu[5]);
      if (survey.csat) plan.surveyCsat = 1 + pickWeighted(survey.csat, cu[6]);
    }
    if (scenario.firstContactResolution !== undefined) plan.resolvedFirstContact = cu[7] < scenario.firstContactResolution;
    if (sacRandom) {
      const cb = scenario.callbacks;
      let missed = 0;
      while (cb && missed < SAC_MISS_DRAWS && su[3 + missed] < cb.missShare) missed++;
      const dropShare = scenario.drops?.share ?? 0;
      plan.sac = {
        asksCallback: cb !== undefined && su[0] < cb.requestShare,
        requestsWhenClosed: cb !== undefined && su[1] < cb.atClosedShare,
        drops: su[2] < dropShare,
        dropAfterMs: Math.round(plan.talkMs * (scenario.drops?.afterTalkShare ?? 0.5)),
        missedCallbackCalls: missed,
      };
    }
    seq++;
    yield plan;
  }
}

/** The whole day at once: frame, roster and every call plan (JSON-serialisable). */
export function generateTraffic(scenario: Scenario, settings: Settings): TrafficPlan {
  const frame = trafficFrame(scenario, settings);
  return { ...frame, calls: [...callPlans(scenario, settings, frame)] };
}
