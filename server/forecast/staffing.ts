// Staffing forecast: the Erlang figures of routing/erlang.ts shaped for the HTTP API.
// Pure (no I/O): the routes validate the query, this turns numbers into the answer.
import { agentsRequired, agentsRequiredErlangA, type QueueFigures } from '../../routing/erlang.ts';

export interface ForecastInput {
  callsPerHour: number;
  ahtSeconds: number;
  thresholdSeconds: number;
  /** Strictly between 0 and 1. */
  targetServiceLevel: number;
  /** (0, 1]; absent = no ceiling. */
  maxOccupancy?: number;
  /** [0, 1); absent = 0. */
  shrinkage?: number;
  /** Mean caller patience; when given, Erlang A figures are added. */
  patienceSeconds?: number;
}

export interface ForecastRow {
  agents: number;
  serviceLevel: number;
  asaSeconds: number;
  probabilityOfWaiting: number;
  occupancy: number;
  /** Meets the target service level (and the occupancy ceiling when one is given). */
  meetsTarget: boolean;
}

export interface ErlangARow extends ForecastRow { probabilityOfAbandon: number }

export interface ErlangAForecast {
  patienceSeconds: number;
  agentsRequired: number;
  scheduledAgents: number;
  serviceLevel: number;
  asaSeconds: number;
  probabilityOfWaiting: number;
  probabilityOfAbandon: number;
  occupancy: number;
  rows: ErlangARow[];
}

export interface Forecast {
  model: 'erlang-c';
  input: {
    callsPerHour: number; ahtSeconds: number; thresholdSeconds: number; targetServiceLevel: number;
    maxOccupancy: number | null; shrinkage: number; patienceSeconds: number | null;
  };
  trafficErlangs: number;
  agentsRequired: number;
  /** agentsRequired ÷ (1 − shrinkage), rounded up: the head count to roster. */
  scheduledAgents: number;
  serviceLevel: number;
  asaSeconds: number;
  probabilityOfWaiting: number;
  occupancy: number;
  /** required − 2 … required + 3, only head counts above the traffic (below it the queue never settles). */
  rows: ForecastRow[];
  erlangA: ErlangAForecast | null;
}

/** Upper bounds of the API: anything above is a typo, not a contact center. */
export const LIMITS = {
  callsPerHour: 1_000_000,
  ahtSeconds: 86_400,
  thresholdSeconds: 86_400,
  patienceSeconds: 86_400,
  /** Offered load; bounds the O(agents) Erlang C walk and the Erlang A search (~0.2 s at the limit). */
  trafficErlangs: 20_000,
} as const;

export class ForecastInputError extends Error {
  constructor(readonly parameter: string, message: string) { super(message); }
}

/**
 * The checks the querystring schema cannot express (and a second line of defence
 * for callers outside HTTP, e.g. /api/forecast/now). Throws naming the parameter.
 */
export function checkForecastInput(i: ForecastInput): void {
  const bad = (p: string, m: string): never => { throw new ForecastInputError(p, `${p} ${m}`); };
  const finite = (p: string, v: number) => { if (typeof v !== 'number' || !Number.isFinite(v)) bad(p, `must be a finite number (got ${String(v)})`); };
  finite('callsPerHour', i.callsPerHour);
  if (i.callsPerHour < 0) bad('callsPerHour', 'must be >= 0');
  if (i.callsPerHour > LIMITS.callsPerHour) bad('callsPerHour', `must be <= ${LIMITS.callsPerHour}`);
  finite('ahtSeconds', i.ahtSeconds);
  // Below a second a handle time is a typo, and the Erlang sums would run away on it.
  if (i.ahtSeconds < 1) bad('ahtSeconds', 'must be >= 1');
  if (i.ahtSeconds > LIMITS.ahtSeconds) bad('ahtSeconds', `must be <= ${LIMITS.ahtSeconds}`);
  finite('thresholdSeconds', i.thresholdSeconds);
  if (i.thresholdSeconds < 0) bad('thresholdSeconds', 'must be >= 0');
  if (i.thresholdSeconds > LIMITS.thresholdSeconds) bad('thresholdSeconds', `must be <= ${LIMITS.thresholdSeconds}`);
  finite('targetServiceLevel', i.targetServiceLevel);
  if (!(i.targetServiceLevel > 0 && i.targetServiceLevel < 1)) bad('targetServiceLevel', 'must be between 0 and 1, exclusive (0.8 for 80 %)');
  if (i.maxOccupancy !== undefined) {
    finite('maxOccupancy', i.maxOccupancy);
    // A ceiling under 50 % is not a staffing policy; near 0 it would ask for millions of agents.
    if (!(i.maxOccupancy >= 0.5 && i.maxOccupancy <= 1)) bad('maxOccupancy', 'must be between 0.5 and 1');
  }
  if (i.shrinkage !== undefined) {
    finite('shrinkage', i.shrinkage);
    if (!(i.shrinkage >= 0 && i.shrinkage < 1)) bad('shrinkage', 'must be >= 0 and < 1');
  }
  if (i.patienceSeconds !== undefined) {
    finite('patienceSeconds', i.patienceSeconds);
    if (i.patienceSeconds < 1) bad('patienceSeconds', 'must be >= 1');
    if (i.ahtSeconds / i.patienceSeconds > 1000) bad('patienceSeconds', `must be at least ahtSeconds / 1000 (${i.ahtSeconds / 1000})`);
    if (i.patienceSeconds > LIMITS.patienceSeconds) bad('patienceSeconds', `must be <= ${LIMITS.patienceSeconds}`);
  }
  const erlangs = (i.callsPerHour / 3600) * i.ahtSeconds;
  if (erlangs > LIMITS.trafficErlangs) {
    bad('callsPerHour', `× ahtSeconds is ${Math.round(erlangs)} Erlangs of traffic; at most ${LIMITS.trafficErlangs} can be forecast`);
  }
}

