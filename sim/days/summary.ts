// The history writer's report: one row per day (the center's figures at the end
// of it, as the wallboard showed them) and what was written, how fast.
import { pct, secs, table } from '../summary.ts';
import type { DaysSummary } from './writer.ts';

export function renderDays(s: DaysSummary): string {
  const sc = s.scenario;
  const out = [`Scenario ${sc.name} — ${s.days.length} days from ${sc.firstDate} (${sc.timezone}), seeds ${sc.seed}…, settings ${sc.settings}`, ''];
  const header = ['Day', 'Calls', 'Offered', 'Answered', 'Aband.', 'Short', 'Overfl.', 'SL', 'ASA', 'TMA', 'Events'];
  out.push(table(header, s.days.map((d) => [
    d.date, String(d.calls), String(d.center.offered), String(d.center.answered), String(d.center.abandoned),
    String(d.center.shortAbandoned), String(d.overflowed), `${pct(d.center.serviceLevel)} /${d.center.thresholdSeconds}s`,
    secs(d.center.asaSeconds), secs(d.center.tmaSeconds), String(d.logged),
  ])));
  out.push('');
  out.push(`${s.events} events written to ${s.db} in ${(s.wallClockMs / 1000).toFixed(2)} s (${s.eventsPerSecond} events/s)` +
    (s.refused ? `; ${s.refused} refused by the core (a bug: please report)` : ''));
  return out.join('\n');
}
