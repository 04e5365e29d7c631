// Operations: readiness, Prometheus metrics, security headers, rate limits, and a
// full disk without a half-applied event: a Twilio webhook holds the caller and
// redirects to the same step (Twilio does not retry a 503; the API answers 503).
import { afterEach, describe, expect, it } from 'vitest';
import { Access } from '../../../server/auth/access.ts';
import { callParams, local, newSid, startHarness, type Harness } from '../../helpers/twilio.ts';

let harnesses: Harness[] = [];
afterEach(async () => { for (const h of harnesses) await h.close(); harnesses = []; });
async function harness(opts: Parameters<typeof startHarness>[0] = {}) {
  const h = await startHarness(opts);
  harnesses.push(h);
  return h;
}

describe('operations', () => {
  it('/readyz says ready; with the disk full it says why, webhooks hold the caller and nothing is half-applied; the step then succeeds', async () => {
    const h = await harness();
    const ready = await h.atende.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, checks: { database: 'ok', settings: 'ok' } });

    // Fill the disk: the database may not grow by a single page.
    const db = h.atende.storage.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const sid = newSid('CA');
    const params = callParams(sid, '+5511987652222', { CallStatus: 'ringing' });
    // Enough calls to need a new page; the first refusal must leave no trace.
    let refused: Awaited<ReturnType<Harness['post']>> | null = null;
    for (let i = 0; i < 200 && !refused; i++) {
      const p = i === 0 ? params : callParams(newSid('CA'), '+5511987652222', { CallStatus: 'ringing' });
      const res = await h.post('/twilio/voice', p);
      expect(res.status).toBe(200);
      // Held: Twilio would not retry a 503, so the caller is kept and the step redirected to.
      if (res.twiml?.Redirect?.[0]['#text'].includes('held=1')) { refused = res; params.CallSid = p.CallSid; }
    }
    expect(refused, 'a webhook held once the disk is full').not.toBeNull();
    expect(refused!.twiml!.Pause).toBeDefined();
    expect(h.atende.engine.core.call(params.CallSid)).toBeNull();
    const notReady = await h.atende.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.database).toMatch(/full/);

    db.pragma('max_page_count = 1073741823');
    const retry = await h.post(local(refused!.twiml!.Redirect[0]['#text']), params);
    expect(retry.status).toBe(200);
    expect(h.atende.engine.core.call(params.CallSid)?.status).toBe('ivr');
    expect(h.atende.storage.events.has(`${params.CallSid}:arrived`)).toBe(true);
    expect((await h.atende.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('/metrics exposes webhook counts and latencies, routing decisions, agents and per-queue gauges', async () => {
    const h = await harness();
    await h.api('POST', '/api/agents/diego/state', { state: 'available' });
    const sid = newSid('CA');
    const from = '+5511987653333';
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' })); // suporte: nobody free
    const m = await h.atende.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toContain('atende_webhooks_total{route="/twilio/voice",status="200"} 1');
    expect(m.body).toContain('atende_webhooks_total{route="/twilio/ivr",status="200"} 3');
    expect(m.body).toMatch(/atende_webhook_duration_seconds_count\{route="\/twilio\/ivr"\} 3/);
    expect(m.body).toContain('atende_calls_waiting{queue="suporte"} 1');
    expect(m.body).toContain('atende_agents{state="available"} 1');
    expect(m.body).toContain('atende_routing_decisions_total{type="agent-status"} 1');
    expect(m.body).toMatch(/atende_longest_wait_seconds\{queue="suporte"\} \d/);
    expect(m.body).toContain('atende_wallboard_clients 0');
  });

  it('/metrics is the viewers\': without the token, 401 in the one error shape', async () => {
    const h = await harness({ access: new Access(undefined, { viewer: 'tv-token', supervisor: 'boss', agents: {} }) });
    const refused = await h.atende.app.inject({ method: 'GET', url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ statusCode: 401, code: 'ATENDE_ERR_UNAUTHORIZED', error: 'Unauthorized', message: expect.stringContaining('viewer') });
    const ok = await h.atende.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer tv-token' } });
    expect(ok.statusCode).toBe(200);
  });

  it('pages carry security headers', async () => {
    const h = await harness();
    const res = await h.atende.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('rate-limits public routes per client but never signed Twilio webhooks', async () => {
    const h = await harness({ rateLimitPerMinute: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.atende.app.inject({ method: 'GET', url: '/api/snapshot' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    for (let i = 0; i < 10; i++) {
      const r = await h.post('/twilio/status', callParams(newSid('CA'), '+5511987654444', { CallStatus: 'completed' }));
      expect(r.status).toBe(200);
    }
  });

  it('behind trusted proxies (ATENDE_TRUST_PROXY: edges, a balancer) each client behind them has its own limit; an untrusted X-Forwarded-For changes nothing', async () => {
    const snapshot = (h: Harness, forwardedFor: string, remoteAddress: string) =>
      h.atende.app.inject({ method: 'GET', url: '/api/snapshot', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } }).then((r) => r.statusCode);
    const edge = '10.0.0.7';
    const trusting = await harness({ rateLimitPerMinute: 3, trustProxy: ['10.0.0.0/8'] });
    const screens: number[] = [];
    for (let i = 0; i < 4; i++) screens.push(await snapshot(trusting, '192.168.1.10', edge));
    expect(screens).toEqual([200, 200, 200, 429]);
    // Another TV behind the same edge is another client.
    expect(await snapshot(trusting, '192.168.1.11', edge)).toBe(200);
    // A client not behind a trusted proxy cannot choose its own address.
    for (let i = 0; i < 3; i++) expect(await snapshot(trusting, `172.16.0.${i}`, '203.0.113.5')).toBe(200);
    expect(await snapshot(trusting, '172.16.0.99', '203.0.113.5')).toBe(429);

    const plain = await harness({ rateLimitPerMinute: 3 });
    const fromEdge: number[] = [];
    for (let i = 0; i < 4; i++) fromEdge.push(await snapshot(plain, `192.168.1.${i}`, edge));
    expect(fromEdge).toEqual([200, 200, 200, 429]);
  });
});

describe('database busy', () => {
  it('another writer holding the lock past the busy timeout: webhooks hold the caller and /readyz says why; then all is well again', async () => {
    const h = await startHarness();
    try {
      const Database = (await import('better-sqlite3')).default;
      const other = new Database(h.dbPath);
      other.pragma('busy_timeout = 0');
      h.atende.storage.db.pragma('busy_timeout = 200'); // the wait before SQLITE_BUSY, short for the test
      other.prepare('BEGIN IMMEDIATE').run();
      const sid = newSid('CA');
      const params = callParams(sid, '+5511987655555', { CallStatus: 'ringing' });
      const busy = await h.post('/twilio/voice', params);
      expect(busy.status).toBe(200);
      expect(busy.twiml!.Redirect[0]['#text']).toContain('/twilio/voice?held=1');
      expect(h.atende.engine.core.call(sid)).toBeNull();
      const notReady = await h.atende.app.inject({ method: 'GET', url: '/readyz' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().checks.database).toMatch(/locked|busy/i);
      other.prepare('ROLLBACK').run();
      other.close();
      expect((await h.post(local(busy.twiml!.Redirect[0]['#text']), params)).twiml!.Gather).toBeDefined();
      expect(h.atende.engine.core.call(sid)?.status).toBe('ivr');
      expect((await h.atende.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});
