// NPS band names. The server sends the band; we only fall back to computing it
// (same cut-offs as the server) when a score arrives without one.

import type { NpsBand } from '../../server/contract.ts';
import type { Dict } from './i18n.ts';

/** Above 75 excellent, above 50 good ("qualidade"), above 0 must improve, else critical. */
export function npsBandOf(score: number): NpsBand {
  if (score > 75) return 'excellent';
  if (score > 50) return 'good';
  if (score > 0) return 'mustImprove';
  return 'critical';
}

/** The band in force: the server's, or derived from the score; null when there is no score. */
export function effectiveNpsBand(score: number | null, band: NpsBand | null): NpsBand | null {
  if (band != null) return band;
  return score == null || !Number.isFinite(score) ? null : npsBandOf(score);
}

/** "Excelente", "Crítico"…; empty when there is no score yet. */
export function npsBandLabel(score: number | null, band: NpsBand | null, t: Dict): string {
  const b = effectiveNpsBand(score, band);
  return b == null ? '' : t.npsBand[b];
}
