// Column layout of one aggregate row (a bucket, the window sums, today, the open
// interval). Every column is an integer count or integer milliseconds, so sums
// and the subtraction of an evicted bucket stay exact in a Float64Array.

export const ANSWERED = 0;
export const ANSWERED_WITHIN = 1;
export const ANSWER_WAIT_MS = 2;
export const ABANDONED = 3;
export const ABANDONED_WITHIN = 4;
export const SHORT_ABANDONED = 5;
export const HANDLED = 6;
export const TALK_MS = 7;
export const HOLD_MS = 8;
export const WRAP_MS = 9;
export const NPS_RESPONSES = 10;
export const PROMOTERS = 11;
export const PASSIVES = 12;
export const DETRACTORS = 13;
export const CSAT_RESPONSES = 14;
export const CSAT_SATISFIED = 15;
export const FCR_RESPONSES = 16;
export const FCR_RESOLVED = 17;
/** SAC legal wait limit (per queue): answered with wait ≤ the limit… */
export const ANSWERED_WITHIN_LEGAL = 18;
/** …and breaches: answered, or abandoned (short abandons aside), after waiting longer than it. */
export const LEGAL_BREACHES = 19;
/** SAC callbacks: asked for (while waiting or at a closed queue), the customer reached with an agent, never reached… */
export const CALLBACKS_REQUESTED = 20;
export const CALLBACKS_REACHED = 21;
export const CALLBACKS_NOT_REACHED = 22;
/** …and calls that dropped on the company's side (each becomes a callback at the head of its tier). */
export const DROPPED = 23;
/** Agent-milliseconds; only the center scope accrues them. */
export const BUSY_MS = 24;
export const STAFFED_MS = 25;

export const FIELDS = 26;
