// Random event streams, many seeds: whatever the order of events, the core never
// reaches a state a supervisor would see as wrong, and replaying gives the same day.
import { describe, expect, it } from 'vitest';
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import type { DomainEvent } from '../../routing/types.ts';
import { T0, centerConfig, metricsSettings } from '../helpers/core.ts';
import { stream } from '../helpers/streams.ts';


function feed(core: RoutingCore, events: DomainEvent[]): { refused: number; decisions: string[] } {
  let refused = 0;
  const decisions: string[] = [];
  for (const e of events) {
    try {
      for (const d of core.apply(e).decisions) decisions.push(JSON.stringify(d));
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      refused++;
      for (const d of (err as RoutingError & { advanced?: unknown[] }).advanced ?? []) decisions.push(JSON.stringify(d));
    }
  }
  return { refused, decisions };
}

function checkInvariants(core: RoutingCore): void {
  const agents = core.agentList();
  for (const a of agents) {
    if (a.status === 'ringing' || a.status === 'on-call') {
      // An agent shown on a call really has that call, and the call points back at them.
      const c = core.call(a.callId!);
      expect(c, `agent ${a.id} ${a.status}`).not.toBeNull();
      expect(c!.agentId).toBe(a.id);
      expect(c!.status).toBe(a.status === 'ringing' ? 'offering' : 'connected');
    }
    if (a.status === 'available' || a.status === 'away' || a.status === 'offline') expect(a.callId).toBeNull();
  }
  const counts = core.agentCountsByStatus();
  for (const s of Object.keys(counts) as (keyof typeof counts)[]) {
    expect(counts[s], s).toBe(agents.filter((a) => a.status === s).length);
  }
  const waiting = core.waitingCalls();
  expect(waiting.length).toBe(core.waitingCount());
  expect(core.waitingByTier().reduce((x, y) => x + y, 0)).toBe(waiting.length);
  for (const c of waiting) expect(c.status).toBe('queued');
  const longest = core.longestWaitStart();
  expect(longest).toBe(waiting.length ? Math.min(...waiting.map((c) => c.queuedAt!)) : null);
  // Nobody waits while an eligible agent of the call's own level sits free.
  const free = agents.filter((a) => a.status === 'available');
  for (const c of waiting) {
    const idle = free.filter((a) => a.skills.includes(c.queue!) && a.level >= c.level && a.level <= c.maxLevel && !c.missedBy.includes(a.id));
    expect(idle.map((a) => a.id), `call ${c.id} waits`).toEqual([]);
  }
  const today = core.metrics.read({ kind: 'center' }, 'today');
  expect(today.offered).toBe(today.answered + today.abandoned);
  expect(today.answeredWithinThreshold).toBeLessThanOrEqual(today.answered);
}

describe('random event streams', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('seed %i keeps every invariant and replays identically', (seed) => {
    const events = stream(seed, 600);
    const one = new RoutingCore(centerConfig({ missDelaySeconds: 0 }), metricsSettings(), T0);
    let refusedTotal = 0;
    for (let i = 0; i < events.length; i += 50) {
      refusedTotal += feed(one, events.slice(i, i + 50)).refused;
      checkInvariants(one);
    }
    expect(refusedTotal).toBeGreaterThan(0);
    const two = new RoutingCore(centerConfig({ missDelaySeconds: 0 }), metricsSettings(), T0);
    const replay = feed(two, events);
    const first = new RoutingCore(centerConfig({ missDelaySeconds: 0 }), metricsSettings(), T0);
    expect(replay.decisions).toEqual(feed(first, events).decisions);
    expect(two.agentList()).toEqual(one.agentList());
    expect(two.waitingCalls()).toEqual(one.waitingCalls());
    expect(two.metrics.read({ kind: 'center' }, 'today')).toEqual(one.metrics.read({ kind: 'center' }, 'today'));
  });
});
