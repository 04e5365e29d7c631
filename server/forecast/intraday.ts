// Intraday forecast: how many agents each coming interval of today needs, from what today
// has shown so far. Pure (the route gathers the numbers, intraday-data.ts):
// - arrivals: the previous days' profile (same interval of the day, averaged), scaled by
//   today's arrivals so far over the profile's for the same intervals, the classic intraday
//   re-forecast; with no history, today's recent rate carried forward;
// - handle time: today's TMA; patience: today's Kaplan–Meier estimate (routing/patience.ts);
// - Erlang C (nobody hangs up) beside Erlang A (callers hang up with that mean patience),
//   each against the agents logged in now (no shift plan is kept: logged in now is the
//   schedule assumed for the coming intervals).
import { forecast, ForecastInputError } from './staffing.ts';

export interface IntradayScopeInput {
  id: string | null;
  /** Calls that reached the queue, per interval of today up to now (index 0 = the day's first interval). */
  today: number[];
  /** The same per interval of each previous day (empty: no history). */
  history: number[][];
  /** Index of the interval holding now, and how much of it has passed (0..1). */
  current: number;
  elapsed: number;
  ahtSeconds: number | null;
  patienceSeconds: number | null;
  thresholdSeconds: number;
  target: number;
  /** Agents logged in now who can take this scope's calls. */
  loggedIn: number;
}

export interface ComingInterval {
  index: number;
  /** Forecast calls in the interval. */
  arrivals: number;
  callsPerHour: number;
  /** Agents on the phones Erlang C asks for (null when nothing to forecast). */
  erlangC: number | null;
  /** …and Erlang A, with today's patience (null without abandons to estimate it from). */
  erlangA: number | null;
  loggedIn: number;
  /** Logged in minus the Erlang A need (Erlang C's when no A): negative = short. */
  gap: number | null;
}

export interface IntradayScope {
  id: string | null;
  method: 'profile' | 'recent' | 'none';
  /** Today so far ÷ the profile for the same intervals ('profile' only). */
  scale: number | null;
  historyDays: number;
  observed: number[];
  coming: ComingInterval[];
}

/** Intervals of recent traffic averaged when there is no history. */
const RECENT_INTERVALS = 4;

export function intradayScope(s: IntradayScopeInput, intervalMinutes: number, horizon: number, maxOccupancy?: number, shrinkage?: number): IntradayScope {
  const perHour = 60 / intervalMinutes;
  const days = s.history.filter((d) => d.some((v) => v > 0));
  const profile = (i: number) => (days.length ? days.reduce((sum, d) => sum + (d[i] ?? 0), 0) / days.length : 0);
  // Today so far, the interval under way counted for the part that has passed.
  let soFar = 0;
  let profileSoFar = 0;
  for (let i = 0; i <= s.current; i++) {
    const share = i === s.current ? s.elapsed : 1;
    soFar += (s.today[i] ?? 0);
    profileSoFar += profile(i) * share;
  }
  let method: IntradayScope['method'] = 'none';
  let scale: number | null = null;
  let rate: (i: number) => number = () => 0;
  if (days.length > 0 && profileSoFar > 0) {
    method = 'profile';
    scale = soFar / profileSoFar;
    rate = (i) => profile(i) * scale!;
  } else {
    const recent: number[] = [];
    for (let i = s.current - 1; i >= 0 && recent.length < RECENT_INTERVALS; i--) recent.push(s.today[i] ?? 0);
    const part = s.elapsed > 0.2 ? (s.today[s.current] ?? 0) / s.elapsed : null;
    const samples = part === null ? recent : [part, ...recent];
    if (samples.length > 0) {
      method = 'recent';
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      rate = () => mean;
    }
  }
  const coming: ComingInterval[] = [];
  for (let i = s.current + 1; i <= s.current + horizon; i++) {
    const arrivals = rate(i);
    const callsPerHour = arrivals * perHour;
    let erlangC: number | null = null;
    let erlangA: number | null = null;
    if (callsPerHour > 0 && s.ahtSeconds !== null && s.target > 0 && s.target < 1) {
      try {
        const f = forecast({
          callsPerHour, ahtSeconds: s.ahtSeconds, thresholdSeconds: s.thresholdSeconds, targetServiceLevel: s.target,
          maxOccupancy, shrinkage, patienceSeconds: s.patienceSeconds ?? undefined,
        });
        erlangC = f.agentsRequired;
        erlangA = f.erlangA?.agentsRequired ?? null;
      } catch (err) {
        if (!(err instanceof ForecastInputError)) throw err;
      }
    } else if (callsPerHour === 0 && method !== 'none') {
      erlangC = 0;
      erlangA = s.patienceSeconds !== null ? 0 : null;
    }
    const need = erlangA ?? erlangC;
    coming.push({ index: i, arrivals, callsPerHour, erlangC, erlangA, loggedIn: s.loggedIn, gap: need === null ? null : s.loggedIn - need });
  }
  return { id: s.id, method, scale, historyDays: days.length, observed: s.today.slice(0, s.current + 1), coming };
}
