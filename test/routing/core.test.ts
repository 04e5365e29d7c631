import { describe, expect, it } from 'vitest';
import { RoutingError } from '../../routing/errors.ts';
import { T0, callInto, ev, newCore, run } from '../helpers/core.ts';
import type { DomainEvent } from '../../routing/types.ts';

const logIn = (s: number, ...ids: string[]): DomainEvent[] => ids.map((id) => ev.agent(s, id, 'available'));

describe('idempotency and refusals', () => {
  it('applies the same event id once', () => {
    const core = newCore();
    const e = ev.arrived(0, 'c1');
    expect(core.apply(e).applied).toBe(true);
    expect(core.apply(e).applied).toBe(false);
    expect(core.call('c1')?.status).toBe('ivr');
  });

  const impossible: [string, DomainEvent[], DomainEvent, string][] = [
    ['answer for an unknown call', [], ev.answered(1, 'ghost'), 'ATENDE_UNKNOWN_CALL'],
    ['a call arriving twice', [ev.arrived(0, 'c1')], ev.arrived(1, 'c1'), 'ATENDE_CALL_EXISTS'],
    ['queueing into an unknown queue', [ev.arrived(0, 'c1')], ev.queued(1, 'c1', 'nope'), 'ATENDE_UNKNOWN_QUEUE'],
    ['answer while still waiting', [...callInto(0, 'c1', 'suporte')], ev.answered(1, 'c1'), 'ATENDE_BAD_CALL_STATE'],
    ['an agent offered two calls at once',
      [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ...callInto(1, 'c2', 'suporte')],
      ev.offered(2, 'c2', 'bruno'), 'ATENDE_AGENT_BUSY'],
    ['offer to an agent without the skill', [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'vendas')], ev.offered(1, 'c1', 'bruno'), 'ATENDE_NOT_ELIGIBLE'],
    ['ready while not in wrap-up', [...logIn(0, 'ana')], ev.ready(1, 'ana'), 'ATENDE_BAD_AGENT_STATE'],
    ['unknown agent', [], ev.agent(0, 'zé', 'available'), 'ATENDE_UNKNOWN_AGENT'],
    ['escalating down', [...logIn(0, 'carla'), ...callInto(0, 'c1', 'financeiro')], ev.escalated(1, 'c1', 1), 'ATENDE_BAD_EVENT'],
    ['survey for an unanswered call', [...callInto(0, 'c1', 'suporte')], ev.survey(1, 'c1', 9), 'ATENDE_BAD_CALL_STATE'],
    ['NPS out of range',
      [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(1, 'c1'), ev.ended(5, 'c1')],
      ev.survey(6, 'c1', 11), 'ATENDE_BAD_EVENT'],
    ['abandon after answer', [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(1, 'c1')], ev.abandoned(2, 'c1'), 'ATENDE_BAD_CALL_STATE'],
    ['an event without a time', [], { id: 'x', type: 'call.arrived', callId: 'c', from: '1' } as unknown as DomainEvent, 'ATENDE_BAD_EVENT'],
  ];

  it.each(impossible)('refuses %s and leaves the state untouched', (_name, setup, bad, code) => {
    const core = newCore();
    run(core, setup);
    // Occupancy moves with time alone, so it is left out of the comparison.
    const state = () => JSON.stringify([core.agentList(), core.waitingCalls(), { ...core.metrics.read({ kind: 'center' }, 'today'), occupancy: 0 }]);
    const before = state();
    let caught: unknown;
    try { core.apply(bad); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(RoutingError);
    expect((caught as RoutingError).code).toBe(code);
    expect(state()).toBe(before);
  });

  it('a refused event can be retried with the same id once it becomes possible', () => {
    const core = newCore();
    const answer = ev.answered(2, 'c1');
    run(core, callInto(0, 'c1', 'suporte'));
    expect(() => core.apply(answer)).toThrow(RoutingError);
    run(core, logIn(1, 'bruno'));
    expect(core.apply(answer).applied).toBe(true);
    expect(core.call('c1')?.status).toBe('connected');
  });
});

