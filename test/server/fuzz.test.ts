// Seeded fuzzing of every route the app registers, as the app's own onRoute hook
// lists them (HEAD twins of GET routes included; no hand-kept list). Each route must
// describe its answers (a schema with responses) and answer its generated bad requests
// (missing, wrong-typed and extra fields, huge bodies, wrong content types, invalid
// UTF-8, junk queries and path params; on the Twilio webhooks forged, unsigned and
// replayed signatures as well as correctly signed bad bodies) with a 4xx in the one
// error shape or a legitimate 2xx, never a 5xx. Then a scan of the event log and junk
// WebSocket handshakes on /ws/wallboard. A route the generators below do not know yet
// gets generic junk built on its own schema.
//
// The server runs in a child process (test/helpers/fuzz.ts) so that a request that
// kills it is reported as that request. FUZZ_SEED=<n> (or "random") replays or varies
// a run; FUZZ_PER_ROUTE=<n> changes the count (1,000 by default, never less in CI; a
// quarter of it for the HEAD twin of a GET route, which runs the same validation and
// handler) within FUZZ_BUDGET requests in all (60,000 by default: new routes do not
// make the run longer without bound; past the budget each route gets its share).
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appRoutes, contextFromSettings, describeRequest, fuzzSeed, FuzzServer, generate, judge, Rng, routeName, schemaProblems,
  type FuzzAnswer, type FuzzRequest, type RouteKey,
} from '../helpers/fuzz.ts';

const SEED = fuzzSeed();
/** Every route the app registers (its onRoute hook), with its schema. */
const routes: RouteKey[] = await appRoutes();
const BUDGET = Number(process.env.FUZZ_BUDGET ?? 60_000);
/** Fastify's HEAD copy of a GET route: same schema, same handler, the body dropped. */
const isHeadTwin = (r: RouteKey) => r.method === 'HEAD' && routes.some((g) => g.method === 'GET' && g.path === r.path);
const weightOf = (r: RouteKey) => (isHeadTwin(r) ? 0.25 : 1);
const PER_ROUTE = Math.max(250, Math.min(
  Math.max(1000, Number(process.env.FUZZ_PER_ROUTE ?? 1000)),
  Math.floor(BUDGET / routes.reduce((sum, r) => sum + weightOf(r), 0)),
));
const countFor = (r: RouteKey) => Math.round(PER_ROUTE * weightOf(r));

