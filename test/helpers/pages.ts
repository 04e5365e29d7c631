// What the browser suites that serve the built pages from a test harness share: one
// build of the pages and one Chromium per suite, a harness per test listening on
// 127.0.0.1, pages in fresh contexts collecting their errors, everything a test
// opened closed after it. `install()` goes inside the describeWithChromium block, so a
// machine without Chromium never builds or launches anything.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildWallboard, findChromium, launchChromium, removeDir } from './browser.ts';
import { startHarness, type Harness, type HarnessOptions } from './twilio.ts';

export interface OpenOptions {
  viewport?: { width: number; height: number };
  timezoneId?: string;
  locale?: string;
  /**
   * Console errors to leave out (a refusal the test provokes logs "status of 409"); false:
   * console errors are not collected at all, only uncaught page errors.
   */
  ignoreConsole?: RegExp | false;
}

export interface Opened { page: Page; errors: string[] }

export class PagesRig {
  private dir: string | null = null;
  private chromium: Browser | null = null;
  private harnesses: Harness[] = [];
  private contexts: BrowserContext[] = [];

  /** Registers the suite's hooks: build and launch before, close what each test opened after it. */
  install(): void {
    beforeAll(async () => {
      this.dir = await buildWallboard();
      this.chromium = await launchChromium(findChromium()!);
    }, 120_000);
    afterEach(async () => {
      for (const c of this.contexts.splice(0)) await c.close().catch(() => {});
      for (const h of this.harnesses.splice(0)) await h.close().catch(() => {});
    });
    afterAll(async () => {
      await this.chromium?.close();
      await removeDir(this.dir);
    });
  }

  get staticDir(): string { return this.dir!; }
  get browser(): Browser { return this.chromium!; }

  /** A harness (wall clock) serving the built pages; its address. */
  async serve(opts: Omit<HarnessOptions, 'staticDir' | 'realClock'> = {}): Promise<{ h: Harness; address: string }> {
    const h = await startHarness({ ...opts, realClock: true, staticDir: this.dir! });
    this.harnesses.push(h);
    return { h, address: await h.atende.app.listen({ host: '127.0.0.1', port: 0 }) };
  }

  /** `url` in a fresh context (closed after the test); `errors` fills with what went wrong on the page. */
  async open(url: string, opts: OpenOptions = {}): Promise<Opened> {
    const ctx = await this.chromium!.newContext({
      viewport: opts.viewport ?? { width: 1366, height: 768 }, deviceScaleFactor: 1,
      ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}), ...(opts.locale ? { locale: opts.locale } : {}),
    });
    this.contexts.push(ctx);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const ignore = opts.ignoreConsole ?? /status of (401|403|409)/;
    // CSP violations and failed loads show up as console errors.
    if (ignore !== false) page.on('console', (m) => { if (m.type() === 'error' && !ignore.test(m.text())) errors.push(m.text()); });
    await page.goto(url);
    return { page, errors };
  }
}
