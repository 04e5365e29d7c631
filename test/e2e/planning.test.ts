// End to end in a real browser: the supervisor screen's "Planejamento" (the built page,
// served by the real app, in headless Chromium). A recorded day with a known answer
// (Bruno alone on Suporte; c2 hangs up after 40 s while he is on c1: one more agent
// answers it), then a morning with a caller waiting and nobody logged in: the what-if's
// numbers on screen, "por que esperou?" for c2 (from the search) and for the waiting
// caller (from the Agora screen's "Por quê?"), the intraday table against the API, the
// breach column and tile on Agora. Screenshots at 1920×1080 and 1366×768.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { DomainEvent } from '../../routing/types.ts';
import { createAtende, type Atende } from '../../server/start.ts';
import { buildWallboard, describeWithChromium, findChromium, launchChromium, removeDir } from '../helpers/browser.ts';
import { T0 } from '../helpers/core.ts';
import { testSettings } from '../helpers/twilio.ts';
import { BRUNO_DATE, brunoAlone } from '../server/whatif/bruno-day.ts';

const chromiumPath = findChromium();
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SUP = 'sup-planning-token';
const DAY = 86_400_000;

let staticDir: string | null = null;
let browser: Browser | null = null;
let atende: Atende | null = null;
let address = '';
const clock = { t: T0 - DAY };

function dispatch(events: DomainEvent[]): void {
  for (const ev of events) {
    clock.t = ev.at;
    const r = atende!.engine.dispatch(ev, 'test');
    if (!r.ok) throw new Error(`${ev.type} refused: ${r.error.message}`);
    // Written as they happen, as the server does at the end of each turn (the core forgets ended calls by the next day).
    atende!.app.records.flush();
  }
}

async function shot(page: Page, name: string, size: { width: number; height: number }): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(300);
  const png = await page.screenshot({ path: `${artifacts}${name}-${size.width}x${size.height}.png` });
  expect(png.readUInt32BE(16)).toBe(size.width);
}

const cells = (page: Page, sel: string) => page.$$eval(sel, (els) => els.map((e) => e.textContent?.trim() ?? ''));