function seedFor(name: string): number {
  let h = SEED >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${routes.length} routes, ${PER_ROUTE} requests per route (${countFor({ method: 'HEAD', path: '/healthz' })} per HEAD twin), ${routes.reduce((n, r) => n + countFor(r), 0)} in all`);
// One server process (more do not run faster here: the requests are CPU-bound). Kept as a
// list so a machine with cores to spare can split the routes: FUZZ_SERVERS=2.
const servers = Array.from({ length: Math.max(1, Number(process.env.FUZZ_SERVERS ?? 1)) }, () => new FuzzServer());
await Promise.all(servers.map((s) => s.start()));
/** The routes of the server under fuzz, as it prints them: must be those appRoutes() found. */
const printed = (await servers[0].routes()).map(routeName).sort();
const liveCalls = (await Promise.all(servers.map((s) => s.setup())))[0];
const ctx = contextFromSettings(liveCalls, routes);
const summary: string[] = [];

afterAll(async () => {
  console.log(`fuzz summary (seed ${SEED}):\n${summary.join('\n')}`);
  await Promise.all(servers.map((s) => s.stop()));
});

/** Relative cost of a route's run, to balance the servers (FUZZ_SERVERS > 1). */
const COST: Record<string, number> = { '/api/forecast': 12, '/metrics': 2.5, '/api/reports/intervals': 2.5 };
interface RouteRun { server: FuzzServer; reqs: FuzzRequest[]; done: Promise<(FuzzAnswer | null)[]> }
const runs = new Map<string, RouteRun>();
{
  const load = servers.map(() => 0);
  for (const route of routes) {
    const name = routeName(route);
    const rng = new Rng(seedFor(name));
    const reqs = Array.from({ length: countFor(route) }, () => generate(rng, ctx, route));
    const i = load.indexOf(Math.min(...load));
    load[i] += COST[route.path] ?? 1;
    const server = servers[i];
    // Queued now, run in order by each server; a test only waits for its own route.
    const done = server.run(reqs);
    done.catch(() => undefined);
    runs.set(name, { server, reqs, done });
  }
}

/** Groups the problems of one route: each distinct problem once, with its shortest request. */
function report(server: FuzzServer, reqs: FuzzRequest[], answers: (FuzzAnswer | null)[]): string[] {
  const byProblem = new Map<string, { n: number; example: string }>();
  answers.forEach((a, i) => {
    const problems = a ? judge(reqs[i], a) : [server.incidents.some((x) => x.request === reqs[i]) ? 'the server process died or hung' : 'not sent: the route kept killing the server'];
    for (const p of problems) {
      const key = p.replace(/\d{4,}/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 160);
      const example = `${describeRequest(reqs[i])} -> ${a ? `${a.status} ${JSON.stringify(a.head.slice(0, 160))}` : 'no answer'}`;
      const seen = byProblem.get(key);
      if (!seen) byProblem.set(key, { n: 1, example });
      else { seen.n++; if (example.length < seen.example.length) seen.example = example; }
    }
  });
  return [...byProblem].map(([p, { n, example }]) => `${n}× ${p}\n    e.g. ${example}`);
}

describe(`fuzz (seed ${SEED})`, () => {
  it('finds the routes from the app itself: the same as the server under fuzz lists, every group there', () => {
    const names = routes.map(routeName);
    expect([...names].sort()).toEqual(printed);
    for (const prefix of ['/api/agents', '/api/calls', '/api/settings', '/api/forecast', '/api/reports', '/twilio/', '/ws/', '/healthz', '/readyz', '/metrics']) {
      expect(names.some((n) => n.includes(` ${prefix}`)), `no route under ${prefix}: ${names.join(', ')}`).toBe(true);
    }
    // The built wallboard (static files) or, unbuilt, the plain-text hint at GET /.
    expect(names.includes('GET /*') || names.includes('GET /'), names.join(', ')).toBe(true);
    expect(liveCalls.length).toBeGreaterThan(0);
  });

  it('every route describes its answers: a schema, responses included (the static files aside)', () => {
    const problems = schemaProblems(routes);
    expect(problems, problems.join('\n')).toEqual([]);
    // The check itself names what it finds.
    expect(schemaProblems([
      { method: 'GET', path: '/a' }, { method: 'POST', path: '/b', schema: { body: {} } }, { method: 'GET', path: '/c', schema: { response: {} } },
      { method: 'GET', path: '/d', schema: { response: { 200: {} } } }, { method: 'HEAD', path: '/a' }, { method: 'GET', path: '/*' },
    ])).toEqual(['GET /a: no schema', 'POST /b: no response schema', 'GET /c: no response schema']);
  });

  it.each(routes.map(routeName))('%s answers its generated bad requests with 4xx in the one error shape (or a legitimate 2xx), never 5xx', async (name) => {
    const route = routes.find((r) => routeName(r) === name)!;
    const { server, reqs, done } = runs.get(name)!;
    const answers = await done;
    const statuses: Record<number, number> = {};
    for (const a of answers) if (a) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const sent = answers.filter(Boolean).length;
    const slow = answers.map((a, i) => ({ ms: a?.ms ?? 0, i })).sort((x, y) => y.ms - x.ms)[0];
    const ms = answers.reduce((t, a) => t + (a?.ms ?? 0), 0);
    summary.push(`  ${name.padEnd(34)} ${String(sent).padStart(5)} sent, ${String(Math.round(ms)).padStart(5)} ms in the server  ${JSON.stringify(statuses)}`
      + (slow && slow.ms > 500 ? `\n      slowest ${Math.round(slow.ms)} ms: ${describeRequest(reqs[slow.i]).slice(0, 240)}` : ''));
    const problems = report(server, reqs, answers);
    expect(problems, `${name}: ${problems.length} kinds of wrong answer\n${problems.join('\n')}`).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(countFor(route));
    // Proof the fuzz reached what it aims at: signatures checked and, past them, the body validated.
    if (route.method === 'POST' && route.path.startsWith('/twilio/')) {
      for (const s of [200, 400, 403, 413]) expect(statuses[s] ?? 0, `${name}: no ${s} among ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    } else if (['POST', 'PATCH', 'PUT'].includes(route.method)) {
      for (const s of [400, 413]) expect(statuses[s] ?? 0, `${name}: no ${s} among ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    }
  }, 120_000);

  // Bugs the fuzzer found, each kept as its single request (the incidents hold the server's last words).
  it.each([
    ['Erlang A with a tiny patience kills the process (V8 out of memory)', 'GET', '/api/forecast?callsPerHour=100&ahtSeconds=180&thresholdSeconds=20&targetServiceLevel=0.8&patienceSeconds=1e-300'],
    ['Erlang A with a tiny handle time kills the process (V8 out of memory)', 'GET', '/api/forecast?callsPerHour=100&ahtSeconds=1e-300&thresholdSeconds=20&targetServiceLevel=0.8&patienceSeconds=60'],
    ['Erlang A with a denormal handle time blocks the event loop for good', 'GET', '/api/forecast?callsPerHour=600&ahtSeconds=5e-324&thresholdSeconds=20&targetServiceLevel=0.5&patienceSeconds=600'],
    ['a denormal occupancy ceiling blocks the event loop for good', 'GET', '/api/forecast?callsPerHour=5000&ahtSeconds=300&thresholdSeconds=5&targetServiceLevel=0.95&maxOccupancy=5e-324'],
    ['a repeated ?token= reaches the token check before validation: 500', 'GET', '/ws/wallboard?token=a&token=b'],
    ['a repeated ?token= on the agent socket: 500', 'GET', '/ws/agent?token=a&token=b'],
  ])('regression: %s', async (_label, method, url) => {
    const req: FuzzRequest = { route: `${method} ${url}`, mode: 'regression', method, url, headers: {}, expect: { ok2xx: true } };
    const server = servers[0];
    const before = server.incidents.length;
    const [a] = await server.run([req], 1);
    const died = server.incidents.slice(before).map((x) => `${x.kind}: ${x.output.split('\n').filter(Boolean).slice(0, 3).join(' | ')}`);
    expect(died, `${method} ${url} killed the server`).toEqual([]);
    const wrong = a && a.status < 500 ? [] : [`${method} ${url} -> ${a?.status} ${a?.head}`];
    expect(wrong, wrong.join('\n')).toEqual([]);
  }, 60_000);

  it('WebSocket upgrades with junk on /ws/wallboard are refused with 4xx before the upgrade', async () => {
    await Promise.all([...runs.values()].map((r) => r.done.catch(() => undefined)));
    const port = await servers[servers.length - 1].listen();
    const rng = new Rng(seedFor('WS /ws/wallboard'));
    const key = () => Buffer.from(rng.hex(32), 'hex').toString('base64');
    type Case = { label: string; raw: string; must4xx: boolean };
    const cases: Case[] = [];
    const handshake = (target: string, headers: Record<string, string>, method = 'GET') =>
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const good = () => ({ Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key(), 'Sec-WebSocket-Version': '13' });
    for (let i = 0; i < 1000; i++) {
      const kind = rng.weighted([[4, 'bad-query'], [3, 'bad-ticket'], [3, 'bad-handshake']] as const);
      if (kind === 'bad-query') {
        const q = rng.pick([
          `ticket=${'t'.repeat(rng.pick([129, 500, 4000]))}`, `token=${'k'.repeat(rng.pick([513, 3000]))}`, `ticket=a&ticket=b`, `token=a&token=b&token=c`,
          `ticket=${'%41'.repeat(200)}`, `ticket=%zz${'x'.repeat(200)}`, `ticket=${'é'.repeat(129)}`,
        ]);
        cases.push({ label: kind, raw: handshake(`/ws/wallboard?${q}`, good()), must4xx: true });
      } else if (kind === 'bad-ticket') {
        // Refused when a viewer token is configured; the harness's wallboard is open, so it may upgrade.
        const q = rng.pick([`ticket=${rng.hex(24)}`, 'ticket=', `token=${rng.hex(16)}`, `ticket=${encodeURIComponent(rng.pick(['\u0000', '😀', '../x', '"']))}`, 'ticket=%FF%FE', `x=${rng.hex(8)}`]);
        cases.push({ label: kind, raw: handshake(`/ws/wallboard?${q}`, { ...good(), ...(rng.chance(0.3) ? { Authorization: `Bearer ${rng.hex(20)}` } : {}) }), must4xx: false });
      } else {
        const h: Record<string, string> = good();
        rng.pick([
          () => { delete h['Sec-WebSocket-Key']; }, () => { h['Sec-WebSocket-Key'] = rng.pick(['', 'short', 'x'.repeat(100), '!!!!!!!!!!!!!!!!!!!!!!==']); },
          () => { h['Sec-WebSocket-Version'] = rng.pick(['', '12', '99', 'abc', '-1']); }, () => { delete h['Sec-WebSocket-Version']; },
          () => { h.Upgrade = rng.pick(['h2c', 'websocket2', 'WebSocket, foo']); }, () => { h['Sec-WebSocket-Extensions'] = 'permessage-deflate; client_max_window_bits=99; server_max_window_bits=0'; h['Sec-WebSocket-Version'] = '7'; },
        ])();
        cases.push({ label: kind, raw: handshake(`/ws/wallboard${rng.chance(0.5) ? `?ticket=${rng.hex(10)}` : ''}`, h), must4xx: true });
      }
    }
    const problems: string[] = [];
    const counts: Record<string, number> = {};
    const one = (c: Case) => new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      const done = () => {
        socket.destroy();
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
        counts[`${c.label} ${status}`] = (counts[`${c.label} ${status}`] ?? 0) + 1;
        const bodyText = data.split('\r\n\r\n').slice(1).join('\r\n\r\n');
        if (status === 101 && c.must4xx) problems.push(`${c.label}: upgraded: ${c.raw.split('\r\n')[0]}`);
        else if (status !== 101 && !(status >= 400 && status < 500)) problems.push(`${c.label}: status ${status}: ${c.raw.split('\r\n')[0].slice(0, 200)} -> ${JSON.stringify(data.slice(0, 200))}`);
        else if (status >= 400 && bodyText.trim() === '') problems.push(`${c.label}: ${status} without a reason: ${c.raw.replace(/\r\n/g, ' | ').slice(0, 300)}`);
        resolve();
      };
      socket.setTimeout(3000, done);
      socket.on('data', (d) => {
        data += d.toString('latin1');
        const head = data.indexOf('\r\n\r\n');
        if (head < 0) return;
        if (/^HTTP\/1\.1 101/.test(data)) return done();
        const len = Number(/content-length: *(\d+)/i.exec(data.slice(0, head))?.[1] ?? NaN);
        if (Number.isFinite(len) && data.length - head - 4 >= len) done();
      });
      socket.on('end', done);
      socket.on('error', done);
      socket.write(c.raw);
    });
    for (let i = 0; i < cases.length; i += 25) await Promise.all(cases.slice(i, i + 25).map(one));
    summary.push(`  WS /ws/wallboard (raw handshakes)   ${cases.length} sent  ${JSON.stringify(counts)}`);
    const distinct = [...new Set(problems.map((p) => p.replace(/[0-9a-f]{8,}/g, 'X')))];
    expect(distinct, distinct.slice(0, 15).join('\n')).toEqual([]);
  }, 120_000);

  it('after the whole run: the server still answers /healthz, never died, and the event log holds only well-formed known events', async () => {
    const died = servers.flatMap((s) => s.incidents).map((x) => `${x.kind} on ${describeRequest(x.request)}\n    ${x.output.split('\n').filter(Boolean).slice(0, 4).join(' | ')}`);
    for (const [i, server] of servers.entries()) {
      const health = await server.health();
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ ok: true });
      const scan = await server.scan();
      summary.push(`  event log ${i}: ${scan.count} rows ${JSON.stringify(scan.types)}; server started ${server.starts}×`);
      expect(scan.problems, scan.problems.join('\n')).toEqual([]);
      expect(scan.count).toBeGreaterThan(0);
    }
    expect(died, `the server process died or hung ${died.length}×:\n${died.join('\n')}`).toEqual([]);
  });
});
