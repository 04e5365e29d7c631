// The supervisor screen's server side: tickets for /ws/supervisor (supervisors
// only, single use), the live view (the wallboard's snapshot plus agents' details
// and alerts), the per-agent report, the audit filters, and the reasons a
// supervisor gives when moving or escalating a caller or forcing a state.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Access } from '../../../server/auth/access.ts';
import type { AgentReport, SupervisorSetup, SupervisorView } from '../../../server/contract.ts';
import type { DomainEvent } from '../../../routing/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';

const SUP = 'sup-token', VIEW = 'view-token', ANA = 'ana-token';
let apps: TestApp[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  sockets = [];
  for (const a of apps) await a.close().catch(() => {});
  apps = [];
});

async function center(): Promise<TestApp> {
  const app = await buildTestApp({ access: new Access(undefined, { supervisor: SUP, viewer: VIEW, agents: { ana: ANA } }), rateLimitPerMinute: false });
  apps.push(app);
  return app;
}
const as = (token: string | null) => (token ? { authorization: `Bearer ${token}` } : {});
async function call(app: TestApp, method: 'GET' | 'POST' | 'PATCH', url: string, token: string | null = SUP, payload?: object) {
  return app.app.inject({ method, url, headers: as(token), ...(payload ? { payload } : {}) });
}
let n = 0;
function send(app: TestApp, seconds: number, e: Record<string, unknown>): void {
  app.clock.now = T0 + seconds * 1000;
  const r = app.engine.dispatch({ id: `s${n++}`, at: app.clock.now, ...e } as DomainEvent);
  expect(r.ok, JSON.stringify(r)).toBe(true);
}
function queueCall(app: TestApp, seconds: number, callId: string, queue: string): void {
  send(app, seconds, { type: 'call.arrived', callId, from: '+5511987654321' });
  send(app, seconds, { type: 'call.ivr', callId, path: ['1'] });
  send(app, seconds, { type: 'call.queued', callId, queue });
}

describe('tickets and the socket', () => {
  it('only a supervisor gets a ticket; it opens /ws/supervisor once; a wallboard ticket does not open it', async () => {
    const app = await center();
    expect((await call(app, 'POST', '/api/supervisor/ticket', null)).json()).toMatchObject({ statusCode: 401, code: 'ATENDE_ERR_UNAUTHORIZED' });
    expect((await call(app, 'POST', '/api/supervisor/ticket', VIEW)).json()).toMatchObject({ statusCode: 403, code: 'ATENDE_ERR_FORBIDDEN' });
    expect((await call(app, 'POST', '/api/supervisor/ticket', ANA)).statusCode).toBe(403);
    const res = await call(app, 'POST', '/api/supervisor/ticket');
    expect(res.statusCode).toBe(200);
    const { ticket, expiresInSeconds } = res.json() as { ticket: string; expiresInSeconds: number };
    expect(expiresInSeconds).toBe(60);

    const address = (await app.app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws');
    const open = (url: string) => new Promise<{ ws: WebSocket; frames: SupervisorView[] } | number>((resolve) => {
      const ws = new WebSocket(url);
      sockets.push(ws);
      const frames: SupervisorView[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(String(d)) as SupervisorView));
      ws.once('open', () => resolve({ ws, frames }));
      ws.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('error', () => { /* the status says it */ });
    });
    const first = await open(`${address}/ws/supervisor?ticket=${ticket}`);
    expect(typeof first).toBe('object');
    expect(await open(`${address}/ws/supervisor?ticket=${ticket}`)).toBe(401); // used up
    const wallTicket = (await call(app, 'POST', '/api/wallboard/ticket', VIEW)).json().ticket as string;
    expect(await open(`${address}/ws/supervisor?ticket=${wallTicket}`)).toBe(401);
    expect(await open(`${address}/ws/supervisor?token=${VIEW}`)).toBe(403);

    // The welcome frame, then a frame when an agent changes state.
    const { frames } = first as { frames: SupervisorView[] };
    await expect.poll(() => frames.length).toBeGreaterThanOrEqual(1);
    expect(frames[0]).toMatchObject({ type: 'supervisor', maxLevel: 2 });
    expect(frames[0].snapshot.type).toBe('snapshot');
    expect((await call(app, 'POST', '/api/agents/bruno/state', SUP, { state: 'away', reason: 'lanche' })).statusCode).toBe(200);
    await expect.poll(() => frames.at(-1)?.snapshot.agents.find((a) => a.id === 'bruno')?.state).toBe('away');
  });
});