describe('priority tiers', () => {
  const cases: [string, { from?: string; path?: string[]; attributes?: object }, number, string][] = [
    ['an ordinary caller', {}, 3, 'default'],
    ['the outage option of the IVR', { path: ['1', '9'] }, 1, 'outage'],
    ['a number on the VIP list', { from: '+55 11 99999-0000' }, 1, 'vip'],
    ['a VIP customer attribute', { attributes: { customerValue: 'vip' } }, 1, 'vip'],
  ];
  it.each(cases)('%s gets its tier and the rule that set it', (_n, opts, tier, ruleId) => {
    const core = newCore();
    run(core, callInto(0, 'c1', 'suporte', opts));
    const call = core.call('c1')!;
    expect(call.tier).toBe(tier);
    expect(call.tierRule?.ruleId).toBe(ruleId);
  });

  it('a repeat caller within 24 h goes up to P2, one after 25 h does not', () => {
    const core = newCore();
    const from = '+5511988887777';
    run(core, [...callInto(0, 'a', 'suporte', { from }), ev.ended(10, 'a')]);
    run(core, callInto(3600, 'b', 'suporte', { from }));
    expect(core.call('b')!.tierRule?.reason).toBe('repeat');
    expect(core.call('b')!.tier).toBe(2);
    run(core, [ev.ended(3610, 'b'), ...callInto(3600 + 26 * 3600, 'c', 'suporte', { from: '+5511911112222' })]);
    run(core, callInto(3600 + 50 * 3600, 'd', 'suporte', { from }));
    expect(core.call('d')!.tier).toBe(3);
  });

  it('a waiting call ages up a tier so it does not starve', () => {
    const core = newCore();
    run(core, callInto(0, 'c1', 'suporte'));
    core.advance(T0 + 179_000);
    expect(core.call('c1')!.tier).toBe(3);
    const out = core.advance(T0 + 180_000);
    expect(core.call('c1')!.tier).toBe(2);
    expect(core.call('c1')!.tierRule?.reason).toBe('aged');
    expect(out.decisions.some((d) => d.type === 'tier-changed')).toBe(true);
    core.advance(T0 + 300_000);
    expect(core.call('c1')!.tier).toBe(1);
  });
});

describe('which call next', () => {
  it('takes the highest tier first, even over a longer wait', () => {
    const core = newCore();
    run(core, [...callInto(0, 'old', 'suporte'), ...callInto(30, 'vip', 'suporte', { from: '+5511999990000' })]);
    expect(run(core, logIn(40, 'bruno'))).toEqual(['vip→bruno']);
  });

  it('takes the longest waiting within a tier, across the agent\'s queues', () => {
    const core = newCore();
    run(core, [...callInto(0, 's1', 'suporte'), ...callInto(5, 'v1', 'vendas'), ...callInto(10, 's2', 'suporte')]);
    expect(run(core, logIn(20, 'ana'))).toEqual(['s1→ana']);
  });

  it('breaks a tie between queues by queue weight', () => {
    const core = newCore();
    run(core, [...callInto(0, 'v1', 'vendas'), ...callInto(0, 's1', 'suporte')]);
    expect(run(core, logIn(20, 'ana'))).toEqual(['s1→ana']);
  });
});

describe('which agent', () => {
  it('longest idle by default, ties in configured order', () => {
    const core = newCore();
    run(core, [ev.agent(0, 'bruno', 'available'), ev.agent(5, 'ana', 'available')]);
    expect(run(core, callInto(10, 'c1', 'suporte'))).toEqual(['c1→bruno']);
    const tie = newCore();
    run(tie, [ev.agent(0, 'bruno', 'available'), ev.agent(0, 'ana', 'available')]);
    expect(run(tie, callInto(10, 'c1', 'suporte'))).toEqual(['c1→ana']);
  });

  it('fewest calls when configured', () => {
    const core = newCore({ strategy: 'fewest-calls', wrapUpSeconds: 0 });
    run(core, [ev.agent(0, 'ana', 'available'), ev.agent(0, 'bruno', 'available')]);
    run(core, [...callInto(1, 'c1', 'suporte'), ev.answered(2, 'c1'), ev.ended(30, 'c1', 'agent'), ev.ready(31, 'ana')]);
    // Ana became idle last at 31 s but has handled one call; Bruno none.
    expect(run(core, callInto(40, 'c2', 'suporte'))).toEqual(['c2→bruno']);
  });

  it('round robin rotates through the team', () => {
    const core = newCore({ strategy: 'round-robin', wrapUpSeconds: 0 });
    run(core, logIn(0, 'ana', 'bruno'));
    const offers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = `c${i}`;
      offers.push(...run(core, callInto(10 + i * 100, id, 'suporte')));
      const agent = core.call(id)!.agentId!;
      run(core, [ev.answered(11 + i * 100, id), ev.ended(20 + i * 100, id, 'agent'), ev.ready(21 + i * 100, agent)]);
    }
    expect(offers).toEqual(['c0→ana', 'c1→bruno', 'c2→ana', 'c3→bruno']);
  });
});

