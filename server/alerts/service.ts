// The alerts in force: evaluates the rules (rules.ts) over the live figures, keeps
// the firing and recently resolved alerts for the supervisor screen, hands each
// notice to its destinations (delivery.ts) and audits what happened: fired,
// resolved, delivered, failed, acknowledged.
import type { AlertDelivery, AlertDestinationSetting, AlertRuleSetting, AlertSeverity, AlertView } from '../contract.ts';
import type { Settings } from '../config/types.ts';
import { Courier, type DeliveryTuning, type Post } from './delivery.ts';
import { bodyOf, type Notice } from './formats.ts';
import { inQuietHours, zoneOf } from './quiet.ts';
import { RuleTracker, type QueueFigures, type Transition } from './rules.ts';
import { alertLangOf, firingLine, resolvedLine, type Described } from './words.ts';

export interface AlertTuning extends DeliveryTuning {
  /** How often the rules are evaluated when nothing else happens. */
  evaluateEveryMs: number;
  /** Resolved alerts kept for the screen. */
  keepResolved: number;
}

export const DEFAULT_ALERT_TUNING: AlertTuning = {
  retryDelaysMs: [1000, 5000, 30_000, 120_000],
  timeoutMs: 10_000,
  evaluateEveryMs: 5000,
  keepResolved: 50,
};

export interface AlertDeps {
  /** The engine's clock. */
  now: () => number;
  /** The settings in force, read at each evaluation. */
  settings: () => Settings;
  /** Every queue's figures as of now. */
  figures: () => QueueFigures[];
  /** Writes one audit entry (actor: the alerts themselves unless given). */
  audit: (action: string, target: string | null, after: unknown, actor?: string) => void;
  post: Post;
  warn: (message: string) => void;
}

