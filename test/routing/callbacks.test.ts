// The SAC's part of the routing core: callbacks that keep the caller's place, their
// attempts and retries, calls dropped on the company's side, protocol numbers on the
// call, and queues closed by the schedule or a supervisor.
import { describe, expect, it } from 'vitest';
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import type { CallbackResult, Decision, DomainEvent } from '../../routing/types.ts';
import { T0, callInto, ev, newCore, run } from '../helpers/core.ts';

let n = 0;
const at = (s: number) => T0 + s * 1000;
const sac = {
  callback: (s: number, callId: string, number = '+5511988887777', more: { queue?: string; notBefore?: number } = {}): DomainEvent =>
    ({ id: `cb${n++}`, at: at(s), type: 'call.callback-requested', callId, number, ...more }),
  attempt: (s: number, callId: string, result: CallbackResult): DomainEvent =>
    ({ id: `cb${n++}`, at: at(s), type: 'call.callback-attempt', callId, result }),
  dropped: (s: number, callId: string, number?: string): DomainEvent =>
    ({ id: `cb${n++}`, at: at(s), type: 'call.dropped', callId, ...(number ? { number } : {}) }),
  closed: (s: number, queue: string, more: Partial<Extract<DomainEvent, { type: 'queue.closed' }>> = {}): DomainEvent =>
    ({ id: `cb${n++}`, at: at(s), type: 'queue.closed', queue, reason: 'manutenção', ...more }),
  opened: (s: number, queue: string, by?: 'supervisor' | 'schedule'): DomainEvent =>
    ({ id: `cb${n++}`, at: at(s), type: 'queue.opened', queue, ...(by ? { by } : {}) }),
};
const available = (s: number, agentId: string) => ev.agent(s, agentId, 'available');
const offersIn = (ds: Decision[]) => ds.filter((d) => d.type === 'offer');
const refusal = (core: RoutingCore, e: DomainEvent): string => {
  try { core.apply(e); } catch (err) { if (err instanceof RoutingError) return err.code; throw err; }
  return 'accepted';
};

