// Tier assignment: every rule that matches proposes a tier; the highest (lowest
// number) wins, ties to the rule listed first. The winning rule is kept with the
// call so the wallboard and the logs can say why a caller jumped the line.
import type { CallAttributes, RoutingConfig, TierAssignment, TierCondition, TierRule } from './types.ts';

export interface TierInput {
  from: string;
  queue: string;
  ivrPath: string[];
  attributes: CallAttributes;
  /** Arrival times of this number (this call included), oldest first. */
  recentArrivals: number[];
  at: number;
}

const HOUR_MS = 3_600_000;

export class TierRules {
  private readonly vipNumbers: Set<string>;
  private readonly vipValues: Set<string>;

  constructor(private readonly config: Pick<RoutingConfig, 'tiers' | 'tierRules' | 'vipNumbers' | 'vipValues'>) {
    this.vipNumbers = new Set(config.vipNumbers.map(normaliseNumber));
    this.vipValues = new Set(config.vipValues ?? ['vip']);
  }

  assign(input: TierInput): TierAssignment {
    let best: TierRule | null = null;
    for (const rule of this.config.tierRules) {
      if (best && rule.tier >= best.tier) continue;
      if (this.matches(rule.when, input)) best = rule;
    }
    if (!best) return { tier: this.config.tiers, ruleId: 'default', label: 'Padrão', reason: 'default' };
    return { tier: clampTier(best.tier, this.config.tiers), ruleId: best.id, label: best.label, reason: best.reason };
  }

  isVip(from: string, attributes: CallAttributes): boolean {
    if (attributes.vip === true) return true;
    if (typeof attributes.customerValue === 'string' && this.vipValues.has(attributes.customerValue)) return true;
    return this.vipNumbers.has(normaliseNumber(from));
  }

  private matches(when: TierCondition, input: TierInput): boolean {
    if (when.ivrPath && !startsWith(input.ivrPath, when.ivrPath)) return false;
    if (when.queues && !when.queues.includes(input.queue)) return false;
    if (when.vip !== undefined && this.isVip(input.from, input.attributes) !== when.vip) return false;
    if (when.repeat) {
      const since = input.at - when.repeat.withinHours * HOUR_MS;
      let count = 0;
      for (let i = input.recentArrivals.length - 1; i >= 0 && input.recentArrivals[i] >= since; i--) count++;
      if (count < when.repeat.minCalls) return false;
    }
    if (when.impactAtLeast !== undefined) {
      const impact = Number(input.attributes.impact);
      if (!(impact >= when.impactAtLeast)) return false;
    }
    if (when.attribute && input.attributes[when.attribute.name] !== when.attribute.equals) return false;
    return true;
  }
}

export function clampTier(tier: number, tiers: number): number {
  return Math.min(Math.max(1, Math.round(tier)), tiers);
}

function startsWith(path: string[], prefix: string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** Compare numbers digit-for-digit, so "+55 11 98888-7777" and "+5511988887777" are the same caller. */
function normaliseNumber(n: string): string {
  return n.startsWith('client:') ? n : n.replace(/[^\d+]/g, '');
}

/**
 * Remembers recent arrivals per number for repeat-caller rules. Old arrivals are
 * forgotten in arrival order, so memory stays bounded by the calls of the window.
 */
export class RepeatMemory {
  private readonly byNumber = new Map<string, number[]>();
  private readonly fifo: { number: string; at: number }[] = [];
  private head = 0;

  constructor(private readonly memoryMs: number) {}

  record(number: string, at: number): number[] {
    this.forget(at);
    const key = normaliseNumber(number);
    let list = this.byNumber.get(key);
    if (!list) this.byNumber.set(key, (list = []));
    list.push(at);
    this.fifo.push({ number: key, at });
    return list;
  }

  recent(number: string): number[] {
    return this.byNumber.get(normaliseNumber(number)) ?? [];
  }

  /** Arrivals not yet forgotten, oldest first, as [normalised number, at]: the per-number lists follow from them. */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (let i = this.head; i < this.fifo.length; i++) out.push([this.fifo[i].number, this.fifo[i].at]);
    return out;
  }

  /** Refills an empty memory from `entries()`. */
  restore(entries: readonly (readonly [string, number])[]): void {
    for (const [number, at] of entries) {
      let list = this.byNumber.get(number);
      if (!list) this.byNumber.set(number, (list = []));
      list.push(at);
      this.fifo.push({ number, at });
    }
  }

  private forget(now: number): void {
    const cutoff = now - this.memoryMs;
    while (this.head < this.fifo.length && this.fifo[this.head].at < cutoff) {
      const { number } = this.fifo[this.head++];
      const list = this.byNumber.get(number);
      if (list) {
        list.shift();
        if (list.length === 0) this.byNumber.delete(number);
      }
    }
    if (this.head > 4096 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head);
      this.head = 0;
    }
  }
}
