// The per-agent report's range and CSV. Bounds take the forms of the interval
// reports (epoch ms, a local date, a local date-time): `from` defaults to today's
// daily reset, `to` to now; at most 31 days.
import type { AgentReportRow } from '../contract.ts';
import { BadInputError } from '../errors.ts';
import { parseBound, Zone } from '../reports/zone.ts';

const DAY = 86_400_000;
export const MAX_AGENT_REPORT_DAYS = 31;

export interface ReportRange { from: number; to: number; fromIso: string; toIso: string; lastDayIso: string }

export function reportRange(fromText: string | undefined, toText: string | undefined, timezone: string, todayStart: number, now: number): ReportRange {
  const zone = new Zone(timezone);
  const bound = (name: 'from' | 'to', text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const t = parseBound(text, name, zone);
    if (t === null || !Number.isFinite(t)) {
      throw new BadInputError(name, `must be epoch ms, a date (2026-11-23) or a date-time (2026-11-23T09:15, local to ${timezone}); got '${text}'`);
    }
    return t;
  };
  const from = bound('from', fromText, todayStart);
  const to = bound('to', toText, Math.max(now, from + 1));
  if (to <= from) throw new BadInputError('to', `must be after from (${zone.iso(from)})`);
  if (to - from > MAX_AGENT_REPORT_DAYS * DAY) throw new BadInputError('to', `the range is at most ${MAX_AGENT_REPORT_DAYS} days`);
  return { from, to, fromIso: zone.iso(from), toIso: zone.iso(to), lastDayIso: zone.iso(to - 1).slice(0, 10) };
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One line per agent; a column per state and per pause reason (the center's, then any other seen). */
export function agentReportCsv(rows: AgentReportRow[], pauseReasons: string[]): string {
  const reasons = [...pauseReasons];
  for (const r of rows) for (const k of Object.keys(r.pauseSeconds)) if (!reasons.includes(k)) reasons.push(k);
  const states = ['available', 'ringing', 'on-call', 'wrap-up', 'away', 'offline'] as const;
  const head = ['agentId', 'name', 'calls', 'tmaSeconds', 'talkSeconds', 'wrapUpSeconds', 'occupancy', 'missedOffers',
    ...states.map((s) => `${s}Seconds`), ...reasons.map((r) => `pause:${r}`)];
  const lines = rows.map((r) => [r.agentId, r.name, r.calls, r.tmaSeconds, r.talkSeconds, r.wrapUpSeconds, r.occupancy, r.missedOffers,
    ...states.map((s) => r.stateSeconds[s]), ...reasons.map((k) => r.pauseSeconds[k] ?? 0)].map(cell).join(','));
  return [head.map(cell).join(','), ...lines].join('\n') + '\n';
}
