// npm run bench: every benchmark in this folder, one table each.
// Figures go into docs/performance.md by hand, with the date and this command.
import { run as routing } from './routing.bench.ts';
import { run as metrics } from './metrics.bench.ts';

const suites: [string, () => Promise<Record<string, number | string>>][] = [
  ['routing core (10,000 agents, 100,000 waiting calls)', routing],
  ['metrics core (ring buffers)', metrics],
];

for (const [name, fn] of suites) {
  process.stderr.write(`running ${name}…\n`);
  const started = Date.now();
  const result = await fn();
  console.log(`\n## ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.table(result);
}
