// A snapshot is the whole core: over random event streams, snapshot() at random cuts →
// JSON text → fromSnapshot → the rest of the stream gives exactly what the core that saw
// every event gives: the same decisions and refusals, the same reads (agents, calls,
// waiting lists, deadlines, every metrics window and interval), the same final snapshot.
import { describe, expect, it } from 'vitest';
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import type { MetricsSettings, Scope } from '../../routing/metrics/index.ts';
import { SNAPSHOT_VERSION, SnapshotError, type CoreSnapshot } from '../../routing/snapshot.ts';
import type { AgentConfig, DomainEvent, LiveRoutingSettings, QueueConfig } from '../../routing/types.ts';
import { mulberry32 } from '../../sim/random.ts';
import { T0, centerConfig, metricsSettings } from '../helpers/core.ts';
import { AGENTS, QUEUES, stream } from '../helpers/streams.ts';

const H = 3_600_000;
const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const ALL_AGENTS = [...AGENTS, 'dora', 'edu'];
const TIERS: Scope[] = [1, 2, 3].map((tier) => ({ kind: 'tier', tier }));

type Step = { event: DomainEvent } | { advance: number };

const STRATEGIES = ['longest-idle', 'fewest-calls', 'round-robin'] as const;

function newCore(seed: number): RoutingCore {
  // Misses pause an agent (unblock deadlines) and two in a row send them away.
  const config = centerConfig({ missDelaySeconds: 15, maxConsecutiveMisses: 2, strategy: STRATEGIES[seed % 3] });
  return new RoutingCore(config, metricsSettings(), T0);
}

/**
 * The core property test's stream (implausible events and Twilio retries included), mixed
 * with what it lacks for a snapshot: plausible next events chosen from a driver core's
 * state (answer the ringing offer, hold or end a live call, ready after wrap-up, miss an
 * offer), live config and metrics changes, moves, explicit offers, agents configured and
 * added, escalations across queues, bare `advance` calls, and gaps of hours (windows
 * refill, intervals close, the day resets, sometimes in another time zone).
 */