describeWithChromium('Planejamento in a real browser', () => {
  beforeAll(async () => {
    staticDir = await buildWallboard();
    browser = await launchChromium(chromiumPath!);
    atende = await createAtende({
      settings: testSettings(), dbPath: ':memory:', now: () => clock.t, logger: false, viewerToken: null, supervisorToken: SUP,
      rateLimitPerMinute: false, staticDir,
    });
    // Day 0: callers to Suporte through the morning, nobody logged in (they hang up after 30 s): the profile the
    // intraday forecast scales on day 2. Day 1: the known day. Day 2, 09:00: c5 is answered by Ana, who then
    // logs out; c4 waits in Suporte with nobody logged in.
    const perInterval = [1, 4, 6, 8, 8, 6, 4, 4, 2]; // 09:00, 09:15, … 11:00
    const day0: DomainEvent[] = [];
    perInterval.forEach((n, i) => {
      for (let k = 0; k < n; k++) {
        const at = T0 - DAY + i * 900_000 + k * 100_000;
        const callId = `p${i}-${k}`;
        day0.push(
          { type: 'call.arrived', id: `${callId}:a`, at, callId, from: `+55119000${String(100 + i * 10 + k).padStart(5, '0')}` },
          { type: 'call.ivr', id: `${callId}:i`, at: at + 2000, callId, path: ['1', '1'] },
          { type: 'call.queued', id: `${callId}:q`, at: at + 2000, callId, queue: 'suporte' },
          { type: 'call.abandoned', id: `${callId}:x`, at: at + 32_000, callId },
        );
      }
    });
    clock.t = T0 - DAY;
    dispatch(day0);
    dispatch(brunoAlone('d1-'));
    dispatch([
      { type: 'agent.state', id: 'd1-out', at: T0 + 300_000, agentId: 'bruno', state: 'offline' },
      { type: 'agent.state', id: 'd2-0', at: T0 + DAY, agentId: 'ana', state: 'available' },
      { type: 'call.arrived', id: 'd2-1', at: T0 + DAY + 5000, callId: 'c5', from: '+5511900000005' },
      { type: 'call.ivr', id: 'd2-2', at: T0 + DAY + 7000, callId: 'c5', path: ['1', '1'] },
      { type: 'call.queued', id: 'd2-3', at: T0 + DAY + 7000, callId: 'c5', queue: 'suporte' },
      { type: 'call.answered', id: 'd2-4', at: T0 + DAY + 10_000, callId: 'c5', agentId: 'ana' },
      { type: 'call.ended', id: 'd2-5', at: T0 + DAY + 130_000, callId: 'c5', by: 'caller' },
      { type: 'agent.state', id: 'd2-6', at: T0 + DAY + 180_000, agentId: 'ana', state: 'offline' },
      { type: 'call.arrived', id: 'd2-7', at: T0 + DAY + 240_000, callId: 'c4', from: '+5511900000004' },
      { type: 'call.ivr', id: 'd2-8', at: T0 + DAY + 242_000, callId: 'c4', path: ['1', '1'] },
      { type: 'call.queued', id: 'd2-9', at: T0 + DAY + 242_000, callId: 'c4', queue: 'suporte' },
    ] as DomainEvent[]);
    clock.t = T0 + DAY + 540_000;
    atende.app.records.flush();
    address = await atende.app.listen({ host: '127.0.0.1', port: 0 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await atende?.close();
    await removeDir(staticDir);
  });

  it('runs a what-if with a known answer, explains two waits, shows the intraday forecast and the breach warning', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/status of (400|404)/.test(m.text())) errors.push(m.text()); });
    await page.goto(`${address}/supervisor/?token=${SUP}`);
    await page.waitForFunction(() => document.body.dataset.screen === 'supervisor' && document.querySelectorAll('#callers tr[data-call]').length > 0, undefined, { timeout: 15_000 });

    // Agora: the breach warning as a tile and per queue.
    expect(await page.locator('#tile-breach .t-label').textContent()).toBe('NS em risco');
    expect(await page.locator('#queues tr[data-queue="suporte"] td[data-k="breach"]').count()).toBe(1);
    await shot(page, 'planning-agora', { width: 1366, height: 768 });

    // "Por quê?" on the waiting caller: Planejamento opens with its wait explained.
    await page.click('#callers tr[data-call="c4"] a[data-act="why"]');
    await page.waitForFunction(() => !(document.querySelector('#why-result') as HTMLElement).hidden);
    expect(await page.locator('#tab-planning').getAttribute('aria-selected')).toBe('true');
    const waiting = await cells(page, '#why-waits .reason');
    const holders = testSettings().agents.filter((a) => a.skills.includes('suporte')).map((a) => a.name);
    expect(holders.slice(0, 3)).toEqual(['Ana Souza', 'Bruno Lima', 'Carla Mendes']);
    expect(waiting).toEqual([`Ninguém com a habilidade Suporte estava logado (têm a habilidade: ${holders.join(', ')}).`]);
    expect(await page.locator('#why-summary').textContent()).toBe('c4 · ainda em curso · esperou 4:58');

    // Por que esperou? c2, searched by id: Bruno was on c1 the whole 40 s.
    await page.fill('#why-q', 'c2');
    await page.click('#why-run');
    await page.waitForFunction(() => document.querySelector('#why-summary')?.textContent?.startsWith('c2'));
    expect(await page.locator('#why-summary').textContent()).toBe('c2 · abandonada · esperou 40 s');
    expect(await cells(page, '#why-waits > li > .when')).toEqual(['09:00:22 – 09:01:02 (40 s)']);
    expect(await cells(page, '#why-waits .reason')).toEqual(['Todos os atendentes da fila estavam ocupados: Bruno Lima em atendimento (c1).']);
    expect(await cells(page, '#why-timeline li')).toEqual([
      '09:00:20 Chegou (de +55119****0002)',
      '09:00:22 URA: 1 › 1',
      '09:00:22 Entrou na fila Suporte como P3 — regra: Padrão',
      '09:00:37 Faixa de níveis aberta até N2',
      '09:01:02 Desligou enquanto esperava',
    ]);
    // By SAC protocol number: the call it belongs to.
    atende!.storage.db.prepare("UPDATE calls SET protocol = '20261123000042' WHERE call_id = 'c3'").run();
    await page.fill('#why-q', '20261123000042');
    await page.click('#why-run');
    await page.waitForFunction(() => document.querySelector('#why-summary')?.textContent?.startsWith('c3'));
    expect(await page.locator('#why-summary').textContent()).toBe('c3 · atendida · esperou 3 s');
    expect(await page.locator('#why-q').inputValue()).toBe('c3');
    // Unknown: said so, in words.
    await page.fill('#why-q', 'nobody');
    await page.click('#why-run');
    await page.waitForFunction(() => /Nenhuma chamada "nobody"/.test(document.querySelector('#why-status')?.textContent ?? ''));

    // What-if: a bad change first (the server's reason shown), then +1 suporte.
    await page.fill('#wi-date', BRUNO_DATE);
    await page.fill('#wi-changes', '+2 nowhere');
    await page.click('#wi-run');
    await page.waitForFunction(() => document.querySelector('#wi-status')?.getAttribute('data-kind') === 'error');
    expect(await page.locator('#wi-status').textContent()).toBe('Não deu para simular: changes[0]: no queue "nowhere" (queues are suporte, vendas, financeiro)');
    await page.fill('#wi-changes', '+1 suporte 09:00-10:00');
    await page.click('#wi-run');
    await page.waitForFunction(() => !(document.querySelector('#wi-result') as HTMLElement).hidden);
    expect(await page.locator('#wi-status').textContent()).toBe('23/11/2026 · +1 suporte 09:00-10:00');
    expect(await page.locator('#wi-status').getAttribute('title')).toBe('+1 agent N1 with suporte, 09:00-10:00');
    const row = async (k: string) => cells(page, `#wi-day tr[data-k="${k}"] td`);
    expect(await row('offered')).toEqual(['3', '3', '0']);
    expect(await row('answered')).toEqual(['2', '3', '+1']);
    expect(await row('abandoned')).toEqual(['1', '0', '−1']);
    expect(await row('serviceLevel')).toEqual(['66,7 %', '100,0 %', '+33,3 p.p.']);
    expect(await row('asaSeconds')).toEqual(['0:03', '0:03', '0 s']);
    expect(await page.locator('#wi-day tr[data-k="answered"]').getAttribute('class')).toBe('chg-better');
    expect(await page.locator('#wi-day tr[data-k="abandoned"]').getAttribute('class')).toBe('chg-better');
    // Per interval: the one interval with calls.
    expect(await cells(page, '#wi-intervals tbody tr th')).toEqual(['09:00–09:15']);
    expect(await cells(page, '#wi-intervals tbody tr td[data-k="answered"]')).toEqual(['2 → 3']);
    expect(await page.locator('#wi-chart canvas').count()).toBe(1);
    expect(await page.locator('#wi-limits li').count()).toBe(6);
    expect(await page.locator('#wi-limits li').first().textContent()).toMatch(/^As chegadas são as gravadas/);
    // Queue scope: the same for Suporte (every call was there).
    await page.selectOption('#wi-scope', 'suporte');
    expect(await row('answered')).toEqual(['2', '3', '+1']);

    // Intraday: the table is the API's figures.
    const api = await (await fetch(`${address}/api/forecast/intraday?intervals=8`, { headers: { authorization: `Bearer ${SUP}` } })).json();
    await page.waitForFunction(() => document.querySelectorAll('#fc-table tbody tr').length === 8);
    expect(await cells(page, '#fc-table tbody tr th')).toEqual(api.center.coming.map((c: { start: string; end: string }) => `${c.start.slice(11, 16)}–${c.end.slice(11, 16)}`));
    expect(await cells(page, '#fc-table td[data-k="erlangC"]')).toEqual(api.center.coming.map((c: { erlangC: number | null }) => (c.erlangC === null ? '—' : String(c.erlangC))));
    expect(await cells(page, '#fc-table td[data-k="loggedIn"]')).toEqual(api.center.coming.map(() => '0'));
    const gaps = await page.$$eval('#fc-table td[data-k="gap"]', (els) => els.map((e) => e.getAttribute('data-v')));
    expect(gaps).toEqual(api.center.coming.map((c: { gap: number | null }) => (c.gap === null ? '' : String(c.gap))));
    // The gap marked: short in red, enough in green.
    const marks = await page.$$eval('#fc-table td[data-k="gap"]', (els) => els.map((e) => (e.classList.contains('short') ? 'short' : e.classList.contains('ok') ? 'ok' : '')));
    expect(marks).toEqual(api.center.coming.map((c: { gap: number | null }) => (c.gap === null ? '' : c.gap < 0 ? 'short' : 'ok')));
    expect(api.center.method).toBe('profile'); // the last days' calls, scaled by today's
    expect(api.center.coming.every((c: { gap: number | null }) => c.gap !== null)).toBe(true);
    expect(marks).toContain('short'); // nobody logged in for the morning's calls
    expect(await page.locator('#fc-table td.gap.short').first().textContent()).toMatch(/^faltam \d+$/);

    await page.selectOption('#wi-scope', '');
    await page.fill('#why-q', 'c2');
    await page.click('#why-run');
    await page.waitForFunction(() => document.querySelector('#why-summary')?.textContent?.startsWith('c2'));
    await shot(page, 'planning', { width: 1366, height: 768 });
    await shot(page, 'planning', { width: 1920, height: 1080 });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.click('#tab-now');
    await shot(page, 'planning-agora', { width: 1920, height: 1080 });
    // The screen never overflows sideways.
    await page.click('#tab-planning');
    await shot(page, 'planning', { width: 768, height: 1024 });
    for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }, { width: 1024, height: 768 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(size);
      await page.click('#tab-planning');
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    }
    // In English, opened straight on the screen.
    const en = await ctx.newPage();
    en.on('pageerror', (e) => errors.push(String(e)));
    await en.goto(`${address}/supervisor/?token=${SUP}&lang=en&tab=planning`);
    await en.waitForFunction(() => document.querySelectorAll('#fc-table tbody tr').length === 8, undefined, { timeout: 15_000 });
    expect(await en.locator('#tab-planning').textContent()).toBe('Planning');
    expect(await en.locator('#h-whatif').textContent()).toBe('What-if');
    await en.fill('#why-q', 'c2');
    await en.click('#why-run');
    await en.waitForFunction(() => document.querySelector('#why-summary')?.textContent?.startsWith('c2'));
    expect(await cells(en, '#why-waits .reason')).toEqual(['Every agent of the queue was busy: Bruno Lima on a call (c1).']);
    await shot(en, 'planning-en', { width: 1366, height: 768 });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
