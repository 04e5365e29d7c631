// A warning before the service level breaks: when will the rolling service level of a
// queue (or of the center) fall below its target if nothing changes, and how many more
// agents would keep it up. Pure and cheap (microseconds per queue), so every wallboard
// snapshot carries it; docs/planning.md has its measured accuracy.
//
// The rolling window is projected minute by minute. Facts already in it leave it when
// they age out (MetricsCore.windowByMinute says when, exactly); new facts come from
// - the callers waiting now, served longest-waiting first as agents free up (N agents
//   with handle time h free up at N/h per second); each keeps waiting with the odds an
//   exponential patience gives, and is answered in time only if its wait so far plus the
//   time to an agent stays within the threshold;
// - the callers still to come, at the rate of the last minutes: while nobody is queued
//   ahead of them, Erlang C says how many wait past the threshold; behind a backlog they
//   wait about backlog ÷ (N/h) more, and the backlog itself grows or drains as a fluid.
// It knows nothing of skills beyond a queue (a busy multi-skilled agent counts in each of
// their queues in proportion to the load, a free one wholly in each), of levels, of pauses
// to come or of a surge before it shows in the arrivals: those are its limits, and the
// measured figures include them.
import { serviceLevel } from './metrics/formulas.ts';
import type { SlFormula, WindowByMinute } from './metrics/types.ts';

export const DEFAULT_HORIZON_MINUTES = 30;
/** Prevention is looked for up to this many extra agents. */
const MAX_EXTRA_AGENTS = 5;
const EPS = 1e-9;

export interface BreachQueueInput {
  id: string;
  thresholdSeconds: number;
  target: number;
  /** The queue's window facts, judged against its own threshold. */
  window: WindowByMinute;
  arrivalsPerMinute: number;
  handleSeconds: number;
  /** Agents logged in and not paused, counting for this queue (fractions for busy multi-skilled agents). */
  agents: number;
  /** Of those, free now. */
  available: number;
  /** Seconds waited so far by each caller waiting now, longest first. */
  waitingSeconds: number[];
}

export interface BreachInput {
  formula: SlFormula;
  horizonMinutes: number;
  /** Mean patience (s) the day showed; null: nobody hangs up. */
  patienceSeconds: number | null;
  center: { thresholdSeconds: number; target: number; window: WindowByMinute };
  queues: BreachQueueInput[];
}

export interface Prevention {
  /** Agents to add… */
  agents: number;
  /** …with this skill (queue id). */
  skill: string;
}

export interface BreachOutlook {
  /** Whole minutes until the rolling service level falls below target; 0 = below it now; null = not within the horizon. */
  breachInMinutes: number | null;
  /**
   * The fewest extra agents that keep it at or above target over the horizon (when below
   * now: that bring it back by the horizon's end); null when no breach or more than 5 needed.
   */
  prevention: Prevention | null;
  /** Projected service level at each minute 0 … horizon (null = nothing offered). */
  projected: (number | null)[];
}

export interface BreachForecast {
  horizonMinutes: number;
  center: BreachOutlook;
  queues: Record<string, BreachOutlook>;
}

/** New facts projected into the window, by the minute they land in. */
interface Facts { answered: Float64Array; answeredWithin: Float64Array; abandoned: Float64Array; abandonedWithin: Float64Array }

/** Changes to a queue's staffing over the horizon: `delta` agents from minute `fromMinute` on. */
interface Staffing { delta: number; fromMinute: number }

const NO_CHANGE: Staffing = { delta: 0, fromMinute: 0 };

function emptyFacts(h: number): Facts {
  return { answered: new Float64Array(h), answeredWithin: new Float64Array(h), abandoned: new Float64Array(h), abandonedWithin: new Float64Array(h) };
}

/** Probability that an arriving caller waits at all (Erlang C), for a fractional head count. */
export function erlangCWaitProbability(erlangs: number, agents: number): number {
  if (agents <= erlangs) return 1;
  const at = (n: number): number => {
    if (n <= erlangs) return 1;
    let b = 1;
    for (let k = 1; k <= n; k++) b = (erlangs * b) / (k + erlangs * b);
    return (n * b) / (n - erlangs + erlangs * b);
  };
  const lo = Math.floor(agents);
  const f = agents - lo;
  return f < EPS ? at(lo) : (1 - f) * at(lo) + f * at(lo + 1);
}

