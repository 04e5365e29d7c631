// End to end in a real browser: the built supervisor screen (/supervisor/), served
// by the real app with real tokens, over its own WebSocket, in headless Chromium,
// next to the TV wallboard and Ana's agent console. Callers come through signed
// Twilio webhooks; alerts go to a local webhook receiver on 127.0.0.1.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Access } from '../../server/auth/access.ts';
import { parseSettings } from '../../server/config/load.ts';
import { buildWallboard, describeWithChromium, findChromium, launchChromium, removeDir } from '../helpers/browser.ts';
import { callParams, local, newSid, startHarness, testSettings, type Harness } from '../helpers/twilio.ts';
import { Receiver } from '../server/alerts/receiver.ts';

const chromiumPath = findChromium();
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SUP = 'sup-e2e-token';
const ANA = 'ana-e2e-token';
/** A change must be on the screen this soon. */
const SOON = 3000;

let staticDir: string | null = null;
let browser: Browser | null = null;
let harnesses: Harness[] = [];
let contexts: BrowserContext[] = [];
let receiver: Receiver | null = null;

async function harness(): Promise<{ h: Harness; address: string }> {
  receiver = new Receiver();
  await receiver.start();
  const settings = parseSettings({
    ...testSettings(),
    alerts: {
      rules: [{ id: 'espera-longa', kind: 'longestWaitAbove', waitSeconds: 2, queues: ['suporte'], severity: 'critical', cooldownMinutes: 30 }],
      destinations: [
        { id: 'slack-ops', format: 'slack', url: `${receiver.url}/slack` },
        { id: 'teams-sup', format: 'teams', url: `${receiver.url}/teams` },
      ],
    },
  });
  const access = new Access(undefined, { supervisor: SUP, agents: { ana: ANA } });
  const h = await startHarness({ access, realClock: true, staticDir: staticDir!, rateLimitPerMinute: false, settings });
  harnesses.push(h);
  const address = await h.atende.app.listen({ host: '127.0.0.1', port: 0 });
  return { h, address };
}

interface Opened { page: Page; errors: string[] }
async function open(url: string, viewport = { width: 1366, height: 768 }): Promise<Opened> {
  const ctx = await browser!.newContext({ viewport, deviceScaleFactor: 1, acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (400|401|403|409)/.test(m.text())) errors.push(m.text()); });
  await page.goto(url);
  return { page, errors };
}

/** Signed in, live, first view drawn. */
async function supervisorLive(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.screen === 'supervisor'
    && document.querySelector('#conn')?.getAttribute('data-kind') === 'live'
    && document.querySelectorAll('#agents tr').length > 0, undefined, { timeout: 10_000 });
}

async function queueCaller(h: Harness, from: string): Promise<string> {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  for (const d of ['1', '1', '1']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
  expect(res.twiml!.Enqueue[0]['#text']).toBe('suporte');
  await h.post(local(res.twiml!.Enqueue[0].waitUrl), callParams(sid, from, { QueueSid: newSid('QU') }));
  return sid;
}

const text = (page: Page, sel: string) => page.locator(sel).first().textContent();
async function toastSays(page: Page, pattern: RegExp): Promise<void> {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#toast:not([hidden])')?.textContent ?? ''), pattern.source, { timeout: SOON });
}

/** The document neither scrolls nor overflows sideways (Agora at laptop size). */
const pageSize = () => ({ w: innerWidth, h: innerHeight, scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight });

async function shot(page: Page, name: string, size: { width: number; height: number }): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(250);
  const png = await page.screenshot({ path: `${artifacts}${name}-${size.width}x${size.height}.png` });
  expect(png.readUInt32BE(16)).toBe(size.width);
  expect(png.readUInt32BE(20)).toBe(size.height);
}

