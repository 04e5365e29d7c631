// Real-browser helpers for the end-to-end wallboard test: find Chromium, build
// the wallboard with Vite into a temp dir, launch a headless browser.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM_MISSING = 'Chromium not found on PATH: install it with `apt-get install -y chromium` (CI does) or set ATENDE_CHROMIUM=/path/to/chromium';

/** The Chromium to drive: $ATENDE_CHROMIUM, else `command -v chromium`; null when there is none. */
export function findChromium(): string | null {
  const fromEnv = process.env.ATENDE_CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  try {
    const out = execFileSync('/bin/sh', ['-c', 'command -v chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out && existsSync(out) ? out : null;
  } catch {
    return null;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** `vite build` of the wallboard (the repo's vite.config.ts) into a fresh temp dir; returns the dir. */
export async function buildWallboard(): Promise<string> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'atende-wallboard-'));
  await build({
    configFile: join(repoRoot, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`vite build produced no index.html in ${outDir}`);
  return outDir;
}

export async function removeDir(dir: string | null | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Headless Chromium with a throw-away profile (plain launch uses a temp user-data dir). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * What a browser suite does here: run with the Chromium found; without one, skip
 * with a warning on a developer's machine, but FAIL with the reason under CI=true
 * (a CI that skipped its browser tests would pass without having looked at a page).
 */
export function browserPlan(chromiumPath: string | null, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (chromiumPath) return 'run';
  return env.CI === 'true' || env.CI === '1' ? 'fail' : 'skip';
}

/** `describe` for a suite that needs Chromium (see browserPlan); `fn` gets its path. */
export function describeWithChromium(title: string, fn: (chromiumPath: string) => void): void {
  const path = findChromium();
  const plan = browserPlan(path);
  if (plan === 'run') { describe(title, () => fn(path!)); return; }
  if (plan === 'fail') {
    describe(title, () => {
      it('needs Chromium (CI=true: browser tests never skip)', () => { throw new Error(CHROMIUM_MISSING); });
    });
    return;
  }
  console.warn(`${title}: skipped. ${CHROMIUM_MISSING}`);
  describe.skip(`${title} (skipped: ${CHROMIUM_MISSING})`, () => fn(''));
}