/** Facts a queue adds to a window judged against `thresholdSeconds` over the next `horizon` minutes. */
function projectQueue(q: BreachQueueInput, thresholdSeconds: number, patienceSeconds: number | null, horizon: number, staffing: Staffing): Facts {
  const out = emptyFacts(horizon);
  const h = Math.max(1, q.handleSeconds);
  const T = thresholdSeconds;
  const spanS = horizon * 60;
  /** Share of callers whose patience runs out within x seconds of waiting more (exponential patience). */
  const gaveUpBy = (x: number): number => {
    if (patienceSeconds === null) return 0;
    return Number.isFinite(x) ? 1 - Math.exp(-x / patienceSeconds) : 1;
  };
  const agentsAt = (m: number) => Math.max(0, q.agents + (m >= staffing.fromMinute ? staffing.delta : 0));
  const land = (arr: Float64Array, atS: number, v: number) => {
    if (v <= 0 || !(atS < spanS)) return;
    arr[Math.max(0, Math.floor(atS / 60))] += v;
  };

  // Callers waiting now, longest first, each taking the next agent to free up.
  const rate0 = agentsAt(0) / h;
  const free = Math.max(0, Math.min(q.available + (staffing.fromMinute <= 0 ? staffing.delta : 0), agentsAt(0)));
  let ahead = 0;
  for (const w of q.waitingSeconds) {
    const s = ahead + 1 <= free + EPS ? 0 : rate0 > 0 ? (ahead + 1 - free) / rate0 : Infinity;
    const stay = 1 - gaveUpBy(s);
    if (Number.isFinite(s)) {
      land(out.answered, s, stay);
      if (w + s <= T) land(out.answeredWithin, s, stay);
    }
    const leaveAt = Math.min(s, spanS) / 2;
    const gone = Number.isFinite(s) ? 1 - stay : gaveUpBy(spanS);
    land(out.abandoned, leaveAt, gone);
    if (w + leaveAt <= T) land(out.abandonedWithin, leaveAt, gone);
    ahead += stay;
  }
  /** Callers of today's queue still needing an agent beyond the free ones. */
  let existing = Math.max(0, ahead - free);
  let spare = Math.max(0, free - ahead);

  // Callers to come: Erlang C when nobody is queued ahead, a fluid backlog otherwise.
  const lambda = Math.max(0, q.arrivalsPerMinute) / 60;
  // Erlang C for the same load and head count is asked every minute: remember the last one.
  let pwFor = -1;
  let pwLast = 1;
  let backlog = 0;
  for (let m = 0; m < horizon; m++) {
    const n = agentsAt(m);
    const rate = n / h;
    const arrivals = lambda * 60;
    const queued = existing + backlog;
    const erlangs = lambda * h;
    let within: number;
    let meanWait: number;
    let delay: number;
    if (rate <= 0) {
      within = 0; meanWait = Infinity; delay = Infinity;
    } else if (queued < 1 && erlangs < n) {
      if (n !== pwFor) { pwFor = n; pwLast = erlangCWaitProbability(erlangs, n); }
      const pw = pwLast;
      within = 1 - pw * Math.exp((-(n - erlangs) * T) / h);
      meanWait = (pw * h) / (n - erlangs);
      delay = 0;
    } else {
      delay = Math.max(0, queued - spare) / rate;
      within = delay >= T ? 0 : 1 - Math.exp(-(T - delay) * rate);
      meanWait = delay + 1 / rate;
    }
    const giveUp = Math.min(1, gaveUpBy(meanWait));
    const at = m * 60 + 30 + (Number.isFinite(delay) ? delay : 0);
    land(out.answered, at, arrivals * (1 - giveUp));
    land(out.answeredWithin, at, arrivals * (1 - giveUp) * within);
    const leaveAt = m * 60 + 30 + (Number.isFinite(meanWait) ? meanWait / 2 : 0);
    land(out.abandoned, leaveAt, arrivals * giveUp);
    land(out.abandonedWithin, leaveAt, arrivals * Math.min(giveUp, gaveUpBy(T)));

    // The queue over this minute: agents serve today's callers first, then the backlog.
    let capacity = rate * 60 + spare;
    spare = 0;
    const servedExisting = Math.min(existing, capacity);
    existing -= servedExisting;
    capacity -= servedExisting;
    const stillWaiting = backlog + (queued < 1 && erlangs < n ? 0 : arrivals * (1 - giveUp));
    backlog = Math.max(0, stillWaiting - capacity - backlog * gaveUpBy(60));
  }
  return out;
}