describe('a callback keeps the place in line', () => {
  it('against callers who arrived later, in exact order, tiers first', () => {
    const core = newCore();
    run(core, [
      ...callInto(0, 'c1', 'suporte'),
      ...callInto(10, 'c2', 'suporte'),
      ...callInto(20, 'c3', 'suporte'),
      sac.callback(30, 'c1'),
      ...callInto(40, 'c4', 'suporte'),
      // A VIP arriving last is P1: the tiers still come first.
      ...callInto(50, 'vip', 'suporte', { from: '+5511999990000' }),
    ]);
    const c1 = core.call('c1')!;
    expect(c1).toMatchObject({ status: 'queued', tier: 3, queuedAt: at(0), callback: { number: '+5511988887777', origin: 'requested', attempts: 0, retryAt: null, reached: false } });
    // Nobody is on c1's line, but it still counts in the place of everyone behind it.
    expect(core.positionOf('c2')).toBe(3);
    expect(core.callbacksWaiting('suporte')).toEqual({ waiting: 1, inLine: 1, byTier: [0, 0, 1], inLineByTier: [0, 0, 1], oldestQueuedAt: at(0) });
    expect(core.lineWaitStart('suporte')).toBe(at(10));
    expect(core.longestWaitStart('suporte')).toBe(at(0));

    const order: string[] = [];
    // bruno's own "ready" makes him available and routes the next call; the first login starts it.
    const first = offersIn(core.apply(available(60, 'bruno')).decisions)[0];
    expect(first).toEqual({ type: 'offer', callId: 'vip', agentId: 'bruno', queue: 'suporte', tier: 1 });
    run(core, [ev.answered(60, 'vip'), ev.ended(65, 'vip', 'agent')]);
    let s = 66;
    for (let i = 0; i < 4; i++) {
      const d = offersIn(core.apply(ev.ready(s, 'bruno')).decisions)[0];
      order.push(d.callId);
      if (d.callback) {
        expect(d).toEqual({ type: 'offer', callId: 'c1', agentId: 'bruno', queue: 'suporte', tier: 3, callback: true, number: '+5511988887777', attempt: 1, customerFirst: false });
        run(core, [ev.answered(s, d.callId), sac.attempt(s + 1, d.callId, 'answered')]);
      } else run(core, [ev.answered(s, d.callId)]);
      run(core, [ev.ended(s + 5, d.callId, 'agent')]);
      s += 6;
    }
    expect(order).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('keeps the aging of its tier: the wait that promotes it runs from its original arrival', () => {
    const core = newCore({ agingSeconds: [null, 120, 180] });
    run(core, [...callInto(0, 'c1', 'suporte'), sac.callback(100, 'c1')]);
    expect(core.call('c1')!.tier).toBe(3);
    core.advance(at(180));
    expect(core.call('c1')).toMatchObject({ tier: 2, tierRule: { reason: 'aged' }, callback: { origin: 'requested' } });
  });

  it('is refused when the call is not waiting, or is one already', () => {
    const core = newCore();
    run(core, [...callInto(0, 'c1', 'suporte'), sac.callback(5, 'c1')]);
    expect(refusal(core, sac.callback(6, 'c1'))).toBe('ATENDE_BAD_CALL_STATE');
    run(core, [ev.arrived(7, 'c2')]);
    expect(refusal(core, sac.callback(8, 'c2'))).toBe('ATENDE_BAD_EVENT'); // from the IVR it must name the queue
    expect(refusal(core, { ...sac.callback(8, 'c1'), number: '' } as DomainEvent)).toBe('ATENDE_BAD_EVENT');
  });
});

describe('placing a callback', () => {
  function waitingCallback(config: Parameters<typeof newCore>[0] = {}) {
    const core = newCore(config);
    run(core, [...callInto(0, 'c1', 'suporte'), sac.callback(30, 'c1')]);
    return core;
  }

  it('agent-first: answered when the customer is reached, with the wait from the original arrival', () => {
    const core = waitingCallback();
    run(core, [available(100, 'bruno'), ev.answered(105, 'c1')]);
    expect(core.call('c1')!.status).toBe('connected');
    expect(core.metrics.read({ kind: 'center' }, 'today').answered).toBe(0); // only the agent is on the line
    run(core, [sac.attempt(120, 'c1', 'answered')]);
    const today = core.metrics.read({ kind: 'center' }, 'today');
    expect(today).toMatchObject({ answered: 1, asaSeconds: 120, answeredWithinLegal: 0, legalBreaches: 1 });
    // The reports' callback counts, in the queue and tier of the call too.
    expect(today.callbacks).toEqual({ requested: 1, reached: 1, notReached: 0, dropped: 0 });
    expect(core.metrics.read({ kind: 'queue', id: 'suporte' }, 'today').callbacks).toEqual({ requested: 1, reached: 1, notReached: 0, dropped: 0 });
    expect(core.metrics.read({ kind: 'queue', id: 'vendas' }, 'today').callbacks).toEqual({ requested: 0, reached: 0, notReached: 0, dropped: 0 });
    expect(core.metrics.read({ kind: 'tier', tier: 3 }, 'today').callbacks.requested).toBe(1);
    run(core, [ev.ended(300, 'c1', 'agent')]);
    expect(core.call('c1')).toMatchObject({ status: 'ended', outcome: 'answered' });
  });

  it('customer-first: the offer says so, the customer is called first, answered when the agent picks up', () => {
    const core = waitingCallback({ callbacks: { retryDelaySeconds: 60, maxAttempts: 2, customerFirst: true } });
    const offer = offersIn(core.apply(available(100, 'bruno')).decisions)[0];
    expect(offer).toMatchObject({ callback: true, customerFirst: true, attempt: 1 });
    run(core, [sac.attempt(110, 'c1', 'answered')]);
    expect(core.call('c1')).toMatchObject({ status: 'offering', callback: { reached: true } });
    expect(core.metrics.read({ kind: 'center' }, 'today').answered).toBe(0);
    // The agent's ring starts when the customer answers: no timeout from the first offer.
    core.advance(at(100 + 35));
    expect(core.call('c1')!.status).toBe('offering');
    run(core, [ev.answered(136, 'c1')]);
    expect(core.metrics.read({ kind: 'center' }, 'today')).toMatchObject({ answered: 1, asaSeconds: 136 });
  });

  it('customer-first: an agent who misses after the customer answered leaves a caller on the line', () => {
    const core = waitingCallback({ callbacks: { retryDelaySeconds: 60, maxAttempts: 2, customerFirst: true } });
    run(core, [available(100, 'bruno'), sac.attempt(110, 'c1', 'answered'), ev.missed(130, 'c1')]);
    expect(core.call('c1')).toMatchObject({ status: 'queued', callback: null });
    const offer = offersIn(core.apply(available(140, 'ana')).decisions)[0];
    expect(offer).toEqual({ type: 'offer', callId: 'c1', agentId: 'ana', queue: 'suporte', tier: 3 });
  });

  it('a customer who does not answer is tried again after the delay, still ahead of later callers', () => {
    const core = waitingCallback({ callbacks: { retryDelaySeconds: 60, maxAttempts: 3, customerFirst: false } });
    run(core, [available(100, 'bruno'), ev.answered(101, 'c1')]);
    const failed = core.apply(sac.attempt(130, 'c1', 'no-answer')).decisions;
    expect(failed).toContainEqual({ type: 'callback-retry', callId: 'c1', at: at(190), attempts: 1 });
    // The agent is free at once (no miss, no wrap-up); a later caller may take him meanwhile.
    expect(core.agent('bruno')).toMatchObject({ status: 'available', consecutiveMisses: 0, callsHandled: 0 });
    expect(core.call('c1')).toMatchObject({ status: 'queued', callback: { attempts: 1, retryAt: at(190) } });
    expect(core.callbacksWaiting()).toMatchObject({ waiting: 1, inLine: 0 });
    expect(core.positionOf('c1')).toBeNull();
    expect(run(core, [...callInto(140, 'c2', 'suporte')])).toEqual(['c2→bruno']);
    run(core, [ev.answered(141, 'c2'), ...callInto(150, 'c3', 'suporte')]);
    // Back at its time, in its old place: before c3, who arrived later.
    core.advance(at(190));
    expect(core.call('c1')).toMatchObject({ status: 'queued', callback: { attempts: 1, retryAt: null } });
    expect(core.positionOf('c3')).toBe(2);
    const next = offersIn(core.apply(available(200, 'ana')).decisions)[0];
    expect(next).toMatchObject({ callId: 'c1', callback: true, attempt: 2 });
  });

  it('after the last attempt it ends as not reached, counted as an abandon in the service level', () => {
    const core = waitingCallback({ callbacks: { retryDelaySeconds: 60, maxAttempts: 2, customerFirst: false } });
    run(core, [available(100, 'bruno'), ev.answered(101, 'c1'), sac.attempt(110, 'c1', 'busy')]);
    core.advance(at(170));
    run(core, [ev.answered(171, 'c1')]);
    const last = core.apply(sac.attempt(200, 'c1', 'no-answer')).decisions;
    expect(last).toContainEqual({ type: 'callback-not-reached', callId: 'c1', attempts: 2 });
    expect(core.call('c1')).toMatchObject({ status: 'ended', outcome: 'not-reached', callback: { attempts: 2 } });
    const today = core.metrics.read({ kind: 'center' }, 'today');
    expect(today).toMatchObject({ offered: 1, answered: 0, abandoned: 1, serviceLevel: 0, legalBreaches: 1, withinLegal: 0 });
    // Two calls to the customer, neither reached: one request, one "not reached".
    expect(today.callbacks).toEqual({ requested: 1, reached: 0, notReached: 1, dropped: 0 });
    expect(core.recentAbandons(1)[0]).toMatchObject({ callId: 'c1', waitMs: 200_000 });
    expect(core.callbacksWaiting()).toMatchObject({ waiting: 0 });
    expect(core.agent('bruno')!.status).toBe('available');
  });

  it('an agent who misses the callback offer puts it back at the head, still a callback', () => {
    const core = waitingCallback();
    run(core, [...callInto(40, 'c2', 'suporte'), available(100, 'bruno'), ev.missed(110, 'c1')]);
    expect(core.call('c1')).toMatchObject({ status: 'queued', callback: { attempts: 0 } });
    expect(offersIn(core.apply(available(120, 'ana')).decisions)[0]).toMatchObject({ callId: 'c1', callback: true });
  });

  it('a callback result for a call that is not being placed is refused', () => {
    const core = waitingCallback();
    expect(refusal(core, sac.attempt(40, 'c1', 'answered'))).toBe('ATENDE_BAD_CALL_STATE');
    expect(refusal(core, { ...sac.attempt(40, 'c1', 'answered'), result: 'maybe' } as unknown as DomainEvent)).toBe('ATENDE_BAD_EVENT');
  });
});

describe('a call dropped on the company side', () => {
  it('comes back as a callback at the head of its tier, with its protocol, counted once', () => {
    const core = newCore();
    run(core, [
      { id: 'p1', at: T0, type: 'call.arrived', callId: 'c1', from: '+5511955550001', protocol: '20261123000001' },
      ev.ivr(0, 'c1', ['1']), ev.queued(0, 'c1', 'suporte'),
      available(10, 'bruno'), ev.answered(12, 'c1'),
      ...callInto(20, 'c2', 'suporte'),
    ]);
    run(core, [sac.dropped(60, 'c1')]);
    expect(core.agent('bruno')!.status).toBe('wrap-up');
    expect(core.call('c1')).toMatchObject({ status: 'queued', protocol: '20261123000001', callback: { origin: 'dropped', number: '+5511955550001' } });
    // Ahead of c2 although c2's own wait would not put it behind c1 now: the head of the tier.
    expect(core.positionOf('c2')).toBe(2);
    expect(offersIn(core.apply(available(70, 'ana')).decisions)[0]).toMatchObject({ callId: 'c1', callback: true, number: '+5511955550001' });
    run(core, [ev.answered(71, 'c1'), sac.attempt(80, 'c1', 'answered'), ev.ended(200, 'c1', 'agent')]);
    // Answered at 12 s once; the second conversation is handled time, not a second answer.
    expect(core.metrics.read({ kind: 'center' }, 'today')).toMatchObject({ answered: 1, asaSeconds: 12 });
    // A drop, not a request; its callback reached.
    expect(core.metrics.read({ kind: 'center' }, 'today').callbacks).toEqual({ requested: 0, reached: 1, notReached: 0, dropped: 1 });
  });

  it('can be marked after the call ended, and is refused for a call never answered', () => {
    const core = newCore();
    run(core, [...callInto(0, 'c1', 'suporte'), available(1, 'bruno'), ev.answered(2, 'c1'), ev.ended(30, 'c1', 'caller')]);
    run(core, [sac.dropped(35, 'c1', '+5511911112222')]);
    expect(core.call('c1')).toMatchObject({ status: 'queued', outcome: null, callback: { number: '+5511911112222' } });
    // It left the ended list: a snapshot must not list a waiting call as ended.
    expect(() => RoutingCore.fromSnapshot(JSON.parse(JSON.stringify(core.snapshot())))).not.toThrow();
    run(core, [...callInto(40, 'c9', 'vendas'), ev.abandoned(50, 'c9')]);
    expect(refusal(core, sac.dropped(51, 'c9'))).toBe('ATENDE_BAD_CALL_STATE');
    expect(refusal(core, sac.dropped(51, 'c1'))).toBe('ATENDE_BAD_CALL_STATE'); // already a callback
  });
});

describe('closed queues', () => {
  it('take nobody in (a coded refusal) and keep serving the callers already waiting', () => {
    const core = newCore();
    run(core, [...callInto(0, 'c1', 'suporte'), sac.closed(10, 'suporte', { emergency: true })]);
    expect(core.queueState('suporte')).toEqual({ open: false, reason: 'manutenção', emergency: true, by: 'supervisor', since: at(10), until: null });
    run(core, [ev.arrived(20, 'c2'), ev.ivr(20, 'c2', ['1'])]);
    expect(refusal(core, ev.queued(21, 'c2', 'suporte'))).toBe('ATENDE_QUEUE_CLOSED');
    expect(core.call('c2')!.status).toBe('ivr');
    expect(run(core, [available(30, 'bruno')])).toEqual(['c1→bruno']);
    run(core, [sac.opened(40, 'suporte')]);
    expect(core.queueState('suporte').open).toBe(true);
    expect(refusal(core, ev.queued(41, 'c2', 'suporte'))).toBe('accepted');
  });

  it('by setting, mark the callers waiting for a callback offer', () => {
    const core = newCore();
    run(core, [...callInto(0, 'c1', 'suporte'), ...callInto(1, 'c2', 'vendas'), sac.closed(10, 'suporte', { waiting: 'offer-callback' })]);
    expect(core.call('c1')!.offerCallback).toBe(true);
    expect(core.call('c2')!.offerCallback).toBe(false);
    run(core, [sac.callback(20, 'c1')]);
    expect(core.call('c1')!.offerCallback).toBe(false);
  });

  it('reopen by themselves at `until`', () => {
    const core = newCore();
    run(core, [sac.closed(0, 'vendas', { until: at(600) })]);
    expect(core.nextDeadline()).toBe(at(600));
    core.advance(at(599));
    expect(core.queueState('vendas').open).toBe(false);
    core.advance(at(600));
    expect(core.queueState('vendas').open).toBe(true);
  });

  it('a supervisor wins over the schedule; the schedule takes over again at its next change', () => {
    const core = newCore();
    run(core, [sac.closed(0, 'suporte', { by: 'schedule', reason: 'fora do horário', until: at(3600) })]);
    expect(core.queueState('suporte')).toMatchObject({ open: false, by: 'schedule', until: at(3600) });
    run(core, [sac.opened(10, 'suporte')]); // the supervisor opens it tonight
    expect(core.queueState('suporte').open).toBe(true);
    run(core, [sac.closed(20, 'suporte', { reason: 'pane', until: at(30) })]);
    expect(core.queueState('suporte')).toMatchObject({ open: false, by: 'supervisor', reason: 'pane' });
    core.advance(at(30));
    // The supervisor's closure ended: back to the supervisor's opening over the schedule.
    expect(core.queueState('suporte').open).toBe(true);
    // Without an opening over it, a lapsed closure gives the schedule's back.
    run(core, [sac.closed(40, 'suporte', { by: 'schedule', reason: 'fora do horário', until: at(3600) })]);
    run(core, [sac.closed(50, 'suporte', { reason: 'pane', until: at(60) })]);
    core.advance(at(60));
    expect(core.queueState('suporte')).toMatchObject({ open: false, by: 'schedule', reason: 'fora do horário', until: at(3600) });
  });

  it('an opening over the schedule lasts until the schedule changes', () => {
    const core = newCore();
    run(core, [sac.closed(0, 'suporte', { by: 'schedule', reason: 'fora do horário' }), sac.opened(10, 'suporte')]);
    expect(core.queueState('suporte').open).toBe(true);
    run(core, [sac.opened(20, 'suporte', 'schedule'), sac.closed(30, 'suporte', { by: 'schedule', reason: 'fora do horário' })]);
    expect(core.queueState('suporte')).toMatchObject({ open: false, by: 'schedule' });
  });

  it('overflow never lands in a closed queue, and nobody is moved or escalated into one', () => {
    const core = newCore({
      queues: [
        { id: 'suporte', name: 'Suporte', maxWaiting: 1, overflowQueue: 'vendas' },
        { id: 'vendas', name: 'Vendas' },
        { id: 'financeiro', name: 'Financeiro' },
      ],
    });
    run(core, [...callInto(0, 'c1', 'suporte'), sac.closed(1, 'vendas'), ...callInto(2, 'c2', 'suporte')]);
    expect(core.call('c2')).toMatchObject({ status: 'ended', outcome: 'overflowed' });
    expect(refusal(core, { id: 'mv', at: at(3), type: 'call.moved', callId: 'c1', queue: 'vendas' })).toBe('ATENDE_QUEUE_CLOSED');
  });

  it('a callback request at a closed queue waits for its opening', () => {
    const core = newCore();
    run(core, [sac.closed(0, 'suporte', { by: 'schedule', reason: 'fora do horário', until: at(3600) }), available(0, 'bruno')]);
    run(core, [ev.arrived(10, 'c1'), ev.ivr(10, 'c1', ['1'])]);
    expect(run(core, [sac.callback(20, 'c1', '+5511933334444', { queue: 'suporte', notBefore: at(3600) })])).toEqual([]);
    expect(core.call('c1')).toMatchObject({ status: 'queued', queue: 'suporte', queuedAt: at(20), callback: { retryAt: at(3600) } });
    expect(core.callbacksWaiting('suporte')).toMatchObject({ waiting: 1, inLine: 0, oldestQueuedAt: at(20) });
    run(core, [sac.opened(3600, 'suporte', 'schedule')]);
    expect(offersIn(core.advance(at(3600)).decisions)).toEqual([]);
    const out = core.apply(ev.agent(3601, 'ana', 'available')).decisions;
    expect([...offersIn(out)]).toEqual([]);
    // bruno was free all along: the callback reaches him the moment its time comes.
    expect(core.call('c1')).toMatchObject({ status: 'offering', agentId: 'bruno' });
  });
});

describe('protocol numbers on the call', () => {
  it('ride on call.arrived, stay through escalation, and must be digits', () => {
    const core = newCore();
    run(core, [{ id: 'a', at: T0, type: 'call.arrived', callId: 'c1', from: '+5511970000001', protocol: '20261123000042' }]);
    expect(core.call('c1')!.protocol).toBe('20261123000042');
    run(core, [ev.ivr(0, 'c1', ['1']), ev.queued(0, 'c1', 'suporte'), available(1, 'bruno'), ev.answered(2, 'c1'), ev.escalated(10, 'c1', 2)]);
    expect(core.call('c1')!.protocol).toBe('20261123000042');
    expect(refusal(core, { id: 'b', at: T0, type: 'call.arrived', callId: 'c2', from: '1', protocol: '2026-11' })).toBe('ATENDE_BAD_EVENT');
  });
});

describe('snapshot of the SAC state', () => {
  it('carries callbacks waiting for a retry and closures, and the restored core goes on the same', () => {
    const build = () => {
      const core = newCore({ callbacks: { retryDelaySeconds: 60, maxAttempts: 3, customerFirst: false } });
      run(core, [
        ...callInto(0, 'c1', 'suporte'), sac.callback(5, 'c1'), available(10, 'bruno'), ev.answered(11, 'c1'),
        sac.attempt(20, 'c1', 'no-answer'), sac.closed(25, 'vendas', { until: at(400), emergency: true }),
        sac.closed(26, 'financeiro', { by: 'schedule', reason: 'feriado' }), sac.opened(27, 'financeiro'),
      ]);
      return core;
    };
    const full = build();
    const restored = RoutingCore.fromSnapshot(JSON.parse(JSON.stringify(build().snapshot())));
    for (const c of [full, restored]) {
      expect(c.queueState('vendas')).toMatchObject({ open: false, emergency: true, until: at(400) });
      expect(c.queueState('financeiro').open).toBe(true);
      expect(c.callbacksWaiting()).toMatchObject({ waiting: 1, inLine: 0 });
    }
    const later = (c: RoutingCore) => [c.advance(at(80)), c.advance(at(400)), c.queueState('vendas'), c.call('c1')];
    expect(later(restored)).toEqual(later(full));
  });
});
