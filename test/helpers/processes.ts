// Atende as real child processes (`node --import tsx server/server.ts`), as in production,
// for the fault tests: kill -9 of a single server (test/server/crash.test.ts) and of a
// cluster's leader, SIGSTOP past its lease (test/server/cluster/). Also what those tests
// set up alike: a settings file, a Twilio account, the emulator with what it saw, agents
// logged in over HTTP. Every child is killed after each test, a frozen one included.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Settings } from '../../server/config/types.ts';
import { startEmulator, type CallScript, type Emulator, type EmulatorEvent, type EmulatorOptions } from '../../sim/emulator/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `pred` holds; gives the ms it took. */
export async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`timeout after ${ms} ms: ${what}`);
    await sleep(20);
  }
  return Date.now() - t0;
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children: ChildProcess[] = [];
const emulators: Emulator[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  for (const e of emulators.splice(0)) await e.close().catch(() => {});
});

/**
 * Starts `server/server.ts` on 127.0.0.1:`port`; resolves once `readyPath` answers 200
 * (`/readyz` for a server that must be serving; `/healthz` for a cluster node, which
 * listens as a standby before it leads).
 */
export async function startServerProcess(name: string, port: number, env: Record<string, string>, readyPath: '/readyz' | '/healthz' = '/readyz'): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const keep = (d: Buffer) => { out = (out + d).slice(-40_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`${name} not answering ${readyPath} in 20 s: ${out}`);
    try { if ((await fetch(`${url}${readyPath}`)).status === 200) break; } catch { /* not listening yet */ }
    await sleep(50);
  }
  return { name, url, child, exited, output: () => out };
}

/** A cluster node: a server with DATABASE_URL, its id and the address the others forward to. */
export function startNode(name: string, port: number, env: Record<string, string>): Promise<ServerProcess> {
  return startServerProcess(name, port, { ATENDE_NODE_ID: name, ATENDE_NODE_ADDRESS: `http://127.0.0.1:${port}`, ...env }, '/healthz');
}

/** /readyz is 200: this server (node) is serving, a cluster's leader. */
export async function ready(url: string): Promise<boolean> {
  try { return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200; } catch { return false; }
}

/** A temporary folder with the example settings, changed by `change`, written as `settings.json`. */
export function settingsFile(prefix: string, change: (s: Settings) => void = () => {}): { dir: string; file: string; settings: Settings } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const settings = loadSettings(DEFAULT_SETTINGS_PATH);
  delete settings.ivr.holdMusicUrl;
  change(settings);
  const file = join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify(settings));
  return { dir, file, settings };
}

/** A made-up Twilio account: what the emulator signs with and the server checks. */
export function twilioAccount(): { accountSid: string; authToken: string } {
  return { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
}

export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

export interface WatchedEmulator {
  emulator: Emulator;
  events: EmulatorEvent[];
  /** callSid → its first enqueue (wall ms). */
  enqueued: Map<string, number>;
  /** callSid → its first bridge to an agent. */
  bridged: Map<string, { legSid: string; contact: string; at: number }>;
  /**
   * Places a caller for Suporte (pt-BR, Suporte, Internet) who never hangs up while waiting and
   * talks 5,000 s once answered: the fault tests' load. Numbers count up from `+55119<firstNumber>`.
   */
  placeLongCaller(firstNumber: number): string;
  /** The CallSids placed so far, in order. */
  placed: string[];
}

/** The emulator (Twilio, alive across the servers' deaths), keeping what it saw; closed after the test. */
export async function watchedEmulator(opts: Omit<EmulatorOptions, 'onEvent'>): Promise<WatchedEmulator> {
  const events: EmulatorEvent[] = [];
  const enqueued = new Map<string, number>();
  const bridged = new Map<string, { legSid: string; contact: string; at: number }>();
  const emulator = await startEmulator({
    ...opts,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'call.enqueued' && !enqueued.has(e.callSid)) enqueued.set(e.callSid, e.at);
      if (e.type === 'call.bridged' && !bridged.has(e.callSid)) bridged.set(e.callSid, { legSid: e.legSid, contact: e.contact, at: e.at });
    },
  });
  emulators.push(emulator);
  const placed: string[] = [];
  const placeLongCaller = (firstNumber: number): string => {
    const callSid = newCallSid();
    const script: CallScript = {
      callSid, from: `+55119${String(firstNumber + placed.length).padStart(8, '0')}`, digits: ['1', '1', '1'],
      patienceSeconds: null, talkSeconds: 5000, hangsUp: 'agent', surveyDigits: [],
    };
    placed.push(callSid);
    void emulator.placeCall(script).catch(() => null);
    return callSid;
  };
  return { emulator, events, enqueued, bridged, placeLongCaller, placed };
}

/** Logs an agent in (available) over the server's API. */
export async function logIn(url: string, agentId: string): Promise<void> {
  const res = await fetch(`${url}/api/agents/${agentId}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"available"}' });
  expect(res.status, `log ${agentId} in`).toBe(200);
}