describe('agent lifecycle', () => {
  it('offline → available → ringing → on call → wrap-up → available', () => {
    const core = newCore();
    const states: string[] = [];
    const seen = () => states.push(core.agent('bruno')!.status);
    seen();
    run(core, logIn(0, 'bruno')); seen();
    run(core, callInto(1, 'c1', 'suporte')); seen();
    run(core, [ev.answered(3, 'c1')]); seen();
    run(core, [ev.ended(60, 'c1', 'agent')]); seen();
    core.advance(T0 + 69_000); seen();
    core.advance(T0 + 70_000); seen();
    expect(states).toEqual(['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'wrap-up', 'available']);
  });

  it('ready ends wrap-up early, and TMA counts talk plus wrap-up', () => {
    const core = newCore({ wrapUpSeconds: 0 });
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(10, 'c1'), ev.ended(100, 'c1', 'caller')]);
    expect(core.agent('bruno')!.status).toBe('wrap-up');
    run(core, [ev.ready(130, 'bruno')]);
    expect(core.agent('bruno')!.status).toBe('available');
    expect(core.metrics.read({ kind: 'center' }, 'today').tmaSeconds).toBe(120);
  });

  it('a pause asked for during a call starts when the call is done', () => {
    const core = newCore({ wrapUpSeconds: 5 });
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(1, 'c1'), ev.agent(2, 'bruno', 'away', 'lanche')]);
    expect(core.agent('bruno')!.status).toBe('on-call');
    run(core, [ev.ended(30, 'c1')]);
    core.advance(T0 + 35_000);
    expect(core.agent('bruno')).toMatchObject({ status: 'away', reason: 'lanche' });
  });

  it('an agent who logs out while ringing gives the call back to the queue', () => {
    const core = newCore();
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.agent(2, 'bruno', 'offline')]);
    expect(core.call('c1')!.status).toBe('queued');
    expect(core.agent('bruno')!.status).toBe('offline');
  });
});

