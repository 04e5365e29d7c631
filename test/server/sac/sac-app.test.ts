// The SAC in a whole Atende: business hours become closures in the core at the right
// moments (and on the wallboard), protocol numbers on the call and its record, searchable,
// calls dropped on the company's side, and the service the Twilio edge will call.
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../routing/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { testSettings } from '../../helpers/twilio.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

/** São Paulo local time (UTC−3). */
const sp = (local: string) => Date.parse(`${local}-03:00`);
let n = 0;
type Body = Record<string, unknown> & { type: DomainEvent['type'] };
function dispatch(a: TestApp, e: Body): void {
  const r = a.engine.dispatch({ id: `t${n++}`, at: a.clock.now, ...e } as DomainEvent, 'test');
  if (!r.ok) throw new Error(`${e.type} refused: ${r.error.message}`);
}
/** A caller through arrival (with a protocol, as the edge will do), the IVR and into a queue. */
async function caller(a: TestApp, callId: string, queue: string, from = '+5511987650000'): Promise<string> {
  const protocol = await a.app.sac.protocolFor(callId, a.clock.now);
  dispatch(a, { type: 'call.arrived', callId, from, protocol });
  dispatch(a, { type: 'call.ivr', callId, path: ['2'] });
  dispatch(a, { type: 'call.queued', callId, queue });
  return protocol;
}

const withHours = () => testSettings((s) => {
  s.queues.find((q) => q.id === 'vendas')!.hours = { mon: ['08:00-18:00'], tue: ['08:00-18:00'], wed: ['08:00-18:00'], thu: ['08:00-18:00'], fri: ['08:00-18:00'] };
});

describe('business hours in the core', () => {
  it('close and open a queue at the schedule\'s edges, on the wallboard too', async () => {
    app = await buildTestApp({ settings: withHours() });
    app.clock.now = sp('2026-12-07T17:59');
    await app.app.sac.syncSchedule();
    expect(app.engine.core.queueState('vendas').open).toBe(true);

    app.clock.now = sp('2026-12-07T18:00');
    await app.app.sac.syncSchedule();
    expect(app.engine.core.queueState('vendas')).toMatchObject({ open: false, by: 'schedule', reason: 'hours', until: sp('2026-12-08T08:00') });
    const snap = app.app.wallboardSnapshot();
    expect(snap.queues.find((q) => q.id === 'vendas')).toMatchObject({ open: false, closedReason: 'hours', nextOpeningAt: sp('2026-12-08T08:00') });
    expect(snap.queues.find((q) => q.id === 'suporte')).toMatchObject({ open: true, closedReason: null, nextOpeningAt: null });

    // Nobody is enqueued into it: the core's coded refusal.
    dispatch(app, { type: 'call.arrived', callId: 'late', from: '+5511911110000' });
    const r = app.engine.dispatch({ id: 'late-q', at: app.clock.now, type: 'call.queued', callId: 'late', queue: 'vendas' }, 'test');
    expect(r.ok ? null : r.error.code).toBe('ATENDE_QUEUE_CLOSED');
    expect(app.storage.events.has('late-q')).toBe(false);

    app.clock.now = sp('2026-12-08T08:00');
    await app.app.sac.syncSchedule();
    expect(app.engine.core.queueState('vendas').open).toBe(true);
  });

  it('a holiday closes it with its name; a restart keeps the closure (it is in the log)', async () => {
    app = await buildTestApp({ settings: withHours() });
    app.clock.now = sp('2026-12-25T10:00');
    await app.app.sac.syncSchedule();
    expect(app.engine.core.queueState('vendas')).toMatchObject({ open: false, reason: 'holiday: Natal', until: sp('2026-12-28T08:00') });
    // Logged like any event: a replay of the log closes it the same way.
    const logged = app.storage.db.prepare("SELECT body FROM events WHERE type = 'queue.closed'").pluck().all() as string[];
    expect(logged.map((b) => JSON.parse(b))).toEqual([expect.objectContaining({ queue: 'vendas', by: 'schedule', reason: 'holiday: Natal' })]);
  });
});

