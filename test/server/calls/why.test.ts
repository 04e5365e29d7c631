// GET /api/calls/:id/why on built days whose answer is known: each stretch of waiting and
// the router's reason for it, exactly.
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../routing/types.ts';
import type { Settings } from '../../../server/config/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

let n = 0;
const s = (sec: number) => T0 + sec * 1000;
type Body = Record<string, unknown> & { type: DomainEvent['type'] };
const at = (sec: number, body: Body): DomainEvent => ({ id: `w${n++}`, at: s(sec), ...body } as DomainEvent);
const login = (sec: number, agentId: string) => at(sec, { type: 'agent.state', agentId, state: 'available' });
let numbers = 0;
/** A caller through the IVR into a queue. */
const caller = (sec: number, callId: string, queue: string, path: string[], from = `+55119${String(7000000 + numbers++).padStart(8, '0')}`) => [
  at(sec, { type: 'call.arrived', callId, from }),
  at(sec, { type: 'call.ivr', callId, path }),
  at(sec, { type: 'call.queued', callId, queue }),
];

async function day(events: DomainEvent[], settings?: Settings): Promise<TestApp> {
  const a = await buildTestApp(settings ? { settings } : {});
  for (const e of events) {
    a.clock.now = e.at;
    const r = a.engine.dispatch(e, 'test');
    if (!r.ok) throw new Error(`${e.type} refused: ${r.error.message}`);
  }
  return a;
}

async function why(id: string) {
  const res = await app!.app.inject({ method: 'GET', url: `/api/calls/${id}/why` });
  return { status: res.statusCode, body: res.json() };
}

const agent = (id: string, level: number, status: string, callId: string | null = null, reason: string | null = null) => ({ id, level, status, reason, callId });

