// One error shape for every error Atende answers: its own coded errors, the routing
// core's refusals, Fastify's validation, 404, 413, 415, 426, 429 and 503 alike.
import { afterEach, describe, expect, it } from 'vitest';
import { RoutingError } from '../../routing/errors.ts';
import { httpErrorOf } from '../../server/errors.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

const apps: TestApp[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });
async function app(opts: Parameters<typeof buildTestApp>[0] = {}) {
  const a = await buildTestApp(opts);
  apps.push(a);
  return a;
}

const SHAPE = ['code', 'error', 'message', 'statusCode'];

describe('the one error shape', () => {
  it('404 for a route that does not exist', async () => {
    const a = await app();
    const res = await a.app.inject({ method: 'GET', url: '/api/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, code: 'ATENDE_ERR_NOT_FOUND', error: 'Not Found', message: 'no route GET /api/nothing' });
  });

  it('400 for a body the schema refuses, naming the field', async () => {
    const a = await app();
    const res = await a.app.inject({ method: 'POST', url: '/api/agents/ana/state', payload: { state: 'dancing' } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(SHAPE);
    expect(body).toMatchObject({ statusCode: 400, code: 'FST_ERR_VALIDATION', error: 'Bad Request' });
    expect(body.message).toMatch(/state/);
  });

  it('401 without a token and 403 with a token of another role', async () => {
    const a = await app({ supervisorToken: 'sup-123456', viewerToken: 'view-123456' });
    const none = await a.app.inject({ method: 'GET', url: '/api/agents' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({
      statusCode: 401, code: 'ATENDE_ERR_UNAUTHORIZED', error: 'Unauthorized',
      message: 'a valid token is required for supervisor: Authorization: Bearer <token>',
    });
    const viewer = await a.app.inject({ method: 'GET', url: '/api/agents', headers: { authorization: 'Bearer view-123456' } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toEqual({
      statusCode: 403, code: 'ATENDE_ERR_FORBIDDEN', error: 'Forbidden', message: 'a viewer token cannot do this (needs: supervisor)',
    });
  });

  it('404 and 409 for the routing core refusals, mapped once', async () => {
    expect(httpErrorOf(new RoutingError('ATENDE_UNKNOWN_CALL', "no call 'x'"))).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_CALL', message: "no call 'x'" });
    expect(httpErrorOf(new RoutingError('ATENDE_AGENT_BUSY', 'ana is on a call'))).toMatchObject({ statusCode: 409, code: 'ATENDE_ERR_AGENT_BUSY', message: 'ana is on a call' });
    const a = await app();
    const res = await a.app.inject({ method: 'POST', url: '/api/agents/nobody/state', payload: { state: 'available' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_AGENT', error: 'Not Found' });
  });

  it('413 for a body over the limit and 415 for a content type no route takes', async () => {
    const a = await app();
    const big = await a.app.inject({ method: 'PATCH', url: '/api/settings', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ centerName: 'x'.repeat(70 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large' });
    const odd = await a.app.inject({ method: 'POST', url: '/api/agents/ana/state', headers: { 'content-type': 'application/x-yaml' }, payload: 'state: available' });
    expect(odd.statusCode).toBe(415);
    expect(odd.json()).toMatchObject({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', error: 'Unsupported Media Type' });
  });

  it('426 for a plain request to a WebSocket route', async () => {
    const a = await app();
    const res = await a.app.inject({ method: 'GET', url: '/ws/wallboard' });
    expect(res.statusCode).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    expect(res.json()).toEqual({
      statusCode: 426, code: 'ATENDE_ERR_UPGRADE_REQUIRED', error: 'Upgrade Required', message: 'this is a WebSocket endpoint: connect with a WebSocket client',
    });
  });

  it('429 above the rate limit', async () => {
    const a = await app({ rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await a.app.inject({ method: 'GET', url: '/api/snapshot' })).statusCode).toBe(200);
    const res = await a.app.inject({ method: 'GET', url: '/api/snapshot' });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ statusCode: 429, code: 'ATENDE_ERR_RATE_LIMITED', error: 'Too Many Requests' });
    expect(res.json().message).toMatch(/^too many requests: try again in 1 minute$/);
  });

  it('503 with Retry-After when the event log cannot take the event, and nothing applied', async () => {
    const a = await app();
    a.storage.db.exec('CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, \'disk full\'); END');
    const res = await a.app.inject({ method: 'POST', url: '/api/agents/ana/state', payload: { state: 'available' } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({
      statusCode: 503, code: 'ATENDE_ERR_STORE_UNAVAILABLE', error: 'Service Unavailable', message: 'the event log cannot take the event: disk full',
    });
    expect(a.engine.core.agent('ana')!.status).toBe('offline');
  });
});
