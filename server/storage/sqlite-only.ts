// `fastify.storage` when the store is PostgreSQL. The Storage facade is the SQLite file
// itself (its connection, its synchronous tables), which a few features still read
// directly instead of through the store interface (docs/deploy.md lists them). There
// is no such file on PostgreSQL, so every use of one of its parts answers 501
// ATENDE_ERR_SQLITE_ONLY, in the one error shape, rather than touching a wrong database.
import { SqliteOnlyError } from '../errors.ts';
import type { Storage } from './index.ts';

/** Any property read (other than a promise probe or a symbol) refuses with a 501 naming the part. */
function refusing<T extends object>(part: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return undefined;
      throw new SqliteOnlyError(`this feature (storage.${part}.${prop})`);
    },
  });
}

export function sqliteOnlyStorage(): Storage {
  const refuse = (what: string) => () => { throw new SqliteOnlyError(`this feature (storage.${what})`); };
  return {
    db: refusing('db'),
    events: refusing('events'),
    records: refusing('records'),
    audit: refusing('audit'),
    intervals: refusing('intervals'),
    archiveDir: null,
    history: null,
    transaction: refuse('transaction'),
    checkWritable: refuse('checkWritable'),
    close: () => {},
  };
}
