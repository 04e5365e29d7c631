/**
 * Staffing maths for the supervisor's question "how many agents do I need?".
 *
 * - Erlang C (M/M/N): callers never hang up. Classic, but it overstates the
 *   queue badly when callers do give up, so it tends to over-staff.
 * - Erlang A (M/M/N+M): callers abandon after an exponential patience.
 *
 * Everything here is pure (no I/O, no clock) and numerically stable for
 * 1 … 10,000+ agents: no factorials or powers, only ratios and logs.
 *
 * Units: calls per hour at the API edge (what wallboards show), seconds
 * everywhere else. Traffic A = λ·h in Erlangs.
 */

// ---------------------------------------------------------------- types

export interface ErlangCInput {
  callsPerHour: number;
  ahtSeconds: number;
  /** Positive integer. */
  agents: number;
  /** Service-level threshold T: "answered within T seconds". */
  thresholdSeconds: number;
}

export interface ErlangAInput extends ErlangCInput {
  /** Mean of the callers' exponential patience, seconds. */
  patienceSeconds: number;
}

/** The figures a staffing table shows for one head count. */
export interface QueueFigures {
  agents: number;
  trafficErlangs: number;
  /** Probability an arriving call has to queue (all agents busy). */
  probabilityOfWaiting: number;
  /** Fraction of all offered calls answered within thresholdSeconds. */
  serviceLevel: number;
  /** Average speed of answer over answered calls (immediate answers count as 0). */
  asaSeconds: number;
  /** Fraction of agent time spent on calls. */
  occupancy: number;
}

export type ErlangCResult = QueueFigures;

export interface ErlangAResult extends QueueFigures {
  /** Fraction of offered calls that hang up before being answered. */
  probabilityOfAbandon: number;
}

export interface StaffingInput {
  callsPerHour: number;
  ahtSeconds: number;
  thresholdSeconds: number;
  /** Target service level, strictly between 0 and 1 (e.g. 0.8 for 80/20). */
  targetServiceLevel: number;
  /** Optional occupancy ceiling in (0, 1]; agents burn out above ~85–90 %. */
  maxOccupancy?: number;
  /** Fraction of paid time agents are unavailable (breaks, training), [0, 1). Default 0. */
  shrinkage?: number;
}

export interface ErlangAStaffingInput extends StaffingInput {
  patienceSeconds: number;
}

interface StaffingResult<Row extends QueueFigures = QueueFigures> {
  /** Fewest agents on the phones meeting the service level (and the occupancy ceiling). */
  agentsRequired: number;
  /** Agents to roster once shrinkage is added: ceil(agentsRequired / (1 − shrinkage)). */
  headcount: number;
  trafficErlangs: number;
  serviceLevel: number;
  asaSeconds: number;
  probabilityOfWaiting: number;
  occupancy: number;
  /** The same figures for a few head counts around the answer (agentsRequired − 2 … + 3, never below 1). */
  rows: Row[];
}

export type ErlangCStaffingResult = StaffingResult<ErlangCResult>;

export interface ErlangAStaffingResult extends StaffingResult<ErlangAResult> {
  probabilityOfAbandon: number;
}

// ----------------------------------------------------------- validation

interface Rule {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  integer?: boolean;
}

/** Throws a RangeError naming the parameter, so a UI can point at the bad field. */
function check(name: string, value: number, rule: Rule): number {
  const { min, max, minOpen = false, maxOpen = false, integer = false } = rule;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (min === undefined || (minOpen ? value > min : value >= min)) &&
    (max === undefined || (maxOpen ? value < max : value <= max));
  if (!ok) {
    const lo = min === undefined ? '' : `${minOpen ? '>' : '>='} ${min}`;
    const hi = max === undefined ? '' : `${maxOpen ? '<' : '<='} ${max}`;
    const kind = integer ? 'an integer' : 'a finite number';
    const bounds = [lo, hi].filter(Boolean).join(' and ');
    throw new RangeError(`${name} must be ${kind}${bounds ? ` ${bounds}` : ''} (got ${String(value)})`);
  }
  return value;
}

const NON_NEGATIVE: Rule = { min: 0 };
const POSITIVE: Rule = { min: 0, minOpen: true };

interface Traffic {
  /** Arrivals per second. */
  lambda: number;
  ahtSeconds: number;
  erlangs: number;
}