function steps(seed: number, length: number): Step[] {
  const rnd = mulberry32(seed * 7919 + 17);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const some = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(() => rnd() < 0.5)) as Partial<T>;
  let calls = 0;
  let n = 0;

  const liveRouting = (): LiveRoutingSettings => {
    const queues: QueueConfig[] = QUEUES.map((id) => ({
      id, name: id, weight: int(0, 3), maxWaiting: pick([undefined, undefined, 2, 4]),
      maxEstimatedWaitSeconds: pick([undefined, undefined, 120]), overflowQueue: pick([undefined, null, ...QUEUES]),
    }));
    // Listed in another order: routing keeps the order of the settings at start.
    queues.sort(() => rnd() - 0.5);
    return some({
      agingSeconds: pick([[null, 120, 180], [null, 30, 45], [null, null, 20]]),
      offerTimeoutSeconds: pick([10, 20, 40]),
      wrapUpSeconds: pick([0, 10, 30]),
      levelWideningSeconds: pick([null, 30, 60]),
      maxConsecutiveMisses: pick([1, 2, 3]),
      missDelaySeconds: pick([0, 10, 30]),
      tierRules: centerConfig().tierRules.filter(() => rnd() < 0.6),
      vipNumbers: pick([[], ['+5511900000003']]),
      queues,
    });
  };
  const liveMetrics = (): MetricsSettings => metricsSettings({
    thresholdSeconds: pick([10, 20, 30]), target: pick([0.7, 0.8, 0.9]),
    formula: pick(['offered', 'answered', 'abandonsWithinThresholdMet', 'abandonsWithinThresholdNeutral'] as const),
    shortAbandonSeconds: pick([0, 0, 5]), windowMinutes: pick([1, 5, 30]), intervalMinutes: pick([5, 15, 30]),
    timezone: pick(['America/Sao_Paulo', 'America/Sao_Paulo', 'America/New_York', 'Asia/Kolkata']),
    todayResetsAt: pick(['00:00', '00:00', '09:30', '23:45']),
  });

  const extra = (at: number): DomainEvent => {
    const base = { id: `x${seed}-${n++}`, at };
    // Mostly the latest callers, who are still waiting or talking.
    const callId = `c${rnd() < 0.7 ? Math.max(0, calls - int(0, 4)) : int(0, calls)}`;
    const r = rnd();
    if (r < 0.1) return { ...base, type: 'config.changed', routing: liveRouting() };
    if (r < 0.16) return { ...base, type: 'config.changed', routing: rnd() < 0.5 ? liveRouting() : undefined, metrics: liveMetrics() };
    if (r < 0.3) return { ...base, type: 'call.hold', callId, onHold: rnd() < 0.6 };
    if (r < 0.4) return { ...base, type: 'call.moved', callId, queue: pick([undefined, ...QUEUES]), tier: pick([undefined, 1, 2, 3]) };
    if (r < 0.52) return { ...base, type: 'call.offered', callId, agentId: pick(ALL_AGENTS) };
    if (r < 0.62) {
      const skills = QUEUES.filter(() => rnd() < 0.6);
      if (skills.length && rnd() < 0.2) skills.push(skills[0]); // a skill listed twice
      const agent: AgentConfig = { id: pick(ALL_AGENTS), name: 'x', skills, level: int(1, 3) };
      return { ...base, type: 'agent.configured', agent };
    }
    if (r < 0.8) return { ...base, type: 'agent.state', agentId: pick(ALL_AGENTS), state: pick(['available', 'available', 'away', 'offline'] as const) };
    if (r < 0.9) return { ...base, type: 'call.escalated', callId, toLevel: int(2, 3), queue: pick([undefined, ...QUEUES]), note: 'n' };
    return { ...base, type: 'call.offer-missed', callId, reason: pick(['not-delivered', 'busy', 'timeout'] as const) };
  };

  /** An event that fits the state the stream has reached, or null when nothing fits. */
  const plausible = (core: RoutingCore, at: number): DomainEvent | null => {
    const base = { id: `p${seed}-${n++}`, at };
    const agents = core.agentList();
    const one = (...statuses: string[]) => {
      const xs = agents.filter((a) => statuses.includes(a.status));
      return xs.length ? pick(xs) : null;
    };
    const r = rnd();
    if (r < 0.25) { const a = one('ringing'); return a && { ...base, type: 'call.answered', callId: a.callId!, agentId: a.id }; }
    if (r < 0.33) { const a = one('ringing'); return a && { ...base, type: 'call.offer-missed', callId: a.callId!, reason: pick(['no-answer', 'busy', 'not-delivered'] as const) }; }
    if (r < 0.48) { const a = one('on-call'); return a && { ...base, type: 'call.hold', callId: a.callId!, onHold: rnd() < 0.6 }; }
    if (r < 0.63) { const a = one('on-call'); return a && { ...base, type: 'call.ended', callId: a.callId!, by: pick(['agent', 'caller'] as const) }; }
    if (r < 0.73) { const a = one('wrap-up'); return a && { ...base, type: 'agent.ready', agentId: a.id }; }
    if (r < 0.83) { const a = one('offline', 'away'); return a && { ...base, type: 'agent.state', agentId: a.id, state: 'available' }; }
    if (r < 0.9) { const c = core.waitingCalls(1)[0]; return c ? { ...base, type: 'call.abandoned', callId: c.id } : null; }
    const ended = core.call(`c${Math.max(0, calls - int(0, 6))}`);
    if (!ended || ended.status !== 'ended') return null;
    return rnd() < 0.5
      ? { ...base, type: 'call.survey', callId: ended.id, nps: int(0, 10), csat: int(1, 5) }
      : { ...base, type: 'call.disposition', callId: ended.id, resolvedFirstContact: rnd() < 0.7 };
  };

  /** The SAC's events: closures by the schedule and supervisors, callbacks asked for, placed and failed, drops. */
  const sacEvent = (core: RoutingCore, at: number): DomainEvent | null => {
    const base = { id: `q${seed}-${n++}`, at };
    const r = rnd();
    if (r < 0.14) {
      return {
        ...base, type: 'queue.closed', queue: pick(QUEUES), reason: pick(['hours', 'pane']), by: pick(['supervisor', 'schedule'] as const),
        emergency: rnd() < 0.3, until: rnd() < 0.5 ? at + int(10_000, 900_000) : undefined, waiting: pick([undefined, 'serve', 'offer-callback'] as const),
      };
    }
    if (r < 0.26) return { ...base, type: 'queue.opened', queue: pick(QUEUES), by: pick([undefined, 'schedule', 'supervisor'] as const) };
    if (r < 0.5) {
      const line = core.waitingCalls(6).filter((c) => c.callback === null);
      return line.length ? { ...base, type: 'call.callback-requested', callId: pick(line).id, number: `+5511988${int(100000, 999999)}` } : null;
    }
    if (r < 0.78) {
      // A callback being placed: the agent on the line (agent-first) or held ringing (customer-first).
      const placing = core.agentList().map((a) => a.callId && core.call(a.callId)).filter((c) => c && c.callback && !c.callback.reached && (c.status === 'connected' || c.status === 'offering'));
      const c = placing.length ? pick(placing) : null;
      return c ? { ...base, type: 'call.callback-attempt', callId: c.id, result: pick(['answered', 'no-answer', 'busy', 'failed'] as const) } : null;
    }
    if (r < 0.9) {
      const talking = core.agentList().filter((a) => (a.status === 'on-call' || a.status === 'wrap-up') && a.callId);
      return talking.length ? { ...base, type: 'call.dropped', callId: pick(talking).callId!, number: rnd() < 0.5 ? '+5511977776666' : undefined } : null;
    }
    const inIvr = `c${calls}`;
    const c = core.call(inIvr);
    return c && c.status === 'ivr'
      ? { ...base, type: 'call.callback-requested', callId: inIvr, number: c.from || '+5511900000000', queue: pick(QUEUES), notBefore: rnd() < 0.5 ? at + int(0, 600_000) : undefined }
      : null;
  };

  const driver = newCore(seed);
  const out: Step[] = [];
  const push = (s: Step) => { out.push(s); take(driver, s); };
  let shift = 0;
  for (const original of stream(seed, length)) {
    if (rnd() < 0.008) shift += int(2 * H, 26 * H);
    const e = shift ? { ...original, at: original.at + shift } : original;
    if (e.type === 'call.arrived') calls = Math.max(calls, Number(e.callId.slice(1)));
    const r = rnd();
    if (r < 0.08) push({ advance: e.at - int(0, 15_000) });
    else if (r < 0.22) push({ event: extra(e.at) });
    else if (r < 0.32) {
      const q = sacEvent(driver, e.at);
      if (q) push({ event: q });
    } else if (r < 0.66) {
      const p = plausible(driver, e.at);
      if (p) push({ event: p });
    }
    push({ event: e });
  }
  return out;
}