describe('the live view', () => {
  it('is the wallboard snapshot plus each queue (open, callbacks) and each agent (call, pending, calls and TMA today)', async () => {
    const app = await center();
    // Ana takes one suporte call: answered 5 s after queueing, 60 s of talk, 30 s of wrap-up.
    send(app, 0, { type: 'agent.state', agentId: 'ana', state: 'available' });
    queueCall(app, 10, 'c1', 'suporte');
    send(app, 15, { type: 'call.answered', callId: 'c1', agentId: 'ana' });
    send(app, 75, { type: 'call.ended', callId: 'c1', by: 'agent' });
    app.clock.now = T0 + 105_000;
    app.engine.advance();
    const v = (await call(app, 'GET', '/api/supervisor/live')).json() as SupervisorView;
    expect(v.type).toBe('supervisor');
    expect(v.snapshot).toEqual((await call(app, 'GET', '/api/snapshot')).json());
    expect(v.queues.map((q) => [q.id, q.state, q.closedReason, q.callbacks, q.abandonsLastHour])).toEqual([
      ['suporte', 'open', null, 0, 0], ['vendas', 'open', null, 0, 0], ['financeiro', 'open', null, 0, 0],
    ]);
    const ana = v.agents.find((a) => a.id === 'ana')!;
    expect(ana).toEqual({ id: 'ana', contact: 'client:ana', callId: null, pending: null, callsToday: 1, tmaTodaySeconds: 90 });
    expect(v.agents.find((a) => a.id === 'bruno')).toMatchObject({ callsToday: 0, tmaTodaySeconds: null });
    expect(v.pauseReasons).toContain('almoço');
    expect(v.alerts).toEqual([]);
    expect((await call(app, 'GET', '/api/supervisor/live', VIEW)).statusCode).toBe(403);

    const setup = (await call(app, 'GET', '/api/supervisor/setup')).json() as SupervisorSetup;
    expect(setup).toMatchObject({ timezone: 'America/Sao_Paulo', tiers: 3, maxLevel: 2 });
    expect(setup.queues.map((q) => q.id)).toEqual(['suporte', 'vendas', 'financeiro']);
    expect(setup.liveKeys).toContain('alerts');
    expect(typeof setup.capabilities.agentReports).toBe('boolean');

    // A supervisor closes Vendas: the screen shows it closed, with the reason.
    expect((await call(app, 'POST', '/api/queues/vendas/close', SUP, { reason: 'inventário' })).statusCode).toBe(200);
    const closed = (await call(app, 'GET', '/api/supervisor/live')).json() as SupervisorView;
    expect(closed.queues.find((q) => q.id === 'vendas')).toMatchObject({ state: 'closed', closedReason: 'inventário' });
    expect(closed.queues.find((q) => q.id === 'suporte')).toMatchObject({ state: 'open', closedReason: null });
  });

  it('the per-agent report: calls, TMA, talk, wrap-up, occupancy, pause reasons, missed offers; as CSV too', async () => {
    const app = await center();
    send(app, 0, { type: 'agent.state', agentId: 'ana', state: 'available' });
    queueCall(app, 10, 'c1', 'vendas');
    // Offered to Ana at 10 s; she lets it ring out (a missed offer); the caller gives up.
    send(app, 20, { type: 'call.offer-missed', callId: 'c1', agentId: 'ana', reason: 'no-answer' });
    send(app, 20, { type: 'call.abandoned', callId: 'c1' });
    send(app, 20, { type: 'agent.state', agentId: 'ana', state: 'available' });
    // The next one she takes: rings 5 s, 60 s of talk, 30 s of wrap-up; then lunch.
    queueCall(app, 30, 'c2', 'vendas');
    send(app, 35, { type: 'call.answered', callId: 'c2', agentId: 'ana' });
    send(app, 95, { type: 'call.ended', callId: 'c2', by: 'caller' });
    app.clock.now = T0 + 125_000;
    app.engine.advance();
    send(app, 125, { type: 'agent.state', agentId: 'ana', state: 'away', reason: 'almoço' });
    app.clock.now = T0 + 425_000;
    const res = await call(app, 'GET', `/api/supervisor/agent-report?from=${T0}&to=${T0 + 425_000}`);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json() as AgentReport;
    expect(report).toMatchObject({ from: '2026-11-23T09:00:00-03:00', to: '2026-11-23T09:07:05-03:00', timezone: 'America/Sao_Paulo' });
    const ana = report.rows.find((r) => r.agentId === 'ana')!;
    expect(ana).toEqual({
      agentId: 'ana', name: 'Ana Souza', calls: 1, tmaSeconds: 90, talkSeconds: 60, wrapUpSeconds: 30, missedOffers: 1,
      // Busy 15 + 60 + 30 over staffed 105 + 20 available.
      occupancy: 105 / 125,
      stateSeconds: { offline: 0, available: 20, ringing: 15, 'on-call': 60, 'wrap-up': 30, away: 300 },
      pauseSeconds: { almoço: 300 },
    });
    expect(report.rows.find((r) => r.agentId === 'bruno')).toMatchObject({ calls: 0, tmaSeconds: null, occupancy: null });

    const csv = await call(app, 'GET', `/api/supervisor/agent-report?from=${T0}&to=${T0 + 425_000}&format=csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="atende-agents-2026-11-23_2026-11-23.csv"');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^agentId,name,calls,tmaSeconds,talkSeconds,wrapUpSeconds,occupancy,missedOffers,availableSeconds,/);
    expect(lines.find((l) => l.startsWith('ana,'))).toMatch(/^ana,Ana Souza,1,90,60,30,/);
    expect((await call(app, 'GET', `/api/supervisor/agent-report?from=${T0}&to=${T0 - 1}`)).json())
      .toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', message: 'to: must be after from (2026-11-23T09:00:00-03:00)' });
  });
});

describe('reasons and the audit log', () => {
  it('a moved or escalated caller keeps the supervisor\'s reason in the event and the audit; a forced state is audited', async () => {
    const app = await center();
    queueCall(app, 0, 'c9', 'suporte');
    const moved = await call(app, 'POST', '/api/calls/c9/move', SUP, { queue: 'vendas', tier: 1, reason: 'cliente reclamou' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().live).toMatchObject({ queue: 'vendas', tier: 1 });
    const esc = await call(app, 'POST', '/api/calls/c9/escalate', SUP, { toLevel: 2, reason: 'pede especialista' });
    expect(esc.statusCode, esc.body).toBe(200);
    // The agent's own change is not audited; a supervisor logging her out is.
    expect((await call(app, 'POST', '/api/agents/bruno/state', ANA, { state: 'available' })).statusCode).toBe(403);
    expect((await call(app, 'POST', '/api/agents/ana/state', ANA, { state: 'away', reason: 'lanche' })).statusCode).toBe(200);
    const forced = await call(app, 'POST', '/api/agents/ana/state', SUP, { state: 'offline' });
    expect(forced.statusCode, forced.body).toBe(200);

    const entries = (await call(app, 'GET', '/api/audit')).json().entries as { action: string; target: string; before: unknown; after: unknown; actor: string }[];
    expect(entries.map((e) => [e.action, e.target, e.before, e.after])).toEqual([
      ['agent.state', 'ana', { state: 'away', reason: 'lanche' }, { state: 'offline', reason: null, now: 'offline' }],
      ['call.escalated', 'c9', { level: 1, queue: 'vendas' }, { toLevel: 2, queue: 'vendas', note: null, reason: 'pede especialista' }],
      ['call.moved', 'c9', { queue: 'suporte', tier: 3 }, { queue: 'vendas', tier: 1, reason: 'cliente reclamou' }],
    ]);
    for (const e of entries) expect(e.actor).toMatch(/^supervisor \(sha256:[0-9a-f]{8}…\)$/);
    const logged = app.storage.events.replay();
    const reasons = [...logged].filter((e) => e.type === 'call.moved' || e.type === 'call.escalated').map((e) => (e as unknown as { reason?: string }).reason);
    expect(reasons).toEqual(['cliente reclamou', 'pede especialista']);
    // Without a reason the body is as before.
    queueCall(app, 5, 'c10', 'suporte');
    expect((await call(app, 'POST', '/api/calls/c10/move', SUP, { tier: 2 })).statusCode).toBe(200);
    expect((await call(app, 'POST', '/api/calls/c10/move', SUP, { reason: '' })).json()).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION' });
  });

  it('filters the audit log by who, since/until, field and action', async () => {
    const app = await center();
    const patch = async (seconds: number, body: object) => {
      app.clock.now = T0 + seconds * 1000;
      const r = await call(app, 'PATCH', '/api/settings', SUP, body);
      expect(r.statusCode, r.body).toBe(200);
    };
    await patch(10, { serviceLevel: { target: 0.85 } });
    await patch(20, { colours: { serviceLevel: { amberFrom: 0.6 } } });
    await patch(30, { serviceLevel: { thresholdSeconds: 25 }, pauseReasons: ['almoço', 'lanche'] });
    await patch(40, { queues: [{ id: 'suporte', target: 0.9 }] });
    app.clock.now = T0 + 50_000;
    expect((await call(app, 'PATCH', '/api/agents/ana', SUP, { level: 2 })).statusCode).toBe(200);
    const targets = async (q: string) => {
      const r = await call(app, 'GET', `/api/audit?${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().entries as { target: string }[]).map((e) => e.target);
    };
    expect(await targets('field=serviceLevel')).toEqual(['serviceLevel,pauseReasons', 'serviceLevel']);
    expect(await targets('field=/serviceLevel/target')).toEqual(['serviceLevel']);
    expect(await targets('field=serviceLevel.thresholdSeconds')).toEqual(['serviceLevel,pauseReasons']);
    expect(await targets('field=queues.suporte.target')).toEqual(['queues']);
    expect(await targets('field=ana')).toEqual(['ana']);
    expect(await targets(`since=${T0 + 20_000}&until=${T0 + 40_000}`)).toEqual(['serviceLevel,pauseReasons', 'colours']);
    expect(await targets('since=2026-11-23T09:00:30')).toEqual(['ana', 'queues', 'serviceLevel,pauseReasons']);
    expect(await targets('action=agent')).toEqual(['ana']);
    expect(await targets('who=supervisor&limit=2')).toEqual(['ana', 'queues']);
    expect(await targets('who=nobody')).toEqual([]);
    expect(await targets('who=100%25')).toEqual([]);
    expect((await call(app, 'GET', '/api/audit?since=yesterday')).json())
      .toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', message: "since: must be epoch ms, a date (2026-11-23) or a date-time (2026-11-23T09:15); got 'yesterday'" });
    expect((await call(app, 'GET', '/api/audit?colour=red')).json()).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION' });
  });
});