function checkTraffic(callsPerHour: number, ahtSeconds: number): Traffic {
  check('callsPerHour', callsPerHour, NON_NEGATIVE);
  check('ahtSeconds', ahtSeconds, POSITIVE);
  const lambda = callsPerHour / 3600;
  return { lambda, ahtSeconds, erlangs: lambda * ahtSeconds };
}

function checkAgents(agents: number): number {
  return check('agents', agents, { min: 1, integer: true });
}

interface Target {
  thresholdSeconds: number;
  targetServiceLevel: number;
  maxOccupancy: number;
  shrinkage: number;
}

function checkTarget(input: StaffingInput): Target {
  return {
    thresholdSeconds: check('thresholdSeconds', input.thresholdSeconds, NON_NEGATIVE),
    targetServiceLevel: check('targetServiceLevel', input.targetServiceLevel, {
      min: 0,
      max: 1,
      minOpen: true,
      maxOpen: true,
    }),
    maxOccupancy:
      input.maxOccupancy === undefined
        ? 1
        : check('maxOccupancy', input.maxOccupancy, { min: 0, max: 1, minOpen: true }),
    shrinkage:
      input.shrinkage === undefined ? 0 : check('shrinkage', input.shrinkage, { min: 0, max: 1, maxOpen: true }),
  };
}

function meetsTarget(figures: QueueFigures, target: Target): boolean {
  return figures.serviceLevel >= target.targetServiceLevel && figures.occupancy <= target.maxOccupancy;
}

/**
 * Agents to roster so that `agents` are on the phones after shrinkage.
 * The tiny relative nudge stops 70 / (1 − 0.3) = 100.00000000000001 from becoming 101.
 */
function headcountFor(agents: number, shrinkage: number): number {
  return Math.ceil((agents / (1 - shrinkage)) * (1 - 1e-12));
}

/** Head counts shown around the answer, so the supervisor sees the trade-off. */
const ROWS_BELOW = 2;
const ROWS_ABOVE = 3;

function rowAgents(required: number): number[] {
  const out: number[] = [];
  for (let n = Math.max(1, required - ROWS_BELOW); n <= required + ROWS_ABOVE; n++) out.push(n);
  return out;
}

// -------------------------------------------------------------- Erlang C

/** Offered load in Erlangs: calls arriving per second × seconds each call holds an agent. */
export function trafficIntensity(callsPerHour: number, ahtSeconds: number): number {
  return checkTraffic(callsPerHour, ahtSeconds).erlangs;
}

/**
 * B(A, k) for k = 0, 1, 2, … . The recursion keeps every value in [0, 1],
 * so unlike A^k/k! it neither overflows nor loses precision at 10,000 agents.
 */
function* erlangBSeries(erlangs: number): Generator<number, never, void> {
  let b = 1;
  yield b;
  for (let k = 1; ; k++) {
    b = (erlangs * b) / (k + erlangs * b);
    yield b;
  }
}

/** Erlang B blocking probability for offered load A and N servers (N ≥ 0). */
export function erlangB(erlangs: number, agents: number): number {
  check('erlangs', erlangs, NON_NEGATIVE);
  check('agents', agents, { min: 0, integer: true });
  let k = 0;
  for (const b of erlangBSeries(erlangs)) {
    if (k++ === agents) return b;
  }
  throw new Error('unreachable');
}

/**
 * Erlang C figures from B(A, N). When N ≤ A the queue grows without bound:
 * we report Pw = 1, SL = 0, ASA = Infinity and occupancy 1 (agents cannot be
 * busier than always) rather than throwing, so a staffing table can show the row.
 */
function erlangCFromB(erlangs: number, agents: number, b: number, aht: number, threshold: number): ErlangCResult {
  if (agents <= erlangs) {
    return {
      agents,
      trafficErlangs: erlangs,
      probabilityOfWaiting: 1,
      serviceLevel: 0,
      asaSeconds: Infinity,
      occupancy: 1,
    };
  }
  const spare = agents - erlangs;
  const pw = (agents * b) / (spare + erlangs * b);
  return {
    agents,
    trafficErlangs: erlangs,
    probabilityOfWaiting: pw,
    serviceLevel: 1 - pw * Math.exp((-spare * threshold) / aht),
    asaSeconds: (pw * aht) / spare,
    occupancy: erlangs / agents,
  };
}

