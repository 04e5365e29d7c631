// The integer counters an interval is stored as. Figures (percentages, averages) are
// computed from them at read time, with the terms in force then, and sums of intervals
// add counters, never figures: an hour's service level is not the mean of four.
import {
  ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN, ANSWER_WAIT_MS, CSAT_RESPONSES, CSAT_SATISFIED,
  DETRACTORS, FCR_RESOLVED, FCR_RESPONSES, HANDLED, HOLD_MS, NPS_RESPONSES, PASSIVES, PROMOTERS,
  SHORT_ABANDONED, TALK_MS, WRAP_MS, ANSWERED_WITHIN_LEGAL, LEGAL_BREACHES,
  CALLBACKS_REQUESTED, CALLBACKS_REACHED, CALLBACKS_NOT_REACHED, DROPPED,
} from '../../routing/metrics/fields.ts';
import { toFigures, type Figures, type ScopeTerms } from '../../routing/metrics/index.ts';
import type { AgentStatus } from '../../routing/types.ts';

/**
 * Columns 0…23 of routing/metrics/fields.ts (agent time is the agents' own rows). Rows stored
 * before the SAC legal-limit columns (18, 19) have 18, before the callback columns (20…23) 20:
 * they read as zeros there.
 */
export const SCOPE_COUNTERS = DROPPED + 1;
export type ScopeCounters = number[];

/** Back from Figures to the integer counters they were computed from (exact: counts and whole ms). */
export function countersOf(f: Figures): ScopeCounters {
  const ms = (seconds: number | null, n: number) => (seconds === null ? 0 : Math.round(seconds * n * 1000));
  const share = (rate: number | null, n: number) => (rate === null ? 0 : Math.round(rate * n));
  const c = new Array<number>(SCOPE_COUNTERS).fill(0);
  c[ANSWERED] = f.answered;
  c[ANSWERED_WITHIN] = f.answeredWithinThreshold;
  c[ANSWER_WAIT_MS] = ms(f.asaSeconds, f.answered);
  c[ABANDONED] = f.abandoned;
  c[ABANDONED_WITHIN] = f.abandonedWithinThreshold;
  c[SHORT_ABANDONED] = f.shortAbandoned;
  c[HANDLED] = f.handled;
  c[TALK_MS] = ms(f.talkSeconds, f.handled);
  c[HOLD_MS] = ms(f.holdSeconds, f.handled);
  c[WRAP_MS] = ms(f.wrapSeconds, f.handled);
  c[NPS_RESPONSES] = f.nps.responses;
  c[PROMOTERS] = f.nps.promoters;
  c[PASSIVES] = f.nps.passives;
  c[DETRACTORS] = f.nps.detractors;
  c[CSAT_RESPONSES] = f.csat.responses;
  c[CSAT_SATISFIED] = share(f.csat.score, f.csat.responses);
  c[FCR_RESPONSES] = f.fcr.responses;
  c[FCR_RESOLVED] = share(f.fcr.rate, f.fcr.responses);
  c[ANSWERED_WITHIN_LEGAL] = f.answeredWithinLegal;
  c[LEGAL_BREACHES] = f.legalBreaches;
  c[CALLBACKS_REQUESTED] = f.callbacks.requested;
  c[CALLBACKS_REACHED] = f.callbacks.reached;
  c[CALLBACKS_NOT_REACHED] = f.callbacks.notReached;
  c[DROPPED] = f.callbacks.dropped;
  return c;
}

export const isZero = (c: ScopeCounters): boolean => c.every((v) => v === 0);

export function sumCounters(list: ScopeCounters[]): ScopeCounters {
  const out = new Array<number>(SCOPE_COUNTERS).fill(0);
  for (const c of list) for (let i = 0; i < SCOPE_COUNTERS; i++) out[i] += c[i] ?? 0;
  return out;
}

export const figuresOf = (c: ScopeCounters, terms: ScopeTerms): Figures => toFigures(c, 0, terms, null);

// ---- agents ---------------------------------------------------------------------

export const AGENT_STATES: readonly AgentStatus[] = ['available', 'ringing', 'on-call', 'wrap-up', 'away', 'offline'];

/** One agent in one interval. Handle times count when the wrap-up ends, as the center's do. */
export interface AgentCounters {
  /** Offers made to the agent (the phone rang or was meant to). */
  offered: number;
  answered: number;
  /** Rang and was not answered (no answer, busy, timeout): what the core lists in missedBy. */
  missed: number;
  handled: number;
  talkMs: number;
  holdMs: number;
  wrapMs: number;
  /** Milliseconds spent in each state within the interval. */
  stateMs: Partial<Record<AgentStatus, number>>;
  /** Milliseconds away per pause reason. */
  pauseMs: Record<string, number>;
}

export const emptyAgentCounters = (): AgentCounters => ({
  offered: 0, answered: 0, missed: 0, handled: 0, talkMs: 0, holdMs: 0, wrapMs: 0, stateMs: {}, pauseMs: {},
});

/** Worth a row: anything counted, or any time logged in (offline-only intervals are not stored). */
export function agentWorked(c: AgentCounters): boolean {
  if (c.offered || c.answered || c.missed || c.handled) return true;
  return AGENT_STATES.some((s) => s !== 'offline' && (c.stateMs[s] ?? 0) > 0);
}

export function addAgentCounters(into: AgentCounters, c: AgentCounters): AgentCounters {
  into.offered += c.offered;
  into.answered += c.answered;
  into.missed += c.missed;
  into.handled += c.handled;
  into.talkMs += c.talkMs;
  into.holdMs += c.holdMs;
  into.wrapMs += c.wrapMs;
  for (const [s, ms] of Object.entries(c.stateMs)) into.stateMs[s as AgentStatus] = (into.stateMs[s as AgentStatus] ?? 0) + (ms ?? 0);
  for (const [r, ms] of Object.entries(c.pauseMs)) into.pauseMs[r] = (into.pauseMs[r] ?? 0) + ms;
  return into;
}
