// Issue 15 on the pages, end to end in a real browser: the built agent console and TV
// wallboard, served by the real app, fed by signed Twilio webhooks (and the supervisor's
// API), in headless Chromium. The console shows the call's protocol and, for a callback,
// who and why; the wallboard shows a closed queue as closed (reason, next opening), the
// waiting callbacks apart from the callers on the line, and "no limite legal hoje".
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Access } from '../../server/auth/access.ts';
import { describeWithChromium } from '../helpers/browser.ts';
import { PagesRig, type Opened } from '../helpers/pages.ts';
import { bridge, callParams, local, newSid, saysOf, startHarness, testSettings, type Harness, type TwimlNode } from '../helpers/twilio.ts';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SUPERVISOR = 's';
const ANA = 'ana-tok';
const CENTER_NUMBER = '+551130001000';
/** The screens run in the center's zone, as the TV and the agents' PCs do. */
const ZONE = 'America/Sao_Paulo';
const WAIT_MS = 3000;

const rig = new PagesRig();

/** A center whose wait offers the callback at once (no minimum wait), with wrap-up until "ready". */
function harness(): Promise<{ h: Harness; address: string }> {
  const settings = testSettings((s) => {
    s.callbacks = { ...s.callbacks!, offerAfterSeconds: 0, minEstimatedWaitSeconds: 0 };
    s.wrapUpSeconds = 0;
  });
  return rig.serve({ settings, access: new Access(undefined, { supervisor: SUPERVISOR, agents: { ana: ANA } }) });
}

/** In the center's zone and language: the pages print its clock ("abre 14:00"). */
const open = (url: string, viewport = { width: 1366, height: 768 }): Promise<Opened> =>
  rig.open(url, { viewport, timezoneId: ZONE, locale: 'pt-BR', ignoreConsole: false });

const as = (token: string) => ({ authorization: `Bearer ${token}` });
async function api(h: Harness, method: 'GET' | 'POST', url: string, token: string, payload?: object) {
  const res = await h.atende.app.inject({ method, url, headers: as(token), ...(payload ? { payload } : {}) });
  return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : null };
}

interface Call { sid: string; from: string; enqueue: TwimlNode; queueSid: string }

/** Rings and walks the menu (Português first): into a queue. */
async function callIntoQueue(h: Harness, keys: string[], from: string): Promise<Call> {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  for (const d of keys) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
  expect(res.twiml!.Enqueue, res.body).toBeDefined();
  return { sid, from, enqueue: res.twiml!.Enqueue[0], queueSid: newSid('QU') };
}

/** One turn of the wait URL (it reports the QueueSid). */
async function hold(h: Harness, c: Call) {
  const res = await h.post(local(c.enqueue.waitUrl), callParams(c.sid, c.from, { QueueSid: c.queueSid, QueuePosition: '1', QueueTime: '5' }));
  await h.atende.idle();
  return res;
}

/** The wait offers the callback: 1, then 1 to confirm the caller ID; the caller leaves the line. */
async function askForCallback(h: Harness, c: Call): Promise<void> {
  const offer = (await hold(h, c)).twiml!.Gather?.[0];
  expect(offer, 'the wait offers a callback').toBeDefined();
  const confirm = await h.post(local(offer.action), callParams(c.sid, c.from, { Digits: '1' }));
  const done = await h.post(local(confirm.twiml!.Gather[0].action), callParams(c.sid, c.from, { Digits: '1' }));
  expect(done.twiml!.Leave, done.body).toBeDefined();
  await h.post(local(c.enqueue.action), callParams(c.sid, c.from, { QueueResult: 'leave', QueueSid: c.queueSid, QueueTime: '10' }));
  await h.post('/twilio/status', callParams(c.sid, c.from, { CallStatus: 'completed', CallDuration: '20' }));
  await h.atende.idle();
}

