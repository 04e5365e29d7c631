// Redis for the tests that need it (the edges, server/edge/): the machine's shared
// Redis (REDIS_URL, else 127.0.0.1:6379) under a random key prefix per test, so runs
// never meet, or a Redis of the test's own (a redis-server child on a free port) that
// it may kill and start again without touching anyone else's.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export const REDIS_MISSING = `Redis not reachable at ${TEST_REDIS_URL} (or redis-server not on PATH): start it (\`redis-server --daemonize yes --port 6379 --save "" --appendonly no\`) or set REDIS_URL`;

/** A key prefix no other run uses. */
export function randomPrefix(): string {
  return `atende-test-${randomBytes(6).toString('hex')}`;
}

/** Answers PING within a second. */
export async function redisAnswers(url: string = TEST_REDIS_URL): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => { /* answered below */ });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Deletes every key under a test's prefix. */
export async function dropPrefix(prefix: string, url: string = TEST_REDIS_URL): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 200);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** What a suite that needs Redis does: run; or, without it, skip with a warning locally and FAIL under CI=true. */
export function redisPlan(available: boolean, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (available) return 'run';
  return env.CI === 'true' || env.CI === '1' ? 'fail' : 'skip';
}

/**
 * `describe` for a suite that talks to Redis: the shared one must answer PING and
 * redis-server must be on PATH (suites start their own to stop it). Call with the
 * result of `await redisReady()` (top-level await in the test file).
 */
export function describeWithRedis(title: string, available: boolean, fn: () => void): void {
  const plan = redisPlan(available);
  if (plan === 'run') { describe(title, fn); return; }
  if (plan === 'fail') {
    describe(title, () => {
      it('needs Redis (CI=true: these tests never skip)', () => { throw new Error(REDIS_MISSING); });
    });
    return;
  }
  console.warn(`${title}: skipped. ${REDIS_MISSING}`);
  describe.skip(`${title} (skipped: ${REDIS_MISSING})`, fn);
}

/** The shared Redis answers and redis-server can be started. */
export async function redisReady(): Promise<boolean> {
  return (await redisAnswers()) && (await redisServerRuns());
}

async function redisServerRuns(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A Redis of the test's own: nothing on disk, loopback only; stop() and start() it at will. */
export class OwnRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  get url(): string { return `redis://127.0.0.1:${this.port}`; }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.start();
    return r;
  }

  /** Starts it (again, on the same port) and waits until it answers (5 s at most). */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    this.proc = proc;
    proc.once('exit', () => { if (this.proc === proc) this.proc = null; });
    const until = Date.now() + 5000;
    while (!(await redisAnswers(this.url))) {
      if (Date.now() > until) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills it (SIGKILL: no goodbye to the clients) and waits until it is gone. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }
}
