// Every role boundary: 401 without a valid token, 403 with a valid token for
// something else, on HTTP and before the WebSocket upgrade. Agents act for
// themselves only; supervisors for everyone; tokens are kept only as hashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Access, hashToken, parseAgentTokens } from '../../server/auth/access.ts';
import { callParams, local, newSid, startHarness, testSettings, type Harness } from '../helpers/twilio.ts';

const TOKENS = { viewer: 'viewer-tok-7c1d', supervisor: 'super-tok-93ab', ana: 'ana-tok-5e2f', bruno: 'bruno-tok-11aa' };
type Who = 'none' | 'wrong' | 'viewer' | 'ana' | 'bruno' | 'supervisor';
const bearer = (who: Who): Record<string, string> => (who === 'none' ? {} : { authorization: `Bearer ${who === 'wrong' ? 'nope' : TOKENS[who]}` });

let h: Harness;
let callOfAna = '';
let address = '';

beforeAll(async () => {
  // The supervisor token comes hashed from the settings file; the others as plain env-style tokens.
  const settings = testSettings((s) => { s.auth = { supervisors: [hashToken(TOKENS.supervisor)] }; });
  const access = new Access(settings.auth, { viewer: TOKENS.viewer, agents: { ana: TOKENS.ana, bruno: TOKENS.bruno } });
  h = await startHarness({ settings, access, rateLimitPerMinute: false });
  address = await h.atende.app.listen({ host: '127.0.0.1', port: 0 });
  // Ana takes a call: it is hers to escalate and to close with a disposition.
  await h.atende.app.inject({ method: 'POST', url: '/api/agents/ana/state', headers: bearer('ana'), payload: { state: 'available' } });
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, '+5511987659999', { CallStatus: 'ringing' }));
  for (const d of ['1', '2']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, '+5511987659999', { Digits: d }));
  await h.post(local(res.twiml!.Enqueue[0].waitUrl), callParams(sid, '+5511987659999', { QueueSid: newSid('QU') }));
  await h.atende.idle();
  const dial = (await h.post(local(h.rest.dequeues()[0].url), callParams(sid, '+5511987659999'))).twiml!.Dial[0];
  await h.post(local(dial.Client[0].url), { ...callParams(newSid('CA'), '+5511987659999'), Direction: 'outbound-dial', ParentCallSid: sid });
  callOfAna = sid;
});
afterAll(async () => { await h.close(); });

const call = (method: 'GET' | 'POST', url: string, who: Who, payload?: object) =>
  h.atende.app.inject({ method, url, headers: bearer(who), ...(payload ? { payload } : {}) });

describe('role boundaries over HTTP', () => {
  // [method, url (CALL = Ana's call), body, who may: roles that pass the auth check]
  const table: [string, 'GET' | 'POST', string, object | undefined, Who[]][] = [
    ['snapshot', 'GET', '/api/snapshot', undefined, ['viewer', 'supervisor']],
    ['history', 'GET', '/api/history', undefined, ['viewer', 'supervisor']],
    ['wallboard ticket', 'POST', '/api/wallboard/ticket', undefined, ['viewer', 'supervisor']],
    ['metrics', 'GET', '/metrics', undefined, ['viewer', 'supervisor']],
    ['list agents', 'GET', '/api/agents', undefined, ['supervisor']],
    ["Ana's state", 'POST', '/api/agents/ana/state', { state: 'available' }, ['ana', 'supervisor']],
    ["Bruno's state", 'POST', '/api/agents/bruno/state', { state: 'offline' }, ['bruno', 'supervisor']],
    ["Ana's ready", 'POST', '/api/agents/ana/ready', undefined, ['ana', 'supervisor']],
    ['own console', 'GET', '/api/agent/me?agent=ana', undefined, ['ana', 'supervisor']],
    ['agent ticket', 'POST', '/api/agent/ticket?agent=ana', undefined, ['ana', 'supervisor']],
    ['call details', 'GET', '/api/calls/CALL', undefined, ['supervisor']],
    ['move a call', 'POST', '/api/calls/CALL/move', { tier: 1 }, ['supervisor']],
    ['disposition', 'POST', '/api/calls/CALL/disposition', { resolvedFirstContact: true }, ['ana', 'supervisor']],
    ['forecast', 'GET', '/api/forecast?callsPerHour=100&ahtSeconds=180&thresholdSeconds=20&targetServiceLevel=0.8', undefined, ['supervisor']],
    ['reports', 'GET', '/api/reports/intervals?granularity=hour', undefined, ['supervisor']],
  ];
  for (const [name, method, url, body, allowed] of table) {
    it(`${name}: ${allowed.join(' and ')} only`, async () => {
      for (const who of ['none', 'wrong', 'viewer', 'ana', 'bruno', 'supervisor'] as Who[]) {
        const res = await call(method, url.replace('CALL', callOfAna), who, body);
        if (allowed.includes(who)) expect([401, 403], `${who} on ${name}: ${res.body}`).not.toContain(res.statusCode);
        else {
          const expected = who === 'none' || who === 'wrong' ? 401 : 403;
          expect(res.statusCode, `${who} on ${name}`).toBe(expected);
          expect(res.json().message, `${who} on ${name}`).toBeTruthy();
        }
      }
    });
  }

  it('an agent cannot act for another agent, even naming them', async () => {
    expect((await call('GET', '/api/agent/me?agent=bruno', 'ana')).statusCode).toBe(403);
    expect((await call('POST', `/api/calls/${callOfAna}/escalate`, 'bruno', { toLevel: 2 })).statusCode).toBe(403);
    const me = await call('GET', '/api/agent/me', 'ana');
    expect(me.statusCode).toBe(200);
    expect(me.json().agent.id).toBe('ana');
    expect(me.json().call).toMatchObject({ id: callOfAna, queueName: 'Vendas', ivrLabels: ['Vendas'] });
  });

  it('health and readiness stay open', async () => {
    expect((await call('GET', '/healthz', 'none')).statusCode).toBe(200);
    expect((await call('GET', '/readyz', 'none')).statusCode).toBe(200);
  });

  it('keeps only hashes of the tokens', () => {
    const dump = JSON.stringify(h.atende.app.access, (_k, v) => (Buffer.isBuffer(v) || v?.type === 'Buffer' ? Buffer.from(v.data ?? v).toString('hex') : v));
    for (const t of Object.values(TOKENS)) expect(dump).not.toContain(t);
  });
});