/** What one step answered: the outcome, or the refusal with what fell due before it. */
function take(core: RoutingCore, s: Step): unknown {
  if ('advance' in s) return core.advance(s.advance);
  try {
    return core.apply(s.event);
  } catch (err) {
    if (!(err instanceof RoutingError)) throw err;
    return { refused: err.code, message: err.message, advanced: (err as RoutingError & { advanced?: unknown }).advanced };
  }
}

/** Everything a caller can read off a core. */
function reads(core: RoutingCore, callIds: string[]): unknown {
  const m = core.metrics;
  const scopes: Scope[] = [{ kind: 'center' }, ...m.queueIds().map((id) => ({ kind: 'queue', id }) as Scope), ...TIERS];
  const waiting = core.waitingCalls();
  return {
    now: core.now, nextDeadline: core.nextDeadline(),
    agents: core.agentList(), counts: core.agentCountsByStatus(),
    waiting, positions: waiting.map((c) => core.positionOf(c.id)),
    byTier: core.waitingByTier(), longest: core.longestWaitStart(),
    queues: QUEUES.map((q) => ({
      waiting: core.waitingCalls(Infinity, q).map((c) => c.id), count: core.waitingCount(q), byTier: core.waitingByTier(q),
      longest: core.longestWaitStart(q), eta: core.estimatedWaitSeconds(q, 3),
    })),
    calls: callIds.map((id) => core.call(id)),
    abandons: core.recentAbandons(100),
    sac: [undefined, ...QUEUES].map((q) => ({
      state: q ? core.queueState(q) : null, callbacks: core.callbacksWaiting(q), line: core.lineWaitStart(q),
    })),
    config: core.routingConfig(), queueConfigs: core.queueConfigs(),
    metrics: {
      time: m.time, queueIds: m.queueIds(), intervals: m.intervals(), series: m.series(),
      scopes: scopes.map((scope) => ({
        scope, rolling: m.read(scope, 'rolling'), today: m.read(scope, 'today'),
        open: m.openInterval(scope), intervals: m.intervalFigures(scope),
      })),
    },
  };
}

