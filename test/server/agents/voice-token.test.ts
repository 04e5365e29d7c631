// GET /api/agent/voice-token: the Twilio Access Token of the agent console's softphone.
// The JWT is decoded and its signature checked here by hand (HS256 with the API key
// secret), so the test says what Twilio will read, not what twilio-node claims to write.
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Access } from '../../../server/auth/access.ts';
import type { AgentConsoleView } from '../../../server/contract.ts';
import { REDACT } from '../../../server/logger.ts';
import type { VoiceCredentials } from '../../../server/plugins/services.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { testSettings } from '../../helpers/twilio.ts';

const VOICE: VoiceCredentials = {
  accountSid: `AC${'a1'.repeat(16)}`,
  apiKeySid: `SK${'b2'.repeat(16)}`,
  apiKeySecret: 'api-key-secret-7c6b5a49382716',
  twimlAppSid: `AP${'c3'.repeat(16)}`,
};
const SUPERVISOR = 'sup-token-1';
const ANA = 'ana-token-1';
const FELIPE = 'felipe-token-1';
const access = () => new Access(undefined, { supervisor: SUPERVISOR, agents: { ana: ANA, felipe: FELIPE } });

const apps: TestApp[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });
async function app(opts: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const a = await buildTestApp({ access: access(), voice: VOICE, ...opts });
  apps.push(a);
  return a;
}
const ask = (a: TestApp, token: string | null, query = '') => a.app.inject({
  method: 'GET', url: `/api/agent/voice-token${query}`, headers: token ? { authorization: `Bearer ${token}` } : {},
});

interface Claims {
  jti: string; iss: string; sub: string; iat: number; exp: number;
  grants: { identity: string; voice: { incoming?: { allow: boolean }; outgoing?: { application_sid: string } } };
}
const b64 = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
function decode(jwt: string, secret: string): { header: Record<string, string>; claims: Claims; signed: boolean } {
  const [h, p, sig] = jwt.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return { header: b64(h), claims: b64(p), signed: sig === expected };
}

