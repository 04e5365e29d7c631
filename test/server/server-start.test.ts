// The real process: settings validated at start, Twilio mode from the environment,
// JSON logs without secrets, a clean exit on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../../sim/net.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { DEFAULT_SETTINGS_PATH } from '../../server/config/load.ts';
import { ACCOUNT_SID, AUTH_TOKEN, callParams, newSid, parseTwiml, RestStandIn } from '../helpers/twilio.ts';

const children: ChildProcess[] = [];
afterEach(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); children.length = 0; });

/** `server/server.ts` serves a center on Twilio; `sim/start.ts` is `npm start` (demo mode without credentials). */
function run(env: Record<string, string>, entry = 'server/server.ts') {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = async () => {
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('wallboard ready')) {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`server did not start: ${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, ready, out: () => stdout, err: () => stderr };
}


describe('server process', () => {
  it('refuses to start with a bad settings file and names the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-cfg-'));
    const bad = JSON.parse(readFileSync(DEFAULT_SETTINGS_PATH, 'utf8'));
    bad.serviceLevel.target = 1.5;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const p = run({ ATENDE_CONFIG: join(dir, 'bad.json'), ATENDE_DB: join(dir, 'a.db'), PORT: '0' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('/serviceLevel/target');
  });

  it('refuses to start with Twilio credentials but no PUBLIC_URL, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-pub-'));
    const p = run({ PORT: '0', TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, ATENDE_DB: join(dir, 'a.db') });
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('PUBLIC_URL is required with Twilio credentials');
    expect(p.err()).not.toContain(AUTH_TOKEN);
  });

  it('names the variable when the environment is wrong', async () => {
    const p = run({ PORT: 'eighty' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/environment: .*PORT.*must be integer/);
  });

  it('the server alone without Twilio credentials points to npm start for the demo', async () => {
    const p = run({ PORT: '0' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('`npm start` runs demo mode without them');
  });

  it('refuses to listen beyond 127.0.0.1 when no token is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-open-'));
    const p = run({ HOST: '0.0.0.0', PORT: '0', ATENDE_DB: join(dir, 'a.db') });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/no tokens are configured.*refusing to listen on 0\.0\.0\.0/);
  });

  it('runs in Twilio mode from the environment: signed webhooks answered, REST via TWILIO_API_URL, no secret in the JSON logs', async () => {
    const rest = new RestStandIn();
    const apiUrl = await rest.start();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'atende-run-'));
    const p = run({
      PORT: String(port), PUBLIC_URL: publicUrl, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_URL: apiUrl, ATENDE_DB: join(dir, 'atende.db'), ATENDE_SUPERVISOR_TOKEN: 'supervisor-secret-123',
    });
    try {
      await p.ready();
      const post = async (path: string, params: Record<string, string>) => fetch(publicUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, publicUrl + path, params) },
        body: new URLSearchParams(params),
      });
      const denied = await fetch(`${publicUrl}/api/agents`);
      expect(denied.status).toBe(401);
      const login = await fetch(`${publicUrl}/api/agents/ana/state`, {
        method: 'POST', headers: { authorization: 'Bearer supervisor-secret-123', 'content-type': 'application/json' }, body: JSON.stringify({ state: 'available' }),
      });
      expect(login.status).toBe(200);
      const sid = newSid('CA');
      const voice = await post('/twilio/voice', callParams(sid, '+5511987651111', { CallStatus: 'ringing' }));
      expect(voice.status).toBe(200);
      expect(voice.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(parseTwiml(await voice.text()).Gather).toBeDefined();
      const forged = await fetch(`${publicUrl}/twilio/voice`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'nope' }, body: new URLSearchParams(callParams(newSid('CA'), '+5511900000000')) });
      expect(forged.status).toBe(403);
      const snap = await (await fetch(`${publicUrl}/api/snapshot`)).json();
      expect(snap.demo).toBe(false);
      expect(snap.agents.find((a: { id: string }) => a.id === 'ana').state).toBe('available');

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const lines = p.out().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(p.out()).not.toContain(AUTH_TOKEN);
      expect(p.out()).not.toContain('supervisor-secret-123');
      expect(p.out()).toContain(sid); // per-call bindings
    } finally {
      await rest.close();
    }
  });

  it('runs the demo through the Twilio emulator with no Twilio credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-demo-'));
    const port = await freePort();
    const p = run({ PORT: String(port), ATENDE_DB: join(dir, 'demo.db') }, 'sim/start.ts');
    await p.ready();
    const snapshot = async () => (await fetch(`http://127.0.0.1:${port}/api/snapshot`)).json();
    expect((await snapshot()).demo).toBe(true);
    // The demo logs its agents in over the first seconds.
    await expect.poll(async () => (await snapshot()).agents.filter((a: { state: string }) => a.state !== 'offline').length, { timeout: 10_000 }).toBeGreaterThan(0);
    // Calls arrive through the Twilio emulator: the snapshot fills with real webhooks.
    await expect.poll(async () => (await snapshot()).center.today.offered + (await snapshot()).center.waiting + (await snapshot()).agents.filter((a: { state: string }) => a.state === 'ringing' || a.state === 'on-call').length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    expect(p.out()).toContain('DEMO MODE');
    // The demo's webhooks are signed with a throwaway token: a forged one is refused.
    const forged = await fetch(`http://127.0.0.1:${port}/twilio/voice`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallSid=CA0' });
    expect(forged.status).toBe(403);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
