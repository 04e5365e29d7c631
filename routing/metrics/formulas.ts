// Turning integer aggregates into the figures a supervisor reads. Kept apart
// from the ring so the same math serves the window, today and closed intervals.

import {
  ABANDONED, ABANDONED_WITHIN, ANSWERED, ANSWERED_WITHIN, ANSWER_WAIT_MS, CSAT_RESPONSES, CSAT_SATISFIED,
  DETRACTORS, FCR_RESOLVED, FCR_RESPONSES, HANDLED, HOLD_MS, NPS_RESPONSES, PASSIVES, PROMOTERS,
  SHORT_ABANDONED, TALK_MS, WRAP_MS, ANSWERED_WITHIN_LEGAL, LEGAL_BREACHES,
  CALLBACKS_REQUESTED, CALLBACKS_REACHED, CALLBACKS_NOT_REACHED, DROPPED,
} from './fields.ts';
import type { Figures, NpsBand, SlFormula } from './types.ts';

interface SlCounts {
  answered: number; answeredWithinThreshold: number; abandoned: number; abandonedWithinThreshold: number;
}

/**
 * `abandoned` must already exclude short abandons. Null when the denominator is 0,
 * so an empty window shows "—" rather than a fake 0 % or 100 %.
 */
export function serviceLevel(formula: SlFormula, c: SlCounts): number | null {
  let num: number;
  let den: number;
  switch (formula) {
    case 'offered': num = c.answeredWithinThreshold; den = c.answered + c.abandoned; break;
    case 'answered': num = c.answeredWithinThreshold; den = c.answered; break;
    case 'abandonsWithinThresholdMet':
      num = c.answeredWithinThreshold + c.abandonedWithinThreshold; den = c.answered + c.abandoned; break;
    case 'abandonsWithinThresholdNeutral':
      num = c.answeredWithinThreshold; den = c.answered + (c.abandoned - c.abandonedWithinThreshold); break;
    default: throw new RangeError(`unknown service-level formula ${String(formula)}`);
  }
  return den > 0 ? num / den : null;
}

export function npsBand(score: number): NpsBand {
  if (score > 75) return 'excellent';
  if (score > 50) return 'good';
  if (score > 0) return 'mustImprove';
  return 'critical';
}

/** Settings in force for one scope. */
export interface ScopeTerms { thresholdSeconds: number; target: number; formula: SlFormula }

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
const seconds = (ms: number, n: number): number | null => (n > 0 ? ms / n / 1000 : null);

/** `row` holds one aggregate row at offset `o`; `occupancy` is computed by the caller (center only). */
export function toFigures(row: ArrayLike<number>, o: number, terms: ScopeTerms, occupancy: number | null): Figures {
  const answered = row[o + ANSWERED];
  const abandoned = row[o + ABANDONED];
  const answeredWithinThreshold = row[o + ANSWERED_WITHIN];
  const abandonedWithinThreshold = row[o + ABANDONED_WITHIN];
  const offered = answered + abandoned;
  const handled = row[o + HANDLED];
  const talk = row[o + TALK_MS];
  const hold = row[o + HOLD_MS];
  const wrap = row[o + WRAP_MS];
  const npsResponses = row[o + NPS_RESPONSES];
  const promoters = row[o + PROMOTERS];
  const detractors = row[o + DETRACTORS];
  const npsScore = npsResponses > 0 ? ((promoters - detractors) * 100) / npsResponses : null;
  // `|| 0`: stored counter rows written before the legal columns existed are shorter.
  const answeredWithinLegal = row[o + ANSWERED_WITHIN_LEGAL] || 0;
  const legalBreaches = row[o + LEGAL_BREACHES] || 0;
  return {
    offered, answered, abandoned,
    shortAbandoned: row[o + SHORT_ABANDONED],
    answeredWithinThreshold, abandonedWithinThreshold,
    serviceLevel: serviceLevel(terms.formula, { answered, answeredWithinThreshold, abandoned, abandonedWithinThreshold }),
    thresholdSeconds: terms.thresholdSeconds, target: terms.target, formula: terms.formula,
    asaSeconds: seconds(row[o + ANSWER_WAIT_MS], answered),
    abandonRate: ratio(abandoned, offered),
    handled,
    tmaSeconds: seconds(talk + hold + wrap, handled),
    talkSeconds: seconds(talk, handled), holdSeconds: seconds(hold, handled), wrapSeconds: seconds(wrap, handled),
    occupancy,
    nps: {
      score: npsScore, band: npsScore === null ? null : npsBand(npsScore), responses: npsResponses,
      promoters, passives: row[o + PASSIVES], detractors,
    },
    csat: { score: ratio(row[o + CSAT_SATISFIED], row[o + CSAT_RESPONSES]), responses: row[o + CSAT_RESPONSES] },
    fcr: { rate: ratio(row[o + FCR_RESOLVED], row[o + FCR_RESPONSES]), responses: row[o + FCR_RESPONSES] },
    answeredWithinLegal, legalBreaches,
    withinLegal: ratio(answeredWithinLegal, answeredWithinLegal + legalBreaches),
    // `|| 0` likewise: stored rows from before the callback columns.
    callbacks: {
      requested: row[o + CALLBACKS_REQUESTED] || 0, reached: row[o + CALLBACKS_REACHED] || 0,
      notReached: row[o + CALLBACKS_NOT_REACHED] || 0, dropped: row[o + DROPPED] || 0,
    },
  };
}
