// The what-if pass: the recorded day played again from the fork, through the same routing
// core, with the changes applied. A discrete-event loop in virtual time (as sim/virtual.ts):
// callers arrive and walk the IVR as they did; the core decides who gets whom; each offer
// ends as the caller's recorded offer of the same rank did, after as long; each answer is
// followed by what followed it that day (holds, hang-up, escalation, disposition), each
// end by its survey and the agent's "ready"; a waiting caller hangs up when their patience
// runs out. Agents log in, pause and leave at their recorded times, except where a change
// says otherwise. With no change every event lands at its recorded time in its recorded
// order, so the figures are the recorded ones, exactly (test/server/whatif).
import { RoutingCore } from '../core.ts';
import { RoutingError } from '../errors.ts';
import { Heap } from '../heap.ts';
import type { PatienceEstimate } from '../patience.ts';
import type { AgentConfig, AgentStatus, Decision, DomainEvent } from '../types.ts';
import { changedConfig, overriddenSettings, type WhatIfChange } from './changes.ts';
import { uniformFor } from './random.ts';
import { IntervalReader } from './reader.ts';
import { BREATHE_EVERY } from './record.ts';
import type { CallScript, DayReads, EventBody, RecordedDay, ScriptStep } from './types.ts';

export interface ReplayPlan {
  changes: readonly WhatIfChange[];
  seed: number;
  intervalMs: number;
  patience: PatienceEstimate;
  /** Local "HH:MM" on the replayed day → epoch ms. */
  timeOf(hhmm: string): number;
  onProgress?(fraction: number): void;
  /** Awaited every BREATHE_EVERY steps (see WhatIfInput.breathe). */
  breathe?(): Promise<void>;
}

type Kind = 'arrive' | 'step' | 'hangup' | 'answer' | 'miss' | 'segment' | 'after' | 'absolute' | 'verbatim' | 'back' | 'read';

interface Item {
  at: number;
  /** Log order among items at the same ms (synthetic ones after the logged ones, reads last). */
  rank: number;
  seq: number;
  kind: Kind;
  ref: string;
  /** Which offer / wait / answer the item belongs to: stale when the caller has moved on. */
  token: number;
  body?: EventBody;
}

type Phase = 'ivr' | 'queued' | 'ringing' | 'connected' | 'ended';

interface Track {
  script: CallScript;
  phase: Phase;
  offerToken: number;
  offers: number;
  answers: number;
  waits: number;
  waitStart: number;
  agentId: string | null;
}

/** Which agents a change takes away, and when. */
interface Absence { agentId: string; from: number; to: number }

export interface ReplayOutcome extends DayReads {
  /** The ids given to added agents, and the agents a "-N skill" change took away. */
  agentsAdded: string[];
  agentsRemoved: string[];
}

