// End to end in a real browser: the built agent console (/agent/), served by the
// real app with real tokens, over a real WebSocket, in headless Chromium. A
// caller walks the IVR with signed Twilio webhooks; Ana sees the offer, talks,
// wraps up, records the outcome and gets ready, all from the page.
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Access } from '../../server/auth/access.ts';
import { describeWithChromium } from '../helpers/browser.ts';
import { PagesRig, type Opened } from '../helpers/pages.ts';
import { bridge, callParams, local, newSid, type Harness } from '../helpers/twilio.ts';


/** The screen must show a change this soon after the webhook that caused it. */
const BUDGET_MS = 1000;
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SUPERVISOR = 's';
const ANA = 'ana-tok';
/** A VIP number in config/example.json: tier 1 by the rule "Cliente VIP". */
const VIP = '+5511999990000';

const rig = new PagesRig();

function harness(hub?: { heartbeatMs?: number }): Promise<{ h: Harness; address: string }> {
  return rig.serve({ access: new Access(undefined, { supervisor: SUPERVISOR, agents: { ana: ANA } }), hub });
}

const open = (url: string, viewport = { width: 1366, height: 768 }): Promise<Opened> => rig.open(url, { viewport });

/** Live console of this state: signed in, socket open, first frame rendered. */
async function consoleLive(page: Page, state: string): Promise<void> {
  await page.waitForFunction((s) => document.body.dataset.screen === 'console'
    && document.querySelector('#conn')?.getAttribute('data-kind') === 'live'
    && document.querySelector('#state')?.getAttribute('data-state') === s, state, { timeout: 10_000 });
}

// ---- page-side predicates (serialised into the browser: self-contained) ----
type Screen = { state: string; phase: string; from: string; queue: string; priority: string; path: string; badges: string; countdown: boolean; form: boolean; escalate: string };
const screenIs = (want: Partial<Screen>): boolean => {
  const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
  const visible = (sel: string) => { const el = document.querySelector<HTMLElement>(sel); return !!el && !el.hidden && el.offsetParent !== null; };
  const have: Screen = {
    state: document.querySelector('#state')?.getAttribute('data-state') ?? '',
    phase: document.querySelector('#call-panel')?.getAttribute('data-phase') ?? '',
    from: text('#call-from'),
    queue: text('#f-queue'),
    priority: text('#f-priority'),
    path: text('#f-path'),
    badges: Array.from(document.querySelectorAll('#call-badges .badge')).map((b) => b.textContent).join(','),
    countdown: visible('#countdown') && /\d:\d\d/.test(text('#countdown')),
    form: visible('#disposition'),
    escalate: visible('#escalate') ? Array.from(document.querySelectorAll('#escalate-buttons button')).map((b) => b.textContent).join(',') : '',
  };
  return Object.entries(want).every(([k, v]) => (have as unknown as Record<string, unknown>)[k] === v);
};

async function shownWithin(page: Page, t0: number, what: string, want: Partial<Screen>): Promise<number> {
  const left = BUDGET_MS - (performance.now() - t0);
  try {
    await page.waitForFunction(screenIs, want, { timeout: Math.max(1, left), polling: 10 });
  } catch (err) {
    const now = await page.evaluate(() => document.querySelector('#main')?.textContent?.replace(/\s+/g, ' ').slice(0, 400));
    throw new Error(`${what}: not on screen within ${BUDGET_MS} ms (${(err as Error).message.split('\n')[0]}); screen: ${now}`);
  }
  const elapsed = performance.now() - t0;
  expect(elapsed, what).toBeLessThan(BUDGET_MS);
  return elapsed;
}

/** Nothing drawn outside the window, nothing cut off, the document does not scroll. */
const layout = () => {
  const outside: string[] = [];
  for (const el of Array.from(document.querySelectorAll('#app *'))) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.left < -0.5) {
      outside.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
    }
  }
  const cut = Array.from(document.querySelectorAll<HTMLElement>('#console, #main, .panel, #call, #wrapup, #state-buttons'))
    .filter((p) => p.offsetParent !== null && (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1))
    .map((p) => `#${p.id || p.className}`);
  return { scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight, w: innerWidth, h: innerHeight, outside: outside.slice(0, 10), cut };
};
async function expectNoScroll(page: Page, when: string): Promise<void> {
  const m = await page.evaluate(layout);
  expect(m.scrollH, `${when}: document height`).toBeLessThanOrEqual(m.h);
  expect(m.scrollW, `${when}: document width`).toBeLessThanOrEqual(m.w);
  expect(m.outside, `${when}: outside the window`).toEqual([]);
  expect(m.cut, `${when}: cut off`).toEqual([]);
}