const callIdsOf = (all: Step[]): string[] => {
  const ids = new Set<string>();
  for (const s of all) if ('event' in s && 'callId' in s.event) ids.add(s.event.callId);
  return [...ids];
};

/**
 * Structural equality as toEqual sees it (numbers by Object.is, undefined keys as absent),
 * without its cost; toEqual runs only on a mismatch, to print the diff.
 */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const defined = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = defined(a);
  if (ka.length !== defined(b).length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!same(actual, expected)) expect(actual, what).toEqual(expected);
}

/** JSON text and back: what a snapshot file gives a loader. */
const viaJson = (s: CoreSnapshot): unknown => JSON.parse(JSON.stringify(s));

/** Events after which the core holds short-lived state: on hold, paused after a miss, in wrap-up, ringing. */
const BRIEF_STATES = new Set(['call.hold', 'call.offer-missed', 'call.ended', 'call.answered', 'call.escalated']);

/** Uniform cuts, plus cuts right after events that leave short-lived state behind (a uniform cut rarely lands there). */
function cutsFor(seed: number, all: Step[]): number[] {
  const rnd = mulberry32(seed * 104729 + 3);
  const brief = all.flatMap((s, i) => ('event' in s && BRIEF_STATES.has(s.event.type) ? [i + 1] : []));
  const cuts: number[] = [];
  for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) cuts.push(Math.floor(rnd() * (all.length + 1)));
  for (let k = 1 + Math.floor(rnd() * 3); k > 0 && brief.length > 0; k--) cuts.push(brief[Math.floor(rnd() * brief.length)]);
  return [...new Set(cuts)].sort((a, b) => a - b);
}

