// The agent's softphone in the console, end to end in headless Chromium: the real app
// with a softphone API key mints real Access Tokens, a caller walks the IVR with signed
// Twilio webhooks, and Ana answers, mutes, dials a digit and hangs up from the page.
//
// The real Voice SDK cannot reach Twilio from here (no network but the loopback), so the
// console is built with Vite aliasing '@twilio/voice-sdk' to a test double
// (softphone-double.ts): the swap happens at the one import of the one module that wraps
// the SDK (wallboard/agent/softphone.ts), and the production build carries no test hook.
// The test plays Twilio's part on both sides: it rings the double once the server's
// <Dial> names the agent's <Client>, and answers the webhooks Twilio would send when the
// page accepts (the whisper URL), hangs up (the <Dial> action, completed) or declines
// (the <Dial> action, busy: a missed offer for the routing core).
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Access } from '../../server/auth/access.ts';
import type { VoiceCredentials } from '../../server/plugins/services.ts';
import { buildTestApp } from '../helpers/app.ts';
import { buildWallboard, describeWithChromium, findChromium, launchChromium, removeDir } from '../helpers/browser.ts';
import { bridge, callParams, local, newSid, startHarness, type Harness, type TwimlNode } from '../helpers/twilio.ts';

const chromiumPath = findChromium();
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(repoRoot, 'test-artifacts/');
const BUDGET_MS = 1000;
const SUPERVISOR = 's';
const ANA = 'ana-tok';
/** A VIP number in config/example.json: tier 1 by the rule "Cliente VIP". */
const VIP = '+5511999990000';
const VOICE: VoiceCredentials = {
  accountSid: `AC${'a1'.repeat(16)}`, apiKeySid: `SK${'b2'.repeat(16)}`, apiKeySecret: 'e2e-api-key-secret', twimlAppSid: null,
};

/** The console built with the SDK swapped for the double. */
async function buildWithDouble(): Promise<string> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'atende-softphone-'));
  await build({
    configFile: join(repoRoot, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    resolve: { alias: [{ find: /^@twilio\/voice-sdk$/, replacement: fileURLToPath(new URL('./softphone-double.ts', import.meta.url)) }] },
  });
  return outDir;
}

let staticDir: string | null = null;
let browser: Browser | null = null;
let closers: (() => Promise<void>)[] = [];
let contexts: BrowserContext[] = [];
const access = () => new Access(undefined, { supervisor: SUPERVISOR, agents: { ana: ANA } });

async function harness(): Promise<{ h: Harness; address: string }> {
  const h = await startHarness({ access: access(), realClock: true, staticDir: staticDir!, voice: VOICE });
  closers.push(() => h.close());
  return { h, address: await h.atende.app.listen({ host: '127.0.0.1', port: 0 }) };
}

interface Opened { page: Page; errors: string[] }
async function open(url: string, viewport = { width: 1920, height: 1080 }): Promise<Opened> {
  const ctx = await browser!.newContext({ viewport, deviceScaleFactor: 1 });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // CSP violations and failed loads show up as console errors.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, errors };
}

// ---- page-side reads (serialised into the browser: self-contained) ----
type Double = { log: string[]; state(): string; claims(): Record<string, unknown> | null; ring(p: Record<string, string>): void; expireSoon(): void; farEndHangsUp(): void };
const double = (page: Page) => ({
  log: () => page.evaluate(() => (window as unknown as { __softphoneDouble: Double }).__softphoneDouble.log.slice()),
  claims: () => page.evaluate(() => (window as unknown as { __softphoneDouble: Double }).__softphoneDouble.claims()),
  ring: (p: Record<string, string>) => page.evaluate((q) => (window as unknown as { __softphoneDouble: Double }).__softphoneDouble.ring(q), p),
  expireSoon: () => page.evaluate(() => (window as unknown as { __softphoneDouble: Double }).__softphoneDouble.expireSoon()),
  /** Resolves once the page asked the SDK for this (e.g. "accept"). */
  asked: (what: string) => page.waitForFunction((w) => (window as unknown as { __softphoneDouble?: Double }).__softphoneDouble?.log.includes(w) ?? false, what, { timeout: BUDGET_MS }),
});
const visible = (page: Page, sel: string) => page.locator(sel).isVisible();
const phase = (page: Page, state: string, phone: string) => page.waitForFunction(([s, p]) =>
  document.querySelector('#state')?.getAttribute('data-state') === s && (document.body.dataset.phone ?? '') === p, [state, phone], { timeout: BUDGET_MS });