export const ALERTS_ACTOR = 'alerts (automatic)';
const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export class AlertService {
  /** Mutable on purpose: tests shorten the retries; the timer reads evaluateEveryMs once at start. */
  readonly tuning: AlertTuning = { ...DEFAULT_ALERT_TUNING, retryDelaysMs: [...DEFAULT_ALERT_TUNING.retryDelaysMs] };
  private readonly tracker = new RuleTracker();
  private readonly alerts = new Map<string, AlertView>();
  /** Where each alert's firing notice went (its resolution goes to the same places). */
  private readonly sentTo = new Map<string, AlertDestinationSetting[]>();
  private readonly courier: Courier;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly d: AlertDeps) {
    this.courier = new Courier(() => this.tuning, d.post, d.now);
  }

  /** Something on the screen changed (an alert, a delivery). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Evaluates every rule now; answers what fired and resolved. */
  evaluate(): Transition[] {
    const settings = this.d.settings();
    const now = this.d.now();
    const zone = zoneOf(settings.timezone);
    const rules = settings.alerts?.rules ?? [];
    const transitions = this.tracker.step(rules, rules.length ? this.d.figures() : [], now, (r) => inQuietHours(r.quietHours, now, zone));
    for (const t of transitions) {
      if (t.type === 'fire') this.fire(t, settings, now);
      else this.resolve(t, settings, now);
    }
    if (transitions.length) this.notify();
    return transitions;
  }

  /** Firing alerts, newest first, then the latest resolved ones. */
  list(): AlertView[] {
    const all = [...this.alerts.values()].reverse();
    return [...all.filter((a) => a.state === 'firing'), ...all.filter((a) => a.state === 'resolved')];
  }

  get(id: string): AlertView | null { return this.alerts.get(id) ?? null; }

  /** A supervisor saw it; the alert keeps firing until its condition clears. */
  acknowledge(id: string, actor: string): AlertView | null {
    const a = this.alerts.get(id);
    if (!a) return null;
    if (a.acknowledgedAt === null) {
      a.acknowledgedAt = this.d.now();
      a.acknowledgedBy = actor;
      this.d.audit('alert.acknowledged', a.id, { ruleId: a.ruleId, queue: a.queue }, actor);
      this.notify();
    }
    return a;
  }

  /** Resolves once every notice has been delivered or has failed for good (tests, shutdown). */
  idle(): Promise<void> { return this.courier.idle(); }

  close(): void {
    this.courier.close();
    this.listeners.clear();
  }

  private fire(t: Transition, settings: Settings, now: number): void {
    const lang = alertLangOf(settings.ivr.languages[0]?.code);
    const described = describedOf(t);
    const alert: AlertView = {
      id: t.alertId,
      ruleId: t.rule.id,
      kind: t.rule.kind,
      severity: t.rule.severity,
      queue: t.queue.id,
      queueName: t.queue.name,
      state: 'firing',
      firedAt: now,
      resolvedAt: null,
      value: t.reading.value,
      limit: t.reading.limit,
      message: firingLine(described, lang),
      acknowledgedBy: null,
      acknowledgedAt: null,
      deliveries: [],
    };
    this.alerts.set(alert.id, alert);
    this.d.audit('alert.fired', alert.id, summary(alert));
    const destinations = destinationsFor(t.rule, settings.alerts?.destinations ?? []);
    this.sentTo.set(alert.id, destinations);
    this.deliver(alert, 'fired', alert, destinations, settings, now);
    this.prune();
  }

  private resolve(t: Transition, settings: Settings, now: number): void {
    const alert = this.alerts.get(t.alertId);
    if (!alert) return;
    alert.state = 'resolved';
    alert.resolvedAt = now;
    this.d.audit('alert.resolved', alert.id, { ...summary(alert), why: t.why ?? 'cleared' });
    const lang = alertLangOf(settings.ivr.languages[0]?.code);
    const notice = { ...alert, message: resolvedLine(describedOf(t, alert), lang, t.why ?? 'cleared') };
    this.deliver(alert, 'resolved', notice, this.sentTo.get(alert.id) ?? [], settings, now);
    this.sentTo.delete(alert.id);
  }

  private deliver(alert: AlertView, phase: 'fired' | 'resolved', shown: AlertView, to: AlertDestinationSetting[], settings: Settings, now: number): void {
    const lang = alertLangOf(settings.ivr.languages[0]?.code);
    const notice: Notice = { phase, alert: shown, centerName: settings.centerName, lang, at: zoneOf(settings.timezone).iso(now) };
    for (const dest of to) {
      const d: AlertDelivery = {
        destination: dest.id, format: dest.format, phase, state: 'pending', attempts: 0,
        lastError: null, lastAttemptAt: null, nextAttemptAt: null,
      };
      alert.deliveries.push(d);
      this.courier.send(d, dest.url, bodyOf(dest.format, notice), {
        changed: () => this.notify(),
        delivered: (x) => this.d.audit('alert.delivered', alert.id, { destination: x.destination, phase: x.phase, attempts: x.attempts }),
        failed: (x) => {
          this.d.warn(`alert ${alert.id}: delivery to "${x.destination}" failed after ${x.attempts} attempt(s): ${x.lastError}`);
          this.d.audit('alert.failed', alert.id, { destination: x.destination, phase: x.phase, attempts: x.attempts, error: x.lastError });
        },
      });
    }
  }

  private prune(): void {
    const resolved = [...this.alerts.values()].filter((a) => a.state === 'resolved');
    for (const a of resolved.slice(0, Math.max(0, resolved.length - this.tuning.keepResolved))) this.alerts.delete(a.id);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }
}

/** The rule's destinations (all when it names none) that take its severity and are enabled. */
export function destinationsFor(rule: AlertRuleSetting, all: AlertDestinationSetting[]): AlertDestinationSetting[] {
  return all.filter((d) => d.enabled && (!rule.destinations || rule.destinations.includes(d.id)) && RANK[rule.severity] >= RANK[d.minSeverity]);
}

function describedOf(t: Transition, fired?: AlertView): Described {
  return {
    kind: t.rule.kind,
    queueName: t.queue.name,
    value: fired ? fired.value : t.reading.value,
    limit: fired ? fired.limit : t.reading.limit,
    forMinutes: t.rule.forMinutes ?? 0,
  };
}

const summary = (a: AlertView) => ({ ruleId: a.ruleId, kind: a.kind, severity: a.severity, queue: a.queue, value: a.value, limit: a.limit, message: a.message });