describe('protocol numbers on calls', () => {
  it('on the live call, on the record, searchable, in the CSV', async () => {
    app = await buildTestApp();
    app.clock.now = sp('2026-12-06T10:00');
    const p1 = await caller(app, 'CA1', 'suporte');
    const p2 = await caller(app, 'CA2', 'vendas');
    expect([p1, p2]).toEqual(['20261206000001', '20261206000002']);
    const one = await app.app.inject({ method: 'GET', url: '/api/calls/CA2' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: 'CA2', protocol: p2, live: { protocol: p2 }, record: { protocol: p2 } });

    const found = await app.app.inject({ method: 'GET', url: `/api/calls?protocol=${p1}` });
    expect(found.statusCode).toBe(200);
    expect(found.json().calls.map((c: { callId: string; protocol: string }) => [c.callId, c.protocol])).toEqual([['CA1', p1]]);
    const none = await app.app.inject({ method: 'GET', url: '/api/calls?protocol=1' });
    expect(none.json()).toEqual({ calls: [] });
    const bad = await app.app.inject({ method: 'GET', url: '/api/calls?protocol=2026-12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION' });

    const csv = await app.app.inject({ method: 'GET', url: '/api/calls?from=2026-12-06&format=csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['protocol', 'callId', 'from']);
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([p1, p2]);
  });

  it('a call dropped on the company side comes back as a callback with its protocol', async () => {
    app = await buildTestApp();
    app.clock.now = sp('2026-12-06T10:00');
    dispatch(app, { type: 'agent.state', agentId: 'bruno', state: 'available' });
    const p = await caller(app, 'CA9', 'suporte');
    dispatch(app, { type: 'call.answered', callId: 'CA9' });
    app.clock.now += 60_000;
    const res = await app.app.inject({ method: 'POST', url: '/api/calls/CA9/dropped', payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ protocol: p, live: { status: 'queued', callback: { origin: 'dropped', number: '+5511987650000' } } });
    expect(app.app.wallboardSnapshot().center).toMatchObject({ callbacksWaiting: 1, waiting: 0 });
    const again = await app.app.inject({ method: 'POST', url: '/api/calls/CA9/dropped', payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ATENDE_ERR_BAD_CALL_STATE');
    const audit = app.storage.audit.recent(5).map((e) => e.action);
    expect(audit).toContain('call.dropped');
  });
});

describe('the service the Twilio edge calls', () => {
  it('callbacks keep the place; the wallboard counts them apart from the callers on the line', async () => {
    app = await buildTestApp();
    app.clock.now = sp('2026-12-06T10:00');
    await caller(app, 'CA1', 'suporte', '+5511900000001');
    app.clock.now += 10_000;
    await caller(app, 'CA2', 'suporte', '+5511900000002');
    app.clock.now += 70_000;
    expect(app.app.sac.offersCallback('CA1')).toBe(app.engine.core.estimatedWaitSeconds('suporte', 1) > 120);
    const r = await app.app.sac.requestCallback('CA1', '+5511988887777');
    expect(r.ok).toBe(true);
    const snap = app.app.wallboardSnapshot();
    const suporte = snap.queues.find((q) => q.id === 'suporte')!;
    expect(suporte).toMatchObject({ waiting: 1, callbacksWaiting: 1, oldestCallbackWaitSeconds: 80, longestWaitSeconds: 70 });
    expect(snap.waitingCalls.map((c) => [c.callId, c.callback ?? false])).toEqual([['CA1', true], ['CA2', false]]);
    expect(app.engine.core.positionOf('CA2')).toBe(2);
    expect(app.app.sac.speech('20261206000001', 'pt-BR')).toMatch(/^Anote o número do seu protocolo: 2 0 2 6, 1 2, 0 6, 0 0 0, 0 0 1\./);
    expect(app.app.sac.entry('suporte')).toMatchObject({ open: true, callbacks: true, closedMessage: { 'pt-BR': expect.stringMatching(/fechados/) } });
  });
});