export async function replayWithChanges(day: RecordedDay, plan: ReplayPlan): Promise<ReplayOutcome> {
  const { changes, seed } = plan;
  const config = changedConfig(day.fork.config, changes);
  const core = RoutingCore.fromSnapshot({ ...day.fork, config });
  const queueIds = config.queues.map((q) => q.id);
  const reader = new IntervalReader(queueIds, plan.intervalMs, day.dayStart, day.endAt);
  const wrapChanged = changes.some((c) => c.kind === 'wrap-up');
  const overridden = overriddenSettings(changes);

  const heap = new Heap<Item>((a, b) => (a.at !== b.at ? a.at < b.at : a.rank !== b.rank ? a.rank < b.rank : a.seq < b.seq));
  let seq = 0;
  let synthetic = day.lastRank + 1;
  const schedule = (at: number, kind: Kind, ref: string, token = 0, rank = synthetic++, body?: EventBody) => {
    if (at >= day.endAt && kind !== 'read') return;
    heap.push({ at, rank, seq: seq++, kind, ref, token, body });
  };

  let ids = 0;
  let refused = 0;
  const apply = (body: EventBody, at: number): Decision[] | null => {
    try {
      return core.apply({ ...body, id: `whatif:${ids++}`, at } as DomainEvent).decisions;
    } catch (err) {
      if (!(err instanceof RoutingError)) throw err;
      refused++;
      return null;
    }
  };

  // ---- agents: added, changed, taken away ----------------------------------------------
  const dayFrom = (t: string | null) => (t === null ? day.dayStart : Math.max(day.dayStart, plan.timeOf(t)));
  const dayTo = (t: string | null) => (t === null ? day.endAt : Math.min(day.endAt, plan.timeOf(t)));
  const known = new Set(core.agentList().map((a) => a.id));
  const agentsAdded: string[] = [];
  const agentsRemoved: string[] = [];
  const overrides = new Map<string, { skills?: string[]; level?: number }>();
  const absences: Absence[] = [];
  const initial: EventBody[] = [];
  for (const c of changes) {
    switch (c.kind) {
      case 'add':
        for (let i = 0; i < c.count; i++) {
          let n = agentsAdded.length + 1;
          while (known.has(`whatif-${n}`)) n++;
          const id = `whatif-${n}`;
          known.add(id);
          agentsAdded.push(id);
          const agent: AgentConfig = { id, name: `What-if ${n}`, skills: [...c.skills], level: c.level };
          initial.push({ type: 'agent.configured', agent });
          const from = dayFrom(c.from);
          const to = dayTo(c.to);
          if (to > from) {
            schedule(from, 'verbatim', id, 0, -1, { type: 'agent.state', agentId: id, state: 'available' });
            if (to < day.endAt) schedule(to, 'verbatim', id, 0, -1, { type: 'agent.state', agentId: id, state: 'offline', reason: 'what-if' });
          }
        }
        break;
      case 'agent':
        overrides.set(c.agent, { ...overrides.get(c.agent), ...(c.skills ? { skills: c.skills } : {}), ...(c.level !== undefined ? { level: c.level } : {}) });
        break;
      case 'remove-agent':
        absences.push({ agentId: c.agent, from: dayFrom(c.from), to: dayTo(c.to) });
        break;
      case 'remove': {
        const from = dayFrom(c.from);
        const to = dayTo(c.to);
        const taken = new Set(absences.filter((a) => a.from < to && a.to > from).map((a) => a.agentId));
        const picks = core.agentList()
          .filter((a) => (overrides.get(a.id)?.skills ?? a.skills).includes(c.skill) && !taken.has(a.id))
          .map((a) => ({ id: a.id, worked: workedMs(day, a.id, from, to) }))
          .filter((a) => a.worked > 0)
          .sort((a, b) => b.worked - a.worked || (a.id < b.id ? -1 : 1))
          .slice(0, c.count);
        for (const p of picks) { absences.push({ agentId: p.id, from, to }); agentsRemoved.push(p.id); }
        break;
      }
      default: break;
    }
  }
  for (const [id, o] of overrides) {
    const a = core.agent(id)!;
    initial.push({ type: 'agent.configured', agent: { id, name: a.name, ...(a.contact ? { contact: a.contact } : {}), skills: o.skills ?? a.skills, level: o.level ?? a.level } });
  }
  for (const body of initial) apply(body, core.now);
  const absent = (agentId: string | null, at: number) => agentId !== null && absences.some((a) => a.agentId === agentId && at >= a.from && at < a.to);
  for (const a of absences) {
    if (a.to <= a.from) continue;
    schedule(a.from, 'verbatim', a.agentId, 0, -1, { type: 'agent.state', agentId: a.agentId, state: 'offline', reason: 'what-if' });
    const back = recordedStateAt(day, a.agentId, a.to);
    if (a.to < day.endAt && back) schedule(a.to, 'verbatim', a.agentId, 0, -1, { type: 'agent.state', agentId: a.agentId, ...back });
  }

  // ---- the day's own events ----------------------------------------------------------------
  for (const v of day.verbatim) {
    let body = v.body;
    if (body.type === 'agent.state' && absent(v.agentId, v.at)) continue;
    if (body.type === 'agent.configured' && v.agentId && overrides.has(v.agentId)) {
      body = { ...body, agent: { ...(body.agent as AgentConfig), ...overrides.get(v.agentId) } };
    }
    if (body.type === 'config.changed' && overridden.size > 0 && body.routing) {
      const routing = { ...(body.routing as Record<string, unknown>) };
      for (const k of overridden) delete routing[k];
      body = { ...body, routing };
    }
    schedule(v.at, 'verbatim', v.agentId ?? '', 0, v.rank, body);
  }
  const tracks = new Map<string, Track>();
  for (const s of day.scripts) {
    tracks.set(s.callId, { script: s, phase: 'ivr', offerToken: 0, offers: 0, answers: 0, waits: 0, waitStart: 0, agentId: null });
    schedule(s.arrivedAt, 'arrive', s.callId, 0, s.rank);
    for (const a of s.absolute) schedule(a.at, 'absolute', s.callId, 0, a.rank, a.body);
  }
  const firstRead = reader.nextReadAt();
  if (firstRead !== null) schedule(firstRead, 'read', '', 0, Infinity);

  // ---- callers ------------------------------------------------------------------------------
  const steps = (t: Track, list: ScriptStep[], from: number, kind: Kind, token: number) => {
    for (const s of list) schedule(from + s.offsetMs, kind, t.script.callId, token, s.rank, s.body);
  };
  const startWait = (t: Track, at: number) => {
    const index = t.waits++;
    t.waitStart = at;
    const w = t.script.waits[index];
    if (w && w.hangupAfterMs !== null && w.hangup) {
      schedule(at + w.hangupAfterMs, 'hangup', t.script.callId, index, w.hangupRank, w.hangup);
      return;
    }
    const patience = plan.patience.draw(uniformFor(seed, `${t.script.callId}/${index}`), w?.censoredMs ?? 0);
    if (patience !== null) schedule(at + patience, 'hangup', t.script.callId, index, undefined, { type: 'call.abandoned', callId: t.script.callId });
  };
  /** What follows an answer: the recorded segment, or for a caller only the what-if answers, a drawn talk time. */
  const segmentOf = (t: Track, index: number): ScriptStep[] => {
    const recorded = t.script.segments[index];
    if (recorded) return recorded;
    const pool = day.talkMs[t.script.queue ?? ''] ?? Object.values(day.talkMs).flat();
    const talk = pool.length ? pool[Math.floor(uniformFor(seed, `${t.script.callId}/talk/${index}`) * pool.length)] : 180_000;
    return [{ offsetMs: talk, rank: synthetic++, body: { type: 'call.ended', callId: t.script.callId, by: 'agent' } }];
  };
  const afterEnd = (t: Track, at: number) => {
    const list = t.script.afterEnd.filter((s) => !(wrapChanged && s.body.type === 'agent.ready'));
    if (t.answers > t.script.segments.length || t.script.segments.length === 0) {
      // Answered only in the what-if: no survey; the agent is ready as the day's agents were.
      list.length = 0;
      if (core.routingConfig().wrapUpSeconds === 0) {
        const ready = day.readyMs.length ? day.readyMs[Math.floor(uniformFor(seed, `${t.script.callId}/ready`) * day.readyMs.length)] : 0;
        list.push({ offsetMs: ready, rank: synthetic++, body: { type: 'agent.ready' } });
      }
    } else if (wrapChanged && core.routingConfig().wrapUpSeconds === 0) {
      list.push({ offsetMs: 0, rank: synthetic++, body: { type: 'agent.ready' } });
    }
    steps(t, list, at, 'after', 0);
  };

  const react = (decisions: Decision[] | null) => {
    if (!decisions) return;
    const now = core.now;
    for (const d of decisions) {
      switch (d.type) {
        case 'offer': {
          const t = tracks.get(d.callId);
          if (!t) break;
          const token = ++t.offerToken;
          t.phase = 'ringing';
          t.agentId = d.agentId;
          const o = t.script.offers[t.offers++];
          if (!o || o.kind === 'withdrawn') {
            // An offer the day never made, or one cut short then: answered after a usual ring.
            schedule(now + Math.max(day.ringMs, o ? o.afterMs + 1 : 0), 'answer', d.callId, token);
          } else if (o.kind === 'answered') schedule(now + o.afterMs, 'answer', d.callId, token, o.rank);
          else if (o.kind === 'missed') schedule(now + o.afterMs, 'miss', d.callId, token, o.rank, { type: 'call.offer-missed', callId: d.callId, reason: o.reason ?? 'no-answer' });
          // timeout: the core's own offer deadline ends it.
          break;
        }
        case 'requeued':
        case 'offer-withdrawn': {
          const t = tracks.get(d.callId);
          if (t && (t.phase === 'ringing' || t.phase === 'queued')) { t.phase = 'queued'; t.offerToken++; }
          break;
        }
        case 'overflow': {
          const t = tracks.get(d.callId);
          if (t && d.toQueue === null) t.phase = 'ended';
          break;
        }
        case 'agent-status':
          // Sent away for a missed offer the day did not have: back after the day's usual pause.
          if (d.status === 'away' && d.reason === 'no-answer' && !day.noAnswerAways.has(`${d.agentId}@${now}`)) {
            schedule(now + day.noAnswerPauseMs, 'back', d.agentId);
          }
          break;
        default: break;
      }
    }
  };

  let dayFigures: DayReads['day'] | null = null;
  const handle = (it: Item) => {
    const at = it.at;
    if (it.kind === 'read') {
      reader.read(core);
      const next = reader.nextReadAt();
      if (next !== null) schedule(next, 'read', '', 0, Infinity);
      // The day's figures at the last read, as the recorded pass takes them.
      else dayFigures = reader.day(core);
      return;
    }
    if (it.kind === 'verbatim') { react(apply(it.body!, at)); return; }
    if (it.kind === 'back') {
      const a = core.agent(it.ref);
      if (a && a.status === 'away' && a.reason === 'no-answer' && !absent(it.ref, at)) react(apply({ type: 'agent.state', agentId: it.ref, state: 'available' }, at));
      return;
    }
    const t = tracks.get(it.ref)!;
    const callId = t.script.callId;
    switch (it.kind) {
      case 'arrive': {
        const ds = apply({ type: 'call.arrived', callId, from: t.script.from, ...(t.script.to !== null ? { to: t.script.to } : {}) }, at);
        if (!ds) { t.phase = 'ended'; return; }
        steps(t, t.script.beforeQueue, at, 'step', 0);
        react(ds);
        return;
      }
      case 'step': {
        if (t.phase !== 'ivr') return;
        const ds = apply(it.body!, at);
        if (!ds) return;
        if (it.body!.type === 'call.queued') {
          t.phase = core.call(callId)?.status === 'ended' ? 'ended' : 'queued';
          if (t.phase === 'queued') startWait(t, at);
        } else if (it.body!.type !== 'call.ivr') t.phase = 'ended';
        react(ds);
        return;
      }
      case 'hangup': {
        if (it.token !== t.waits - 1 || (t.phase !== 'queued' && t.phase !== 'ringing')) return;
        const ds = apply(it.body!, at);
        if (ds) t.phase = 'ended';
        react(ds);
        return;
      }
      case 'answer':
      case 'miss': {
        if (t.phase !== 'ringing' || it.token !== t.offerToken) return;
        if (it.kind === 'miss') { react(apply({ ...it.body!, agentId: t.agentId! }, at)); return; }
        const ds = apply({ type: 'call.answered', callId, agentId: t.agentId! }, at);
        if (!ds) return;
        t.phase = 'connected';
        const index = t.answers++;
        steps(t, segmentOf(t, index), at, 'segment', t.answers);
        react(ds);
        return;
      }
      case 'segment': {
        if (t.phase !== 'connected' || it.token !== t.answers) return;
        const type = it.body!.type;
        if (type === 'call.ended') {
          const agentId = t.agentId;
          const ds = apply(it.body!, at);
          if (!ds) return;
          t.phase = 'ended';
          t.agentId = agentId;
          afterEnd(t, at);
          react(ds);
        } else if (type === 'call.escalated') {
          const agentId = t.agentId;
          const ds = apply(it.body!, at);
          if (!ds) return;
          t.phase = 'queued';
          startWait(t, at);
          // Wrap-up now lasts until "ready": the escalating agent says it at once.
          if (wrapChanged && agentId && core.routingConfig().wrapUpSeconds === 0) {
            schedule(at, 'after', callId, 0, undefined, { type: 'agent.ready', agentId });
          }
          react(ds);
        } else react(apply(it.body!, at));
        return;
      }
      case 'after': {
        if (it.body!.type === 'agent.ready') {
          const id = typeof it.body!.agentId === 'string' ? it.body!.agentId : t.agentId;
          const a = id ? core.agent(id) : null;
          if (a && a.status === 'wrap-up' && a.callId === callId) react(apply({ type: 'agent.ready', agentId: a.id }, at));
          return;
        }
        react(apply(it.body!, at));
        return;
      }
      case 'absolute':
        if (t.phase === 'queued') react(apply(it.body!, at));
        return;
      default:
        return;
    }
  };

  // ---- the loop -------------------------------------------------------------------------------
  const span = Math.max(1, day.endAt - day.dayStart);
  let lastProgress = -1;
  let turns = 0;
  while (dayFigures === null) {
    if (plan.breathe && ++turns % BREATHE_EVERY === 0) await plan.breathe();
    const top = heap.peek();
    const due = core.nextDeadline();
    if (due !== null && (!top || due <= top.at) && due <= day.endAt) {
      react(core.advance(due).decisions);
      continue;
    }
    if (!top) break;
    heap.pop();
    if (top.kind === 'read' && core.now < top.at) react(core.advance(top.at).decisions);
    handle(top);
    if (plan.onProgress) {
      const f = Math.floor(((top.at - day.dayStart) / span) * 100);
      if (f !== lastProgress && f >= 0) { lastProgress = f; plan.onProgress(Math.min(1, f / 100)); }
    }
  }
  return { intervals: reader.reads, day: dayFigures ?? reader.day(core), refused, agentsAdded, agentsRemoved };
}

