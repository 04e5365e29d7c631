// What the alert rules read, per queue: the wallboard snapshot's figures, the
// abandons of the last hour.
import type { AbandonRecord } from '../../routing/core.ts';
import type { Snapshot } from '../contract.ts';
import type { QueueFigures } from './rules.ts';

const HOUR = 3_600_000;

/**
 * Abandons of the last 60 minutes per queue. Fed with the core's recent abandons
 * (its last 50) at every evaluation; each abandon is counted once however often it
 * is seen. Short abandons are left out, as in every other figure.
 */
export class AbandonWindow {
  private readonly seen = new Map<string, { at: number; queue: string }>();

  observe(recent: AbandonRecord[], shortAbandonSeconds: number, now: number): void {
    for (const a of recent) {
      if (a.waitMs < shortAbandonSeconds * 1000) continue;
      const key = `${a.callId}@${a.at}`;
      if (!this.seen.has(key)) this.seen.set(key, { at: a.at, queue: a.queue });
    }
    for (const [key, a] of this.seen) if (a.at <= now - HOUR) this.seen.delete(key);
  }

  count(queue: string, now: number): number {
    let n = 0;
    for (const a of this.seen.values()) if (a.queue === queue && a.at > now - HOUR && a.at <= now) n++;
    return n;
  }
}

/**
 * The snapshot's own closure state says whether a queue is closed by an emergency: the
 * core's answer (a supervisor's closure wins over the schedule's edges, and a restart
 * restores it), not a tally of events, which a scheduled close would clear.
 */
export function queueFigures(s: Snapshot, abandons: (queue: string) => number): QueueFigures[] {
  return s.queues.map((q) => ({
    id: q.id,
    name: q.name,
    serviceLevel: q.rolling.serviceLevel,
    target: q.target,
    longestWaitSeconds: q.longestWaitSeconds,
    waiting: q.waiting,
    availableAgents: q.agents.available,
    abandonsLastHour: abandons(q.id),
    closedByEmergency: q.emergency === true,
  }));
}
