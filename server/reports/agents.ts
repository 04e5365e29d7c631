// Per-agent report rows (scope=agent): what the agent was offered, answered and missed,
// the handle times of the calls they finished (counted when the wrap-up ended, as the
// center's TMA is), the time spent in each state and each pause reason, and occupancy
// (ringing + on a call + wrap-up over that plus available: the core's definition).
import type { MetricsSettings } from '../../routing/metrics/index.ts';
import { addAgentCounters, emptyAgentCounters, type AgentCounters } from '../history/counters.ts';
import { csvField } from './csv.ts';
import { groupSpans, type Granularity } from './intervals.ts';
import type { AgentInterval } from './stored.ts';
import type { Zone } from './zone.ts';

export interface AgentReportRow {
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  complete: boolean;
  intervals: number;
  offered: number;
  answered: number;
  missed: number;
  handled: number;
  /** Totals over the calls handled in the row. */
  talkSeconds: number;
  holdSeconds: number;
  wrapSeconds: number;
  /** (talk + hold + wrap) ÷ handled; null with nothing handled. */
  tmaSeconds: number | null;
  availableSeconds: number;
  ringingSeconds: number;
  onCallSeconds: number;
  wrapUpSeconds: number;
  awaySeconds: number;
  offlineSeconds: number;
  /** Busy ÷ staffed time; null when the agent was never staffed. */
  occupancy: number | null;
  /** Seconds away per pause reason. */
  pauseSeconds: Record<string, number>;
}

export const AGENT_ROW_FIELDS = [
  'start', 'end', 'complete', 'intervals', 'offered', 'answered', 'missed', 'handled', 'talkSeconds', 'holdSeconds',
  'wrapSeconds', 'tmaSeconds', 'availableSeconds', 'ringingSeconds', 'onCallSeconds', 'wrapUpSeconds', 'awaySeconds',
  'offlineSeconds', 'occupancy',
] as const satisfies readonly (keyof AgentReportRow)[];

const s = (ms: number | undefined) => (ms ?? 0) / 1000;

export function toAgentRow(zone: Zone, start: number, end: number, complete: boolean, intervals: number, c: AgentCounters): AgentReportRow {
  const ms = c.stateMs;
  const busy = (ms.ringing ?? 0) + (ms['on-call'] ?? 0) + (ms['wrap-up'] ?? 0);
  const staffed = busy + (ms.available ?? 0);
  return {
    start: zone.iso(start), end: zone.iso(end), startMs: start, endMs: end, complete, intervals,
    offered: c.offered, answered: c.answered, missed: c.missed, handled: c.handled,
    talkSeconds: s(c.talkMs), holdSeconds: s(c.holdMs), wrapSeconds: s(c.wrapMs),
    tmaSeconds: c.handled > 0 ? (c.talkMs + c.holdMs + c.wrapMs) / c.handled / 1000 : null,
    availableSeconds: s(ms.available), ringingSeconds: s(ms.ringing), onCallSeconds: s(ms['on-call']),
    wrapUpSeconds: s(ms['wrap-up']), awaySeconds: s(ms.away), offlineSeconds: s(ms.offline),
    occupancy: staffed > 0 ? busy / staffed : null,
    pauseSeconds: Object.fromEntries(Object.entries(c.pauseMs).map(([r, v]) => [r, v / 1000])),
  };
}

export function groupAgentRows(intervals: AgentInterval[], granularity: Granularity, settings: MetricsSettings, zone: Zone): AgentReportRow[] {
  return groupSpans(intervals, granularity, settings, zone).map((g) =>
    toAgentRow(zone, g.start, g.end, g.complete, g.items.length, g.items.reduce((sum, x) => addAgentCounters(sum, x.counters), emptyAgentCounters())));
}

export function agentTotal(intervals: AgentInterval[], zone: Zone): AgentReportRow | null {
  if (!intervals.length) return null;
  const sum = intervals.reduce((acc, x) => addAgentCounters(acc, x.counters), emptyAgentCounters());
  return toAgentRow(zone, intervals[0].start, intervals[intervals.length - 1].end, intervals.every((x) => x.complete), intervals.length, sum);
}

/** CSV: the fixed columns, then one `pause:<reason>` column per reason (the settings' reasons first). */
export function agentCsv(rows: AgentReportRow[], pauseReasons: readonly string[]): string {
  const reasons = [...pauseReasons];
  for (const r of rows) for (const k of Object.keys(r.pauseSeconds)) if (!reasons.includes(k)) reasons.push(k);
  const header = [...AGENT_ROW_FIELDS, ...reasons.map((r) => `pause:${r}`)];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    lines.push([...AGENT_ROW_FIELDS.map((f) => csvField(r[f])), ...reasons.map((k) => csvField(r.pauseSeconds[k] ?? 0))].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
