// Tests on a real PostgreSQL (127.0.0.1:5432, database `test`, trust auth: started
// before the session and in CI; ATENDE_TEST_PG overrides the URL). Each test file
// works in a schema of its own, created fresh and dropped after, so runs never collide.
// Without the server: skipped with a warning on a developer's machine, FAILED with
// the reason under CI=true (a CI that skipped these would pass without having tried).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

export const PG_URL = process.env.ATENDE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_MISSING = `PostgreSQL not reachable at ${PG_URL}: start it (CI does) or set ATENDE_TEST_PG`;

/** Whether the server answers; asked once, when a test file first imports this module. */
async function answers(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}
const REACHABLE = await answers();

/** run, skip (no server, developer's machine) or fail (no server, CI=true). */
export function postgresPlan(reachable = REACHABLE, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (reachable) return 'run';
  return env.CI === 'true' || env.CI === '1' ? 'fail' : 'skip';
}

/**
 * A database URL whose search_path is `schema` (created by the caller); its sessions are
 * named after the schema (application_name), so dropping it can end them first.
 */
export function urlWithSchema(schema: string, base = PG_URL): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  u.searchParams.set('application_name', schema);
  return u.toString();
}

/** Runs SQL on the test database (outside any test schema unless it names one). */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], url = PG_URL): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export interface PgSchema {
  name: string;
  /** DATABASE_URL pointing into the schema. */
  url: string;
}

/** A fresh, empty schema; dropped (with everything in it) by the returned drop(). */
export async function freshSchema(prefix = 'atende_test'): Promise<PgSchema & { drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  return {
    name,
    url: urlWithSchema(name),
    drop: async () => {
      // Sessions left in the schema (a killed child's) must not keep DROP waiting.
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, [name]).catch(() => {});
      await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

/**
 * `describe` for a suite that needs PostgreSQL (see postgresPlan). `fn` gets a getter for
 * the file's schema, created in beforeAll and dropped in afterAll.
 */
export function describeWithPostgres(title: string, fn: (schema: () => PgSchema) => void): void {
  const plan = postgresPlan();
  if (plan === 'fail') {
    describe(title, () => {
      it('needs PostgreSQL (CI=true: these tests never skip)', () => { throw new Error(PG_MISSING); });
    });
    return;
  }
  if (plan === 'skip') {
    console.warn(`${title}: skipped. ${PG_MISSING}`);
    describe.skip(`${title} (skipped: ${PG_MISSING})`, () => fn(() => { throw new Error(PG_MISSING); }));
    return;
  }
  let schema: (PgSchema & { drop(): Promise<void> }) | null = null;
  describe(title, () => {
    beforeAll(async () => { schema = await freshSchema(); });
    afterAll(async () => { await schema?.drop(); });
    fn(() => {
      if (!schema) throw new Error('the test schema is made in beforeAll');
      return schema;
    });
  });
}
