// Business hours into the routing core: when a queue's schedule (hours, holidays, the
// center's dates) says it closes or opens, a `queue.closed` / `queue.opened` event with
// `by: 'schedule'` is logged and applied, so the core refuses callers at a closed queue,
// the wallboard shows it closed, and a replay sees exactly what happened live. A
// supervisor's closure or opening is the core's to weigh against it (routing/core.ts).
import type { Engine } from '../engine.ts';
import { sacOf } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import type { BusinessHours } from './hours.ts';

/** The reason a scheduled closure carries: "hours", "holiday: Natal" or "date: Inventário". */
export function scheduleReason(hours: BusinessHours, queue: string, at: number): string {
  const why = hours.closedBecause(queue, at);
  if (!why || why.kind === 'hours') return 'hours';
  return `${why.kind}: ${why.label}`;
}

/**
 * Brings every queue's scheduled closure in the core in line with its schedule at `now`
 * (the events go through the group commit together); resolves to the next moment the
 * schedule of any queue changes (null: never).
 */
export async function syncSchedule(engine: Engine, settings: Settings, hours: BusinessHours, now: number): Promise<number | null> {
  const onClose = sacOf(settings).onClose;
  let next: number | null = null;
  const logged: Promise<unknown>[] = [];
  for (const q of settings.queues) {
    const open = hours.isOpen(q.id, now);
    const layers = engine.core.queueLayers(q.id);
    const change = hours.nextChange(q.id, now);
    if (change !== null && (next === null || change < next)) next = change;
    if (!open && !layers.schedule) {
      logged.push(engine.submit({
        id: `sac:schedule:${q.id}:closed:${now}`, at: now, type: 'queue.closed', queue: q.id, by: 'schedule',
        reason: scheduleReason(hours, q.id, now), ...(change !== null ? { until: change } : {}), waiting: onClose,
      }, 'sac:schedule'));
    } else if (open && layers.schedule) {
      logged.push(engine.submit({ id: `sac:schedule:${q.id}:opened:${now}`, at: now, type: 'queue.opened', queue: q.id, by: 'schedule' }, 'sac:schedule'));
    }
  }
  await Promise.all(logged);
  return next;
}
