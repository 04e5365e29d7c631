// The signature check, scoped to the Twilio plugin: a forged webhook gets 403 in the
// one error shape, nothing is recorded, and nothing of its body (nor the signature)
// reaches the logs; only the route is named.
import { Writable } from 'node:stream';
import pino from 'pino';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { AUTH_TOKEN, callParams, newSid, PUBLIC_URL } from '../../helpers/twilio.ts';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.close();
  apps = [];
});

async function appWithLog(): Promise<{ app: TestApp; lines: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const app = await buildTestApp({
    logger: pino({ level: 'debug' }, sink),
    twilio: { publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, rest: null },
  });
  apps.push(app);
  return { app, lines };
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('Twilio edge: signature check', () => {
  it('a forged webhook: 403 ATENDE_ERR_BAD_SIGNATURE, nothing recorded, nothing of its body logged', async () => {
    const { app, lines } = await appWithLog();
    const sid = newSid('CA');
    const params = callParams(sid, '+5511900004321', { CallStatus: 'ringing', Secret: 'do-not-log-me' });
    const forged = twilio.getExpectedTwilioSignature('not-the-token', `${PUBLIC_URL}/twilio/voice`, params);
    const res = await app.app.inject({
      method: 'POST', url: '/twilio/voice', payload: form(params),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': forged },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      statusCode: 403, code: 'ATENDE_ERR_BAD_SIGNATURE', error: 'Forbidden', message: 'missing or invalid X-Twilio-Signature for this URL',
    });
    expect(app.storage.events.count()).toBe(0);
    expect(app.engine.core.call(sid)).toBeNull();

    const log = lines.join('');
    expect(log).toContain('refused a webhook with a bad signature');
    for (const secret of ['+5511900004321', 'do-not-log-me', sid, forged]) expect(log).not.toContain(secret);
  });

  it('the check covers the Twilio routes only: the form parser and the hook stay inside the plugin', async () => {
    const { app } = await appWithLog();
    const params = callParams(newSid('CA'), '+5511900004322', { CallStatus: 'ringing' });
    const signed = await app.app.inject({
      method: 'POST', url: '/twilio/voice', payload: form(params),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, params) },
    });
    expect(signed.statusCode).toBe(200);
    // Outside the plugin there is no form parser (415), and no signature is asked for.
    const api = await app.app.inject({
      method: 'POST', url: '/api/agents/ana/state', payload: 'state=available', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(api.statusCode).toBe(415);
    expect((await app.app.inject({ method: 'POST', url: '/api/agents/ana/state', payload: { state: 'available' } })).statusCode).toBe(200);
  });
});