/** Nothing drawn outside the window, nothing cut off, the document does not scroll. */
async function expectNoScroll(page: Page, when: string): Promise<void> {
  const m = await page.evaluate(() => {
    const outside: string[] = [];
    for (const el of Array.from(document.querySelectorAll('#app *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.left < -0.5) outside.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
    }
    const cut = Array.from(document.querySelectorAll<HTMLElement>('#console, #main, .panel, #call, #phone-bar, #softphone, #state-buttons'))
      .filter((p) => p.offsetParent !== null && (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1))
      .map((p) => `#${p.id || p.className}`);
    return { scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight, w: innerWidth, h: innerHeight, outside: outside.slice(0, 10), cut };
  });
  expect(m.scrollH, `${when}: document height`).toBeLessThanOrEqual(m.h);
  expect(m.scrollW, `${when}: document width`).toBeLessThanOrEqual(m.w);
  expect(m.outside, `${when}: outside the window`).toEqual([]);
  expect(m.cut, `${when}: cut off`).toEqual([]);
}

/** Screenshots at the TV-ish and the laptop size, each checked for layout. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  for (const [w, h] of [[1920, 1080], [1366, 768]]) {
    await page.setViewportSize({ width: w, height: h });
    await expectNoScroll(page, `${name} at ${w}×${h}`);
    const png = await page.screenshot({ path: `${artifacts}softphone-${name}-${w}x${h}.png` });
    expect(png.readUInt32BE(16)).toBe(w);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
}

/** A caller walks the IVR to Vendas and is dequeued towards Ana: the <Dial> Twilio would run. */
async function offerToAna(h: Harness, sid: string, from: string): Promise<TwimlNode> {
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  for (const d of ['1', '2']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
  await h.post(local(res.twiml!.Enqueue[0].waitUrl), callParams(sid, from, { QueueSid: newSid('QU'), QueuePosition: '1', QueueTime: '1' }));
  await h.atende.idle();
  const dequeue = h.rest.dequeues().at(-1)!;
  return (await h.post(local(dequeue.url), callParams(sid, from))).twiml!.Dial[0];
}

async function availableWithSoftphone(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.screen === 'console'
    && document.querySelector('#conn')?.getAttribute('data-kind') === 'live'
    && document.querySelector('#sp-status')?.getAttribute('data-kind') === 'ready', undefined, { timeout: 10_000 });
  await page.click('#btn-available');
  await phase(page, 'available', '');
}

describeWithChromium('the softphone in the agent console (Voice SDK test double)', () => {
  beforeAll(async () => {
    staticDir = await buildWithDouble();
    browser = await launchChromium(chromiumPath!);
  }, 120_000);

  afterEach(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    contexts = [];
    for (const close of closers) await close().catch(() => {});
    closers = [];
  });

  afterAll(async () => {
    await browser?.close();
    await removeDir(staticDir);
  });

  it('offered → ringing → answered → on the call (mute, DTMF) → hung up → wrap-up', async () => {
    const { h, address } = await harness();
    const { page, errors } = await open(`${address}/agent/?token=${ANA}`);
    await availableWithSoftphone(page);
    const sp = double(page);
    // Registered with a token the server minted for Ana's identity, the ring sound on.
    const claims = await sp.claims() as { sub: string; iss: string; grants: { identity: string; voice: unknown } };
    expect(claims).toMatchObject({ sub: VOICE.accountSid, iss: VOICE.apiKeySid, grants: { identity: 'ana', voice: { incoming: { allow: true } } } });
    expect(await sp.log()).toEqual(['new-device', 'ring-sound:true', 'register']);
    expect(await page.locator('#sp-status').textContent()).toBe('Softphone pronto (“ana”)');
    expect(await page.locator('#device').textContent()).toBe('As chamadas tocam nesta página (softphone “ana”). Use um fone de ouvido.');

    // Before the token runs out the SDK asks; the page fetches another and hands it over.
    await sp.expireSoon();
    await sp.asked('update-token');

    // Microphone and speaker: the headset.
    await page.selectOption('#sp-mic', 'headset-mic');
    await page.selectOption('#sp-speaker', 'headset-out');
    await sp.asked('ringtone:headset-out');
    expect(await sp.log()).toContain('speaker:headset-out');

    // A VIP caller is offered to Ana: Twilio <Dial>s her <Client>, the identity of the token.
    const sid = newSid('CA');
    const dial = await offerToAna(h, sid, VIP);
    expect(dial.Client[0]['#text']).toBe(claims.grants.identity);
    await phase(page, 'ringing', '');
    // Twilio rings the registered device.
    const agentLeg = newSid('CA');
    await sp.ring({ CallSid: agentLeg, From: VIP, To: 'client:ana' });
    await phase(page, 'ringing', 'ringing');
    expect(await page.locator('#phone-text').textContent()).toBe(`Tocando no softphone: ${VIP}`);
    expect(await page.locator('#call-from').textContent()).toBe(VIP);
    expect(await page.locator('#f-priority').textContent()).toBe('P1 · Cliente VIP');
    expect(await visible(page, '#btn-answer')).toBe(true);
    expect(await visible(page, '#btn-decline')).toBe(true);
    expect(await visible(page, '#btn-hangup')).toBe(false);
    await shoot(page, 'ringing');

    // Atender: the SDK accepts on the chosen microphone; Twilio fetches the whisper URL (the answer).
    await page.click('#btn-answer');
    await sp.asked('accept');
    expect((await sp.log()).slice(-2)).toEqual(['input:headset-mic', 'accept']);
    await bridge(h, local(dial.Client[0].url), { ...callParams(agentLeg, VIP), Direction: 'outbound-dial', ParentCallSid: sid });
    await phase(page, 'on-call', 'open');
    expect(await page.locator('#phone-text').textContent()).toBe('Em chamada pelo softphone');
    expect(await visible(page, '#btn-answer')).toBe(false);

    // Mudo, a digit on the keypad, another from the keyboard.
    await page.click('#btn-mute');
    await sp.asked('mute:true');
    await page.waitForFunction(() => document.querySelector('#btn-mute')?.getAttribute('aria-pressed') === 'true', undefined, { timeout: BUDGET_MS });
    expect(await page.locator('#phone-text').textContent()).toBe('Em chamada pelo softphone · microfone mudo');
    await page.click('#keypad button[data-digit="5"]');
    await sp.asked('digits:5');
    await page.keyboard.press('#');
    await sp.asked('digits:#');
    await shoot(page, 'on-call');
    await page.click('#btn-mute');
    await sp.asked('mute:false');

    // Desligar: the SDK disconnects; Twilio reports the <Dial> completed to its action URL.
    await page.click('#btn-hangup');
    await sp.asked('disconnect');
    await phase(page, 'on-call', '');
    await h.post(local(dial.action), callParams(sid, VIP, { DialCallStatus: 'completed', DialCallSid: agentLeg, DialCallDuration: '42' }));
    await phase(page, 'wrap-up', '');
    expect(await visible(page, '#disposition')).toBe(true);
    expect(await sp.log()).toContain('input:released');
    expect(errors).toEqual([]);
  });

  it('declining is a ring-no-answer: Twilio reports the leg busy and the caller goes back to the queue', async () => {
    const { h, address } = await harness();
    const { page, errors } = await open(`${address}/agent/?token=${ANA}&lang=en`);
    await availableWithSoftphone(page);
    const sp = double(page);
    const sid = newSid('CA');
    const from = '+5511987650042';
    const dial = await offerToAna(h, sid, from);
    await sp.ring({ CallSid: newSid('CA'), From: from, To: 'client:ana' });
    await phase(page, 'ringing', 'ringing');
    expect(await page.locator('#btn-decline').textContent()).toBe('Decline');
    await page.click('#btn-decline');
    await sp.asked('reject');
    await phase(page, 'ringing', '');
    // Nothing Atende-specific: the <Dial> ends busy, as for any agent who does not answer.
    await h.post(local(dial.action), callParams(sid, from, { DialCallStatus: 'busy' }));
    await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') !== 'ringing', undefined, { timeout: BUDGET_MS });
    const live = (await h.atende.app.inject({ url: `/api/calls/${sid}`, headers: { authorization: `Bearer ${SUPERVISOR}` } })).json();
    expect(live.live.status).toBe('queued');
    expect(errors).toEqual([]);
  });

  it('demo mode: the voice is simulated, and the SDK is never loaded', async () => {
    const demo = await buildTestApp({ demo: true, access: access(), staticDir: staticDir!, now: Date.now, voice: VOICE });
    closers.push(() => demo.close());
    const address = await demo.app.listen({ host: '127.0.0.1', port: 0 });
    const { page, errors } = await open(`${address}/agent/?token=${ANA}`, { width: 1366, height: 768 });
    await page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-kind') === 'live', undefined, { timeout: 10_000 });
    expect(await page.locator('#device').textContent()).toBe('Voz simulada: no modo demonstração o emulador da Twilio atende as chamadas por você.');
    expect(await visible(page, '#softphone')).toBe(false);
    expect(await page.evaluate(() => '__softphoneDouble' in window)).toBe(false);
    expect(errors).toEqual([]);
  });
});

describeWithChromium('the real Voice SDK under the console\'s CSP (Twilio intercepted)', () => {
  let realDir: string | null = null;
  let offline: Browser | null = null;
  beforeAll(async () => {
    realDir = await buildWallboard();
    // No name resolves but the loopback's, and the test intercepts every Twilio URL below:
    // nothing the SDK tries leaves this machine.
    offline = await chromium.launch({
      executablePath: chromiumPath!, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
    });
  }, 120_000);
  afterEach(async () => { for (const close of closers.splice(0)) await close().catch(() => {}); });
  afterAll(async () => {
    await offline?.close();
    await removeDir(realDir);
  });

  it('loads on demand, fetches its sounds and opens its signalling socket without a CSP violation', async () => {
    const a = await buildTestApp({ access: access(), staticDir: realDir!, now: Date.now, voice: VOICE });
    closers.push(() => a.close());
    const address = await a.app.listen({ host: '127.0.0.1', port: 0 });
    const page = await offline!.newPage();
    const violations: string[] = [];
    const pageErrors: string[] = [];
    const twilio: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (/Content Security Policy|CSP-VIOLATION/.test(m.text())) violations.push(m.text()); });
    await page.exposeFunction('reportViolation', (v: string) => { violations.push(v); });
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`);
    }));
    await page.routeWebSocket(/twilio\.com/, (ws) => { twilio.push(ws.url()); ws.close(); });
    await page.route(/twilio\.com/, (route) => { twilio.push(route.request().url()); return route.abort(); });
    await page.goto(`${address}/agent/?token=${ANA}`);
    await page.waitForFunction(() => document.querySelector('#sp-status') !== null && !document.querySelector<HTMLElement>('#softphone')!.hidden, undefined, { timeout: 10_000 });
    const asked = (pattern: RegExp) => expect.poll(() => twilio.some((u) => pattern.test(u)), { timeout: 10_000 }).toBe(true);
    await asked(/^wss:\/\/voice-js\.roaming\.twilio\.com\/signal$/);
    await asked(/^https:\/\/sdk\.twilio\.com\/js\/client\/sounds\/releases\/[^/]+\/incoming\.mp3/);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.locator('#sp-status').getAttribute('data-kind')).toBe('starting');
    await page.close();
  });
});
