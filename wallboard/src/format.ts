// Number and time formatting for the board. Pure: no DOM, no clock. Every
// function takes `null` and answers the dash, so an empty window reads "—"
// instead of a fake 0.

import type { Lang } from './i18n.ts';

export const DASH = '—';
/** Typographic minus: reads better than a hyphen from across the room. */
const MINUS = '−';

function fixed(value: number, decimals: number, lang: Lang): string {
  // Round half away from zero on the decimal digits the reader sees.
  const f = 10 ** decimals;
  const rounded = Math.round(Math.abs(value) * f) / f;
  let s = rounded.toFixed(decimals);
  const [int, frac] = s.split('.');
  const sep = lang === 'pt' ? '.' : ',';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  s = frac === undefined ? grouped : `${grouped}${lang === 'pt' ? ',' : '.'}${frac}`;
  const negative = value < 0 && rounded !== 0;
  return negative ? MINUS + s : s;
}

/** 0.811 → "81,1 %" (pt) / "81.1%" (en). Ratios are 0..1. */
export function percent(ratio: number | null | undefined, lang: Lang, decimals = 1): string {
  if (ratio == null || !Number.isFinite(ratio)) return DASH;
  const n = fixed(ratio * 100, decimals, lang);
  return lang === 'pt' ? `${n} %` : `${n}%`;
}

/** Whole-number percent for goals: 0.8 → "80". */
export function wholePercent(ratio: number): number {
  return Math.round(ratio * 1000) / 10;
}

/** Integer counts with the language's thousands separator: 1234 → "1.234" / "1,234". */
export function count(n: number | null | undefined, lang: Lang): string {
  if (n == null || !Number.isFinite(n)) return DASH;
  return fixed(n, 0, lang);
}

/** NPS is −100..100, shown as a whole signed number: "62", "−12". */
export function npsScore(score: number | null | undefined, lang: Lang): string {
  if (score == null || !Number.isFinite(score)) return DASH;
  return fixed(score, 0, lang);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Seconds as a clock: under an hour "m:ss" ("1:05", "12:03"), from an hour
 * "h:mm:ss" ("12:03:04"). Ticking displays floor, so 59.9 s is still "0:59".
 */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return DASH;
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

/** Short age for banners: "12 s", "3 min", "2 h". */
export function age(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${fixed(s / 3600, 0, lang)} h`;
}

/** Local wall-clock "HH:MM" for an epoch-ms instant. */
export function hhmm(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local wall-clock "HH:MM:SS". */
export function hhmmss(epochMs: number): string {
  const d = new Date(epochMs);
  return `${hhmm(epochMs)}:${pad2(d.getSeconds())}`;
}

/** "P1", "P2"… for a 1-based tier; dash when unknown. */
export function tierLabel(tier: number | null | undefined): string {
  return tier == null || !Number.isFinite(tier) || tier < 1 ? DASH : `P${Math.floor(tier)}`;
}

/**
 * Safety net for caller numbers on a public screen: the server already sends
 * "+55 11 9****-7777"; anything that arrives with no mask is masked here,
 * keeping country and area code and the last four digits.
 */
export function maskCaller(raw: string | null | undefined): string {
  if (raw == null || raw === '') return DASH;
  if (raw.includes('*')) return raw;
  const digits = raw.replace(/\D/g, '').length;
  if (digits <= 4) return raw;
  // With country code (12–13 digits) keep "55 11 9"; area code only (10–11) keep "11 9"; else nothing.
  const keepHead = digits >= 12 ? 5 : digits >= 10 ? 3 : 0;
  const keepTailFrom = digits - 4;
  let i = 0;
  return raw.replace(/\d/g, (d) => {
    const idx = i++;
    return idx < keepHead || idx >= keepTailFrom ? d : '*';
  });
}

/** HTML-escape server-provided text before it goes into innerHTML. */
export function esc(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
