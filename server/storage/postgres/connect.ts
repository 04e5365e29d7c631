// Connections to PostgreSQL (the `pg` package): a pool for the store, single clients
// for what needs a session of its own (the leader's lease, LISTEN). Times, seqs and
// epochs are BIGINT columns; pg hands int8 over as strings, these clients as numbers
// (every value Atende stores stays far below 2^53).
import pg from 'pg';

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** The URL without its password, for logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export function createPool(url: string, opts: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, types, max: opts.max ?? 4, application_name: opts.applicationName ?? 'atende',
    // A connection that cannot be made in 5 s is a store that cannot take the event.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  // An idle client losing its connection (a restarted server) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}

export function createClient(url: string, applicationName = 'atende'): pg.Client {
  return new pg.Client({ connectionString: url, types, application_name: applicationName, connectionTimeoutMillis: 5000, keepAlive: true });
}

export type { Pool, PoolClient, Client } from 'pg';
