// The alert rules as a pure state machine: the live figures of each queue in, the
// alerts that fire or resolve out. No clock, no I/O: time comes with each call
// (plugin.ts calls it on the engine's changes and on a timer), so tests drive it
// with exact times.
//
// Per rule and queue: the condition must hold for `forMinutes` before the alert
// fires; it fires again only `cooldownMinutes` after it last fired; nothing fires
// inside the rule's quiet hours (the caller says when those are); a firing alert
// resolves by itself as soon as its condition no longer holds, or when its rule is
// removed or disabled.
import type { AlertRuleSetting } from '../contract.ts';

/** What the rules read of one queue. */
export interface QueueFigures {
  id: string;
  name: string;
  /** Rolling-window service level 0..1; null when nothing was offered. */
  serviceLevel: number | null;
  target: number;
  longestWaitSeconds: number | null;
  waiting: number;
  availableAgents: number;
  abandonsLastHour: number;
  closedByEmergency: boolean;
}

/** A rule's condition on one queue now, and the figure it looked at. */
export interface Reading {
  breached: boolean;
  value: number | null;
  limit: number | null;
}

export function readRule(rule: AlertRuleSetting, q: QueueFigures): Reading {
  switch (rule.kind) {
    case 'serviceLevelBelowTarget':
      return { breached: q.serviceLevel !== null && q.serviceLevel < q.target, value: q.serviceLevel, limit: q.target };
    case 'longestWaitAbove': {
      const limit = rule.waitSeconds ?? 0;
      return { breached: q.longestWaitSeconds !== null && q.longestWaitSeconds > limit, value: q.longestWaitSeconds, limit };
    }
    case 'noAgentAvailable':
      return { breached: q.waiting > 0 && q.availableAgents === 0, value: q.waiting, limit: null };
    case 'abandonsPerHourAbove': {
      const limit = rule.abandonsPerHour ?? 0;
      return { breached: q.abandonsLastHour > limit, value: q.abandonsLastHour, limit };
    }
    case 'queueClosedByEmergency':
      return { breached: q.closedByEmergency, value: null, limit: null };
  }
}

interface Track {
  /** When the condition was first seen holding (this stretch), null while it does not. */
  breachSince: number | null;
  /** The firing alert's id, null when none. */
  active: string | null;
  lastFiredAt: number | null;
}

export interface Transition {
  type: 'fire' | 'resolve';
  rule: AlertRuleSetting;
  /** The queue's figures now (for a removed queue: only its id). */
  queue: QueueFigures;
  reading: Reading;
  /** The alert's id: a new one on fire, the firing one on resolve. */
  alertId: string;
  /** Why it resolved: the condition cleared, or the rule is gone or disabled. */
  why?: 'cleared' | 'rule-removed';
}

const MINUTE = 60_000;
const keyOf = (ruleId: string, queueId: string): string => `${ruleId}\u0000${queueId}`;

export class RuleTracker {
  private readonly tracks = new Map<string, Track>();
  /** Last readings of firing alerts, so a rule removed later can still say what it was about. */
  private readonly firing = new Map<string, { rule: AlertRuleSetting; queue: QueueFigures }>();

  /**
   * One evaluation at `now`. `quiet(rule)` says whether the rule is in its quiet hours.
   * Calling it twice at the same time changes nothing the second time.
   */
  step(rules: AlertRuleSetting[], queues: QueueFigures[], now: number, quiet: (rule: AlertRuleSetting) => boolean): Transition[] {
    const out: Transition[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      for (const q of queues) {
        if (rule.queues && !rule.queues.includes(q.id)) continue;
        const key = keyOf(rule.id, q.id);
        seen.add(key);
        const t = this.tracks.get(key) ?? { breachSince: null, active: null, lastFiredAt: null };
        this.tracks.set(key, t);
        const reading = readRule(rule, q);
        t.breachSince = reading.breached ? (t.breachSince ?? now) : null;
        if (t.active !== null) {
          if (!reading.breached) {
            out.push({ type: 'resolve', rule, queue: q, reading, alertId: t.active, why: 'cleared' });
            this.firing.delete(t.active);
            t.active = null;
          }
          continue;
        }
        if (!reading.breached) continue;
        const held = now - t.breachSince! >= (rule.forMinutes ?? 0) * MINUTE;
        const cooled = t.lastFiredAt === null || now - t.lastFiredAt >= rule.cooldownMinutes * MINUTE;
        if (held && cooled && !quiet(rule)) {
          t.active = `${rule.id}:${q.id}:${now}`;
          t.lastFiredAt = now;
          this.firing.set(t.active, { rule, queue: q });
          out.push({ type: 'fire', rule, queue: q, reading, alertId: t.active });
        }
      }
    }
    // Rules (or queues) no longer watched: their firing alerts resolve, their memory goes.
    for (const [key, t] of this.tracks) {
      if (seen.has(key)) continue;
      if (t.active !== null) {
        const was = this.firing.get(t.active);
        if (was) out.push({ type: 'resolve', rule: was.rule, queue: was.queue, reading: { breached: false, value: null, limit: null }, alertId: t.active, why: 'rule-removed' });
        this.firing.delete(t.active);
      }
      this.tracks.delete(key);
    }
    return out;
  }
}
