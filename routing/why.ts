// "Por que esperou?": one call's story and, for every stretch of its waiting, why the router
// gave it no agent. Nothing is guessed: the log is replayed through a routing core up to the
// call's end, and at every change while the call waits (each event, each deadline the core
// fires) the core's own state is read: who holds the skill, who is logged in, at which
// level, busy with what, paused why; how many callers are ahead and of which tier; which
// agent the call is kept from after that agent missed its offer.
import type { RoutingCore } from './core.ts';
import { RoutingError } from './errors.ts';
import type { AgentStatus, CallView, Decision, DomainEvent } from './types.ts';

export interface AgentBrief {
  id: string;
  level: number;
  status: AgentStatus;
  /** Pause reason, or "no-answer" after a missed offer. */
  reason: string | null;
  /** The call they are ringing, on or wrapping up. */
  callId: string | null;
}

export type WaitReason =
  /** Nobody holding the queue's skill was logged in (those who hold it are listed). */
  | { kind: 'no-agent-logged-in'; skill: string; agentsWithSkill: string[] }
  /** Every logged-in agent with the skill was ringing, on a call, wrapping up or paused. */
  | { kind: 'all-busy'; agents: AgentBrief[] }
  /** The agents of the levels the call may go to were busy while others (other levels) were free. */
  | { kind: 'level-busy'; levels: { from: number; to: number }; busy: AgentBrief[]; free: AgentBrief[]; widensAt: number | null }
  /** Callers ahead of it in its queue, who get the next free agent first (byTier[0] = P1). */
  | { kind: 'callers-ahead'; count: number; byTier: number[] }
  /** The free agent was kept from this call for a while after missing its offer. */
  | { kind: 'excluded'; agentId: string };

export interface WaitStretch { from: number; to: number; seconds: number; reasons: WaitReason[] }

export interface TimelineEntry { at: number; what: string; [detail: string]: unknown }

export interface CallExplanation {
  callId: string;
  arrivedAt: number;
  /** When it ended (answered and hung up, abandoned, overflowed); null when still going at the replay's end. */
  endedAt: number | null;
  outcome: CallView['outcome'];
  /** Seconds from the first queue entry to the first answer (or to hanging up, or to now). */
  waitedSeconds: number | null;
  timeline: TimelineEntry[];
  waits: WaitStretch[];
}

const brief = (a: { id: string; level: number; status: AgentStatus; reason: string | null; callId: string | null }): AgentBrief =>
  ({ id: a.id, level: a.level, status: a.status, reason: a.reason, callId: a.callId });

/** The router's reasons for not giving this waiting call an agent, as of the core's state now. */
export function waitReasons(core: RoutingCore, call: CallView): WaitReason[] {
  const queue = call.queue!;
  const detail = core.waitingDetail(call.id);
  const agents = core.agentList().filter((a) => a.skills.includes(queue));
  const out: WaitReason[] = [];
  const loggedIn = agents.filter((a) => a.status !== 'offline');
  if (loggedIn.length === 0) {
    out.push({ kind: 'no-agent-logged-in', skill: queue, agentsWithSkill: agents.map((a) => a.id) });
  } else {
    const fits = (level: number) => level >= call.level && level <= call.maxLevel;
    const eligible = loggedIn.filter((a) => fits(a.level));
    const free = eligible.filter((a) => a.status === 'available');
    const othersFree = loggedIn.filter((a) => !fits(a.level) && a.status === 'available');
    if (free.length > 0) {
      for (const a of free) if (detail?.excludedAgent === a.id) out.push({ kind: 'excluded', agentId: a.id });
    } else if (othersFree.length > 0) {
      const w = core.routingConfig().levelWideningSeconds;
      const canWiden = w !== null && w > 0 && call.maxLevel < core.routingConfig().maxLevel && call.queuedAt !== null;
      out.push({
        kind: 'level-busy', levels: { from: call.level, to: call.maxLevel },
        busy: eligible.map(brief), free: othersFree.map(brief),
        widensAt: canWiden ? call.queuedAt! + (call.maxLevel - call.level + 1) * w! * 1000 : null,
      });
    } else {
      out.push({ kind: 'all-busy', agents: loggedIn.map(brief) });
    }
  }
  if (detail && detail.ahead.length > 0) {
    const byTier = new Array(core.routingConfig().tiers).fill(0);
    for (const t of detail.ahead) byTier[t - 1]++;
    out.push({ kind: 'callers-ahead', count: detail.ahead.length, byTier });
  }
  return out;
}

export interface ExplainInput {
  /** A core at the start of the log (or of a snapshot before the call arrived). */
  core: RoutingCore;
  callId: string;
  /** The log from where the core stands, oldest first (an async iterable: a store's log, read page by page). */
  events: Iterable<DomainEvent> | AsyncIterable<DomainEvent>;
  /** Replay up to here: the call's last logged event, or now for a call still going. */
  until: number;
}