describe('ring-no-answer', () => {
  it('puts the call back at the head of its tier with its original wait and offers it to someone else', () => {
    const core = newCore();
    run(core, [...callInto(0, 'first', 'suporte'), ...callInto(10, 'second', 'suporte')]);
    run(core, logIn(20, 'bruno'));
    expect(core.call('first')!.agentId).toBe('bruno');
    run(core, [ev.missed(40, 'first')]);
    expect(core.agent('bruno')).toMatchObject({ status: 'away', reason: 'no-answer' });
    expect(core.call('first')).toMatchObject({ status: 'queued', queuedAt: T0, missedBy: ['bruno'] });
    expect(run(core, logIn(41, 'ana'))).toEqual(['first→ana']);
  });

  it('with several misses allowed, the agent stays available after a delay and does not get the same call at once', () => {
    const core = newCore({ maxConsecutiveMisses: 2, missDelaySeconds: 5 });
    run(core, [...logIn(0, 'bruno', 'ana'), ...callInto(1, 'c1', 'suporte')]);
    expect(core.call('c1')!.agentId).toBe('ana');
    const offers = run(core, [ev.missed(5, 'c1')]);
    expect(offers).toEqual(['c1→bruno']);
    expect(core.agent('ana')!.status).toBe('available');
    run(core, [ev.missed(9, 'c1')]);
    // Ana is still in her pause after the miss; the call waits rather than ringing Bruno again at once.
    expect(core.call('c1')!.status).toBe('queued');
    core.advance(T0 + 10_000);
    expect(core.call('c1')).toMatchObject({ status: 'offering', agentId: 'ana' });
  });

  it('not-bridged (picked up, never connected): an agent\'s miss like no-answer; the call back at the head of its tier with its original wait', () => {
    const core = newCore();
    run(core, [...callInto(0, 'first', 'suporte'), ...callInto(10, 'second', 'suporte')]);
    run(core, logIn(20, 'bruno'));
    expect(core.call('first')!.agentId).toBe('bruno');
    run(core, [{ id: 'nb1', at: T0 + 30_000, type: 'call.offer-missed', callId: 'first', agentId: 'bruno', reason: 'not-bridged' }]);
    expect(core.agent('bruno')).toMatchObject({ status: 'away', reason: 'no-answer', consecutiveMisses: 1 });
    expect(core.call('first')).toMatchObject({ status: 'queued', queuedAt: T0, missedBy: ['bruno'], answeredAt: null });
    expect(core.metrics.read({ kind: 'center' }, 'today').answered).toBe(0);
    // Still ahead of the caller who arrived after it.
    expect(run(core, logIn(41, 'ana'))).toEqual(['first→ana']);
  });

  it('a call that ages at its requeue is offered again to the agent who missed it once the exclusion ends (the only agent for it)', () => {
    // Found by the SAC day run live (sim/scenarios/sac-day.json): a callback's aging came due while it rang;
    // missed, it went back to the queue and aged at once (its version moved), so the deadline ending the
    // exclusion of the agent who missed it was dropped as stale, and the only agent for it never got it again.
    const core = newCore({ agingSeconds: [null, 60, 60], maxConsecutiveMisses: 3, missDelaySeconds: 5, offerTimeoutSeconds: 20 });
    run(core, callInto(0, 'c1', 'vendas'));
    expect(run(core, logIn(50, 'ana'))).toEqual(['c1→ana']);
    // Missed at 65 s: back in the queue it ages to P2 at once (due at 60 s, while it rang).
    run(core, [ev.missed(65, 'c1')]);
    const requeue = core.advance(T0 + 65_000).decisions;
    expect(requeue.filter((d) => d.type === 'tier-changed')).toEqual([{ type: 'tier-changed', callId: 'c1', tier: 2, reason: 'Espera longa (era P3)' }]);
    // Ana's pause after the miss is 5 s, the call's exclusion from her 20 s.
    core.advance(T0 + 84_000);
    expect(core.call('c1')).toMatchObject({ status: 'queued', agentId: null });
    core.advance(T0 + 85_000);
    expect(core.call('c1')).toMatchObject({ status: 'offering', agentId: 'ana' });
  });

  it('an offer Twilio never reports on expires after the timeout plus grace', () => {
    const core = newCore({ offerTimeoutSeconds: 20, offerGraceSeconds: 10 });
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte')]);
    expect(core.nextDeadline()).toBeLessThanOrEqual(T0 + 30_000);
    core.advance(T0 + 29_999);
    expect(core.call('c1')!.status).toBe('offering');
    core.advance(T0 + 30_000);
    expect(core.call('c1')!.status).toBe('queued');
    expect(core.agent('bruno')!.reason).toBe('no-answer');
  });
});

describe('support levels', () => {
  it('after the widening wait an N2 agent may take an N1 call', () => {
    const core = newCore({ levelWideningSeconds: 60 });
    run(core, [...logIn(0, 'carla'), ...callInto(0, 'c1', 'suporte')]);
    expect(core.call('c1')!.status).toBe('queued');
    core.advance(T0 + 59_000);
    expect(core.call('c1')!.status).toBe('queued');
    const out = core.advance(T0 + 60_000);
    expect(out.decisions.find((d) => d.type === 'offer')).toMatchObject({ callId: 'c1', agentId: 'carla' });
  });

  it('an escalated call keeps its notes and original arrival and goes to N2', () => {
    const core = newCore();
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(5, 'c1')]);
    const offers = run(core, [ev.agent(6, 'carla', 'available'), ev.escalated(60, 'c1', 2, 'cliente sem sinal desde ontem')]);
    expect(offers).toEqual(['c1→carla']);
    expect(core.call('c1')).toMatchObject({ level: 2, queuedAt: T0, notes: ['cliente sem sinal desde ontem'], escalations: 1 });
    expect(core.agent('bruno')!.status).toBe('wrap-up');
    run(core, [ev.answered(70, 'c1')]);
    // Answered once for the service level, however many levels it passes through.
    expect(core.metrics.read({ kind: 'center' }, 'today').answered).toBe(1);
  });

  it('N1 agents never take an escalated N2 call', () => {
    const core = newCore();
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(5, 'c1'), ev.escalated(10, 'c1', 2)]);
    run(core, [ev.ready(11, 'bruno')]);
    expect(core.call('c1')!.status).toBe('queued');
    expect(core.agent('bruno')!.status).toBe('available');
  });
});