/** Today's date in the center's zone, as the default protocol format starts: "20261207". */
function todayDigits(): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}`;
}

// ---- page-side reads (serialised into the browser: self-contained) ----
const consoleCard = () => {
  const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
  const cb = document.querySelector<HTMLElement>('#call-callback');
  return {
    state: document.querySelector('#state')?.getAttribute('data-state') ?? '',
    phase: document.querySelector('#call-panel')?.getAttribute('data-phase') ?? '',
    title: text('#call-title'),
    from: text('#call-from'),
    callback: cb && !cb.hidden ? cb.textContent : null,
    protocol: text('#f-protocol'),
    queue: text('#f-queue'),
    badges: Array.from(document.querySelectorAll('#call-badges .badge')).map((b) => b.textContent).join(','),
  };
};
type Card = ReturnType<typeof consoleCard>;

async function cardBecomes(page: Page, want: Partial<Card>): Promise<Card> {
  try {
    await page.waitForFunction((w) => {
      const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
      const cb = document.querySelector<HTMLElement>('#call-callback');
      const have: Record<string, string | null> = {
        state: document.querySelector('#state')?.getAttribute('data-state') ?? '',
        phase: document.querySelector('#call-panel')?.getAttribute('data-phase') ?? '',
        title: text('#call-title'), from: text('#call-from'), callback: cb && !cb.hidden ? cb.textContent : null,
        protocol: text('#f-protocol'), queue: text('#f-queue'),
        badges: Array.from(document.querySelectorAll('#call-badges .badge')).map((b) => b.textContent).join(','),
      };
      return Object.entries(w).every(([k, v]) => have[k] === v);
    }, want, { timeout: WAIT_MS, polling: 20 });
  } catch (err) {
    throw new Error(`console never showed ${JSON.stringify(want)}: it shows ${JSON.stringify(await page.evaluate(consoleCard))} (${(err as Error).message.split('\n')[0]})`);
  }
  return page.evaluate(consoleCard);
}

const queueRow = (name: string) => {
  const r = Array.from(document.querySelectorAll('#queues .r.q')).find((el) => el.querySelector('.q-name b')?.textContent === name);
  return r ? {
    closed: r.classList.contains('closed'),
    text: r.querySelector('.q-closed')?.textContent ?? null,
    figures: r.querySelectorAll('.num').length,
    red: r.querySelectorAll('[data-band="red"]').length,
  } : null;
};

const boardTiles = () => ({
  waiting: document.querySelector('#t-waiting .t-value')?.textContent ?? '',
  waitingSub: document.querySelector('#t-waiting .t-sub')?.textContent ?? '',
  longestHint: Array.from(document.querySelectorAll('#t-longest *')).map((e) => e.textContent ?? '').find((s) => s.startsWith('no limite legal')) ?? null,
  callbackRows: Array.from(document.querySelectorAll('#calls .r.call.callback')).map((r) => r.querySelector('i.cb')?.textContent ?? ''),
  rows: document.querySelectorAll('#calls .r.call').length,
});

describeWithChromium('SAC on the pages (issue 15) in a real browser', () => {
  rig.install();

  it('the agent console shows the protocol on the call, and who and why for a callback, with its protocol', async () => {
    const { h, address } = await harness();
    // Two callers for Vendas while nobody is logged in; the second asks for a callback.
    const a = await callIntoQueue(h, ['1', '2'], '+5511987650011');
    await hold(h, a);
    const b = await callIntoQueue(h, ['1', '2'], '+5511987650022');
    await askForCallback(h, b);
    const protocolA = h.atende.engine.core.call(a.sid)!.protocol!;
    const protocolB = h.atende.engine.core.call(b.sid)!.protocol!;
    // The default format: the date in the center's zone and a daily sequence.
    expect([protocolA, protocolB]).toEqual([`${todayDigits()}000001`, `${todayDigits()}000002`]);

    const { page, errors } = await open(`${address}/agent/?token=${ANA}`);
    await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'offline', undefined, { timeout: 10_000 });
    await page.click('#btn-available');
    // The caller on the line first: dequeued to Ana, she answers (the whisper's end).
    await h.atende.idle();
    const dq = h.rest.dequeues().find((d) => d.callSid === a.sid);
    expect(dq).toBeDefined();
    const dial = (await h.post(local(dq!.url), callParams(a.sid, a.from))).twiml!.Dial[0];
    await bridge(h, local(dial.Client[0].url), { ...callParams(newSid('CA'), a.from), Direction: 'outbound-dial', ParentCallSid: a.sid });
    await cardBecomes(page, { state: 'on-call', phase: 'in-progress', title: 'Em atendimento', from: a.from, protocol: protocolA, callback: null, badges: '' });
    expect(await page.locator('#f-protocol').evaluate((el) => el.previousElementSibling?.textContent)).toBe('Protocolo');

    // The line drops on the company's side; Ana marks it from the console: a callback at the head of its tier.
    expect(await page.locator('#btn-dropped').textContent()).toBe('A ligação caiu');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}agent-console-protocol.png` });
    await page.click('#btn-dropped');
    await cardBecomes(page, { state: 'wrap-up' });
    expect(h.atende.engine.core.call(a.sid)).toMatchObject({ status: 'queued', callback: { origin: 'dropped', number: a.from } });
    await page.waitForFunction(() => document.querySelector('#escalated-note')?.textContent
      === 'A ligação caiu: o cliente volta como retorno no início da fila, com o mesmo protocolo.', undefined, { timeout: WAIT_MS });
    expect(await page.locator('#btn-dropped').isHidden()).toBe(true);
    await h.post(local(dial.action), callParams(a.sid, a.from, { DialCallStatus: 'completed' }));
    await page.click('#btn-ready');
    // Ahead of the requested callback (same tier, earlier place): Atende calls Ana first (agent-first).
    const shown = await cardBecomes(page, {
      state: 'ringing', phase: 'offered', title: 'Retorno oferecido', callback: 'Retorno para +5511987650011 · chamada que caiu',
      protocol: protocolA, queue: 'Vendas', badges: 'Retorno',
    });
    expect(shown.from).toBe(a.from);
    const created = h.rest.creates();
    expect(created.map((c) => c.to)).toEqual(['client:ana']);
    await page.screenshot({ path: `${artifacts}agent-console-callback.png` });

    // Ana picks up, hears who and why with the protocol; the customer answers; they talk; it ends.
    const agentLeg = { ...callParams(created[0].callSid, CENTER_NUMBER), To: 'client:ana', Direction: 'outbound-api' };
    const leg = await h.post(local(created[0].url), agentLeg);
    expect(saysOf(leg.twiml!).join(' ')).toMatch(/^Retorno para .*chamada que caiu.*Protocolo /);
    await cardBecomes(page, { state: 'on-call', callback: 'Retorno para +5511987650011 · chamada que caiu', protocol: protocolA });
    await h.post(local(leg.twiml!.Dial[0].Number[0].url), { ...callParams(newSid('CA'), CENTER_NUMBER), To: a.from, Direction: 'outbound-dial', ParentCallSid: created[0].callSid });
    await h.post(local(leg.twiml!.Dial[0].action), { ...agentLeg, DialCallStatus: 'completed', DialCallDuration: '60' });
    await cardBecomes(page, { state: 'wrap-up' });
    await page.click('#btn-ready');

    // Then the callback the second caller asked for, with theirs.
    await cardBecomes(page, {
      state: 'ringing', phase: 'offered', title: 'Retorno oferecido', callback: 'Retorno para +5511987650022 · pedido de retorno',
      protocol: protocolB, badges: 'Retorno',
    });
    expect(errors).toEqual([]);
  });

  it('the supervisor screen: Ana\'s call dropped, marked from her dialog; the customer comes back as a callback with the same protocol', async () => {
    const { h, address } = await harness();
    const a = await callIntoQueue(h, ['1', '2'], '+5511987650033');
    await hold(h, a);
    const protocol = h.atende.engine.core.call(a.sid)!.protocol!;
    expect((await api(h, 'POST', '/api/agents/ana/state', SUPERVISOR, { state: 'available' })).status).toBe(200);
    await h.atende.idle();
    const dq = h.rest.dequeues().find((d) => d.callSid === a.sid);
    expect(dq).toBeDefined();
    const dial = (await h.post(local(dq!.url), callParams(a.sid, a.from))).twiml!.Dial[0];
    await bridge(h, local(dial.Client[0].url), { ...callParams(newSid('CA'), a.from), Direction: 'outbound-dial', ParentCallSid: a.sid });
    expect(h.atende.engine.core.call(a.sid)).toMatchObject({ status: 'connected', agentId: 'ana' });

    const { page, errors } = await open(`${address}/supervisor/?token=${SUPERVISOR}`, { width: 1920, height: 1080 });
    await page.waitForFunction(() => document.body.dataset.screen === 'supervisor'
      && document.querySelector('#agents tr[data-agent="ana"]')?.getAttribute('data-state') === 'on-call', undefined, { timeout: 10_000 });
    // Bruno, logged out, has no call: his dialog offers no such button.
    await page.locator('#agents tr[data-agent="bruno"]').getByRole('button').click();
    await page.waitForSelector('#agent-dialog[open]');
    expect(await page.locator('#ad-dropped').count()).toBe(0);
    await page.click('#ad-cancel');
    await page.locator('#agents tr[data-agent="ana"]').getByRole('button').click();
    await page.waitForSelector('#agent-dialog[open]');
    expect(await page.locator('#ad-dropped').textContent()).toBe('A ligação caiu: retornar ao cliente');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}supervisor-dropped-dialog-1920.png` });
    // On a laptop the whole dialog, the button included, is on the screen.
    await page.setViewportSize({ width: 1366, height: 768 });
    const box = (await page.locator('#ad-dropped').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(768);
    await page.screenshot({ path: `${artifacts}supervisor-dropped-dialog-1366.png` });
    await page.click('#ad-dropped');
    await page.waitForFunction(() => document.querySelector('#toast:not([hidden])')?.textContent
      === 'A ligação de Ana Souza foi marcada como caída: o cliente será chamado de volta.', undefined, { timeout: WAIT_MS });
    expect(h.atende.engine.core.call(a.sid)).toMatchObject({ status: 'queued', protocol, callback: { origin: 'dropped', number: a.from } });
    // Audited under the supervisor, with the number to call back.
    const audit = (await api(h, 'GET', '/api/audit?limit=5', SUPERVISOR)).json.entries;
    expect(audit[0]).toMatchObject({ action: 'call.dropped', target: a.sid, after: { callback: a.from } });
    expect(errors).toEqual([]);
  });

  it('the wallboard: callbacks apart from callers on the line, a closed queue as closed, figures again once reopened, the legal limit', async () => {
    const { h, address } = await harness();
    // Ana answers one Suporte caller at once: today's "no limite legal" is 100 %.
    expect((await api(h, 'POST', '/api/agents/ana/state', SUPERVISOR, { state: 'available' })).status).toBe(200);
    const s1 = await callIntoQueue(h, ['1', '1', '1'], '+5511987650031');
    await hold(h, s1);
    const dq = h.rest.dequeues().find((d) => d.callSid === s1.sid)!;
    const dial = (await h.post(local(dq.url), callParams(s1.sid, s1.from))).twiml!.Dial[0];
    await bridge(h, local(dial.Client[0].url), { ...callParams(newSid('CA'), s1.from), Direction: 'outbound-dial', ParentCallSid: s1.sid });
    // Two Vendas callers, one Financeiro; the first Vendas caller asks for a callback.
    const v1 = await callIntoQueue(h, ['1', '2'], '+5511987650041');
    await askForCallback(h, v1);
    const v2 = await callIntoQueue(h, ['1', '2'], '+5511987650042');
    await hold(h, v2);
    const f1 = await callIntoQueue(h, ['1', '3'], '+5511987650043');
    await hold(h, f1);

    const { page, errors } = await open(`${address}/`, { width: 1920, height: 1080 });
    await page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-kind') === 'live'
      && document.querySelector('#t-waiting .t-value')?.textContent === '2', undefined, { timeout: 10_000 });
    let tiles = await page.evaluate(boardTiles);
    expect(tiles.waiting).toBe('2');
    expect(tiles.waitingSub).toMatch(/^1 retorno · mais antigo 0:\d\d$/);
    expect(tiles.callbackRows).toEqual(['Retorno']);
    expect(tiles.rows).toBe(3);
    expect(tiles.longestHint).toBe('no limite legal hoje: 100,0 %');
    expect(await page.evaluate(queueRow, 'Vendas')).toMatchObject({ closed: false, text: null });

    // The supervisor closes Vendas until a set time: "Fechada · Inventário · abre HH:MM", no red figures.
    const until = new Date(Date.now() + 2 * 3_600_000);
    until.setSeconds(0, 0);
    const closed = await api(h, 'POST', '/api/queues/vendas/close', SUPERVISOR, { reason: 'Inventário', until: until.toISOString() });
    expect(closed.status).toBe(200);
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(until).map((x) => [x.type, x.value]));
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date()) === new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(until);
    const opens = `${today ? '' : `${parts.day}/${parts.month} `}${parts.hour}:${parts.minute}`;
    await page.waitForFunction(() => document.querySelector('#queues .r.q.closed') !== null, undefined, { timeout: WAIT_MS });
    expect(await page.evaluate(queueRow, 'Vendas')).toEqual({ closed: true, text: `Fechada · Inventário · abre ${opens}`, figures: 0, red: 0 });

    // A caller who reaches it closed is never enqueued, and leaves a callback request for its opening.
    const sid = newSid('CA');
    const from = '+5511987650044';
    let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    for (const d of ['1', '2']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
    expect(res.twiml!.Enqueue).toBeUndefined();
    for (let step = 0; step < 3 && res.twiml!.Gather; step++) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    expect(res.twiml!.Hangup, res.body).toBeDefined();
    await h.atende.idle();
    expect(h.atende.engine.core.call(sid)).toMatchObject({ status: 'queued', callback: { number: from, origin: 'requested', retryAt: until.getTime() } });
    await page.waitForFunction(() => /^2 retornos · mais antigo /.test(document.querySelector('#t-waiting .t-sub')?.textContent ?? ''), undefined, { timeout: WAIT_MS });
    tiles = await page.evaluate(boardTiles);
    expect(tiles.waiting).toBe('2');
    expect(tiles.waitingSub).toMatch(/^2 retornos · mais antigo 0:\d\d$/);

    // Screenshots of the board with a closed queue and callbacks waiting, at both sizes.
    mkdirSync(artifacts, { recursive: true });
    for (const vp of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
      await page.setViewportSize(vp);
      await page.waitForTimeout(400);
      const png = await page.screenshot({ path: `${artifacts}wallboard-sac-${vp.width}x${vp.height}.png` });
      expect(png.readUInt32BE(16)).toBe(vp.width);
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(vp.height);
    }

    // The supervisor reopens it: figures again.
    expect((await api(h, 'POST', '/api/queues/vendas/open', SUPERVISOR, {})).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('#queues .r.q.closed') === null, undefined, { timeout: WAIT_MS });
    const row = await page.evaluate(queueRow, 'Vendas');
    expect(row).toMatchObject({ closed: false, text: null, figures: 4 });
    expect(errors).toEqual([]);
  });
});
