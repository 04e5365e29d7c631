// The pages (wallboard/src/, wallboard/agent/) share types with the server through
// server/contract.ts alone: they import nothing else from server/, nothing from
// routing/, sim/ or bench/, and only types from the contract (so no server code
// reaches the browser bundle).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONTRACT = 'server/contract.ts';
const FORBIDDEN = ['server/', 'routing/', 'sim/', 'bench/'];

interface ImportSite { specifier: string; typeOnly: boolean; line: number }

/** Every module a file names: import and export … from statements, import('…') and import types. */
function importsOf(path: string): ImportSite[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: ImportSite[] = [];
  const add = (spec: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(spec)) return;
    out.push({ specifier: spec.text, typeOnly, line: source.getLineAndCharacterOfPosition(spec.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allNamedTypes = !!clause && !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, !!clause && (clause.isTypeOnly || allNamedTypes));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Repo-relative path a relative specifier points at; null for packages ('uplot'). */
function target(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null;
  return relative(ROOT, resolve(dirname(fromFile), specifier)).split('\\').join('/');
}

/** What is wrong with one import of a page, or null. */
function offence(fromFile: string, site: ImportSite): string | null {
  const to = target(fromFile, site.specifier);
  if (to === null) return null;
  const where = `${relative(ROOT, fromFile).split('\\').join('/')}:${site.line} imports '${site.specifier}'`;
  if (to === CONTRACT) return site.typeOnly ? null : `${where}: only types may come from ${CONTRACT} (import type …)`;
  if (to.startsWith('../')) return `${where}: outside the repository`;
  const banned = FORBIDDEN.find((dir) => to.startsWith(dir));
  return banned ? `${where}: pages import nothing from ${banned} but the types of ${CONTRACT}` : null;
}

const pages = (readdirSync(join(ROOT, 'wallboard'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(ROOT, 'wallboard', f))
  .sort();

describe('page imports', () => {
  it('finds the pages', () => {
    const names = pages.map((p) => relative(ROOT, p).split('\\').join('/'));
    expect(names).toContain('wallboard/src/main.ts');
    expect(names).toContain('wallboard/agent/main.ts');
  });

  it('import nothing from server/ but the types of server/contract.ts, nothing from routing/, sim/ or bench/', () => {
    const offences = pages.flatMap((p) => importsOf(p).map((site) => offence(p, site)).filter((o): o is string => o !== null));
    expect(offences).toEqual([]);
  });

  it('use the contract (the check is not vacuous)', () => {
    const users = pages.filter((p) => importsOf(p).some((site) => target(p, site.specifier) === CONTRACT));
    expect(users.length).toBeGreaterThan(5);
  });

  it('names the file and the import of an offence', () => {
    const file = join(ROOT, 'wallboard/src/view.ts');
    expect(offence(file, { specifier: '../../routing/core.ts', typeOnly: true, line: 3 }))
      .toBe(`wallboard/src/view.ts:3 imports '../../routing/core.ts': pages import nothing from routing/ but the types of ${CONTRACT}`);
    expect(offence(file, { specifier: '../../server/snapshot/build.ts', typeOnly: true, line: 1 })).toMatch(/from server\//);
    expect(offence(file, { specifier: '../../sim/virtual.ts', typeOnly: false, line: 1 })).toMatch(/from sim\//);
    expect(offence(file, { specifier: '../../bench/run.ts', typeOnly: false, line: 1 })).toMatch(/from bench\//);
    expect(offence(file, { specifier: '../../server/contract.ts', typeOnly: false, line: 1 })).toMatch(/only types/);
    expect(offence(file, { specifier: '../../server/contract.ts', typeOnly: true, line: 1 })).toBeNull();
    expect(offence(file, { specifier: './format.ts', typeOnly: false, line: 1 })).toBeNull();
    expect(offence(file, { specifier: 'uplot', typeOnly: false, line: 1 })).toBeNull();
  });
});

describe('the contract', () => {
  it('holds types only, taken from nowhere but routing/', () => {
    const file = join(ROOT, CONTRACT);
    const sites = importsOf(file);
    expect(sites.length).toBeGreaterThan(0);
    for (const site of sites) {
      expect(site.typeOnly, `${CONTRACT}:${site.line} '${site.specifier}'`).toBe(true);
      expect(target(file, site.specifier), `${CONTRACT}:${site.line}`).toMatch(/^routing\//);
    }
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const values = source.statements.filter((s) => !ts.isInterfaceDeclaration(s) && !ts.isTypeAliasDeclaration(s)
      && !(ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) && !(ts.isExportDeclaration(s) && s.isTypeOnly));
    expect(values.map((s) => s.getText(source).slice(0, 60))).toEqual([]);
  });
});
