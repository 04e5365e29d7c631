// The pure parts of the alerts: quiet hours across midnight, the emergency-closure
// rule's transitions, and which destinations take which rule.
import { describe, expect, it } from 'vitest';
import type { AlertRuleSetting } from '../../../server/contract.ts';
import { inQuietHours, zoneOf } from '../../../server/alerts/quiet.ts';
import { RuleTracker, type QueueFigures } from '../../../server/alerts/rules.ts';
import { destinationsFor } from '../../../server/alerts/service.ts';

const SP = zoneOf('America/Sao_Paulo');
/** São Paulo local time on 2026-11-23 (UTC−3). */
const local = (hh: number, mm: number) => Date.UTC(2026, 10, 23, hh + 3, mm);

describe('quiet hours', () => {
  it('a span within the day, a span across midnight, and an empty one', () => {
    const day = { from: '12:00', to: '14:00' };
    expect([local(11, 59), local(12, 0), local(13, 59), local(14, 0)].map((t) => inQuietHours(day, t, SP))).toEqual([false, true, true, false]);
    const night = { from: '22:00', to: '07:00' };
    expect([local(21, 59), local(22, 0), local(23, 59), local(0, 0), local(6, 59), local(7, 0), local(12, 0)].map((t) => inQuietHours(night, t, SP)))
      .toEqual([false, true, true, true, true, false, false]);
    expect(inQuietHours({ from: '08:00', to: '08:00' }, local(8, 0), SP)).toBe(false);
    expect(inQuietHours(undefined, local(8, 0), SP)).toBe(false);
  });
});

const rule = (over: Partial<AlertRuleSetting>): AlertRuleSetting =>
  ({ id: 'r', kind: 'queueClosedByEmergency', severity: 'critical', cooldownMinutes: 0, enabled: true, ...over });
const queue = (over: Partial<QueueFigures>): QueueFigures => ({
  id: 'suporte', name: 'Suporte', serviceLevel: null, target: 0.8, longestWaitSeconds: null, waiting: 0,
  availableAgents: 1, abandonsLastHour: 0, closedByEmergency: false, ...over,
});

describe('a queue closed by emergency', () => {
  it('fires at once and resolves when the queue opens again', () => {
    const t = new RuleTracker();
    const r = rule({});
    expect(t.step([r], [queue({})], 1000, () => false)).toEqual([]);
    expect(t.step([r], [queue({ closedByEmergency: true })], 2000, () => false).map((x) => [x.type, x.alertId])).toEqual([['fire', 'r:suporte:2000']]);
    expect(t.step([r], [queue({ closedByEmergency: false })], 3000, () => false).map((x) => [x.type, x.why])).toEqual([['resolve', 'cleared']]);
  });
});

describe('destinations', () => {
  it('a rule goes to the destinations it names (all when none), enabled, taking its severity', () => {
    const all = [
      { id: 'a', format: 'slack' as const, url: 'http://x', minSeverity: 'info' as const, enabled: true },
      { id: 'b', format: 'json' as const, url: 'http://x', minSeverity: 'critical' as const, enabled: true },
      { id: 'c', format: 'teams' as const, url: 'http://x', minSeverity: 'info' as const, enabled: false },
    ];
    expect(destinationsFor(rule({ severity: 'warning' }), all).map((d) => d.id)).toEqual(['a']);
    expect(destinationsFor(rule({ severity: 'critical' }), all).map((d) => d.id)).toEqual(['a', 'b']);
    expect(destinationsFor(rule({ severity: 'critical', destinations: ['b'] }), all).map((d) => d.id)).toEqual(['b']);
  });
});