function row(f: QueueFigures, target: number, maxOccupancy: number | undefined): ForecastRow {
  return {
    agents: f.agents, serviceLevel: f.serviceLevel, asaSeconds: f.asaSeconds,
    probabilityOfWaiting: f.probabilityOfWaiting, occupancy: f.occupancy,
    meetsTarget: f.serviceLevel >= target && (maxOccupancy === undefined || f.occupancy <= maxOccupancy),
  };
}

/** Erlang C (and Erlang A with patienceSeconds). Throws ForecastInputError on bad input. */
export function forecast(input: ForecastInput): Forecast {
  checkForecastInput(input);
  const staffing = {
    callsPerHour: input.callsPerHour, ahtSeconds: input.ahtSeconds, thresholdSeconds: input.thresholdSeconds,
    targetServiceLevel: input.targetServiceLevel, maxOccupancy: input.maxOccupancy, shrinkage: input.shrinkage,
  };
  const c = agentsRequired(staffing);
  let erlangA: ErlangAForecast | null = null;
  if (input.patienceSeconds !== undefined) {
    let a;
    try {
      a = agentsRequiredErlangA({ ...staffing, patienceSeconds: input.patienceSeconds });
    } catch (err) {
      // Heavily overloaded with near-infinite patience: the queue never settles.
      if (err instanceof RangeError) throw new ForecastInputError('patienceSeconds', err.message);
      throw err;
    }
    erlangA = {
      patienceSeconds: input.patienceSeconds,
      agentsRequired: a.agentsRequired, scheduledAgents: a.headcount,
      serviceLevel: a.serviceLevel, asaSeconds: a.asaSeconds, probabilityOfWaiting: a.probabilityOfWaiting,
      probabilityOfAbandon: a.probabilityOfAbandon, occupancy: a.occupancy,
      rows: a.rows.map((r) => ({ ...row(r, input.targetServiceLevel, input.maxOccupancy), probabilityOfAbandon: r.probabilityOfAbandon })),
    };
  }
  return {
    model: 'erlang-c',
    input: {
      callsPerHour: input.callsPerHour, ahtSeconds: input.ahtSeconds, thresholdSeconds: input.thresholdSeconds,
      targetServiceLevel: input.targetServiceLevel, maxOccupancy: input.maxOccupancy ?? null,
      shrinkage: input.shrinkage ?? 0, patienceSeconds: input.patienceSeconds ?? null,
    },
    trafficErlangs: c.trafficErlangs,
    agentsRequired: c.agentsRequired,
    scheduledAgents: c.headcount,
    serviceLevel: c.serviceLevel,
    asaSeconds: c.asaSeconds,
    probabilityOfWaiting: c.probabilityOfWaiting,
    occupancy: c.occupancy,
    // Below the traffic Erlang C has no steady state (ASA = ∞, which JSON cannot carry).
    rows: c.rows.filter((r) => r.agents > c.trafficErlangs).map((r) => row(r, input.targetServiceLevel, input.maxOccupancy)),
    erlangA,
  };
}
