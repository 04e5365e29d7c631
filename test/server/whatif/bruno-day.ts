// A small recorded day whose what-if and "por que esperou?" answers are known by hand
// (the same as test/server/whatif/routes.test.ts): Bruno alone on Suporte (wrap-up 30 s).
// c1 is answered after 3 s and talks 120 s; c2 arrives meanwhile and hangs up after 40 s
// of waiting (Bruno on c1: "all busy"); c3 comes when Bruno is free again, is answered
// after 3 s and talks 60 s. With "+1 suporte 09:00-10:00" c2 is answered too.
import type { DomainEvent } from '../../../routing/types.ts';
import { T0 } from '../../helpers/core.ts';

export const BRUNO_DATE = '2026-11-23'; // T0 is 09:00 in São Paulo that day

export function brunoAlone(prefix = 'b', start = T0): DomainEvent[] {
  let n = 0;
  const e = (s: number, body: Record<string, unknown> & { type: DomainEvent['type'] }): DomainEvent => ({ id: `${prefix}${n++}`, at: start + s * 1000, ...body } as DomainEvent);
  return [
    e(0, { type: 'agent.state', agentId: 'bruno', state: 'available' }),
    e(10, { type: 'call.arrived', callId: 'c1', from: '+5511900000001' }),
    e(12, { type: 'call.ivr', callId: 'c1', path: ['1', '1'] }),
    e(12, { type: 'call.queued', callId: 'c1', queue: 'suporte' }),
    e(15, { type: 'call.answered', callId: 'c1', agentId: 'bruno' }),
    e(20, { type: 'call.arrived', callId: 'c2', from: '+5511900000002' }),
    e(22, { type: 'call.ivr', callId: 'c2', path: ['1', '1'] }),
    e(22, { type: 'call.queued', callId: 'c2', queue: 'suporte' }),
    e(62, { type: 'call.abandoned', callId: 'c2' }),
    e(135, { type: 'call.ended', callId: 'c1', by: 'agent' }),
    e(180, { type: 'call.arrived', callId: 'c3', from: '+5511900000003' }),
    e(182, { type: 'call.ivr', callId: 'c3', path: ['1', '1'] }),
    e(182, { type: 'call.queued', callId: 'c3', queue: 'suporte' }),
    e(185, { type: 'call.answered', callId: 'c3', agentId: 'bruno' }),
    e(245, { type: 'call.ended', callId: 'c3', by: 'caller' }),
  ];
}

/** The answers compared across stores and archives, without the time they took. */
export function withoutTimes<T extends { replayMs?: number }>(body: T): Omit<T, 'replayMs'> {
  const { replayMs: _ms, ...rest } = body;
  return rest;
}
