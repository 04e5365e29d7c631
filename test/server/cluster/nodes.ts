// Cluster nodes as real child processes (`node --import tsx server/server.ts` with
// DATABASE_URL), as in production, for the fault tests: kill -9, SIGSTOP. Every child is
// killed after each test, a frozen one included.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

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

export interface NodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
});

/** Starts a node; resolves once it listens (a standby answers /healthz; /readyz is 200 on the leader only). */
export async function startNode(name: string, port: number, env: Record<string, string>): Promise<NodeProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1',
      ATENDE_NODE_ID: name, ATENDE_NODE_ADDRESS: url, ...env,
    },
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
    if (Date.now() > deadline) throw new Error(`${name} not listening in 20 s: ${out}`);
    try { if ((await fetch(`${url}/healthz`)).status === 200) break; } catch { /* not listening yet */ }
    await sleep(50);
  }
  return { name, url, child, exited, output: () => out };
}

export async function ready(url: string): Promise<boolean> {
  try { return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200; } catch { return false; }
}