export function erlangC(input: ErlangCInput): ErlangCResult {
  const traffic = checkTraffic(input.callsPerHour, input.ahtSeconds);
  const agents = checkAgents(input.agents);
  const threshold = check('thresholdSeconds', input.thresholdSeconds, NON_NEGATIVE);
  return erlangCFromB(traffic.erlangs, agents, erlangB(traffic.erlangs, agents), traffic.ahtSeconds, threshold);
}

/**
 * Fewest agents meeting the target under Erlang C. One upward walk of the
 * Erlang B recursion yields B(A, k) for every candidate k, so the cost is
 * O(answer) rather than O(answer²).
 */
export function agentsRequired(input: StaffingInput): ErlangCStaffingResult {
  const traffic = checkTraffic(input.callsPerHour, input.ahtSeconds);
  const target = checkTarget(input);
  const figuresFor = (k: number, b: number) =>
    erlangCFromB(traffic.erlangs, k, b, traffic.ahtSeconds, target.thresholdSeconds);

  // Only the last few B values are kept: the rows below the answer need them.
  const recent = new Map<number, number>();
  let required = -1;
  let k = 0;
  for (const b of erlangBSeries(traffic.erlangs)) {
    recent.set(k, b);
    recent.delete(k - ROWS_BELOW - ROWS_ABOVE - 1);
    if (required < 0 && k >= 1 && meetsTarget(figuresFor(k, b), target)) required = k;
    if (required >= 0 && k >= required + ROWS_ABOVE) break;
    k++;
  }

  const rows = rowAgents(required).map((n) => figuresFor(n, recent.get(n)!));
  const best = rows.find((r) => r.agents === required)!;
  return { ...best, agentsRequired: required, headcount: headcountFor(required, target.shrinkage), rows };
}

// -------------------------------------------------------------- Erlang A
//
// State n = calls in the system. Birth rate λ; death rate min(n, N)/h
// (service) + max(n − N, 0)/p (abandonment from the queue). Below N the
// chain is the Erlang B one, so Σ_{n≤N} π(n)/π(N) = 1/B(A, N). Above N,
// t_j = π(N + j)/π(N) = Π_{i=1..j} λ / (N/h + i/p), which we keep as logs
// because in an overloaded system with long patience it exceeds 1e308.

/** Terms below this fraction of the largest are dropped from the queue tail. */
const TAIL_EPS = 1e-17;
/** Hard cap on queue states: overloaded + near-infinite patience never settles. */
const MAX_TAIL_STATES = 10_000_000;

interface QueueTail {
  /** Last queue length j kept. */
  last: number;
  /** max_j log t_j, the scale every term is divided by. */
  maxLog: number;
}

/** log t_j from log t_{j−1}. */
function nextTailLog(prev: number, j: number, lambda: number, serviceRate: number, abandonRate: number): number {
  return prev + Math.log(lambda / (serviceRate + j * abandonRate));
}

/**
 * Walks the queue tail until the remaining mass is negligible. Ratios
 * λ/(N/h + j/p) shrink with j, so once a ratio r < 1 the rest is bounded by
 * a geometric series t_j·r/(1 − r).
 */
function scanQueueTail(lambda: number, serviceRate: number, abandonRate: number): QueueTail {
  const logEps = Math.log(TAIL_EPS);
  let logT = 0;
  let maxLog = 0;
  for (let j = 0; j < MAX_TAIL_STATES; j++) {
    const r = lambda / (serviceRate + (j + 1) * abandonRate);
    if (r < 1 && logT - maxLog + Math.log(r / (1 - r)) < logEps) return { last: j, maxLog };
    logT = nextTailLog(logT, j + 1, lambda, serviceRate, abandonRate);
    maxLog = Math.max(maxLog, logT);
  }
  throw new RangeError(
    `patienceSeconds: the queue does not settle within ${MAX_TAIL_STATES} waiting calls ` +
      '(heavily overloaded with very long patience); add agents or shorten patienceSeconds',
  );
}

/**
 * Poisson(x) probabilities, truncated where they drop below 1e-20 of the
 * mode and renormalised. Built outward from the mode with ratios because
 * e^(−x) alone underflows once x > 745.
 */
function poissonWeights(x: number): { left: number; weights: number[] } {
  const mode = Math.floor(x);
  const cut = 1e-20;
  const down: number[] = [];
  for (let n = mode, w = 1; n > 0 && w > cut; n--) {
    w *= n / x;
    down.push(w);
  }
  const up: number[] = [1];
  for (let n = mode, w = 1; w > cut; n++) {
    w *= x / (n + 1);
    up.push(w);
  }
  const weights = [...down.reverse(), ...up];
  const total = weights.reduce((s, w) => s + w, 0);
  return { left: mode - down.length, weights: weights.map((w) => w / total) };
}

