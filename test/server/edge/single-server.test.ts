// One Atende on SQLite (no cluster) given REDIS_URL publishes its screens for edges, as
// docs/deploy.md says: the real process (`npm start`'s entry, demo traffic) against the
// machine's Redis, read back from the keys an edge reads (server/edge/channel.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_PREFIX, edgeKeys } from '../../../server/edge/channel.ts';
import { freePort } from '../../../sim/net.ts';
import { describeWithRedis, redisReady, TEST_REDIS_URL } from '../../helpers/redis.ts';

const available = await redisReady();
const keys = edgeKeys(DEFAULT_PREFIX);
let child: ChildProcess | null = null;
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (available) { const r = new Redis(TEST_REDIS_URL); await r.del(keys.latest); r.disconnect(); }
});

describeWithRedis('a single server with REDIS_URL', available, () => {
  it('publishes the wallboard frames to Redis (the frames channel and the latest-frame hash) and says so at start', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    try {
      await redis.del(keys.latest);
      const topics = new Set<string>();
      await sub.subscribe(keys.frames);
      sub.on('message', (_channel, message: string) => { topics.add(message.slice(0, message.indexOf('\n'))); });

      const dir = mkdtempSync(join(tmpdir(), 'atende-redis-'));
      const port = await freePort();
      child = spawn(process.execPath, ['--import', 'tsx', 'sim/start.ts'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', PORT: String(port), ATENDE_DB: join(dir, 'a.db'), REDIS_URL: TEST_REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => { out += d; });
      await expect.poll(() => out.includes('wallboard ready'), { timeout: 30_000, interval: 100 }).toBe(true);
      expect(out).toContain('screens published to redis://127.0.0.1:6379');

      await expect.poll(() => topics.has('wallboard'), { timeout: 15_000, interval: 100 }).toBe(true);
      const latest = await redis.hget(keys.latest, 'wallboard|snapshot');
      expect(latest).not.toBeNull();
      expect(JSON.parse(latest!)).toMatchObject({ type: 'snapshot', demo: true });

      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      expect(child.exitCode).toBe(0);
    } finally {
      sub.disconnect();
      redis.disconnect();
    }
  }, 60_000);
});
