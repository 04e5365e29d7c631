// Plausible traffic driven through a real Engine on a test clock, for the history tests:
// agents log in, pause (with reasons) and log out; callers arrive, pick a queue, wait,
// get offered by the core, ring (some miss), talk (some hold), hang up, answer the
// survey; some give up waiting. Every event goes through engine.dispatch (the log
// first); deadlines (wrap-up end, offer expiry) fire through engine.advance().
import { Heap } from '../../../routing/heap.ts';
import type { Decision, DomainEvent } from '../../../routing/types.ts';
import { mulberry32 } from '../../../sim/random.ts';
import type { Engine } from '../../../server/engine.ts';

export interface Driven {
  engine: Engine;
  setNow(t: number): void;
  /** Writes what the call records projection holds (it writes once per event-loop turn, and this loop never yields). */
  flush?(): void;
}

export interface TrafficOptions {
  /** Epoch ms of the first day's opening. */
  start: number;
  days: number;
  /** Opening hours per day. */
  hours: number;
  callsPerHour: number;
  agents: { id: string; queues: string[] }[];
  seed: number;
  /** Last moment to play (epoch ms): stop there, mid-day if need be. */
  until?: number;
}

interface Job { at: number; seq: number; run: () => void }

/** An event without its time (the clock's) and maybe without an id. */
type Draft = DomainEvent extends infer E ? (E extends DomainEvent ? Omit<E, 'id' | 'at'> & { id?: string } : never) : never;

const DAY = 86_400_000;

/** Plays the traffic; returns how many events were logged. */
export function playTraffic(d: Driven, o: TrafficOptions): number {
  const rnd = mulberry32(o.seed);
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const jobs = new Heap<Job>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  let seq = 0;
  let logged = 0;
  let now = o.start;
  const later = (at: number, run: () => void) => jobs.push({ at, seq: seq++, run });
  const send = (e: Draft) => {
    const r = d.engine.dispatch({ ...e, id: e.id ?? `t${o.seed}-${seq++}`, at: now } as DomainEvent, 'test');
    if (r.ok && r.applied) logged++;
  };
  const status = (callId: string) => d.engine.core.call(callId)?.status;

  const offered = (ds: Decision[]) => {
    for (const x of ds) {
      if (x.type === 'agent-status' && x.status === 'away' && x.reason === 'no-answer') {
        // Sent away after a missed ring: back a little later, as a real agent would be.
        const { agentId } = x;
        later(now + between(30, 120) * 1000, () => {
          if (d.engine.core.agent(agentId)?.reason === 'no-answer') send({ type: 'agent.state', agentId, state: 'available' });
        });
      }
      if (x.type !== 'offer') continue;
      const { callId, agentId } = x;
      const token = `${callId}:${agentId}:${seq++}`;
      if (rnd() < 0.12) {
        later(now + 15_000, () => { if (d.engine.core.call(callId)?.agentId === agentId && status(callId) === 'offering') send({ type: 'call.offer-missed', id: `${token}:miss`, callId, agentId, reason: 'no-answer' }); });
        continue;
      }
      later(now + between(2, 8) * 1000, () => {
        if (d.engine.core.call(callId)?.agentId !== agentId || status(callId) !== 'offering') return;
        send({ type: 'call.answered', id: `${token}:answered`, callId, agentId });
        const talk = between(30, 400) * 1000;
        if (rnd() < 0.25) {
          later(now + talk / 3, () => { if (status(callId) === 'connected') send({ type: 'call.hold', callId, onHold: true }); });
          later(now + talk / 2, () => { if (status(callId) === 'connected') send({ type: 'call.hold', callId, onHold: false }); });
        }
        later(now + talk, () => {
          if (status(callId) !== 'connected') return;
          send({ type: 'call.ended', id: `${callId}:ended`, callId, by: rnd() < 0.5 ? 'agent' : 'caller' });
          if (rnd() < 0.3) later(now + 20_000, () => send({ type: 'call.survey', callId, nps: between(0, 10), csat: between(1, 5) }));
          if (rnd() < 0.6) later(now + 25_000, () => send({ type: 'call.disposition', callId, resolvedFirstContact: rnd() < 0.7 }));
        });
      });
    }
  };
  const off = d.engine.onDecisions(offered);

  try {
    for (let day = 0; day < o.days; day++) {
      const open = o.start + day * DAY;
      const close = open + o.hours * 3_600_000;
      for (const a of o.agents) {
        const login = open + between(0, 20) * 60_000;
        later(login, () => send({ type: 'agent.state', agentId: a.id, state: 'available' }));
        const pause = login + between(60, 240) * 60_000;
        if (pause < close) {
          const reason = ['almoço', 'lanche', 'treinamento'][between(0, 2)];
          later(pause, () => send({ type: 'agent.state', agentId: a.id, state: 'away', reason }));
          later(pause + between(10, 60) * 60_000, () => send({ type: 'agent.state', agentId: a.id, state: 'available' }));
        }
        later(close + between(0, 30) * 60_000, () => send({ type: 'agent.state', agentId: a.id, state: 'offline' }));
      }
      const calls = Math.round(o.callsPerHour * o.hours);
      const queues = [...new Set(o.agents.flatMap((a) => a.queues))];
      for (let i = 0; i < calls; i++) {
        const callId = `CA${o.seed}d${day}c${i}`;
        const at = open + Math.floor(rnd() * (close - open));
        const queue = queues[between(0, queues.length - 1)];
        later(at, () => send({ type: 'call.arrived', id: `${callId}:arrived`, callId, from: `+55119${String(between(0, 400)).padStart(8, '0')}` }));
        later(at + 6000, () => send({ type: 'call.ivr', id: `${callId}:ivr`, callId, path: ['1'] }));
        later(at + 6000, () => send({ type: 'call.queued', id: `${callId}:queued`, callId, queue }));
        const patience = between(5, 240) * 1000;
        later(at + 6000 + patience, () => {
          const s = status(callId);
          if (s === 'queued' || s === 'offering') send({ type: 'call.abandoned', id: `${callId}:abandoned`, callId });
        });
      }
    }
    let ran = 0;
    for (let job = jobs.pop(); job; job = jobs.pop()) {
      if (o.until !== undefined && job.at > o.until) break;
      if (job.at > now) now = job.at;
      d.setNow(now);
      d.engine.advance();
      job.run();
      if (++ran % 20 === 0) d.flush?.();
    }
    d.flush?.();
  } finally {
    off();
  }
  return logged;
}