/** Values at or above 1 − this are treated as exactly 1 (absorbed for sure). */
const SATURATED = 1 - 1e-16;

/**
 * P(S_j ≤ T) for j = 0 … last, where S_j = Σ_{k=0..j} Exp(q_k) and
 * q_k = N/h + (k + 1)/p. The rates are nearly equal when p is large, which
 * makes the textbook closed form cancel catastrophically, so we uniformise:
 * a discrete chain that steps j → j − 1 with probability q_j/Λ, mixed over a
 * Poisson(ΛT) number of steps. All terms are non-negative: no cancellation.
 */
function hypoexponentialCdfs(serviceRate: number, abandonRate: number, last: number, threshold: number): Float64Array {
  const rate = (k: number) => serviceRate + (k + 1) * abandonRate;
  const uniform = rate(last);
  const { left, weights } = poissonWeights(uniform * threshold);
  const right = left + weights.length - 1;

  // weightFrom[i] = Σ of weights from step left + i onwards.
  const weightFrom = new Float64Array(weights.length + 1);
  for (let i = weights.length - 1; i >= 0; i--) weightFrom[i] = weightFrom[i + 1] + weights[i];

  // Start j needs at least j + 1 steps, so j ≥ right never finishes in time.
  const states = Math.min(last, right - 1) + 1;
  const cdf = new Float64Array(last + 1);
  if (states <= 0) return cdf;
  const done = new Float64Array(states); // P(finished within n steps | start j)
  let lo = 0; // done[j] is exactly 1 for j < lo; skipping them keeps long thresholds cheap

  for (let n = 0; n <= right; n++) {
    const top = Math.min(states - 1, n - 1); // done[j] = 0 for j ≥ n
    while (lo <= top && done[lo] >= SATURATED) {
      cdf[lo] += weightFrom[Math.max(0, n - left)];
      lo++;
    }
    if (n >= left) {
      const w = weights[n - left];
      for (let j = lo; j <= top; j++) cdf[j] += w * done[j];
    }
    for (let j = Math.min(states - 1, n); j >= lo; j--) {
      const step = rate(j) / uniform;
      done[j] = step * (j === lo ? 1 : done[j - 1]) + (1 - step) * done[j];
    }
  }
  return cdf;
}

/**
 * Erlang A (M/M/N+M). Definitions used:
 * - probabilityOfWaiting: P(n ≥ N) seen by an arrival (= time average, PASTA).
 * - probabilityOfAbandon: (mean queue length / p) / λ, the abandon rate over the arrival rate.
 * - serviceLevel: P(answered AND wait ≤ T) over ALL arrivals; abandoned calls
 *   count as misses, whenever they hang up.
 * - asaSeconds: mean wait of answered calls (those answered at once count as 0).
 * - occupancy: carried load λ(1 − P(abandon))·h over N.
 *
 * Wait of an arrival finding j callers queued ahead: FCFS, so it moves up one
 * place each time someone ahead leaves, at rate N/h (an agent frees up) +
 * k/p (one of k ahead hangs up); its own patience runs out at rate 1/p.
 * Stage k therefore lasts Exp(q_k), q_k = N/h + (k + 1)/p, independently of
 * how it ends, and ends in progress with probability (N/h + k/p)/q_k. Hence
 *   P(answered | j)           = Π (N/h + k/p)/q_k = (N/h) / (N/h + (j + 1)/p)
 *   P(answered, W ≤ T | j)    = P(answered | j) · P(Σ_{k≤j} Exp(q_k) ≤ T)
 *   E[W; answered | j]        = P(answered | j) · Σ_{k≤j} 1/q_k
 * and the answers mix over j with the stationary queue distribution.
 */
export function erlangA(input: ErlangAInput): ErlangAResult {
  const traffic = checkTraffic(input.callsPerHour, input.ahtSeconds);
  const agents = checkAgents(input.agents);
  const threshold = check('thresholdSeconds', input.thresholdSeconds, NON_NEGATIVE);
  const patience = check('patienceSeconds', input.patienceSeconds, POSITIVE);
  return erlangAFigures(traffic, agents, threshold, patience);
}