describe('abandons and figures', () => {
  it('counts answers within threshold, abandons while queued and while ringing', () => {
    const core = newCore();
    run(core, [
      ...logIn(0, 'bruno'),
      ...callInto(0, 'fast', 'suporte'), ev.answered(10, 'fast'),
      ...callInto(1, 'late', 'suporte'), ...callInto(2, 'gone', 'suporte'),
      ev.abandoned(40, 'gone'),
      ev.ended(50, 'fast'), ev.ready(51, 'bruno'), ev.answered(55, 'late'),
    ]);
    run(core, [...logIn(56, 'ana'), ...callInto(60, 'ring', 'vendas'), ev.ended(65, 'ring')]);
    const f = core.metrics.read({ kind: 'center' }, 'today');
    expect(f).toMatchObject({ offered: 4, answered: 2, abandoned: 2, answeredWithinThreshold: 1 });
    expect(f.serviceLevel).toBeCloseTo(1 / 4);
    expect(core.agent('ana')!.status).toBe('available');
  });

  it('a hang-up in the IVR is not an offered call', () => {
    const core = newCore();
    run(core, [ev.arrived(0, 'c1'), ev.ended(5, 'c1')]);
    expect(core.call('c1')!.outcome).toBe('ended-in-ivr');
    expect(core.metrics.read({ kind: 'center' }, 'today').offered).toBe(0);
  });

  it('survey and disposition feed NPS, CSAT and FCR of the queue that answered', () => {
    const core = newCore();
    run(core, [...logIn(0, 'bruno'), ...callInto(0, 'c1', 'suporte'), ev.answered(2, 'c1'), ev.ended(30, 'c1'),
      ev.survey(31, 'c1', 10, 5), ev.disposition(32, 'c1', true)]);
    const q = core.metrics.read({ kind: 'queue', id: 'suporte' }, 'today');
    expect(q.nps.score).toBe(100);
    expect(q.csat.score).toBe(1);
    expect(q.fcr.rate).toBe(1);
  });

  it('waiting counts by tier and the longest wait follow the queue', () => {
    const core = newCore();
    run(core, [...callInto(0, 'a', 'suporte'), ...callInto(5, 'b', 'suporte', { path: ['1', '9'] }), ...callInto(9, 'c', 'vendas')]);
    expect(core.waitingCount()).toBe(3);
    expect(core.waitingByTier()).toEqual([1, 0, 2]);
    expect(core.waitingByTier('suporte')).toEqual([1, 0, 1]);
    expect(core.longestWaitStart()).toBe(T0);
    expect(core.positionOf('a')).toBe(2);
    run(core, [ev.abandoned(20, 'a')]);
    expect(core.longestWaitStart('suporte')).toBe(T0 + 5000);
  });
});

describe('overflow', () => {
  it('sends callers past the queue limit to the overflow queue, or says goodbye', () => {
    const core = newCore({
      queues: [
        { id: 'suporte', name: 'Suporte', maxWaiting: 1, overflowQueue: 'vendas' },
        { id: 'vendas', name: 'Vendas', maxWaiting: 1 },
        { id: 'financeiro', name: 'Financeiro' },
      ],
    });
    run(core, [...callInto(0, 'a', 'suporte'), ...callInto(1, 'b', 'suporte'), ...callInto(2, 'c', 'suporte')]);
    expect(core.call('b')!.queue).toBe('vendas');
    expect(core.call('c')).toMatchObject({ status: 'ended', outcome: 'overflowed' });
  });
});

describe('determinism', () => {
  it('the same events give the same decisions and state', () => {
    const events: DomainEvent[] = [
      ...logIn(0, 'ana', 'bruno', 'carla'),
      ...callInto(1, 'a', 'suporte'), ...callInto(2, 'b', 'suporte'), ...callInto(3, 'c', 'vendas'),
      ev.answered(5, 'a'), ev.missed(30, 'b'), ev.ended(90, 'a'), ev.abandoned(95, 'c'),
    ];
    const one = newCore();
    const two = newCore();
    const d1 = events.map((e) => one.apply(e).decisions);
    const d2 = events.map((e) => two.apply(e).decisions);
    one.advance(T0 + 600_000); two.advance(T0 + 600_000);
    expect(d2).toEqual(d1);
    expect(two.agentList()).toEqual(one.agentList());
    expect(two.metrics.read({ kind: 'center' }, 'today')).toEqual(one.metrics.read({ kind: 'center' }, 'today'));
  });
});