describeWithChromium('supervisor screen in a real browser', () => {
  beforeAll(async () => {
    staticDir = await buildWallboard();
    browser = await launchChromium(chromiumPath!);
  }, 120_000);

  afterEach(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    contexts = [];
    for (const h of harnesses) await h.close().catch(() => {});
    harnesses = [];
    await receiver?.close();
    receiver = null;
  });

  afterAll(async () => {
    await browser?.close();
    await removeDir(staticDir);
  });

  it('signs in with the token kept out of the address bar; a wrong token is refused with the reason', async () => {
    const { address } = await harness();
    const { page, errors } = await open(`${address}/supervisor/`);
    await page.waitForFunction(() => document.body.dataset.screen === 'signin' && !(document.querySelector('#signin-btn') as HTMLButtonElement).disabled);
    expect(await page.locator('#signin-reason').isVisible()).toBe(false);
    await page.fill('#token', 'not-the-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Token inválido/.test(document.querySelector('#signin-reason')?.textContent ?? ''));
    await page.fill('#token', ANA);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /não é de supervisor/.test(document.querySelector('#signin-reason')?.textContent ?? ''));

    const second = await open(`${address}/supervisor/?token=${SUP}&lang=en`);
    await supervisorLive(second.page);
    expect(second.page.url()).toBe(`${address}/supervisor/?lang=en`);
    expect(await second.page.evaluate(() => sessionStorage.getItem('atende.supervisor.token'))).toBe(SUP);
    expect(await text(second.page, '#tab-now')).toBe('Now');
    // A reload keeps the tab signed in; signing out forgets the token.
    await second.page.reload();
    await supervisorLive(second.page);
    await second.page.click('#signout');
    await second.page.waitForFunction(() => document.body.dataset.screen === 'signin');
    expect(await second.page.evaluate(() => sessionStorage.getItem('atende.supervisor.token'))).toBeNull();
    expect([...errors, ...second.errors]).toEqual([]);
  });

  it('runs the center: a live change reaches the TV and the console, a forced state, a moved caller, alerts, a report, a CSV', async () => {
    const { h, address } = await harness();
    const sup = await open(`${address}/supervisor/?token=${SUP}`);
    const tv = await open(`${address}/`, { width: 1920, height: 1080 });
    const agent = await open(`${address}/agent/?token=${ANA}`);
    const page = sup.page;
    await supervisorLive(page);
    await agent.page.waitForFunction(() => document.body.dataset.screen === 'console' && document.querySelector('#conn')?.getAttribute('data-kind') === 'live', undefined, { timeout: 10_000 });
    await tv.page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-kind') === 'live', undefined, { timeout: 10_000 });

    // ---- Agora: a forced state. Ana is offline; the supervisor sets her away (lunch). ----
    const anaRow = page.locator('#agents tr[data-agent="ana"]');
    await anaRow.getByRole('button').click();
    await page.waitForSelector('#agent-dialog[open]');
    await page.selectOption('#ad-pause', 'almoço');
    await page.click('#ad-away');
    await toastSays(page, /^Ana Souza: Pausa \(almoço\)\.$/);
    expect(await page.locator('#agent-dialog').getAttribute('open')).toBeNull();
    await page.waitForFunction(() => document.querySelector('#agents tr[data-agent="ana"]')?.getAttribute('data-state') === 'away', undefined, { timeout: SOON });
    await agent.page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'away', undefined, { timeout: SOON });
    // Focus went back to the button that opened the dialog.
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key)).toBe('agent-ana');

    // Log Bruno and Carla in so the grid is not all grey; Carla's skills change.
    for (const id of ['bruno', 'carla']) {
      const r = await fetch(`${address}/api/agents/${id}/state`, { method: 'POST', headers: { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'away', reason: 'reunião' }) });
      expect(r.status).toBe(200);
    }
    await page.locator('#agents tr[data-agent="carla"]').getByRole('button').click();
    await page.uncheck('#agent-dialog input[value="financeiro"]');
    await page.click('#ad-save');
    await toastSays(page, /Carla Mendes: filas e nível salvos/);
    await page.waitForFunction(() => document.querySelector('#agents tr[data-agent="carla"] td.skills')?.textContent === 'Suporte', undefined, { timeout: SOON });

    // ---- a caller waits in Suporte; the supervisor moves them to Vendas, P1, with a reason. ----
    const from = '+5511987650077';
    const sid = await queueCaller(h, from);
    mkdirSync(artifacts, { recursive: true });
    await page.waitForSelector(`#callers tr[data-call="${sid}"]`, { timeout: SOON });
    // Keyboard: Tab to the caller's button, Enter opens the dialog, Escape closes it and gives the focus back.
    await page.focus(`#callers tr[data-call="${sid}"] button`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#call-dialog[open]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cd-queue');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#call-dialog:not([open])', { state: 'attached' });
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key)).toBe(`call-${sid}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#call-dialog[open]');
    await page.selectOption('#cd-queue', 'vendas');
    await page.selectOption('#cd-tier', '1');
    await page.screenshot({ path: `${artifacts}supervisor-call-dialog-1366x768.png` });
    // No reason: refused on the page, nothing sent.
    await page.click('#cd-move');
    await page.waitForFunction(() => document.querySelector('#cd-error')?.textContent === 'Diga o motivo.', undefined, { timeout: 3000 })
      .catch(() => { /* the assertion below says what was there */ });
    expect(await text(page, '#cd-error')).toBe('Diga o motivo.');
    await page.fill('#cd-reason', 'cliente VIP sem cadastro');
    await page.keyboard.press('Enter');
    await toastSays(page, /^Cliente \+55 11 9\*+-0077 movido\.$/);
    await page.waitForFunction((id) => /Vendas/.test(document.querySelector(`#callers tr[data-call="${id}"]`)?.textContent ?? ''), sid, { timeout: SOON });
    expect(await text(page, `#callers tr[data-call="${sid}"] .tier`)).toBe('P1');
    const callView = await (await fetch(`${address}/api/calls/${sid}`, { headers: { authorization: `Bearer ${SUP}` } })).json() as { live: { queue: string; tier: number } };
    expect(callView.live).toMatchObject({ queue: 'vendas', tier: 1 });
    // ---- a second caller in Suporte waits over 2 s: the alert fires, reaches Slack and Teams, shows delivered ----
    const sid2 = await queueCaller(h, '+5511987650088');
    await page.waitForFunction(() => /Espera longa/.test(document.querySelector('#alerts')?.textContent ?? '')
      && document.querySelectorAll('#alerts .dlv-delivered').length === 2, undefined, { timeout: 12_000 });
    expect(await text(page, '#alerts .alert.firing .a-main')).toMatch(/^Espera longa · Suporte: maior espera 0:0\d acima de 0:02/);
    expect(receiver!.to('/slack')).toHaveLength(1);
    expect(receiver!.to('/teams')).toHaveLength(1);
    expect(await page.locator('#alerts .dlv').allTextContents()).toEqual(['slack-ops: entregue', 'teams-sup: entregue']);
    await page.locator('#alerts .alert.firing button').click();
    await page.waitForFunction(() => /reconhecido por supervisor/.test(document.querySelector('#alerts')?.textContent ?? ''), undefined, { timeout: SOON });

    // The screen at laptop size: nothing scrolls the page; looked at in test-artifacts/.
    const laptop = await page.evaluate(pageSize);
    expect(laptop.scrollH, 'document height at 1366×768').toBeLessThanOrEqual(laptop.h);
    expect(laptop.scrollW, 'document width at 1366×768').toBeLessThanOrEqual(laptop.w);
    // Nor does any panel hide columns behind a sideways scroll.
    const sideways = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.screen.now .scroll')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.parentElement?.className));
    expect(sideways).toEqual([]);
    await shot(page, 'supervisor-now', { width: 1366, height: 768 });
    await shot(page, 'supervisor-now', { width: 1920, height: 1080 });
    // A tablet, landscape and portrait: stacked panels, nothing wider than the screen.
    for (const size of [{ width: 1024, height: 768 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      const m = await page.evaluate(pageSize);
      expect(m.scrollW, `document width at ${size.width}×${size.height}`).toBeLessThanOrEqual(m.w);
    }
    await shot(page, 'supervisor-now', { width: 768, height: 1024 });
    await page.setViewportSize({ width: 1366, height: 768 });

    // A refused action shows the server's reason: the second caller hangs up while the dialog is open.
    await page.locator(`#callers tr[data-call="${sid2}"]`).getByRole('button').click();
    await page.waitForSelector('#call-dialog[open]');
    await h.post('/twilio/status', callParams(sid2, '+5511987650088', { CallStatus: 'completed' }));
    await page.selectOption('#cd-tier', '2');
    await page.fill('#cd-reason', 'teste');
    await page.click('#cd-move');
    await toastSays(page, new RegExp(`^Recusado: call ${sid2} is ended`));
    expect(await text(page, '#cd-error')).toMatch(new RegExp(`^call ${sid2} is ended`));
    await page.keyboard.press('Escape');

    // ---- Configurações: a live change, previewed, refused with the field named, then saved; on the TV and the console ----
    await page.click('#tab-settings');
    await page.waitForSelector('form[data-section="center"]');
    const center = page.locator('form[data-section="center"]');
    await center.locator('input[data-path="/centerName"]').fill('Central Supervisionada');
    await center.getByRole('button', { name: 'Pré-visualizar' }).click();
    expect(await center.locator('.preview').textContent()).toMatch(/1 mudança:.*\/centerName.*Central de Atendimento Atende.*Central Supervisionada/);
    await center.getByRole('button', { name: 'Salvar' }).click();
    await toastSays(page, /^Salvo\./);
    await tv.page.waitForFunction(() => /Central Supervisionada/.test(document.querySelector('header')?.textContent ?? document.body.textContent ?? ''), undefined, { timeout: SOON });

    const sl = page.locator('form[data-section="serviceLevel"]');
    await sl.locator('input[data-path="/serviceLevel/target"]').fill('150');
    await sl.getByRole('button', { name: 'Salvar' }).click();
    await page.waitForFunction(() => !document.querySelector('[id="f-serviceLevel-target-err"]')?.hasAttribute('hidden'), undefined, { timeout: SOON });
    expect(await text(page, '[id="f-serviceLevel-target-err"]')).toBe('/serviceLevel/target: must be <= 1, got 1.5');
    expect(await sl.locator('input[data-path="/serviceLevel/target"]').getAttribute('aria-invalid')).toBe('true');
    await sl.locator('input[data-path="/serviceLevel/target"]').fill('90');
    await sl.getByRole('button', { name: 'Pré-visualizar' }).click();
    expect(await sl.locator('.preview td.before').allTextContents()).toEqual(['0.8']);
    expect(await sl.locator('.preview td.after').allTextContents()).toEqual(['0.9']);
    await sl.getByRole('button', { name: 'Salvar' }).click();
    await toastSays(page, /^Salvo\./);
    await tv.page.waitForFunction(() => /NS 90\/20/.test(document.body.textContent ?? ''), undefined, { timeout: SOON });

    const pauses = page.locator('form[data-section="pauseReasons"]');
    const reasons = pauses.locator('textarea');
    await reasons.fill(`${await reasons.inputValue()}\ncafé`);
    await pauses.getByRole('button', { name: 'Salvar' }).click();
    await toastSays(page, /^Salvo\./);
    await agent.page.waitForFunction(() => [...document.querySelectorAll('#pause-reason option')].some((o) => o.textContent === 'café'), undefined, { timeout: SOON });

    // The audit log, filtered: the supervisor's changes, the moved caller with its reason.
    await page.fill('#audit-filter input[name="field"]', sid);
    await page.click('#audit-filter button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#audit-body tr[data-action]').length === 1, undefined, { timeout: SOON });
    expect(await text(page, '#audit-body tr[data-action="call.moved"] + tr td.change')).toMatch(/cliente VIP sem cadastro/);
    await page.fill('#audit-filter input[name="field"]', 'serviceLevel');
    await page.click('#audit-filter button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#audit-body tr[data-action="settings.changed"]').length === 1, undefined, { timeout: SOON });
    await shot(page, 'supervisor-settings', { width: 1366, height: 768 });
    await shot(page, 'supervisor-settings', { width: 1920, height: 1080 });
    await page.setViewportSize({ width: 1366, height: 768 });

    // ---- Relatórios: today's range, the same figures as the API, and the CSV ----
    await page.click('#tab-reports');
    await page.click('#r-run');
    await page.waitForFunction(() => document.querySelectorAll('#r-table tbody tr[data-start]').length > 0, undefined, { timeout: 10_000 });
    const q = await page.evaluate(() => ({
      from: (document.querySelector('#r-from') as HTMLInputElement).value,
      to: (document.querySelector('#r-to') as HTMLInputElement).value,
    }));
    const api = await (await fetch(`${address}/api/reports/intervals?from=${q.from}&to=${q.to}&granularity=hour&scope=center`, { headers: { authorization: `Bearer ${SUP}` } })).json() as { rows: Record<string, number | null | string>[]; total: Record<string, number | null> };
    const shown = await page.evaluate(() => [...document.querySelectorAll('#r-table tbody tr[data-start]')].map((tr) =>
      Object.fromEntries([['startMs', Number(tr.getAttribute('data-start'))], ...[...tr.querySelectorAll('td[data-k]')].map((td) => [td.getAttribute('data-k'), td.getAttribute('data-v') === '' ? null : Number(td.getAttribute('data-v'))])])));
    const keys = ['offered', 'answered', 'abandoned', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'abandonRate', 'legalBreaches', 'callbacksRequested', 'nps', 'csat', 'fcr'];
    const pick = (r: Record<string, unknown>) => Object.fromEntries([['startMs', r.startMs], ...keys.map((k) => [k, r[k]])]);
    expect(shown).toEqual([...api.rows.map(pick), pick({ ...api.total, startMs: api.total.startMs })]);
    expect(await page.locator('#r-agents tbody tr[data-agent="ana"] td[data-k="calls"]').textContent()).toBe('0');
    // The agent scope waits for the reports engine: wired, hidden while the server lacks it.
    const setupRes = await (await fetch(`${address}/api/supervisor/setup`, { headers: { authorization: `Bearer ${SUP}` } })).json() as { capabilities: { agentReports: boolean } };
    expect(await page.locator('#r-scope option[value="agent"]').evaluate((o) => (o as HTMLOptionElement).hidden)).toBe(!setupRes.capabilities.agentReports);
    await shot(page, 'supervisor-reports', { width: 1366, height: 768 });
    await shot(page, 'supervisor-reports', { width: 1920, height: 1080 });
    await page.setViewportSize({ width: 1366, height: 768 });
    // Queue scope, then the CSV: the file the API serves, by the name it gives.
    await page.selectOption('#r-scope', 'queue');
    await page.selectOption('#r-id', 'vendas');
    await page.click('#r-run');
    await page.waitForFunction(() => /Vendas|vendas/.test(document.querySelector('#r-id')?.textContent ?? ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#r-csv')]);
    const file = await download.path();
    const csvApi = await fetch(`${address}/api/reports/intervals?from=${q.from}&to=${q.to}&granularity=hour&scope=queue&id=vendas&format=csv`, { headers: { authorization: `Bearer ${SUP}` } });
    expect(download.suggestedFilename()).toBe(/filename="([^"]+)"/.exec(csvApi.headers.get('content-disposition') ?? '')![1]);
    expect(download.suggestedFilename()).toMatch(/^atende-queue-vendas-hour-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv$/);
    const csvPage = readFileSync(file!, 'utf8').split('\n');
    const csvServer = (await csvApi.text()).split('\n');
    expect(csvPage[0]).toBe(csvServer[0]);
    expect(csvPage.length).toBe(csvServer.length);
    await toastSays(page, /^Baixado: atende-queue-vendas-hour-/);

    expect({ sup: sup.errors, tv: tv.errors, agent: agent.errors }).toEqual({ sup: [], tv: [], agent: [] });
  }, 120_000);
});