describe('GET /api/calls/:id/why', () => {
  it('nobody with the skill logged in, until Gabriela logs in', async () => {
    app = await day([
      ...caller(0, 'c1', 'financeiro', ['3']),
      login(60, 'gabriela'),
      at(63, { type: 'call.answered', callId: 'c1', agentId: 'gabriela' }),
      at(100, { type: 'call.ended', callId: 'c1', by: 'agent' }),
    ]);
    const { status, body } = await why('c1');
    expect(status).toBe(200);
    expect(body.waits).toEqual([
      { from: s(0), to: s(60), seconds: 60, reasons: [{ kind: 'no-agent-logged-in', skill: 'financeiro', agentsWithSkill: ['carla', 'eduarda', 'gabriela', 'larissa', 'marcos'] }] },
    ]);
    expect(body.timeline.map((t: { what: string }) => t.what)).toEqual(['arrived', 'ivr', 'queued', 'levels-widened', 'offered', 'answered', 'ended']);
    expect(body.timeline[2]).toMatchObject({ at: s(0), queue: 'financeiro', tier: 3, rule: { ruleId: 'default', label: 'Padrão' } });
    expect(body.timeline[3]).toEqual({ at: s(15), what: 'levels-widened', maxLevel: 2 });
    expect(body.timeline[4]).toMatchObject({ at: s(60), what: 'offered', agentId: 'gabriela' });
    expect(body).toMatchObject({ outcome: 'answered', waitedSeconds: 63, endedAt: s(100), arrivedAt: s(0) });
  });

  it('all skilled agents busy (who and with what), then a VIP caller ahead', async () => {
    app = await day([
      login(0, 'ana'), login(0, 'bruno'),
      ...caller(10, 'c1', 'suporte', ['1', '1']), at(12, { type: 'call.answered', callId: 'c1', agentId: 'ana' }),
      ...caller(20, 'c2', 'suporte', ['1', '1']), at(22, { type: 'call.answered', callId: 'c2', agentId: 'bruno' }),
      ...caller(30, 'c3', 'suporte', ['1', '1']),
      ...caller(40, 'c4', 'suporte', ['1', '1'], '+5511999990000'),
      at(100, { type: 'call.ended', callId: 'c1', by: 'agent' }),
      // Ana's 30 s wrap-up ends at 130: she gets the VIP first.
      at(133, { type: 'call.answered', callId: 'c4', agentId: 'ana' }),
      at(150, { type: 'call.ended', callId: 'c2', by: 'caller' }),
      at(183, { type: 'call.answered', callId: 'c3', agentId: 'bruno' }),
      at(200, { type: 'call.ended', callId: 'c3', by: 'agent' }),
    ]);
    const { body } = await why('c3');
    const ahead = { kind: 'callers-ahead', count: 1, byTier: [1, 0, 0] };
    expect(body.waits).toEqual([
      { from: s(30), to: s(40), seconds: 10, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'on-call', 'c1'), agent('bruno', 1, 'on-call', 'c2')] }] },
      { from: s(40), to: s(100), seconds: 60, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'on-call', 'c1'), agent('bruno', 1, 'on-call', 'c2')] }, ahead] },
      { from: s(100), to: s(130), seconds: 30, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'wrap-up', 'c1'), agent('bruno', 1, 'on-call', 'c2')] }, ahead] },
      { from: s(130), to: s(133), seconds: 3, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'ringing', 'c4'), agent('bruno', 1, 'on-call', 'c2')] }] },
      { from: s(133), to: s(150), seconds: 17, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'on-call', 'c4'), agent('bruno', 1, 'on-call', 'c2')] }] },
      { from: s(150), to: s(180), seconds: 30, reasons: [{ kind: 'all-busy', agents: [agent('ana', 1, 'on-call', 'c4'), agent('bruno', 1, 'wrap-up', 'c2')] }] },
    ]);
    expect(body.waitedSeconds).toBe(153);
    const vip = (await why('c4')).body;
    expect(vip.timeline[2]).toMatchObject({ what: 'queued', tier: 1, rule: { ruleId: 'vip', label: 'Cliente VIP', reason: 'vip' } });
  });

  it('agents of the needed level busy while an N2 is free, until the levels widen', async () => {
    app = await day([
      login(0, 'ana'), login(0, 'carla'),
      ...caller(10, 'c0', 'suporte', ['1', '1']), at(12, { type: 'call.answered', callId: 'c0', agentId: 'ana' }),
      ...caller(20, 'c1', 'suporte', ['1', '1']),
      at(38, { type: 'call.answered', callId: 'c1', agentId: 'carla' }),
    ]);
    const { body } = await why('c1');
    expect(body.waits).toEqual([
      {
        from: s(20), to: s(35), seconds: 15,
        reasons: [{ kind: 'level-busy', levels: { from: 1, to: 1 }, busy: [agent('ana', 1, 'on-call', 'c0')], free: [agent('carla', 2, 'available')], widensAt: s(35) }],
      },
    ]);
    expect(body.timeline.slice(3)).toEqual([
      { at: s(35), what: 'levels-widened', maxLevel: 2 },
      { at: s(35), what: 'offered', agentId: 'carla', queue: 'suporte', tier: 3 },
      { at: s(38), what: 'answered', agentId: 'carla' },
    ]);
    // Still connected: the replay runs to now.
    expect(body.endedAt).toBeNull();
  });

  it('the only free agent kept from the call after missing its offer', async () => {
    const settings = testSettings((x) => { x.maxConsecutiveMisses = 2; });
    app = await day([
      login(0, 'bruno'),
      ...caller(10, 'c1', 'suporte', ['1', '1']),
      at(30, { type: 'call.offer-missed', callId: 'c1', agentId: 'bruno', reason: 'no-answer' }),
      at(53, { type: 'call.answered', callId: 'c1', agentId: 'bruno' }),
    ], settings);
    const { body } = await why('c1');
    expect(body.waits).toEqual([{ from: s(30), to: s(50), seconds: 20, reasons: [{ kind: 'excluded', agentId: 'bruno' }] }]);
    expect(body.timeline.map((t: { what: string }) => t.what)).toEqual(['arrived', 'ivr', 'queued', 'offered', 'missed', 'requeued', 'levels-widened', 'offered', 'answered']);
    expect(body.timeline[4]).toEqual({ at: s(30), what: 'missed', agentId: 'bruno', reason: 'no-answer' });
  });

  it('a caller who gave up: abandoned, and how long they waited', async () => {
    app = await day([...caller(0, 'c9', 'vendas', ['2']), at(45, { type: 'call.abandoned', callId: 'c9' })]);
    const { body } = await why('c9');
    expect(body).toMatchObject({ outcome: 'abandoned', waitedSeconds: 45, endedAt: s(45) });
    expect(body.waits).toHaveLength(1);
    expect(body.waits[0]).toMatchObject({ from: s(0), to: s(45), reasons: [{ kind: 'no-agent-logged-in', skill: 'vendas' }] });
    expect(body.timeline.at(-1)).toEqual({ at: s(45), what: 'abandoned', by: 'caller' });
  });

  it('404 for a call the log never saw; supervisors only', async () => {
    app = await buildTestApp({ supervisorToken: 'sup', viewerToken: 'view' });
    const res = await app.app.inject({ method: 'GET', url: '/api/calls/nope/why', headers: { authorization: 'Bearer sup' } });
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_CALL' });
    const viewer = await app.app.inject({ method: 'GET', url: '/api/calls/nope/why', headers: { authorization: 'Bearer view' } });
    expect(viewer.statusCode).toBe(403);
  });
});
