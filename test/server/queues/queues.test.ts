// POST /api/queues/:id/close and /open: a supervisor closes a queue at once, with a reason,
// logged as an event (replayed at start), audited; the core refuses callers at it; the
// wallboard shows it closed; an emergency closure is flagged for the alerts.
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

const post = (a: TestApp, url: string, payload?: Record<string, unknown>) =>
  a.app.inject(payload === undefined ? { method: 'POST', url } : { method: 'POST', url, payload });

describe('closing and reopening a queue', () => {
  it('closes with a reason, refuses callers, serves those waiting, shows it, reopens', async () => {
    app = await buildTestApp();
    const now = app.clock.now;
    const ok = (r: { ok: boolean }) => expect(r.ok).toBe(true);
    ok(app.engine.dispatch({ id: 'a1', at: now, type: 'call.arrived', callId: 'CA1', from: '+5511900000001' }, 'test'));
    ok(app.engine.dispatch({ id: 'q1', at: now, type: 'call.queued', callId: 'CA1', queue: 'vendas' }, 'test'));

    const until = new Date(now + 3_600_000).toISOString();
    const res = await post(app, '/api/queues/vendas/close', { reason: 'sistema fora do ar', emergency: true, until });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'vendas', open: false, reason: 'sistema fora do ar', emergency: true, by: 'supervisor', nextOpeningAt: now + 3_600_000 });

    // Logged: the event is in the log with its emergency flag (the alerts read it there).
    const logged = app.storage.db.prepare("SELECT body FROM events WHERE type = 'queue.closed'").pluck().all() as string[];
    expect(logged.map((b) => JSON.parse(b))).toEqual([expect.objectContaining({ queue: 'vendas', emergency: true, until: now + 3_600_000, by: 'supervisor', waiting: 'serve' })]);

    ok(app.engine.dispatch({ id: 'a2', at: now, type: 'call.arrived', callId: 'CA2', from: '+5511900000002' }, 'test'));
    const refused = app.engine.dispatch({ id: 'q2', at: now, type: 'call.queued', callId: 'CA2', queue: 'vendas' }, 'test');
    expect(refused.ok ? 'accepted' : refused.error.code).toBe('ATENDE_QUEUE_CLOSED');
    // The caller already waiting is still served.
    ok(app.engine.dispatch({ id: 's1', at: now, type: 'agent.state', agentId: 'diego', state: 'available' }, 'test'));
    expect(app.engine.core.call('CA1')!.status).toBe('offering');

    const q = app.app.wallboardSnapshot().queues.find((x) => x.id === 'vendas')!;
    expect(q).toMatchObject({ open: false, closedReason: 'sistema fora do ar', emergency: true, nextOpeningAt: now + 3_600_000 });

    const listed = await app.app.inject({ method: 'GET', url: '/api/queues' });
    expect(listed.json().queues.map((x: { id: string; open: boolean }) => [x.id, x.open])).toEqual([['suporte', true], ['vendas', false], ['financeiro', true]]);

    const opened = await post(app, '/api/queues/vendas/open');
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ open: true, reason: null, nextOpeningAt: null });
    expect(app.engine.core.queueState('vendas').open).toBe(true);

    const audit = app.storage.audit.recent(10);
    expect(audit.filter((e) => e.target === 'vendas').map((e) => e.action).sort()).toEqual(['queue.closed', 'queue.opened']);
  });

  it('reopens by itself at `until`', async () => {
    app = await buildTestApp();
    const until = app.clock.now + 60_000;
    await post(app, '/api/queues/suporte/close', { reason: 'treinamento', until: new Date(until).toISOString() });
    app.clock.now = until;
    app.engine.advance();
    expect(app.engine.core.queueState('suporte').open).toBe(true);
  });

  it('answers 404 for an unknown queue and 400 for a bad body, in the one error shape', async () => {
    app = await buildTestApp();
    const unknown = await post(app, '/api/queues/nope/close', { reason: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_QUEUE', error: 'Not Found', message: "no queue with id 'nope'" });
    const noReason = await post(app, '/api/queues/vendas/close', {});
    expect(noReason.statusCode).toBe(400);
    const past = await post(app, '/api/queues/vendas/close', { reason: 'x', until: new Date(app.clock.now - 1000).toISOString() });
    expect(past.json()).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', message: 'until: must be a time in the future' });
  });

  it('is for supervisors only', async () => {
    app = await buildTestApp({ supervisorToken: 'sup-token' });
    const anon = await post(app, '/api/queues/vendas/close', { reason: 'x' });
    expect(anon.statusCode).toBe(401);
    const withToken = await app.app.inject({ method: 'POST', url: '/api/queues/vendas/close', headers: { authorization: 'Bearer sup-token' }, payload: { reason: 'x' } });
    expect(withToken.statusCode).toBe(200);
  });
});