describe('snapshot → JSON → fromSnapshot at random cuts', () => {
  it.each(SEEDS)('seed %i: the rest of the stream gives the same decisions, reads and final snapshot', (seed) => {
    const all = steps(seed, 600);
    const callIds = callIdsOf(all);
    const cuts = cutsFor(seed, all);

    const full = newCore(seed);
    let restored = newCore(seed);
    const fullOut: unknown[] = [];
    const restoredOut: unknown[] = [];
    let firstCut: { snapshot: CoreSnapshot; json: string } | null = null;
    const appliedIds: string[] = [];

    for (let i = 0; i <= all.length; i++) {
      if (cuts.includes(i)) {
        if (!firstCut) {
          const snapshot = full.snapshot();
          firstCut = { snapshot, json: JSON.stringify(snapshot) };
        }
        const json = JSON.stringify(restored.snapshot());
        const next = RoutingCore.fromSnapshot(JSON.parse(json));
        expectSame(reads(next, callIds), reads(restored, callIds), `seed ${seed} cut ${i}: reads right after the restore`);
        // An event seen before the snapshot, long ago or just now, is still a no-op after it.
        for (const id of [...appliedIds.slice(0, 2), ...appliedIds.slice(-5)]) {
          const again = all.find((s) => 'event' in s && s.event.id === id) as { event: DomainEvent };
          expect(next.apply(again.event), `seed ${seed} duplicate ${id}`).toEqual({ applied: false, decisions: [] });
        }
        expect(JSON.stringify(next.snapshot()), `seed ${seed} cut ${i}: snapshot of the restored core`).toBe(json);
        restored = next;
      }
      if (i === all.length) break;
      const s = all[i];
      fullOut.push(take(full, s));
      const out = take(restored, s);
      restoredOut.push(out);
      if ('event' in s && (out as { applied?: boolean }).applied) appliedIds.push(s.event.id);
    }

    expectSame(restoredOut, fullOut, `seed ${seed}: outcomes`);
    expectSame(reads(restored, callIds), reads(full, callIds), `seed ${seed}: reads at the end`);
    expectSame(viaJson(restored.snapshot()), viaJson(full.snapshot()), `seed ${seed}: final snapshot`);
    // A snapshot is a value: the core going on did not change the one taken at the cut.
    expect(JSON.stringify(firstCut!.snapshot)).toBe(firstCut!.json);
  });

  it('the cuts land on every kind of state a snapshot must carry', () => {
    const seen = {
      waiting: 0, agedOrMoved: 0, widened: 0, offering: 0, talking: 0, onHold: 0, wrapUp: 0, ended: 0, blocked: 0,
      pending: 0, repeatCallers: 0, liveConfig: 0, liveMetrics: 0, closedIntervals: 0, resetCrossed: 0, abandons: 0,
      callbackInLine: 0, callbackRetrying: 0, callbackPlaced: 0, droppedCallback: 0, closedQueue: 0, openedOverSchedule: 0,
    };
    for (const seed of SEEDS) {
      const all = steps(seed, 600);
      const cuts = cutsFor(seed, all);
      const core = newCore(seed);
      for (let i = 0; i < all.length; i++) {
        if (cuts.includes(i)) {
          const s = core.snapshot();
          const calls = s.calls.rows.map((r) => Object.fromEntries(s.calls.fields.map((f, k) => [f, r[k]])));
          const agents = s.agents.rows.map((r) => Object.fromEntries(s.agents.fields.map((f, k) => [f, r[k]])));
          const count = (xs: Record<string, unknown>[], p: (x: Record<string, unknown>) => boolean) => (xs.some(p) ? 1 : 0);
          seen.waiting += count(calls, (c) => c.status === 'queued');
          seen.agedOrMoved += count(calls, (c) => (c.tierRule as { reason?: string } | null)?.reason === 'aged' || (c.tierRule as { reason?: string } | null)?.reason === 'supervisor');
          seen.widened += count(calls, (c) => c.status === 'queued' && (c.maxLevel as number) > (c.level as number));
          seen.offering += count(calls, (c) => c.status === 'offering');
          seen.talking += count(calls, (c) => c.status === 'connected');
          seen.onHold += count(calls, (c) => c.holdStartedAt !== null);
          seen.ended += count(calls, (c) => c.status === 'ended');
          seen.wrapUp += count(agents, (a) => a.status === 'wrap-up');
          seen.blocked += count(agents, (a) => a.status === 'available' && (a.blockedUntil as number) > 0);
          seen.pending += count(agents, (a) => a.pending !== null);
          seen.repeatCallers += s.repeatCallers.length > 0 ? 1 : 0;
          seen.liveConfig += JSON.stringify(s.queues) !== JSON.stringify(s.config.queues) ? 1 : 0;
          seen.liveMetrics += s.metrics.settings.timezone !== 'America/Sao_Paulo' || s.metrics.settings.windowMinutes !== 30 ? 1 : 0;
          seen.closedIntervals += s.metrics.closed.length > 0 ? 1 : 0;
          seen.resetCrossed += s.now - T0 > 15 * H ? 1 : 0;
          seen.abandons += s.recentAbandons.length > 0 ? 1 : 0;
          type Cb = { retryAt: number | null; origin: string; reached: boolean } | null;
          const cb = (c: Record<string, unknown>) => c.callback as Cb;
          seen.callbackInLine += count(calls, (c) => c.status === 'queued' && cb(c) !== null && cb(c)!.retryAt === null);
          seen.callbackRetrying += count(calls, (c) => c.status === 'queued' && cb(c)?.retryAt != null);
          seen.callbackPlaced += count(calls, (c) => (c.status === 'connected' || c.status === 'offering') && cb(c) !== null);
          seen.droppedCallback += count(calls, (c) => c.status !== 'ended' && cb(c)?.origin === 'dropped');
          seen.closedQueue += s.queueStates.some((q) => q.schedule || q.supervisor) ? 1 : 0;
          seen.openedOverSchedule += s.queueStates.some((q) => q.override) ? 1 : 0;
        }
        take(core, all[i]);
      }
    }
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThanOrEqual(3);
  });
});