describeWithChromium('agent console in a real browser', () => {
  rig.install();

  it('Ana takes a call from offer to wrap-up, records the outcome and gets ready', async () => {
    const { h, address } = await harness();
    const { page, errors } = await open(`${address}/agent/?token=${ANA}`);
    await consoleLive(page, 'offline');
    // The token left the address bar (and the history entry), kept for this tab only.
    expect(page.url()).toBe(`${address}/agent/`);
    expect(await page.evaluate(() => sessionStorage.getItem('atende.agent.token'))).toBe(ANA);
    expect(await page.locator('#agent-name').textContent()).toBe('Ana Souza');
    expect(await page.locator('#state-label').textContent()).toBe('Deslogado');
    expect(await page.locator('#device').textContent()).toMatch(/softphone.*não por esta página/);
    const took: Record<string, number> = {};

    // Disponível.
    let t0 = performance.now();
    await page.click('#btn-available');
    took.available = await shownWithin(page, t0, 'Ana available', { state: 'available', phase: 'none' });
    expect(await page.locator('#state-label').textContent()).toBe('Disponível');
    expect(await page.locator('#btn-available').isDisabled()).toBe(true);

    // A VIP caller walks the IVR: Português (1), Vendas (2).
    const sid = newSid('CA');
    let res = await h.post('/twilio/voice', callParams(sid, VIP, { CallStatus: 'ringing' }));
    for (const d of ['1', '2']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, VIP, { Digits: d }));
    const enqueue = res.twiml!.Enqueue[0];
    expect(enqueue['#text']).toBe('vendas');
    // The wait URL reports the QueueSid; Atende dequeues towards Ana.
    await h.post(local(enqueue.waitUrl), callParams(sid, VIP, { QueueSid: newSid('QU'), QueuePosition: '1', QueueTime: '1' }));
    await h.atende.idle();
    expect(h.rest.dequeues()).toHaveLength(1);

    // Twilio follows the dequeue: the caller's leg gets <Dial> to Ana. The console shows the offer.
    t0 = performance.now();
    const dial = (await h.post(local(h.rest.dequeues()[0].url), callParams(sid, VIP))).twiml!.Dial[0];
    took.offered = await shownWithin(page, t0, 'offered call', {
      state: 'ringing', phase: 'offered', from: VIP, queue: 'Vendas', priority: 'P1 · Cliente VIP', path: 'Vendas', badges: 'VIP',
    });
    expect(await page.locator('#call-title').textContent()).toBe('Chamada oferecida');
    expect(await page.locator('#f-language').textContent()).toMatch(/^Português/);
    // The wait ticks every second while it rings.
    const w1 = await page.locator('#f-waited').textContent();
    await page.waitForFunction((w) => document.querySelector('#f-waited')?.textContent !== w, w1, { timeout: 2500 });

    // Ana answers (the whisper's end is the answer): in progress, with escalation to N2.
    t0 = performance.now();
    const agentLeg = newSid('CA');
    await bridge(h, local(dial.Client[0].url), { ...callParams(agentLeg, VIP), Direction: 'outbound-dial', ParentCallSid: sid });
    took.answered = await shownWithin(page, t0, 'call in progress', { state: 'on-call', phase: 'in-progress', from: VIP, escalate: 'Escalar para N2' });
    expect(await page.locator('#state-label').textContent()).toBe('Em atendimento');
    expect(await page.locator('#f-waited-label').textContent()).toBe('Esperou');
    await expectNoScroll(page, 'on a call at 1366×768');
    mkdirSync(artifacts, { recursive: true });
    const png = await page.screenshot({ path: `${artifacts}agent-console.png` });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1366);
    expect(png.readUInt32BE(20)).toBe(768);

    // Pausa while on the call: pending (applied when the call ends); Disponível takes it back.
    await page.selectOption('#pause-reason', 'lanche');
    await page.click('#btn-away');
    await page.waitForFunction(() => /Pendente: Pausa \(lanche\)/.test(document.querySelector('#pending')?.textContent ?? ''), undefined, { timeout: BUDGET_MS });
    expect(await page.locator('#state').getAttribute('data-state')).toBe('on-call');
    await page.click('#btn-available');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#pending')!.hidden, undefined, { timeout: BUDGET_MS });
    expect(await page.locator('#btn-available').getAttribute('aria-pressed')).toBe('true');

    // The Dial ends (talk over): wrap-up, with its countdown and the outcome form.
    t0 = performance.now();
    await h.post(local(dial.action), callParams(sid, VIP, { DialCallStatus: 'completed', DialCallSid: agentLeg }));
    took.ended = await shownWithin(page, t0, 'wrap-up', { state: 'wrap-up', phase: 'wrap-up', countdown: true, form: true, escalate: '' });
    // The countdown runs down from the center's 30 s.
    expect(await page.locator('#countdown').textContent()).toMatch(/^Pós-atendimento termina em 0:(2\d|30)$/);
    const left = Number(await page.locator('#countdown').getAttribute('data-remaining'));
    await page.waitForFunction((l) => Number(document.querySelector('#countdown')?.getAttribute('data-remaining')) < l, left, { timeout: 2500 });
    expect(await page.locator('#btn-ready').isEnabled()).toBe(true);
    await expectNoScroll(page, 'wrap-up at 1366×768');

    // Resolved on first contact: yes.
    await page.check('#disposition input[value="yes"]');
    await page.fill('#disposition-note', 'Plano trocado');
    await page.click('#disposition-send');
    await page.waitForFunction(() => document.querySelector('#disposition-done')?.textContent === 'Registro salvo.', undefined, { timeout: BUDGET_MS });
    const snap = await (await fetch(`${address}/api/snapshot`, { headers: { authorization: `Bearer ${SUPERVISOR}` } })).json() as { center: { fcr: { responses: number; rate: number | null } } };
    expect(snap.center.fcr.responses).toBe(1);
    expect(snap.center.fcr.rate).toBe(1);

    // A reload signs in again from sessionStorage; the server says the outcome is recorded,
    // so the form does not come back and nothing can be recorded twice.
    await page.reload();
    await consoleLive(page, 'wrap-up');
    await page.waitForFunction(() => document.querySelector('#disposition-done')?.textContent === 'Registro salvo.', undefined, { timeout: BUDGET_MS });
    expect(await page.locator('#disposition-send').isVisible()).toBe(false);
    expect((await (await fetch(`${address}/api/snapshot`, { headers: { authorization: `Bearer ${SUPERVISOR}` } })).json()).center.fcr.responses).toBe(1);

    // Pronto: available again.
    t0 = performance.now();
    await page.click('#btn-ready');
    took.ready = await shownWithin(page, t0, 'ready', { state: 'available', phase: 'none' });
    expect(await page.locator('#handled').textContent()).toBe('1 atendidas');

    console.info(`e2e-agent: action/webhook → on screen (ms, upper bounds): ${Object.entries(took).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    expect(errors).toEqual([]);
  });

  it('escalates a call with a note: the call leaves Ana and the note travels with it', async () => {
    const { h, address } = await harness();
    const { page } = await open(`${address}/agent/?token=${ANA}&lang=en`);
    await consoleLive(page, 'offline');
    expect(await page.locator('#btn-available').textContent()).toBe('Available');
    await page.click('#btn-available');
    await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'available', undefined, { timeout: BUDGET_MS });

    const sid = newSid('CA');
    const from = '+5511987650042';
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    for (const d of ['1', '2']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
    await h.post(local(res.twiml!.Enqueue[0].waitUrl), callParams(sid, from, { QueueSid: newSid('QU') }));
    await h.atende.idle();
    const dial = (await h.post(local(h.rest.dequeues()[0].url), callParams(sid, from))).twiml!.Dial[0];
    await bridge(h, local(dial.Client[0].url), { ...callParams(newSid('CA'), from), Direction: 'outbound-dial', ParentCallSid: sid });
    await page.waitForFunction(screenIs, { state: 'on-call', escalate: 'Escalate to N2' }, { timeout: BUDGET_MS });

    await page.fill('#escalate-note', 'quer desconto acima da alçada');
    const t0 = performance.now();
    await page.click('#escalate-buttons button[data-level="2"]');
    await shownWithin(page, t0, 'escalated away', { state: 'wrap-up', phase: 'escalated', form: false, escalate: '' });
    expect(await page.locator('#escalated-note').textContent()).toBe('Call escalated to N2: it has left your console.');
    const live = (await h.atende.app.inject({ method: 'GET', url: `/api/calls/${sid}`, headers: { authorization: `Bearer ${SUPERVISOR}` } })).json();
    expect(live.live).toMatchObject({ level: 2, notes: ['quer desconto acima da alçada'] });
  });

  it('a wrong token shows the sign-in form with the reason; the form signs in', async () => {
    const { address } = await harness();
    const { page, errors } = await open(`${address}/agent/?token=nope`);
    await page.waitForFunction(() => document.body.dataset.screen === 'signin' && !document.querySelector<HTMLElement>('#signin-reason')!.hidden, undefined, { timeout: 5000 });
    expect(await page.locator('#signin-reason').textContent()).toMatch(/^Token inválido ou expirado \(401\)/);
    expect(page.url()).toBe(`${address}/agent/`);
    expect(await page.evaluate(() => sessionStorage.getItem('atende.agent.token'))).toBeNull();
    expect(await page.locator('#console').isHidden()).toBe(true);

    await page.fill('#token-input', ANA);
    await page.click('#signin-btn');
    await consoleLive(page, 'offline');
    expect(await page.locator('#agent-name').textContent()).toBe('Ana Souza');
    // Signing out forgets the token.
    await page.click('#signout');
    await page.waitForFunction(() => document.body.dataset.screen === 'signin', undefined, { timeout: 2000 });
    expect(await page.evaluate(() => sessionStorage.getItem('atende.agent.token'))).toBeNull();
    expect(errors).toEqual([]);
  });

  it('Ana cannot see Bruno: naming him is refused (403) and nothing of his is shown', async () => {
    const { address } = await harness();
    const me = (agent: string | null) => fetch(`${address}/api/agent/me${agent ? `?agent=${agent}` : ''}`, { headers: { authorization: `Bearer ${ANA}` } });
    expect((await me('bruno')).status).toBe(403);
    expect(((await (await me(null)).json()) as { agent: { id: string } }).agent.id).toBe('ana');

    const { page } = await open(`${address}/agent?token=${ANA}&agent=bruno`); // (also served without the slash)
    await page.waitForFunction(() => document.body.dataset.screen === 'signin' && !document.querySelector<HTMLElement>('#signin-reason')!.hidden, undefined, { timeout: 5000 });
    expect(await page.locator('#signin-reason').textContent()).toMatch(/\(403\).*belongs to agent 'ana', not 'bruno'/);
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/Bruno Lima/);
  });

  it('shows the stale notice when the server goes quiet', async () => {
    // A short heartbeat so the last frame arrives right before the stop.
    const { h, address } = await harness({ heartbeatMs: 200 });
    const { page } = await open(`${address}/agent/?token=${ANA}`);
    await consoleLive(page, 'offline');
    expect(await page.locator('#banner').isHidden()).toBe(true);
    const stoppedAt = performance.now();
    await h.atende.app.close();
    await page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-kind') === 'offline', undefined, { timeout: 2000, polling: 20 });
    expect(await page.locator('#banner').isHidden()).toBe(true);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#banner')!.hidden, undefined, { timeout: 9000, polling: 50 });
    const after = performance.now() - stoppedAt;
    expect(await page.locator('#banner').textContent()).toMatch(/^SEM CONEXÃO — dados de há \d+ s$/);
    expect(await page.evaluate(() => document.body.classList.contains('dim'))).toBe(true);
    expect(after).toBeGreaterThan(4500);
    expect(after).toBeLessThan(7000);
  });
});
