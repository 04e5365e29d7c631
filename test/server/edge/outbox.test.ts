// The leader's publishing under a Redis that goes away: nothing blocks, nothing grows
// with the outage (the newest frame per topic and type waits, heartbeats do not), the
// outage is said once, and what waited goes out when Redis returns.
import { afterEach, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { edgeKeys, latestField } from '../../../server/edge/channel.ts';
import { Outbox } from '../../../server/edge/outbox.ts';
import { RedisLink } from '../../../server/edge/redis.ts';
import { buildTestApp } from '../../helpers/app.ts';
import { describeWithRedis, OwnRedis, randomPrefix, redisReady } from '../../helpers/redis.ts';
import { until } from './screen.ts';

const available = await redisReady();

it('without start() the publisher is dormant: no Redis, tickets stay in the process', async () => {
  const app = await buildTestApp();
  try {
    expect(app.app.edgePublisher.running).toBe(false);
    expect(app.app.edgePublisher.connected).toBe(false);
    const res = await app.app.inject({ method: 'POST', url: '/api/wallboard/ticket' });
    expect(res.statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

describeWithRedis('the outbox, Redis down and back', available, () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => { for (const o of open.splice(0).reverse()) await o.close(); });

  it('holds only the newest frame per topic while Redis is away, says so once, and publishes it when Redis returns', async () => {
    const redis = await OwnRedis.start();
    open.push({ close: () => redis.stop() });
    const keys = edgeKeys(randomPrefix());
    let downs = 0, ups = 0, failures = 0;
    let outbox: Outbox | null = null;
    const link = new RedisLink(redis.url, { name: 'test', onDown: () => { downs++; }, onUp: () => { ups++; outbox?.reconnected(); } });
    outbox = new Outbox(link, keys, () => { failures++; });
    open.push({ close: () => link.close() });
    link.start();
    await until(() => link.isUp, 10_000, 'link up');
    const snapshot = (n: number) => `{"type":"snapshot","waiting":${n}}`;
    outbox.put('wallboard', snapshot(0));
    outbox.put('wallboard', '{"type":"history","intervals":[]}');
    await until(() => outbox!.stats.published === 2, 10_000, 'published');

    await redis.stop();
    await until(() => !link.isUp, 10_000, 'link down');
    const t0 = performance.now();
    for (let n = 1; n <= 5000; n++) {
      outbox.put('wallboard', snapshot(n));
      outbox.put('wallboard', '{"type":"heartbeat","serverTime":1}');
      outbox.put('agent:ana', `{"type":"agent","n":${n}}`);
    }
    expect(performance.now() - t0).toBeLessThan(1000); // never waits for Redis
    expect(outbox.stats.held).toBe(2); // the wallboard's snapshot and ana's view: not 15,000
    await new Promise((r) => setTimeout(r, 1500)); // reconnect attempts meanwhile
    expect(downs).toBe(1);
    expect(failures).toBeLessThanOrEqual(1);

    await redis.start();
    await until(() => outbox!.stats.held === 0 && outbox!.stats.published >= 5, 10_000, 'held frames published');
    expect(ups).toBe(2);
    const r = new Redis(redis.url);
    open.push({ close: () => r.disconnect() });
    expect(await r.hget(keys.latest, latestField('wallboard', 'snapshot'))).toBe(snapshot(5000));
    expect(await r.hget(keys.latest, latestField('agent:ana', 'agent'))).toBe('{"type":"agent","n":5000}');
    expect(await r.hget(keys.latest, latestField('wallboard', 'heartbeat'))).toBeNull();
    // This Redis restarted empty: the history, unchanged during the outage, is back too.
    expect(await r.hget(keys.latest, latestField('wallboard', 'history'))).toBe('{"type":"history","intervals":[]}');
  });
});