describe('fromSnapshot refuses what it cannot read', () => {
  const core = newCore(7);
  for (const s of steps(7, 300)) take(core, s);
  const good = () => viaJson(core.snapshot()) as Record<string, unknown> & CoreSnapshot;

  it('a snapshot from another version, with a message that says so', () => {
    expect(() => RoutingCore.fromSnapshot({ ...good(), version: SNAPSHOT_VERSION + 1 })).toThrow(SnapshotError);
    expect(() => RoutingCore.fromSnapshot({ ...good(), version: SNAPSHOT_VERSION + 1 })).toThrow(new RegExp(`version ${SNAPSHOT_VERSION + 1} cannot be read by this code \\(version ${SNAPSHOT_VERSION}\\)`));
    expect(() => RoutingCore.fromSnapshot({ ...good(), version: undefined })).toThrow(/version/);
  });

  it.each<[string, (s: ReturnType<typeof good>) => unknown]>([
    ['nothing at all', () => null],
    ['a string', () => 'snapshot'],
    ['another format', (s) => ({ ...s, format: 'other' })],
    ['no calls', (s) => ({ ...s, calls: undefined })],
    ['calls with another field list', (s) => ({ ...s, calls: { ...s.calls, fields: s.calls.fields.slice(1) } })],
    ['a call row cut short', (s) => ({ ...s, calls: { ...s.calls, rows: [...s.calls.rows, s.calls.rows[0].slice(1)] } })],
    ['a call with an unknown status', (s) => ({ ...s, calls: { ...s.calls, rows: s.calls.rows.map((r) => r.map((v, k) => (s.calls.fields[k] === 'status' ? 'lost' : v))) } })],
    ['an agent on a call that is not there', (s) => ({ ...s, agents: { ...s.agents, rows: s.agents.rows.map((r) => r.map((v, k) => (s.agents.fields[k] === 'callId' ? 'ghost' : v))) } })],
    ['a deadline of an unknown kind', (s) => ({ ...s, deadlines: { ...s.deadlines, rows: [[1, 1, 'sometime', 'x', 0]] } })],
    ['an ended call that is not there', (s) => ({ ...s, endedCalls: ['ghost'] })],
    ['a non-finite clock', (s) => ({ ...s, now: null })],
    ['metrics rows of the wrong width', (s) => ({ ...s, metrics: { ...s.metrics, center: { ...s.metrics.center, win: [1, 2] } } })],
    ['a ring cell outside the window', (s) => ({ ...s, metrics: { ...s.metrics, center: { ...s.metrics.center, ring: [1e9, 1] } } })],
    ['metrics settings with an unknown zone', (s) => ({ ...s, metrics: { ...s.metrics, settings: { ...s.metrics.settings, timezone: 'Mars/Olympus' } } })],
  ])('%s', (_what, breakIt) => {
    expect(() => RoutingCore.fromSnapshot(breakIt(good()))).toThrow(SnapshotError);
  });

  it('a good one round-trips', () => {
    expect(viaJson(RoutingCore.fromSnapshot(good()).snapshot())).toEqual(good());
  });
});

describe('the idempotency memory across a restore', () => {
  it('stays bounded, in arrival order, once it has wrapped', () => {
    const KEPT = 500_000;
    const core = newCore(1);
    core.apply({ id: 'arrive', at: T0, type: 'call.arrived', callId: 'c', from: '+5511900000001' });
    const ivr = (id: string): DomainEvent => ({ id, at: T0, type: 'call.ivr', callId: 'c', path: ['1'] });
    for (let i = 0; i < KEPT + 2; i++) core.apply(ivr(`e${i}`));
    // 'arrive', e0 and e1 have been forgotten; e2 is the oldest id remembered.
    const restored = RoutingCore.fromSnapshot(viaJson(core.snapshot()));
    for (const c of [core, restored]) {
      expect(c.apply(ivr('e2')).applied).toBe(false);
      expect(c.apply(ivr('e1')).applied).toBe(true); // forgotten, so applied again; e2 goes
      expect(c.apply(ivr('e2')).applied).toBe(true);
      expect(c.apply(ivr('e4')).applied).toBe(false);
    }
    expect(restored.snapshot().seenIds).toEqual(core.snapshot().seenIds);
  });
});