/** Projected service level at minutes 0 … horizon: the window's facts still in it plus the projected ones. */
function projectSl(formula: SlFormula, window: WindowByMinute, added: Facts[], horizon: number): (number | null)[] {
  const slots = window.answered.length;
  const keep = { answered: 0, answeredWithin: 0, abandoned: 0, abandonedWithin: 0 };
  // Suffix sums: what is still in the window after m minutes.
  const suffix = (arr: number[], m: number) => { let s = 0; for (let k = m; k < slots; k++) s += arr[k]; return s; };
  keep.answered = suffix(window.answered, 0);
  keep.answeredWithin = suffix(window.answeredWithin, 0);
  keep.abandoned = suffix(window.abandoned, 0);
  keep.abandonedWithin = suffix(window.abandonedWithin, 0);
  const gained = { answered: 0, answeredWithin: 0, abandoned: 0, abandonedWithin: 0 };
  const out: (number | null)[] = [];
  for (let m = 0; m <= horizon; m++) {
    if (m > 0) {
      const k = m - 1;
      if (k < slots) {
        keep.answered -= window.answered[k];
        keep.answeredWithin -= window.answeredWithin[k];
        keep.abandoned -= window.abandoned[k];
        keep.abandonedWithin -= window.abandonedWithin[k];
      }
      for (const f of added) {
        gained.answered += f.answered[k];
        gained.answeredWithin += f.answeredWithin[k];
        gained.abandoned += f.abandoned[k];
        gained.abandonedWithin += f.abandonedWithin[k];
      }
    }
    const counts = {
      answered: Math.max(0, keep.answered + gained.answered),
      answeredWithinThreshold: Math.max(0, keep.answeredWithin + gained.answeredWithin),
      abandoned: Math.max(0, keep.abandoned + gained.abandoned),
      abandonedWithinThreshold: Math.max(0, keep.abandonedWithin + gained.abandonedWithin),
    };
    // Less than a fraction of a call offered is no service level at all.
    out.push(counts.answered + counts.abandoned < 0.5 ? null : serviceLevel(formula, counts));
  }
  return out;
}

const firstBelow = (sl: (number | null)[], target: number): number | null => {
  for (let m = 0; m < sl.length; m++) if (sl[m] !== null && sl[m]! < target - EPS) return m;
  return null;
};

/** Fine when nothing falls below target; when below now, fine once the horizon's end is back at target. */
function holds(sl: (number | null)[], target: number, belowNow: boolean): boolean {
  if (!belowNow) return firstBelow(sl, target) === null;
  const end = sl[sl.length - 1];
  return end === null || end >= target - EPS;
}

