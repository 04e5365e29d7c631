// Maps the routing core's reads onto the wallboard contract in ../contract.ts.
import { forecastBreach, type BreachOutlook } from '../../routing/breach.ts';
import { breachInputOf } from '../../routing/breach-inputs.ts';
import type { RoutingCore } from '../../routing/core.ts';
import type { Figures } from '../../routing/metrics/index.ts';
import type { AgentStatus } from '../../routing/types.ts';
import type {
  ColourBands, Feedback, History, QueueBlock, ServiceLevelSetting, Snapshot, WindowFigures,
} from '../contract.ts';

export interface SnapshotOptions {
  now: number;
  demo: boolean;
  centerName: string;
  /** The center's time zone (settings.timezone). */
  timezone?: string;
  colours: ColourBands;
  serviceLevel: ServiceLevelSetting;
}

export const DEFAULT_COLOURS: ColourBands = {
  serviceLevel: { amberFrom: 0.7 },
  longestWaitSeconds: { amberAbove: 30, redAbove: 60 },
  abandonRate: { amberAbove: 0.05, redAbove: 0.1 },
  waiting: { amberAbove: 3, redAbove: 6 },
};

const STATES: AgentStatus[] = ['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'away'];

function emptyCounts(): Record<AgentStatus, number> {
  return { offline: 0, available: 0, ringing: 0, 'on-call': 0, 'wrap-up': 0, away: 0 };
}

/** Keeps the first 5 and last 4 characters (ignoring separators), masks the digits in between. */
export function maskCaller(from: string): string {
  const digits = from.replace(/[^\d]/g, '');
  const plus = from.trim().startsWith('+') ? '+' : '';
  if (digits.length < 6) return plus + '*'.repeat(digits.length);
  if (plus && digits.startsWith('55') && digits.length >= 12) {
    // Brazilian: +55 AA 9****-1234
    const area = digits.slice(2, 4);
    const rest = digits.slice(4);
    const last = rest.slice(-4);
    const first = rest.slice(0, 1);
    return `+55 ${area} ${first}${'*'.repeat(rest.length - 5)}-${last}`;
  }
  const keepHead = Math.min(4, Math.floor(digits.length / 3));
  return plus + digits.slice(0, keepHead) + '*'.repeat(digits.length - keepHead - 4) + digits.slice(-4);
}

function window(f: Figures): WindowFigures {
  return {
    withinLegal: f.withinLegal,
    legalBreaches: f.legalBreaches,
    offered: f.offered,
    answered: f.answered,
    abandoned: f.abandoned,
    shortAbandoned: f.shortAbandoned,
    answeredWithinThreshold: f.answeredWithinThreshold,
    serviceLevel: f.serviceLevel,
    tmaSeconds: f.tmaSeconds,
    asaSeconds: f.asaSeconds,
    abandonRate: f.abandonRate,
    handled: f.handled,
    occupancy: f.occupancy,
  };
}

function feedback(f: Figures): Feedback {
  return {
    nps: { score: f.nps.score, band: f.nps.band, responses: f.nps.responses },
    csat: { score: f.csat.score, responses: f.csat.responses },
    fcr: { rate: f.fcr.rate, responses: f.fcr.responses },
  };
}

const secondsSince = (now: number, start: number | null): number | null =>
  start === null ? null : Math.max(0, Math.floor((now - start) / 1000));

/**
 * Callers on the line and callbacks apart: the core keeps a waiting callback in its queue's
 * order (it keeps its place), the wallboard counts it separately.
 */
function lineAndCallbacks(core: RoutingCore, now: number, queue?: string) {
  const cb = core.callbacksWaiting(queue);
  const byTier = core.waitingByTier(queue).map((n, i) => n - (cb.inLineByTier[i] ?? 0));
  return {
    waiting: core.waitingCount(queue) - cb.inLine,
    waitingByTier: byTier,
    longestWaitSeconds: secondsSince(now, core.lineWaitStart(queue)),
    callbacksWaiting: cb.waiting,
    oldestCallbackWaitSeconds: secondsSince(now, cb.oldestQueuedAt),
  };
}

/** A queue's SAC state: open or closed (why, until when), its legal wait limit. */
function queueSac(core: RoutingCore, id: string) {
  const st = core.queueState(id);
  return {
    open: st.open,
    closedReason: st.reason,
    nextOpeningAt: st.until,
    emergency: st.emergency,
    legalWaitSeconds: core.metrics.legalWaitSeconds(id),
  };
}

/** The breach warning's fields of a scope (routing/breach.ts). */
const breachFields = (o: BreachOutlook | undefined) => ({
  breachInMinutes: o?.breachInMinutes ?? null,
  breachPrevention: o?.prevention ?? null,
});

export function buildSnapshot(core: RoutingCore, opts: SnapshotOptions): Snapshot {
  const { now } = opts;
  // Projected from the core's own clock (the snapshot's `now` may run ahead of it between events).
  const breach = forecastBreach(breachInputOf(core));
  const cfg = core.routingConfig();
  const agents = core.agentList();
  const queues = core.queueConfigs();

  const centerRolling = core.metrics.read({ kind: 'center' }, 'rolling');
  const centerToday = core.metrics.read({ kind: 'center' }, 'today');
  const centerAgents = emptyCounts();
  const counts = core.agentCountsByStatus();
  for (const s of STATES) centerAgents[s] = counts[s as AgentStatus] ?? 0;

  const queueBlocks: QueueBlock[] = queues.map((q) => {
    const rolling = core.metrics.read({ kind: 'queue', id: q.id }, 'rolling');
    const today = core.metrics.read({ kind: 'queue', id: q.id }, 'today');
    const perSkill = emptyCounts();
    for (const a of agents) if (a.skills.includes(q.id)) perSkill[a.status]++;
    return {
      id: q.id,
      name: q.name,
      language: q.language ?? null,
      thresholdSeconds: rolling.thresholdSeconds,
      target: rolling.target,
      rolling: window(rolling),
      today: window(today),
      ...lineAndCallbacks(core, now, q.id),
      ...queueSac(core, q.id),
      agents: perSkill,
      ...breachFields(breach.queues[q.id]),
      ...feedback(rolling),
    };
  });

  // Waiting callers plus the ones ringing an agent right now, longest wait first.
  const calls = core.waitingCalls(50);
  for (const a of agents) {
    if (a.status !== 'ringing' || !a.callId) continue;
    const c = core.call(a.callId);
    if (c && c.status === 'offering') calls.push(c);
  }
  const startOf = (c: { queuedAt: number | null; arrivedAt: number }) => c.queuedAt ?? c.arrivedAt;
  calls.sort((x, y) => startOf(x) - startOf(y));
  if (calls.length > 50) calls.length = 50;
  return {
    type: 'snapshot',
    serverTime: now,
    demo: opts.demo,
    centerName: opts.centerName,
    ...(opts.timezone ? { timezone: opts.timezone } : {}),
    tiers: cfg.tiers,
    serviceLevel: opts.serviceLevel,
    colours: opts.colours,
    center: {
      rolling: window(centerRolling),
      today: window(centerToday),
      ...lineAndCallbacks(core, now),
      agents: centerAgents,
      ...breachFields(breach.center),
      ...feedback(centerRolling),
    },
    queues: queueBlocks,
    agents: agents.map((a) => {
      const call = a.callId ? core.call(a.callId) : null;
      return {
        id: a.id,
        name: a.name,
        state: a.status,
        stateSeconds: Math.max(0, Math.floor((now - a.since) / 1000)),
        reason: a.reason,
        level: a.level,
        skills: a.skills.slice(),
        callTier: a.callTier,
        callQueue: call?.queue ?? null,
      };
    }),
    waitingCalls: calls.map((c) => ({
      callId: c.id,
      caller: maskCaller(c.from),
      queue: c.queue ?? '',
      tier: c.tier ?? cfg.tiers,
      reason: c.tierRule ? { label: c.tierRule.label, kind: c.tierRule.reason } : { label: 'Padrão', kind: 'default' },
      waitSeconds: Math.max(0, Math.floor((now - startOf(c)) / 1000)),
      level: c.level,
      ringing: c.status === 'offering',
      ...(c.callback ? { callback: true } : {}),
    })),
    recentAbandons: core.recentAbandons(10).map((r) => ({
      at: r.at,
      waitSeconds: Math.round(r.waitMs / 1000),
      queue: r.queue,
      tier: r.tier,
    })),
    breachHorizonMinutes: breach.horizonMinutes,
  };
}

/** `waitingSamples` (time → waiting count) lets the server supply the waiting line the metrics core does not keep. */
export function buildHistory(core: RoutingCore, now: number, waitingSamples?: { at: number; waiting: number }[]): History {
  const intervals = core.metrics.intervals().map((iv) => ({
    start: iv.start,
    end: iv.end,
    offered: iv.center.offered,
    answered: iv.center.answered,
    abandoned: iv.center.abandoned,
    serviceLevel: iv.center.serviceLevel,
  }));
  const s = core.metrics.series();
  const at = s.at.slice();
  const serviceLevel = s.serviceLevel.slice();
  const waiting = at.map((t) => {
    if (!waitingSamples || waitingSamples.length === 0) return 0;
    let v = 0;
    for (const p of waitingSamples) { if (p.at <= t) v = p.waiting; else break; }
    return v;
  });
  // live tip
  at.push(now);
  serviceLevel.push(core.metrics.read({ kind: 'center' }, 'rolling').serviceLevel);
  waiting.push(core.waitingCount());
  return { type: 'history', intervals, series: { at, serviceLevel, waiting } };
}
