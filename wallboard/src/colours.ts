// Threshold colouring from the bands the server sends in `snapshot.colours`.
// Pure: a value and its bands in, a band name out; CSS maps band → colour.

import type { ColourBands, NpsBand } from '../../server/contract.ts';

/** `none` = no value (null) or an indicator that has no thresholds. */
export type Band = 'green' | 'amber' | 'red' | 'none';

/** Guards "exactly at the boundary" against float noise (0.7999999999 vs 0.8). */
const EPS = 1e-9;

/**
 * Service level (0..1): green at or above the target, amber at or above
 * `amberFrom`, red below. If a queue's own target is under the center's
 * `amberFrom`, there is no amber band for it (green at target, red below).
 */
export function serviceLevelBand(
  value: number | null | undefined,
  target: number,
  amberFrom: number,
): Band {
  if (value == null || !Number.isFinite(value)) return 'none';
  if (value + EPS >= target) return 'green';
  if (value + EPS >= Math.min(amberFrom, target)) return 'amber';
  return 'red';
}

/** For figures where more is worse (waits, abandon rate, calls waiting): amber above, red above. */
export function higherIsWorseBand(
  value: number | null | undefined,
  bands: { amberAbove: number; redAbove: number },
): Band {
  if (value == null || !Number.isFinite(value)) return 'none';
  if (value > bands.redAbove + EPS) return 'red';
  if (value > bands.amberAbove + EPS) return 'amber';
  return 'green';
}

export const longestWaitBand = (seconds: number | null | undefined, c: ColourBands): Band =>
  higherIsWorseBand(seconds, c.longestWaitSeconds);

export const abandonRateBand = (rate: number | null | undefined, c: ColourBands): Band =>
  higherIsWorseBand(rate, c.abandonRate);

/** Calls waiting: zero waiting is never a problem, whatever the bands say. */
export const waitingBand = (n: number, c: ColourBands): Band =>
  n <= 0 ? 'green' : higherIsWorseBand(n, c.waiting);

/** NPS bands: excellent/good read as fine, "needs improvement" amber, critical red. */
export function npsColour(band: NpsBand | null | undefined): Band {
  switch (band) {
    case 'excellent':
    case 'good':
      return 'green';
    case 'mustImprove':
      return 'amber';
    case 'critical':
      return 'red';
    default:
      return 'none';
  }
}
