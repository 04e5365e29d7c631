// Seeded random event streams for the routing property tests (core, snapshot).
import type { DomainEvent } from '../../routing/types.ts';
import { mulberry32 } from '../../sim/random.ts';
import { T0 } from './core.ts';

export const AGENTS = ['ana', 'bruno', 'carla'];
export const QUEUES = ['suporte', 'vendas', 'financeiro'];

/** A stream of plausible and implausible events, some duplicated. */
export function stream(seed: number, length: number): DomainEvent[] {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const events: DomainEvent[] = [];
  let t = T0;
  let calls = 0;
  for (let i = 0; i < length; i++) {
    t += Math.floor(rnd() * 20_000);
    const callId = `c${Math.floor(rnd() * (calls + 1))}`;
    const r = rnd();
    const base = { id: `s${seed}-${i}`, at: t };
    let e: DomainEvent;
    if (r < 0.15) { calls++; e = { ...base, type: 'call.arrived', callId: `c${calls}`, from: `+55119${(calls % 7).toString().padStart(8, '0')}` }; }
    else if (r < 0.3) e = { ...base, type: 'call.queued', callId, queue: pick(QUEUES), attributes: { vip: rnd() < 0.1 } };
    else if (r < 0.42) e = { ...base, type: 'call.answered', callId };
    else if (r < 0.48) e = { ...base, type: 'call.offer-missed', callId, reason: 'no-answer' };
    else if (r < 0.6) e = { ...base, type: 'call.ended', callId, by: rnd() < 0.5 ? 'caller' : 'agent' };
    else if (r < 0.65) e = { ...base, type: 'call.abandoned', callId };
    else if (r < 0.8) e = { ...base, type: 'agent.state', agentId: pick(AGENTS), state: pick(['available', 'available', 'away', 'offline'] as const), reason: 'lanche' };
    else if (r < 0.85) e = { ...base, type: 'agent.ready', agentId: pick(AGENTS) };
    else if (r < 0.88) e = { ...base, type: 'call.escalated', callId, toLevel: 2 };
    else if (r < 0.92) e = { ...base, type: 'call.survey', callId, nps: Math.floor(rnd() * 11), csat: 1 + Math.floor(rnd() * 5) };
    else if (r < 0.95) e = { ...base, type: 'call.disposition', callId, resolvedFirstContact: rnd() < 0.7 };
    else e = { ...base, type: 'call.ivr', callId, path: [pick(['1', '2', '3']), pick(['1', '9'])] };
    events.push(e);
    if (rnd() < 0.05) events.push(e); // Twilio retries
  }
  return events;
}
