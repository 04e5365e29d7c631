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

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** A query with no answer after this long fails on this side (the network cut); default 5 s. */
  queryTimeoutMs?: number;
  /**
   * A session left inside a transaction longer than this is ended by the server (default
   * 10 s): a node frozen mid-transaction must not hold row locks the next leader needs.
   */
  idleInTransactionMs?: number;
}

/** The URL with more server settings in its `options` (the URL's own, e.g. a search_path, are kept). */
function withSettings(url: string, settings: Record<string, string | number>): string {
  let u: URL;
  try { u = new URL(url); } catch { return url; }
  const extra = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const own = u.searchParams.get('options');
  u.searchParams.set('options', own ? `${own} ${extra}` : extra);
  return u.toString();
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    // Set at connection: a node frozen mid-transaction must not hold row locks the next leader needs.
    connectionString: withSettings(url, { idle_in_transaction_session_timeout: Math.round(opts.idleInTransactionMs ?? 10_000) }), types, max: opts.max ?? 4, application_name: opts.applicationName ?? 'atende',
    // A connection that cannot be made in 5 s is a store that cannot take the event.
    connectionTimeoutMillis: 5000,
    query_timeout: opts.queryTimeoutMs ?? 5000,
    keepAlive: true,
  });
  // An idle client losing its connection (a restarted server) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}

export function createClient(url: string, applicationName = 'atende', queryTimeoutMs = 5000): pg.Client {
  return new pg.Client({
    connectionString: url, types, application_name: applicationName, connectionTimeoutMillis: 5000, keepAlive: true, query_timeout: queryTimeoutMs,
  });
}

export type { Pool, PoolClient, Client } from 'pg';
