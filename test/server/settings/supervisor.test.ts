// Supervisor API: live changes validated, applied without restart, on the
// wallboard at once, persisted across a restart, audited (who, when, before, after).
import { afterEach, describe, expect, it } from 'vitest';
import { Access } from '../../../server/auth/access.ts';
import { callParams, local, newSid, startHarness, testSettings, type Harness } from '../../helpers/twilio.ts';

let hs: Harness[] = [];
afterEach(async () => { for (const h of hs) await h.close().catch(() => {}); hs = []; });
const SUP = { authorization: 'Bearer sup-9' };
async function harness(dbPath?: string) {
  const h = await startHarness({ access: new Access(undefined, { supervisor: 'sup-9' }), rateLimitPerMinute: false, ...(dbPath ? { dbPath } : {}) });
  hs.push(h);
  return h;
}
const inject = (h: Harness, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
  h.atende.app.inject({ method, url, headers: SUP, ...(payload ? { payload } : {}) });

async function queue(h: Harness, from: string, keys: string[]) {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  for (const d of keys) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
  expect(res.twiml!.Enqueue, res.body).toBeDefined();
  return sid;
}

describe('supervisor API', () => {
  it('a new service-level target and colours reach the wallboard at once, survive a restart, and are audited', async () => {
    const h = await harness();
    const before = (await inject(h, 'GET', '/api/snapshot')).json();
    expect(before.serviceLevel.target).toBe(0.8);
    const res = await inject(h, 'PATCH', '/api/settings', { serviceLevel: { target: 0.9 }, colours: { serviceLevel: { amberFrom: 0.85 } } });
    expect(res.statusCode, res.body).toBe(200);
    const after = (await inject(h, 'GET', '/api/snapshot')).json();
    expect(after.serviceLevel.target).toBe(0.9);
    expect(after.colours.serviceLevel.amberFrom).toBe(0.85);
    expect(after.colours.longestWaitSeconds).toEqual(before.colours.longestWaitSeconds); // merge, not replace
    expect(h.atende.engine.core.metrics.read({ kind: 'center' }, 'today').target).toBe(0.9);

    const audit = (await inject(h, 'GET', '/api/audit')).json().entries;
    expect(audit[0]).toMatchObject({ action: 'settings.changed', target: 'serviceLevel,colours', after: { serviceLevel: { target: 0.9 } } });
    expect(audit[0].before.serviceLevel.target).toBe(0.8);
    expect(audit[0].actor).toMatch(/^supervisor \(sha256:[0-9a-f]{8}…\)$/);
    expect(JSON.stringify(audit)).not.toContain('sup-9');

    await h.restart();
    const restarted = (await inject(h, 'GET', '/api/snapshot')).json();
    expect(restarted.serviceLevel.target).toBe(0.9);
    expect(restarted.colours.serviceLevel.amberFrom).toBe(0.85);
    expect(h.atende.engine.core.metrics.read({ kind: 'center' }, 'today').target).toBe(0.9);
    expect((await inject(h, 'GET', '/api/audit')).json().entries).toHaveLength(1);
  });

  it('changes are validated as a whole settings file would be: 400 naming the field; nothing changes', async () => {
    const h = await harness();
    for (const [patch, field] of [
      [{ serviceLevel: { target: 1.5 } }, '/serviceLevel/target'],
      [{ ivr: { maxAttempts: 3 } }, '/ivr'],
      [{ queues: [{ id: 'vendas', overflowQueue: 'nowhere' }] }, '/queues/1/overflowQueue'],
      [{ priority: { agingSeconds: [null, 60] } }, '/priority/agingSeconds'],
    ] as [object, string][]) {
      const res = await inject(h, 'PATCH', '/api/settings', patch);
      expect(res.statusCode, JSON.stringify(patch)).toBe(400);
      // The one error shape: the field leads the message.
      expect(res.json(), JSON.stringify(patch)).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_INVALID_SETTINGS', error: 'Bad Request' });
      expect(res.json().message.startsWith(`${field}: `), res.json().message).toBe(true);
    }
    expect((await inject(h, 'GET', '/api/snapshot')).json().serviceLevel.target).toBe(0.8);
    expect((await inject(h, 'GET', '/api/audit')).json().entries).toEqual([]);
  });

  it("a queue's own threshold and a new VIP number apply to the next calls without restart", async () => {
    const h = await harness();
    const vip = '+5511911112222';
    const settings = testSettings();
    const res = await inject(h, 'PATCH', '/api/settings', {
      queues: [{ id: 'vendas', thresholdSeconds: 30, target: 0.7 }],
      priority: { vipNumbers: [...settings.priority.vipNumbers, vip] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const sid = await queue(h, vip, ['1', '2']);
    const snap = (await inject(h, 'GET', '/api/snapshot')).json();
    expect(snap.queues.find((q: { id: string }) => q.id === 'vendas')).toMatchObject({ thresholdSeconds: 30, target: 0.7 });
    expect(snap.waitingCalls.find((c: { callId: string }) => c.callId === sid)).toMatchObject({ tier: 1, reason: { kind: 'vip' } });
  });

  it("changes an agent's skills and level live, and moves a waiting caller to another tier", async () => {
    const h = await harness();
    const res = await inject(h, 'PATCH', '/api/agents/bruno', { skills: ['suporte', 'vendas'], level: 2 });
    expect(res.statusCode, res.body).toBe(200);
    expect(h.atende.engine.core.agent('bruno')).toMatchObject({ skills: ['suporte', 'vendas'], level: 2 });
    expect((await inject(h, 'PATCH', '/api/agents/bruno', { skills: ['nowhere'] })).json()).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', message: 'skills: no queue "nowhere"' });
    expect((await inject(h, 'PATCH', '/api/agents/bruno', { contact: 'bruno' })).json()).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', message: 'contact: must be client:NAME or an E.164 number, got "bruno"' });
    expect((await inject(h, 'PATCH', '/api/agents/nobody', { level: 2 })).json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_AGENT' });
    const audit = (await inject(h, 'GET', '/api/audit')).json().entries;
    expect(audit[0]).toMatchObject({ action: 'agent.changed', target: 'bruno', before: { skills: ['suporte'], level: 1 }, after: { skills: ['suporte', 'vendas'], level: 2 } });

    const sid = await queue(h, '+5511987651234', ['1', '2']);
    expect((await inject(h, 'POST', `/api/calls/${sid}/move`, { tier: 1 })).statusCode).toBe(200);
    const snap = (await inject(h, 'GET', '/api/snapshot')).json();
    expect(snap.waitingCalls.find((c: { callId: string }) => c.callId === sid)).toMatchObject({ tier: 1, reason: { kind: 'supervisor' } });
    // A forgotten session: the supervisor logs an agent out.
    await h.atende.app.inject({ method: 'POST', url: '/api/agents/diego/state', headers: SUP, payload: { state: 'available' } });
    const out = await h.atende.app.inject({ method: 'POST', url: '/api/agents/diego/state', headers: SUP, payload: { state: 'offline' } });
    expect(out.json().state).toBe('offline');
  });
});