export async function explainCall(input: ExplainInput): Promise<CallExplanation | null> {
  const { core, callId, until } = input;
  const timeline: TimelineEntry[] = [];
  const waits: WaitStretch[] = [];
  let open: { from: number; reasons: WaitReason[]; key: string } | null = null;
  let arrived = false;
  let ended = false;

  const close = (at: number) => {
    if (!open) return;
    waits.push({ from: open.from, to: at, seconds: (at - open.from) / 1000, reasons: open.reasons });
    open = null;
  };
  /** After every change: a new stretch when the call waits for other reasons than before. */
  const evaluate = (at: number) => {
    const c = core.call(callId);
    if (!c || c.status !== 'queued') { close(at); return; }
    const reasons = waitReasons(core, c);
    const key = JSON.stringify(reasons);
    if (open && open.key === key) return;
    close(at);
    open = { from: at, reasons, key };
  };
  const note = (decisions: Decision[], at: number) => {
    for (const d of decisions) {
      if (!('callId' in d) || d.callId !== callId) continue;
      switch (d.type) {
        case 'offer': timeline.push({ at, what: 'offered', agentId: d.agentId, queue: d.queue, tier: d.tier }); break;
        case 'offer-withdrawn': timeline.push({ at, what: 'offer-withdrawn', agentId: d.agentId, reason: d.reason }); break;
        case 'requeued': timeline.push({ at, what: 'requeued', reason: d.reason }); break;
        case 'tier-changed': timeline.push({ at, what: 'tier-changed', tier: d.tier, reason: d.reason }); break;
        case 'levels-widened': timeline.push({ at, what: 'levels-widened', maxLevel: d.maxLevel }); break;
        case 'overflow': timeline.push({ at, what: 'overflow', fromQueue: d.fromQueue, toQueue: d.toQueue, reason: d.reason }); break;
        default: break;
      }
    }
  };
  const told = (e: DomainEvent, before: CallView | null, at: number) => {
    const after = core.call(callId);
    switch (e.type) {
      case 'call.ivr': timeline.push({ at, what: 'ivr', path: e.path, language: e.language ?? null }); break;
      case 'call.queued':
        if (after?.queue) timeline.push({ at, what: 'queued', queue: after.queue, tier: after.tier, rule: after.tierRule });
        else timeline.push({ at, what: 'turned-away', queue: e.queue });
        break;
      case 'call.answered': timeline.push({ at, what: 'answered', agentId: before?.agentId ?? e.agentId ?? null }); break;
      case 'call.offer-missed': timeline.push({ at, what: 'missed', agentId: before?.agentId ?? e.agentId ?? null, reason: e.reason }); break;
      case 'call.hold': timeline.push({ at, what: e.onHold ? 'on-hold' : 'off-hold' }); break;
      case 'call.escalated': timeline.push({ at, what: 'escalated', toLevel: e.toLevel, note: e.note ?? null, queue: e.queue ?? before?.queue ?? null }); break;
      case 'call.moved': timeline.push({ at, what: 'moved', queue: after?.queue ?? null, tier: after?.tier ?? null }); break;
      case 'call.ended':
      case 'call.abandoned': {
        const waiting = before?.status === 'queued' || before?.status === 'offering';
        timeline.push(waiting ? { at, what: 'abandoned', by: 'caller' } : { at, what: before?.status === 'ivr' ? 'ended-in-ivr' : 'ended', by: e.type === 'call.ended' ? e.by : 'caller' });
        break;
      }
      case 'call.survey': timeline.push({ at, what: 'survey', nps: e.nps ?? null, csat: e.csat ?? null }); break;
      case 'call.disposition': timeline.push({ at, what: 'disposition', resolvedFirstContact: e.resolvedFirstContact }); break;
      default: break;
    }
  };

  const step = (t: number) => {
    let due: number | null;
    while ((due = core.nextDeadline()) !== null && due <= t) {
      note(core.advance(due).decisions, due);
      evaluate(due);
    }
  };

  for await (const e of input.events) {
    if (!arrived) {
      if (e.at > until) break;
      try { core.apply(e); } catch (err) { if (!(err instanceof RoutingError)) throw err; continue; }
      if (e.type === 'call.arrived' && e.callId === callId) {
        arrived = true;
        timeline.push({ at: Math.max(e.at, core.now), what: 'arrived', from: e.from });
      }
      continue;
    }
    if (e.at > until) break;
    step(e.at);
    const mine = 'callId' in e && e.callId === callId;
    const before = mine ? core.call(callId) : null;
    let decisions: Decision[];
    try { decisions = core.apply(e).decisions; } catch (err) { if (!(err instanceof RoutingError)) throw err; continue; }
    const at = Math.max(e.at, core.now);
    if (mine) told(e, before, at);
    note(decisions, at);
    evaluate(at);
    if (!ended && core.call(callId)?.status === 'ended') ended = true;
  }
  if (!arrived) return null;
  if (!ended) {
    step(until);
    if (core.now < until) note(core.advance(until).decisions, until);
    evaluate(until);
  }
  close(until);
  const view = core.call(callId);
  const endedEntry = [...timeline].reverse().find((t) => ['ended', 'abandoned', 'ended-in-ivr', 'turned-away'].includes(t.what) || (t.what === 'overflow' && t.toQueue === null));
  const queued = timeline.find((t) => t.what === 'queued');
  const stop = timeline.find((t) => t.what === 'answered' || t.what === 'abandoned') ?? (view?.status === 'queued' || view?.status === 'offering' ? { at: until } : null);
  return {
    callId,
    arrivedAt: timeline[0].at,
    endedAt: endedEntry?.at ?? null,
    outcome: view?.outcome ?? (endedEntry?.what === 'abandoned' ? 'abandoned' : null),
    waitedSeconds: queued && stop ? (stop.at - queued.at) / 1000 : null,
    timeline,
    waits,
  };
}