describe('role boundaries before the WebSocket upgrade', () => {
  const open = (path: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
    const ws = new WebSocket(address.replace('http', 'ws') + path, { headers });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
  it('wallboard: viewer or supervisor; an agent token is 403, none 401', async () => {
    expect(await open('/ws/wallboard')).toBe(401);
    expect(await open(`/ws/wallboard?token=${TOKENS.ana}`)).toBe(403);
    expect(await open(`/ws/wallboard?token=${TOKENS.viewer}`)).toBe(101);
    expect(await open('/ws/wallboard', bearer('supervisor'))).toBe(101);
  });
  it('agent console: the agent themselves (token or single-use ticket), a supervisor naming them; nobody else', async () => {
    expect(await open('/ws/agent')).toBe(401);
    expect(await open(`/ws/agent?token=${TOKENS.viewer}&agent=ana`)).toBe(403);
    expect(await open(`/ws/agent?token=${TOKENS.bruno}&agent=ana`)).toBe(403);
    expect(await open(`/ws/agent?token=${TOKENS.ana}`)).toBe(101);
    expect(await open('/ws/agent?agent=ana', bearer('supervisor'))).toBe(101);
    const { ticket } = (await call('POST', '/api/agent/ticket', 'ana')).json();
    expect(await open(`/ws/agent?ticket=${ticket}`)).toBe(101);
    expect(await open(`/ws/agent?ticket=${ticket}`)).toBe(401); // single use
    const wallboardTicket = (await call('POST', '/api/wallboard/ticket', 'viewer')).json().ticket;
    expect(await open(`/ws/agent?ticket=${wallboardTicket}&agent=ana`)).toBe(401);
  });
  it('the agent socket sends the agent their own view, and again when it changes', async () => {
    const ws = new WebSocket(`${address.replace('http', 'ws')}/ws/agent?token=${TOKENS.bruno}`);
    const frames: { type: string; agent?: { id: string; state: string } }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    await expect.poll(() => frames.filter((f) => f.type === 'agent').length).toBe(1);
    expect(frames[0].agent).toMatchObject({ id: 'bruno', state: 'offline' });
    await call('POST', '/api/agents/bruno/state', 'bruno', { state: 'away', reason: 'almoço' });
    await expect.poll(() => frames.filter((f) => f.type === 'agent').at(-1)?.agent?.state).toBe('away');
    ws.close();
  });
});

describe('tokens', () => {
  it('ATENDE_AGENT_TOKENS is parsed, and a malformed entry is refused', () => {
    expect(parseAgentTokens('ana=a1, bruno=b2')).toEqual({ ana: 'a1', bruno: 'b2' });
    expect(() => parseAgentTokens('ana')).toThrow(/agentId=token/);
  });
  it('with no token at all everything is open (the server then binds 127.0.0.1 only)', () => {
    const open = new Access(undefined, {});
    expect(open.open).toBe(true);
    expect(open.check(null, ['supervisor'])).toBeNull();
  });
});

describe('a supervisor token closes the agents\' actions even without agent tokens', () => {
  it('with only a supervisor token, changing an agent\'s state needs it; the wallboard stays open', () => {
    const a = new Access(undefined, { supervisor: 'only-sup' });
    expect(a.check(null, ['agent'], 'ana')?.statusCode).toBe(401);
    expect(a.check('only-sup', ['agent'], 'ana')).toBeNull();
    expect(a.check(null, ['viewer'])).toBeNull();
    expect(a.rolesOpen()).toEqual(['viewer']);
  });
});
