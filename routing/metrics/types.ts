// Public shapes of the metrics core. Plain data only, so the server can ship
// Figures to the wallboard as JSON without conversion.

export type SlFormula = 'offered' | 'answered' | 'abandonsWithinThresholdMet' | 'abandonsWithinThresholdNeutral';

export interface QueueMetricsSettings {
  id: string; thresholdSeconds?: number; target?: number;
  /** SAC legal wait limit for this queue (seconds); default: the center's `legalWaitSeconds`. */
  legalWaitSeconds?: number;
}

export interface MetricsSettings {
  /** Center-wide service-level threshold T; "within" means wait ≤ T. */
  thresholdSeconds: number;
  /** 0..1 */
  target: number;
  formula: SlFormula;
  /** 0 = off; abandons with wait < this are dropped from every count. */
  shortAbandonSeconds: number;
  windowMinutes: number;
  intervalMinutes: number;
  /** IANA zone the daily reset is computed in. */
  timezone: string;
  /** Local 'HH:MM'. */
  todayResetsAt: string;
  queues: QueueMetricsSettings[];
  /** Tier numbers are 1..tiers, 1 = P1 highest. */
  tiers: number;
  /** SAC legal wait limit, seconds (default 60); a queue may set its own. A wait over it is a breach. */
  legalWaitSeconds?: number;
}

export type Scope = { kind: 'center' } | { kind: 'queue'; id: string } | { kind: 'tier'; tier: number };

export type MetricsWindow = 'rolling' | 'today';

export type NpsBand = 'excellent' | 'good' | 'mustImprove' | 'critical';

interface NpsFigures {
  score: number | null; band: NpsBand | null; responses: number;
  promoters: number; passives: number; detractors: number;
}

export interface Figures {
  offered: number; answered: number; abandoned: number;
  shortAbandoned: number;
  answeredWithinThreshold: number; abandonedWithinThreshold: number;
  serviceLevel: number | null;
  thresholdSeconds: number; target: number; formula: SlFormula;
  asaSeconds: number | null;
  abandonRate: number | null;
  handled: number; tmaSeconds: number | null;
  talkSeconds: number | null; holdSeconds: number | null; wrapSeconds: number | null;
  /** Center scope only, null elsewhere. */
  occupancy: number | null;
  nps: NpsFigures;
  csat: { score: number | null; responses: number };
  fcr: { rate: number | null; responses: number };
  /** Answered within the legal wait limit of their queue. */
  answeredWithinLegal: number;
  /** Waited longer than the limit: answered late, or abandoned late (short abandons aside). */
  legalBreaches: number;
  /**
   * "Dentro do limite legal": answeredWithinLegal ÷ (answeredWithinLegal + legalBreaches) — abandons
   * before the limit are neutral (the caller left before the company broke it); null when nothing counted.
   */
  withinLegal: number | null;
  /**
   * SAC callbacks: requested (while waiting, or at a closed queue for its next opening), reached (the customer
   * picked up the call back), notReached (the callback ended without reaching the customer: after its last
   * attempt, or the agent left first; counted in `abandoned` too unless the call was answered before a drop),
   * dropped (calls that dropped on the company's side and came back as callbacks). Each counted in the interval
   * it happened in, in the call's queue and tier.
   */
  callbacks: { requested: number; reached: number; notReached: number; dropped: number };
}

export interface ClosedInterval {
  start: number; end: number;
  center: Figures;
  queues: Record<string, Figures>;
  tiers: Record<number, Figures>;
}

export interface SeriesPoints { at: number[]; serviceLevel: (number | null)[]; offered: number[] }

/** Service-level facts of a rolling window, slot k = those leaving it k to k + 1 minutes from now. */
export interface WindowByMinute {
  answered: number[]; answeredWithin: number[]; abandoned: number[]; abandonedWithin: number[];
}
