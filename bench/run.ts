// npm run bench: the benchmarks in this folder, one table each.
// Figures go into docs/performance.md by hand, with the date and this command.
import { run as routing } from './routing.bench.ts';
import { run as metrics } from './metrics.bench.ts';
import { run as snapshot } from './snapshot.bench.ts';
import { parseArgs as wsArgs, run as ws } from './ws.bench.ts';
import { parseArgs as edgesArgs, run as edges } from './edges.bench.ts';
import { run as whatif } from './whatif.bench.ts';

// `npm run bench` runs the in-process benches (routing, metrics, snapshot, whatif); name suites to pick them:
// `npm run bench -- ws` (wallboard WebSocket fan-out, ~60 s, opens a local port;
// options: --max=8000 --updates=20 --budget=60), `npm run bench -- edges` (10,000 wall
// screens on two edges through Redis, ~2 min, needs Redis: REDIS_URL or 127.0.0.1:6379;
// options: --screens=10000 --updates=20 --budget=150), `npm run bench -- all`.
const argv = process.argv.slice(2);
const suites: [string, string, () => Promise<Record<string, number | string>>][] = [
  ['routing', 'routing core (10,000 agents, 100,000 waiting calls)', routing],
  ['metrics', 'metrics core (ring buffers)', metrics],
  ['snapshot', 'routing core snapshot (500 agents, a day of traffic)', snapshot],
  ['whatif', 'what-if on a busy day (9,000 events): time and event-loop stall', whatif],
  ['ws', 'wallboard WebSocket fan-out (N clients, 2 Hz)', () => ws(wsArgs(argv))],
  ['edges', 'wall screens on two edges through Redis (N screens, 2 Hz)', () => edges(edgesArgs(argv))],
];
const names = argv.filter((a) => !a.startsWith('-') && !/^\d+$/.test(a));
const unknown = names.filter((n) => n !== 'all' && !suites.some(([id]) => id === n));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${suites.map(([id]) => id).join(', ')}, all`);
  process.exit(2);
}
/** Open ports, child processes and (edges) Redis: only when named. */
const networked = new Set(['ws', 'edges']);
const chosen = names.length === 0 ? suites.filter(([id]) => !networked.has(id)) : names.includes('all') ? suites : suites.filter(([id]) => names.includes(id));

for (const [, name, fn] of chosen) {
  process.stderr.write(`running ${name}…\n`);
  const started = Date.now();
  const result = await fn();
  console.log(`\n## ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.table(result);
}
