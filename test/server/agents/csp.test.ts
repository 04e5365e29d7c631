// The agent console's pages get a Content-Security-Policy that lets Twilio's Voice SDK
// reach its signalling, sound and insights hosts, and may ask for the microphone; the
// wallboard and the API keep the strict policy exactly as it was.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isAgentConsolePath, withSources } from '../../../server/agents/csp.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

/** The app's policy (ops/plugin.ts through helmet) as it has always been. */
const STRICT = "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';"
  + "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';connect-src 'self'";
/** The same, plus the Voice SDK's hosts in connect-src and its sounds in media-src. */
const CONSOLE = STRICT.replace("connect-src 'self'", "connect-src 'self' wss://voice-js.roaming.twilio.com wss://*.twilio.com"
  + ' https://sdk.twilio.com https://eventgw.twilio.com https://eventgw.us1.twilio.com https://eventgw.ie1.twilio.com https://eventgw.au1.twilio.com')
  + ";media-src 'self' https://sdk.twilio.com";

const pages = mkdtempSync(join(tmpdir(), 'atende-csp-'));
mkdirSync(join(pages, 'agent'));
writeFileSync(join(pages, 'index.html'), '<!doctype html><title>wallboard</title>');
writeFileSync(join(pages, 'agent', 'index.html'), '<!doctype html><title>console</title>');
afterAll(() => rmSync(pages, { recursive: true, force: true }));

const apps: TestApp[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });
async function app(): Promise<TestApp> {
  const a = await buildTestApp({ staticDir: pages });
  apps.push(a);
  return a;
}

describe('Content-Security-Policy', () => {
  it('the wallboard and the API keep the strict policy, and no microphone', async () => {
    const a = await app();
    for (const url of ['/', '/index.html', '/api/snapshot', '/healthz', '/agentx', '/api/agent/me?agent=ana']) {
      const res = await a.app.inject({ url });
      expect(res.headers['content-security-policy'], url).toBe(STRICT);
      expect(res.headers['permissions-policy'], url).toBeUndefined();
    }
  });

  it('the console pages allow the Voice SDK hosts and the microphone, nothing more', async () => {
    const a = await app();
    for (const url of ['/agent/', '/agent/index.html', '/agent/?token=x&lang=en']) {
      const res = await a.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toBe(CONSOLE);
      expect(res.headers['permissions-policy'], url).toBe('microphone=(self)');
    }
    // /agent redirects to /agent/ (and the redirect carries the console's headers too).
    const bare = await a.app.inject({ url: '/agent' });
    expect(bare.headers['content-security-policy']).toBe(CONSOLE);
  });

  it('withSources appends to a directive, or adds it after self', () => {
    expect(withSources("default-src 'self';connect-src 'self'", { 'connect-src': ['wss://a'], 'media-src': ['https://b'] }))
      .toBe("default-src 'self';connect-src 'self' wss://a;media-src 'self' https://b");
    expect(isAgentConsolePath('/agent')).toBe(true);
    expect(isAgentConsolePath('/agent/x.js?y=1')).toBe(true);
    expect(isAgentConsolePath('/agents/ana')).toBe(false);
    expect(isAgentConsolePath('/?next=/agent/')).toBe(false);
  });
});