function erlangAFigures(traffic: Traffic, agents: number, threshold: number, patience: number): ErlangAResult {
  const { lambda, ahtSeconds: aht, erlangs } = traffic;
  if (lambda === 0) {
    return {
      agents,
      trafficErlangs: 0,
      probabilityOfWaiting: 0,
      probabilityOfAbandon: 0,
      serviceLevel: 1,
      asaSeconds: 0,
      occupancy: 0,
    };
  }
  const serviceRate = agents / aht;
  const abandonRate = 1 / patience;
  const tail = scanQueueTail(lambda, serviceRate, abandonRate);
  const cdf = hypoexponentialCdfs(serviceRate, abandonRate, tail.last, threshold);

  // Sums over the queue tail, each term scaled by e^(−maxLog) to stay finite.
  let mass = 0;
  let queued = 0;
  let answered = 0;
  let answeredInTime = 0;
  let answeredWait = 0;
  let logT = 0;
  let meanWaitIfAnswered = 0; // Σ_{k≤j} 1/q_k
  for (let j = 0; j <= tail.last; j++) {
    if (j > 0) logT = nextTailLog(logT, j, lambda, serviceRate, abandonRate);
    const w = Math.exp(logT - tail.maxLog);
    const pAnswer = serviceRate / (serviceRate + (j + 1) * abandonRate);
    meanWaitIfAnswered += 1 / (serviceRate + (j + 1) * abandonRate);
    mass += w;
    queued += j * w;
    answered += w * pAnswer;
    answeredInTime += w * pAnswer * cdf[j];
    answeredWait += w * pAnswer * meanWaitIfAnswered;
  }

  // P(wait) = T/(1/B − 1 + T) with T = e^maxLog·mass, rearranged so that
  // B → 0 or T → ∞ give 0 or 1 instead of Infinity/Infinity.
  const b = erlangB(erlangs, agents);
  const pWait = 1 / (1 + (1 - b) * Math.exp(-(Math.log(b) + tail.maxLog + Math.log(mass))));

  const probabilityOfAbandon = (pWait * (queued / mass) * abandonRate) / lambda;
  const pAnswered = 1 - pWait + pWait * (answered / mass);
  return {
    agents,
    trafficErlangs: erlangs,
    probabilityOfWaiting: pWait,
    probabilityOfAbandon,
    serviceLevel: 1 - pWait + pWait * (answeredInTime / mass),
    asaSeconds: (pWait * (answeredWait / mass)) / pAnswered,
    // Carried load cannot exceed N; the clamp only absorbs rounding when overloaded.
    occupancy: Math.min(1, (lambda * (1 - probabilityOfAbandon) * aht) / agents),
  };
}

/**
 * Fewest agents meeting the target under Erlang A. Each head count needs its
 * own stationary distribution, so instead of walking every N we bracket the
 * answer with steps of ~√A above A (square-root staffing puts it there) and
 * bisect. This assumes service level rises and occupancy falls with N, which
 * holds for this birth–death model. Abandonment can make N ≤ A enough, so the
 * bisection may go below A.
 */
export function agentsRequiredErlangA(input: ErlangAStaffingInput): ErlangAStaffingResult {
  const traffic = checkTraffic(input.callsPerHour, input.ahtSeconds);
  const target = checkTarget(input);
  const patience = check('patienceSeconds', input.patienceSeconds, POSITIVE);

  const cache = new Map<number, ErlangAResult>();
  const figuresFor = (n: number): ErlangAResult => {
    let r = cache.get(n);
    if (!r) {
      r = erlangAFigures(traffic, n, target.thresholdSeconds, patience);
      cache.set(n, r);
    }
    return r;
  };
  const meets = (n: number) => meetsTarget(figuresFor(n), target);

  let fails = 0; // invariant: `fails` misses the target (0 agents always does) …
  let passes = Math.max(1, Math.ceil(traffic.erlangs)); // … and `passes` is a candidate that may meet it
  for (let step = Math.max(1, Math.ceil(Math.sqrt(traffic.erlangs))); !meets(passes); step *= 2) {
    fails = passes;
    passes += step;
  }
  while (passes - fails > 1) {
    const mid = Math.floor((fails + passes) / 2);
    if (meets(mid)) passes = mid;
    else fails = mid;
  }

  const required = passes;
  const rows = rowAgents(required).map(figuresFor);
  const best = figuresFor(required);
  return { ...best, agentsRequired: required, headcount: headcountFor(required, target.shrinkage), rows };
}