describe('GET /api/agent/voice-token', () => {
  it("an agent gets a token for their own identity: account, API key, incoming calls, one hour, HS256", async () => {
    const a = await app();
    const res = await ask(a, ANA);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as { token: string; identity: string; expiresAt: number };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'identity', 'token']);
    expect(body.identity).toBe('ana');

    const { header, claims, signed } = decode(body.token, VOICE.apiKeySecret);
    expect(signed).toBe(true);
    expect(decode(body.token, 'another-secret').signed).toBe(false);
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(claims.sub).toBe(VOICE.accountSid);
    expect(claims.iss).toBe(VOICE.apiKeySid);
    expect(claims.grants.identity).toBe('ana');
    expect(claims.grants.voice.incoming?.allow).toBe(true);
    expect(claims.grants.voice.outgoing?.application_sid).toBe(VOICE.twimlAppSid);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(body.expiresAt).toBe(claims.exp * 1000);
    // Stamped from the wall clock (what Twilio checks), not the app's test clock.
    expect(Math.abs(claims.iat * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('without a TwiML App the grant allows incoming calls only', async () => {
    const a = await app({ voice: { ...VOICE, twimlAppSid: null } });
    const { claims } = decode((await ask(a, ANA)).json().token, VOICE.apiKeySecret);
    expect(claims.grants.voice).toEqual({ incoming: { allow: true } });
  });

  it('the identity is the one the Twilio edge dials: after client:, or the agent id without a contact', async () => {
    const settings = testSettings((s) => {
      s.agents.find((x) => x.id === 'ana')!.contact = 'client:ana.souza';
      delete s.agents.find((x) => x.id === 'bruno')!.contact;
    });
    const a = await app({ settings });
    expect((await ask(a, ANA)).json().identity).toBe('ana.souza');
    expect(decode((await ask(a, ANA)).json().token, VOICE.apiKeySecret).claims.grants.identity).toBe('ana.souza');
    expect((await ask(a, SUPERVISOR, '?agent=bruno')).json().identity).toBe('bruno');
  });

  it("an agent token cannot get another agent's identity (403); a supervisor names the agent", async () => {
    const a = await app();
    const other = await ask(a, ANA, '?agent=bruno');
    expect(other.statusCode).toBe(403);
    expect(other.json()).toEqual({
      statusCode: 403, code: 'ATENDE_ERR_FORBIDDEN', error: 'Forbidden', message: "this token belongs to agent 'ana', not 'bruno'",
    });
    expect((await ask(a, ANA, '?agent=ana')).statusCode).toBe(200);
    const sup = await ask(a, SUPERVISOR, '?agent=bruno');
    expect(sup.statusCode).toBe(200);
    expect(decode(sup.json().token, VOICE.apiKeySecret).claims.grants.identity).toBe('bruno');
    expect((await ask(a, SUPERVISOR)).json()).toMatchObject({ statusCode: 400, code: 'ATENDE_ERR_AGENT_REQUIRED' });
    expect((await ask(a, SUPERVISOR, '?agent=nobody')).json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_AGENT' });
    expect((await ask(a, null)).json()).toMatchObject({ statusCode: 401, code: 'ATENDE_ERR_UNAUTHORIZED' });
    expect((await ask(a, 'wrong')).statusCode).toBe(401);
  });

  it('503 with the reason when the API key is not configured, and in demo mode', async () => {
    const none = await app({ voice: null });
    const res = await ask(none, ANA);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      statusCode: 503, code: 'ATENDE_ERR_VOICE_UNCONFIGURED', error: 'Service Unavailable',
      message: 'no softphone voice on this server: set TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (an API key of the Twilio account) to give agents a softphone in the console',
    });
    const demo = await app({ demo: true });
    expect((await ask(demo, ANA)).json()).toMatchObject({ statusCode: 503, code: 'ATENDE_ERR_VOICE_UNCONFIGURED', message: expect.stringMatching(/demo mode/) });
  });

  it('409 for an agent reached on a phone number: no softphone for a phone', async () => {
    const a = await app();
    const res = await ask(a, FELIPE);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      statusCode: 409, code: 'ATENDE_ERR_NO_SOFTPHONE', error: 'Conflict',
      message: "agent 'felipe' is reached on the phone +5511987654321: there is no softphone for a phone",
    });
  });

  it('neither the API key secret nor a minted token reaches the log', async () => {
    let logged = '';
    const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } });
    const a = await app({ voice: { ...VOICE }, logger: pino({ level: 'trace', redact: REDACT }, sink) });
    const token = (await ask(a, ANA)).json().token as string;
    await ask(a, ANA, '?agent=bruno');
    expect(logged).toContain('/api/agent/voice-token');
    expect(logged).not.toContain(VOICE.apiKeySecret);
    expect(logged).not.toContain(token.split('.')[2]);
    expect(logged).not.toContain(ANA);
  });
});

describe('the console view says where the voice comes from', () => {
  const voiceOf = async (a: TestApp, agent: string) =>
    ((await a.app.inject({ url: `/api/agent/me?agent=${agent}`, headers: { authorization: `Bearer ${SUPERVISOR}` } })).json() as AgentConsoleView).agent.voice;

  it('softphone with an API key, external without, phone for an E.164 contact, simulated in demo mode', async () => {
    const withKey = await app();
    expect(await voiceOf(withKey, 'ana')).toBe('softphone');
    expect(await voiceOf(withKey, 'felipe')).toBe('phone');
    const without = await app({ voice: null });
    expect(await voiceOf(without, 'ana')).toBe('external');
    expect(await voiceOf(without, 'felipe')).toBe('phone');
    const demo = await app({ demo: true });
    expect(await voiceOf(demo, 'ana')).toBe('simulated');
    expect(await voiceOf(demo, 'felipe')).toBe('simulated');
  });
});