/** Staffed time (ms) an agent had in [from, to) in the recorded day. */
function workedMs(day: RecordedDay, agentId: string, from: number, to: number): number {
  const staffed = (s: AgentStatus) => s !== 'offline' && s !== 'away';
  let status: AgentStatus = day.agentStates[agentId]?.atFork ?? 'offline';
  let since = day.dayStart;
  let total = 0;
  const add = (a: number, b: number) => { const x = Math.max(a, from), y = Math.min(b, to); if (y > x) total += y - x; };
  for (const c of day.agentTimeline[agentId] ?? []) {
    if (staffed(status)) add(since, c.at);
    status = c.status;
    since = c.at;
  }
  if (staffed(status)) add(since, to);
  return total;
}

/** The state an agent had asked for by `at` in the recorded day (logged agent.state events). */
function recordedStateAt(day: RecordedDay, agentId: string, at: number): { state: 'available' | 'away' | 'offline'; reason?: string } | null {
  const s = day.agentStates[agentId];
  if (!s) return null;
  let last: { state: 'available' | 'away' | 'offline'; reason: string | null } | null = null;
  for (const c of s.changes) if (c.at < at) last = c;
  if (last) return last.state === 'away' && last.reason ? { state: 'away', reason: last.reason } : { state: last.state };
  if (s.atFork === 'offline') return null;
  if (s.atFork === 'away') return s.forkReason ? { state: 'away', reason: s.forkReason } : { state: 'away' };
  return { state: 'available' };
}
