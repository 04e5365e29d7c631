// The edges' environment: REDIS_URL, ATENDE_LEADER_URL and ATENDE_ROLE, checked at start
// with the variable named; nothing set changes nothing for `npm start`.
import { expect, it } from 'vitest';
import { EnvironmentError, readEdgeEnvironment, readEnvironment } from '../../../server/env.ts';

it('without the edge variables a server reads as before: no Redis, role server', () => {
  const env = readEnvironment({});
  expect(env).toMatchObject({ redisUrl: null, leaderUrl: null, role: 'server' });
});

it('reads REDIS_URL and ATENDE_LEADER_URL (trailing slash dropped), and refuses malformed ones by name', () => {
  const env = readEdgeEnvironment({ REDIS_URL: 'redis://10.0.0.5:6379', ATENDE_LEADER_URL: 'http://10.0.0.2:3000/' });
  expect(env).toMatchObject({ redisUrl: 'redis://10.0.0.5:6379', leaderUrl: 'http://10.0.0.2:3000', role: 'edge' });
  expect(() => readEnvironment({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
  expect(() => readEnvironment({ ATENDE_LEADER_URL: 'leader:3000' })).toThrow(/ATENDE_LEADER_URL/);
  expect(() => readEnvironment({ ATENDE_ROLE: 'standby' })).toThrow(EnvironmentError);
});

it('an edge needs both Redis and its leader, and `npm run edge` refuses ATENDE_ROLE=server', () => {
  expect(() => readEdgeEnvironment({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/ATENDE_LEADER_URL/);
  expect(() => readEnvironment({ ATENDE_ROLE: 'edge', ATENDE_LEADER_URL: 'http://127.0.0.1:3000' })).toThrow(/REDIS_URL/);
  expect(() => readEdgeEnvironment({ ATENDE_ROLE: 'server', REDIS_URL: 'redis://h', ATENDE_LEADER_URL: 'http://h' })).toThrow(/npm run edge/);
});

it('ATENDE_TRUST_PROXY: IPs and CIDR ranges, comma-separated; anything else is refused by name', () => {
  expect(readEnvironment({}).trustProxy).toEqual([]);
  expect(readEnvironment({ ATENDE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  expect(() => readEnvironment({ ATENDE_TRUST_PROXY: 'edge-1' })).toThrow(/ATENDE_TRUST_PROXY: "edge-1"/);
  expect(() => readEnvironment({ ATENDE_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/ATENDE_TRUST_PROXY/);
});