/** The warning for every queue and for the center. */
export function forecastBreach(input: BreachInput, staffing: Record<string, Staffing> = {}): BreachForecast {
  const H = input.horizonMinutes;
  const p = input.patienceSeconds;
  const centerT = input.center.thresholdSeconds;
  const own = new Map<string, Facts>();
  const forCenter = new Map<string, Facts>();
  const plan = (id: string) => staffing[id] ?? NO_CHANGE;
  for (const q of input.queues) {
    const f = projectQueue(q, q.thresholdSeconds, p, H, plan(q.id));
    own.set(q.id, f);
    forCenter.set(q.id, q.thresholdSeconds === centerT ? f : projectQueue(q, centerT, p, H, plan(q.id)));
  }

  const queues: Record<string, BreachOutlook> = {};
  for (const q of input.queues) {
    const projected = projectSl(input.formula, q.window, [own.get(q.id)!], H);
    const breachInMinutes = firstBelow(projected, q.target);
    let prevention: Prevention | null = null;
    if (breachInMinutes !== null) {
      for (let k = 1; k <= MAX_EXTRA_AGENTS && !prevention; k++) {
        const sl = projectSl(input.formula, q.window, [projectQueue(withMore(q, k), q.thresholdSeconds, p, H, plan(q.id))], H);
        if (holds(sl, q.target, breachInMinutes === 0)) prevention = { agents: k, skill: q.id };
      }
    }
    queues[q.id] = { breachInMinutes, prevention, projected };
  }

  const centerFacts = [...forCenter.values()];
  const projected = projectSl(input.formula, input.center.window, centerFacts, H);
  const breachInMinutes = firstBelow(projected, input.center.target);
  let prevention: Prevention | null = null;
  if (breachInMinutes !== null) {
    for (let k = 1; k <= MAX_EXTRA_AGENTS && !prevention; k++) {
      for (const q of input.queues) {
        const facts = input.queues.map((o) => (o === q ? projectQueue(withMore(q, k), centerT, p, H, plan(q.id)) : forCenter.get(o.id)!));
        if (holds(projectSl(input.formula, input.center.window, facts, H), input.center.target, breachInMinutes === 0)) {
          prevention = { agents: k, skill: q.id };
          break;
        }
      }
    }
  }
  return { horizonMinutes: H, center: { breachInMinutes, prevention, projected }, queues };
}

/** The queue with k more agents, all free now. */
function withMore(q: BreachQueueInput, k: number): BreachQueueInput {
  return { ...q, agents: q.agents + k, available: q.available + k };
}

export interface PauseAdvice {
  /** A pause now brings no breach within the horizon in the agent's queues or the center. */
  safe: boolean;
  /** Not safe: minutes to wait until a pause would be (5-minute steps); null when none within the horizon. */
  waitMinutes: number | null;
  /** The scopes a pause now would break, earliest first ('center' or a queue id). */
  breaks: string[];
}

const PAUSE_STEP_MINUTES = 5;

/**
 * Whether an agent may pause now: the agent's share of each of their queues leaves from
 * minute d on (d = 0 for "now"); safe when no queue of theirs and not the center falls
 * below target within the horizon (nor is below it already).
 */
export function pauseAdvice(input: BreachInput, shares: Record<string, number>, freeNow: boolean): PauseAdvice {
  const scopes = (f: BreachForecast) => {
    const out: { id: string; at: number }[] = [];
    if (f.center.breachInMinutes !== null) out.push({ id: 'center', at: f.center.breachInMinutes });
    for (const [id] of Object.entries(shares)) {
      const b = f.queues[id]?.breachInMinutes;
      if (b !== null && b !== undefined) out.push({ id, at: b });
    }
    return out.sort((a, b) => a.at - b.at).map((s) => s.id);
  };
  const gone = (fromMinute: number): BreachInput => ({
    ...input,
    queues: input.queues.map((q) => {
      const share = shares[q.id] ?? 0;
      if (share === 0 || fromMinute > 0 || !freeNow) return q;
      return { ...q, available: Math.max(0, q.available - share) };
    }),
  });
  const planFrom = (fromMinute: number) => Object.fromEntries(Object.entries(shares).map(([id, s]) => [id, { delta: -s, fromMinute }]));
  const now = scopes(forecastBreach(gone(0), planFrom(0)));
  if (now.length === 0) return { safe: true, waitMinutes: null, breaks: [] };
  for (let d = PAUSE_STEP_MINUTES; d < input.horizonMinutes; d += PAUSE_STEP_MINUTES) {
    if (scopes(forecastBreach(gone(d), planFrom(d))).length === 0) return { safe: false, waitMinutes: d, breaks: now };
  }
  return { safe: false, waitMinutes: null, breaks: now };
}
