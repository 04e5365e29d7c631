// The indexes that keep routing decisions logarithmic: waiting calls per
// (queue, level) ordered by tier then wait, free agents per (queue, level)
// ordered by the routing strategy. Entries are never removed eagerly: each one
// carries the version of its call or agent at push time and is skipped once stale.
import { Heap } from './heap.ts';
import type { AgentState, CallState } from './state.ts';
import type { RoutingStrategy } from './types.ts';

interface CallEntry { call: CallState; version: number; tier: number; orderAt: number; seq: number }
interface AgentEntry { agent: AgentState; version: number; k1: number; k2: number }

const callBefore = (a: CallEntry, b: CallEntry): boolean =>
  a.tier !== b.tier ? a.tier < b.tier : a.orderAt !== b.orderAt ? a.orderAt < b.orderAt : a.seq < b.seq;

const agentBefore = (a: AgentEntry, b: AgentEntry): boolean =>
  a.k1 !== b.k1 ? a.k1 < b.k1 : a.k2 !== b.k2 ? a.k2 < b.k2 : a.agent.index < b.agent.index;

function liveCall(e: CallEntry, level: number): boolean {
  const c = e.call;
  return c.version === e.version && c.status === 'queued' && level >= c.level && level <= c.maxLevel;
}

/** Waiting calls, one heap per (queue, level) the call may be answered at. */
export class CallIndex {
  /** queue → level → heap; nested rather than a composite string key, so a look-up allocates nothing. */
  private readonly heaps = new Map<string, Heap<CallEntry>[]>();
  private readonly oldest = new Map<string, Heap<CallEntry>>();
  private readonly centerOldest = new Heap<CallEntry>((a, b) => a.orderAt !== b.orderAt ? a.orderAt < b.orderAt : a.seq < b.seq);
  /** Waiting counts per queue per tier (index = tier). */
  readonly counts = new Map<string, number[]>();
  /** Insertion-ordered set of waiting calls, for listings. */
  readonly waiting = new Set<CallState>();

  constructor(private readonly tiers: number) {}

  add(call: CallState): void {
    const q = call.queue!;
    for (let level = call.level; level <= call.maxLevel; level++) this.pushAt(call, level);
    const byWait: CallEntry = { call, version: call.version, tier: 0, orderAt: call.queuedAt!, seq: call.seq };
    this.oldestHeap(q).push(byWait);
    this.centerOldest.push(byWait);
    this.countsFor(q)[call.tier]++;
    this.waiting.add(call);
  }

  /** Called after the call's version was bumped (it left the queue or is about to be re-added). */
  remove(call: CallState, tier: number): void {
    if (!this.waiting.delete(call)) return;
    this.countsFor(call.queue!)[tier]--;
  }

  /** A call whose maxLevel grew becomes visible to agents of the new level. */
  widen(call: CallState, level: number): void {
    this.pushAt(call, level);
  }

  /** Best live call for an agent of this level in this queue, skipping one excluded agent's calls. */
  best(queue: string, level: number, agentId: string): CallState | null {
    const heap = this.heaps.get(queue)?.[level];
    if (!heap) return null;
    this.clean(heap, level);
    const top = heap.peek();
    if (!top) return null;
    if (top.call.excludedAgent !== agentId) return top.call;
    // Rare: the head refused this very agent a moment ago; look one deeper.
    const held: CallEntry[] = [heap.pop()!];
    let found: CallState | null = null;
    for (let i = 0; i < 8; i++) {
      this.clean(heap, level);
      const next = heap.peek();
      if (!next) break;
      if (next.call.excludedAgent !== agentId) { found = next.call; break; }
      held.push(heap.pop()!);
    }
    for (const e of held) heap.push(e);
    return found;
  }

  longestWaitStart(queue?: string): number | null {
    const heap = queue === undefined ? this.centerOldest : this.oldest.get(queue);
    if (!heap) return null;
    while (heap.size > 0) {
      const top = heap.peek()!;
      if (top.call.version === top.version && top.call.status === 'queued') return top.orderAt;
      heap.pop();
    }
    return null;
  }

  countsFor(queue: string): number[] {
    let c = this.counts.get(queue);
    if (!c) this.counts.set(queue, (c = new Array(this.tiers + 1).fill(0)));
    return c;
  }

  private pushAt(call: CallState, level: number): void {
    let byLevel = this.heaps.get(call.queue!);
    if (!byLevel) this.heaps.set(call.queue!, (byLevel = []));
    let heap = byLevel[level];
    if (!heap) heap = byLevel[level] = new Heap(callBefore);
    heap.push({ call, version: call.version, tier: call.tier, orderAt: call.orderAt, seq: call.seq });
    if (heap.size > 1024 && heap.size > 4 * this.waiting.size) heap.retain((e) => liveCall(e, level));
  }

  private oldestHeap(queue: string): Heap<CallEntry> {
    let heap = this.oldest.get(queue);
    if (!heap) this.oldest.set(queue, (heap = new Heap((a, b) => a.orderAt !== b.orderAt ? a.orderAt < b.orderAt : a.seq < b.seq)));
    return heap;
  }

  private clean(heap: Heap<CallEntry>, level: number): void {
    while (heap.size > 0 && !liveCall(heap.peek()!, level)) heap.pop();
  }
}

/** Free agents, one heap per (queue, level), ordered by the routing strategy. */
export class AgentIndex {
  private readonly heaps = new Map<string, Heap<AgentEntry>[]>();
  private liveCount = 0;

  constructor(private strategy: RoutingStrategy) {}

  setStrategy(strategy: RoutingStrategy, agents: Iterable<AgentState>, isFree: (a: AgentState) => boolean): void {
    this.strategy = strategy;
    this.heaps.clear();
    for (const a of agents) if (isFree(a)) this.add(a);
  }

  add(agent: AgentState): void {
    const [k1, k2] = this.keys(agent);
    this.liveCount++;
    for (const q of agent.config.skills) {
      const level = agent.config.level;
      let byLevel = this.heaps.get(q);
      if (!byLevel) this.heaps.set(q, (byLevel = []));
      let heap = byLevel[level];
      if (!heap) heap = byLevel[level] = new Heap(agentBefore);
      heap.push({ agent, version: agent.version, k1, k2 });
      if (heap.size > 1024 && heap.size > 4 * this.liveCount) heap.retain((e) => isLive(e));
    }
  }

  /** The caller bumps agent.version; this only keeps the compaction heuristic honest. */
  removed(): void { this.liveCount = Math.max(0, this.liveCount - 1); }

  best(queue: string, level: number, excluded: string | null): AgentState | null {
    const heap = this.heaps.get(queue)?.[level];
    if (!heap) return null;
    while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop();
    const top = heap.peek();
    if (!top) return null;
    if (top.agent.config.id !== excluded) return top.agent;
    const held = heap.pop()!;
    while (heap.size > 0 && !isLive(heap.peek()!)) heap.pop();
    const next = heap.peek();
    heap.push(held);
    return next ? next.agent : null;
  }

  /** Strategy order as two numbers, compared lexicographically; smaller goes first. */
  keys(agent: AgentState): [number, number] {
    switch (this.strategy) {
      case 'fewest-calls': return [agent.callsHandled, agent.idleSince];
      case 'round-robin': return [agent.lastOfferSeq, agent.index];
      default: return [agent.idleSince, agent.index];
    }
  }
}

function isLive(e: AgentEntry): boolean {
  const a = e.agent;
  return a.version === e.version && a.status === 'available';
}
