// Layering goes one way: routing/ ← server/ ← sim/, bench/. The routing core imports
// nothing of the server or the simulator (and no Node I/O); the server never imports
// the simulator or the benchmarks. (The pages' own rule is test/wallboard/imports.test.ts.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier a file names (static, dynamic and re-exports). */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

function crossings(dir: string, forbidden: RegExp): string[] {
  const out: string[] = [];
  for (const file of tsFiles(dir)) {
    for (const spec of specifiers(file)) {
      const to = spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)) : spec;
      if (forbidden.test(to)) out.push(`${file} imports ${spec}`);
    }
  }
  return out;
}

describe('layering', () => {
  it('routing/ imports nothing of server/, sim/, bench/ and no Node module (pure core)', () => {
    expect(crossings('routing', /^(server|sim|bench|wallboard)\/|^node:|^(fs|net|http|worker_threads|child_process)$/)).toEqual([]);
  });
  it('server/ never imports sim/ or bench/', () => {
    expect(crossings('server', /^(sim|bench)\//)).toEqual([]);
  });
});
