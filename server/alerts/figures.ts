// What the alert rules read, per queue: the wallboard snapshot's figures, the
// abandons of the last hour, and the queues closed by an emergency.
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
 * Queues closed by an emergency. Closures arrive with business hours (a `queue.closed`
 * event carrying `emergency: true`, then `queue.opened`); until those events exist
 * this stays empty and the queueClosedByEmergency rule never fires.
 */
export class EmergencyClosures {
  private readonly closed = new Set<string>();

  /** True when the event changed what is closed. */
  observe(event: { type: string }): boolean {
    const e = event as { type: string; queue?: unknown; queueId?: unknown; emergency?: unknown };
    const queue = typeof e.queue === 'string' ? e.queue : typeof e.queueId === 'string' ? e.queueId : null;
    if (queue === null) return false;
    if (e.type === 'queue.closed' && e.emergency === true) { this.closed.add(queue); return true; }
    if (e.type === 'queue.opened' || e.type === 'queue.closed') return this.closed.delete(queue);
    return false;
  }

  has(queue: string): boolean { return this.closed.has(queue); }
}

export function queueFigures(s: Snapshot, abandons: (queue: string) => number, closed: (queue: string) => boolean): QueueFigures[] {
  return s.queues.map((q) => ({
    id: q.id,
    name: q.name,
    serviceLevel: q.rolling.serviceLevel,
    target: q.target,
    longestWaitSeconds: q.longestWaitSeconds,
    waiting: q.waiting,
    availableAgents: q.agents.available,
    abandonsLastHour: abandons(q.id),
    closedByEmergency: closed(q.id),
  }));
}
