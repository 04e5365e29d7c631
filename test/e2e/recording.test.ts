// Recordings in the agent console, in headless Chromium (issue 15, docs/sac.md "Gravações"):
// on a call of a queue that records, once Twilio reports the recording, the console shows
// "Gravando" and "Pausar gravação"; the agent pauses (the REST Recording resource of the call
// gets Status=paused, PauseBehavior=skip) and sees "Gravação pausada" / "Retomar gravação",
// then resumes. No recording, no bar. Screenshots at 1920×1080 and 1366×768.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Access } from '../../server/auth/access.ts';
import { describeWithChromium } from '../helpers/browser.ts';
import { PagesRig, type Opened } from '../helpers/pages.ts';
import { ACCOUNT_SID, bridge, callParams, local, newSid, type Harness } from '../helpers/twilio.ts';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const GABRIELA = 'gabriela-tok';
const RECORDING = `RE${'7e'.repeat(16)}`;

const rig = new PagesRig();

function harness(): Promise<{ h: Harness; address: string }> {
  return rig.serve({ access: new Access(undefined, { supervisor: 's', agents: { gabriela: GABRIELA } }) });
}

/** Twilio's refusal (502) is one of the things a test provokes. */
const open = (url: string, viewport: { width: number; height: number }): Promise<Opened> =>
  rig.open(url, { viewport, ignoreConsole: /status of (401|403|409|502)/ });

/** What the recording bar shows: hidden, or its status, label and button. */
const bar = () => {
  const el = document.querySelector<HTMLElement>('#recording');
  if (!el || el.hidden || el.offsetParent === null) return 'hidden';
  return `${el.dataset.status}|${document.querySelector('#rec-label')?.textContent}|${document.querySelector('#btn-recording')?.textContent}`;
};
async function barIs(page: Page, want: string): Promise<void> {
  try {
    await page.waitForFunction((w) => {
      const el = document.querySelector<HTMLElement>('#recording');
      const now = !el || el.hidden || el.offsetParent === null ? 'hidden'
        : `${el.dataset.status}|${document.querySelector('#rec-label')?.textContent}|${document.querySelector('#btn-recording')?.textContent}`;
      return now === w;
    }, want, { timeout: 3000, polling: 20 });
  } catch {
    throw new Error(`recording bar: wanted ${want}, shows ${await page.evaluate(bar)}`);
  }
}

/** Nothing outside the window, nothing cut off, no scrolling. */
const layout = () => {
  const outside: string[] = [];
  for (const el of Array.from(document.querySelectorAll('#app *'))) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.left < -0.5) outside.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
  }
  const cut = Array.from(document.querySelectorAll<HTMLElement>('#console, #main, .panel, #call, #recording'))
    .filter((p) => p.offsetParent !== null && (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1))
    .map((p) => `#${p.id || p.className}`);
  return { scrollH: document.documentElement.scrollHeight, scrollW: document.documentElement.scrollWidth, h: innerHeight, w: innerWidth, outside: outside.slice(0, 10), cut };
};

describeWithChromium('recording in the agent console', () => {
  rig.install();

  for (const viewport of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
    it(`Gabriela pauses the recording for a card number and resumes it (${viewport.width}×${viewport.height})`, async () => {
      const { h, address } = await harness();
      const { page, errors } = await open(`${address}/agent/?token=${GABRIELA}`, viewport);
      await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'offline'
        && document.querySelector('#conn')?.getAttribute('data-kind') === 'live', undefined, { timeout: 10_000 });
      await page.click('#btn-available');
      await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'available', undefined, { timeout: 3000 });

      // A caller reaches Financeiro (Português 1, Financeiro 3), which records; Gabriela answers.
      const sid = newSid('CA');
      const from = '+5511987650401';
      let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
      for (const d of ['1', '3']) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: d }));
      expect(res.twiml!.Enqueue[0]['#text']).toBe('financeiro');
      await h.post(local(res.twiml!.Enqueue[0].waitUrl), callParams(sid, from, { QueueSid: newSid('QU'), QueuePosition: '1', QueueTime: '1' }));
      await h.atende.idle();
      const dial = (await h.post(local(h.rest.dequeues()[0].url), callParams(sid, from))).twiml!.Dial[0];
      expect(dial.record).toBe('record-from-answer-dual');
      await bridge(h, local(dial.Client[0].url), { ...callParams(newSid('CA'), from), Direction: 'outbound-dial', ParentCallSid: sid });
      await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'on-call', undefined, { timeout: 3000 });
      // Until Twilio says the recording runs, nothing to pause.
      expect(await page.evaluate(bar)).toBe('hidden');

      // Twilio's recording status callback: in progress.
      const rec = {
        AccountSid: ACCOUNT_SID, CallSid: sid, RecordingSid: RECORDING, RecordingStatus: 'in-progress', RecordingDuration: '-1', RecordingChannels: '2',
        RecordingSource: 'DialVerb', RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING}`,
      };
      expect((await h.post(local(dial.recordingStatusCallback), rec)).status).toBe(200);
      await barIs(page, 'in-progress|Gravando|Pausar gravação');

      // The card number: pause.
      await page.click('#btn-recording');
      await barIs(page, 'paused|Gravação pausada|Retomar gravação');
      expect(h.rest.recordingUpdates().map((r) => [r.callSid, r.recordingSid, r.status, r.pauseBehavior])).toEqual([[sid, RECORDING, 'paused', 'skip']]);
      const m = await page.evaluate(layout);
      expect(m.scrollH, 'document height').toBeLessThanOrEqual(m.h);
      expect(m.scrollW, 'document width').toBeLessThanOrEqual(m.w);
      expect(m.outside, 'outside the window').toEqual([]);
      expect(m.cut, 'cut off').toEqual([]);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}agent-recording-paused-${viewport.width}x${viewport.height}.png` });

      // Resume.
      await page.click('#btn-recording');
      await barIs(page, 'in-progress|Gravando|Pausar gravação');
      expect(h.rest.recordingUpdates().map((r) => r.status)).toEqual(['paused', 'in-progress']);
      await page.screenshot({ path: `${artifacts}agent-recording-on-${viewport.width}x${viewport.height}.png` });

      // Twilio refuses: the agent is told, the bar stays as it was.
      h.rest.failNext(1, 500);
      await page.click('#btn-recording');
      await page.waitForFunction(() => /Falhou: Twilio did not carry it out/.test(document.querySelector('#toast')?.textContent ?? ''), undefined, { timeout: 3000 });
      await barIs(page, 'in-progress|Gravando|Pausar gravação');

      // The talk ends: no recording bar in wrap-up.
      await h.post(local(dial.action), callParams(sid, from, { DialCallStatus: 'completed', DialBridged: 'true' }));
      await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'wrap-up', undefined, { timeout: 3000 });
      await barIs(page, 'hidden');
      expect(errors).toEqual([]);
    });
  }
});
