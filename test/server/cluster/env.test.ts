// The cluster's environment: read once, checked, the variable named when it is wrong.
import { describe, expect, it } from 'vitest';
import { EnvironmentError, readEnvironment } from '../../../server/env.ts';

describe('cluster environment', () => {
  it('SQLite unless DATABASE_URL; the node\'s address, name and lease; group commit on by default', () => {
    expect(readEnvironment({})).toMatchObject({ databaseUrl: null, node: { id: null, address: null, leaseMs: 3000 }, groupCommit: true });
    expect(readEnvironment({
      DATABASE_URL: 'postgres://atende:s3cret@db:5432/atende', ATENDE_NODE_ADDRESS: 'http://10.0.0.2:3000/', ATENDE_NODE_ID: 'a', ATENDE_LEASE_MS: '1500', ATENDE_GROUP_COMMIT: 'off',
    })).toMatchObject({ databaseUrl: 'postgres://atende:s3cret@db:5432/atende', node: { id: 'a', address: 'http://10.0.0.2:3000', leaseMs: 1500 }, groupCommit: false });
  });

  it('a wrong value stops the start with the variable named (never the password)', () => {
    expect(() => readEnvironment({ DATABASE_URL: 'mysql://u:pw@db/atende' })).toThrow(EnvironmentError);
    expect(() => readEnvironment({ DATABASE_URL: 'mysql://u:pw@db/atende' })).toThrow(/^DATABASE_URL is not a postgres:\/\/ URL: "mysql:\/\/u:\*\*\*@db\/atende"$/);
    expect(() => readEnvironment({ ATENDE_NODE_ADDRESS: '10.0.0.2:3000' })).toThrow(/ATENDE_NODE_ADDRESS/);
    expect(() => readEnvironment({ ATENDE_LEASE_MS: '100' })).toThrow(/ATENDE_LEASE_MS/);
    expect(() => readEnvironment({ ATENDE_GROUP_COMMIT: 'maybe' })).toThrow(/ATENDE_GROUP_COMMIT/);
  });
});
