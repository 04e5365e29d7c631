// Group commit (server/engine.ts, submit): events submitted together are appended in one
// transaction before any of them is applied or answered, and applied in the order of the
// log; a commit under way collects the next batch. On a scripted log, on SQLite, and on
// PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../routing/types.ts';
import { Engine, type EngineLog } from '../../server/engine.ts';
import { openStorage } from '../../server/storage/index.ts';
import { openPostgresStore, type PostgresStore } from '../../server/storage/postgres/store.ts';
import { sqliteStore } from '../../server/storage/sqlite-store.ts';
import type { LogAppend } from '../../server/storage/store.ts';
import { newCore, T0 } from '../helpers/core.ts';
import { describeWithPostgres } from '../helpers/postgres.ts';

const arrived = (id: string, at = T0): DomainEvent => ({ id, at, type: 'call.arrived', callId: id, from: '+5511900000001' });
const ivr = (callId: string, at = T0): DomainEvent => ({ id: `${callId}:ivr`, at, type: 'call.ivr', callId, path: ['1'] });

/** An asynchronous log that holds each commit until the test lets it go. */
function scriptedLog() {
  const rows: string[] = [];
  const batches: string[][] = [];
  const held: (() => void)[] = [];
  let failing: Error | null = null;
  const log: EngineLog & { rows: string[]; batches: string[][]; release(): void; fail(e: Error | null): void } = {
    rows, batches,
    async append(batch: readonly LogAppend[]) {
      batches.push(batch.map((a) => a.event.id));
      await new Promise<void>((resolve) => held.push(resolve));
      if (failing) throw failing;
      return batch.map((a) => {
        if (rows.includes(a.event.id)) return false;
        rows.push(a.event.id);
        return true;
      });
    },
    async remove(ids) { for (const id of ids) rows.splice(rows.indexOf(id), 1); },
    release() { for (const go of held.splice(0)) go(); },
    fail(e) { failing = e; },
  };
  return log;
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const engines: Engine[] = [];
afterEach(() => { for (const e of engines.splice(0)) e.stop(); });

describe('group commit on a scripted asynchronous log', () => {
  it('what arrives in one turn is one commit; nothing is applied or answered before it returns; then in log order', async () => {
    const log = scriptedLog();
    const engine = new Engine(newCore(), { log, now: () => T0 });
    engines.push(engine);
    const applied: string[] = [];
    engine.onEvent((e) => applied.push(e.id));
    let answered = 0;
    const results = ['c1', 'c2', 'c3'].map((id) => engine.submit(arrived(id)).then((r) => { answered++; return r; }));
    await turn();
    expect(log.batches).toEqual([['c1', 'c2', 'c3']]);
    expect(applied).toEqual([]);
    expect(engine.core.call('c1')).toBeNull();
    // Arriving while that commit is under way: the next batch, after it.
    const later = [engine.submit(ivr('c1')), engine.submit(arrived('c4'))];
    await turn();
    expect(log.batches).toHaveLength(1);
    expect(answered).toBe(0);
    log.release();
    const first = await Promise.all(results);
    expect(first.every((r) => r.ok && r.applied)).toBe(true);
    expect(applied).toEqual(['c1', 'c2', 'c3']);
    await turn();
    expect(log.batches).toEqual([['c1', 'c2', 'c3'], ['c1:ivr', 'c4']]);
    log.release();
    expect((await Promise.all(later)).map((r) => r.ok)).toEqual([true, true]);
    expect(applied).toEqual(log.rows);
    expect(engine.commits).toEqual({ count: 2, events: 5 });
  });

  it('a refused event is taken back out of the log before anyone is answered; a duplicate is not applied twice', async () => {
    const log = scriptedLog();
    const engine = new Engine(newCore(), { log, now: () => T0 });
    engines.push(engine);
    const r = [engine.submit(arrived('c1')), engine.submit(ivr('nope')), engine.submit(arrived('c1'))];
    await turn();
    log.release();
    const [a, refused, dup] = await Promise.all(r);
    expect(a).toMatchObject({ ok: true, applied: true });
    expect(refused.ok ? null : refused.error.code).toBe('ATENDE_UNKNOWN_CALL');
    expect(dup).toMatchObject({ ok: true, applied: false });
    expect(log.rows).toEqual(['c1']);
  });

  it('a commit that fails refuses its whole batch (StoreUnavailableError) and applies none of it; the next batch goes through', async () => {
    const log = scriptedLog();
    const engine = new Engine(newCore(), { log, now: () => T0 });
    engines.push(engine);
    log.fail(new Error('connection lost'));
    const r = [engine.submit(arrived('c1')), engine.submit(arrived('c2'))];
    await turn();
    log.release();
    for (const p of r) await expect(p).rejects.toMatchObject({ code: 'ATENDE_ERR_STORE_UNAVAILABLE' });
    expect(engine.storeError).toBe('connection lost');
    expect(engine.core.call('c1')).toBeNull();
    log.fail(null);
    const again = engine.submit(arrived('c1'));
    await turn();
    log.release();
    expect((await again).ok).toBe(true);
    expect(engine.storeError).toBeNull();
  });

  it('time stands still while events wait for their commit: advance() then moves nothing, and the timer re-arms after', async () => {
    const log = scriptedLog();
    let now = T0;
    const engine = new Engine(newCore(), { log, now: () => now });
    engines.push(engine);
    const p = engine.submit(arrived('c1'));
    now = T0 + 60_000;
    engine.advance();
    expect(engine.core.now).toBe(T0);
    await turn();
    log.release();
    await p;
    engine.advance();
    expect(engine.core.now).toBe(T0 + 60_000);
  });
});

describe('group commit on SQLite', () => {
  it('dispatch (synchronous) still works on SQLite and goes after what was submitted before it', async () => {
    const storage = openStorage(':memory:');
    const store = sqliteStore(storage);
    const engine = new Engine(newCore(), { log: store.events, now: () => T0 });
    engines.push(engine);
    const submitted = engine.submit(arrived('c1'));
    expect(engine.dispatch(ivr('c1')).ok).toBe(true);
    expect((await submitted).ok).toBe(true);
    expect((await store.events.after(0, 10)).map((e) => e.event.id)).toEqual(['c1', 'c1:ivr']);
    await store.close();
  });

  it('a listener may not dispatch synchronously mid-batch (it would be applied ahead of events logged before it): its submit fails, the batch is applied whole', async () => {
    const storage = openStorage(':memory:');
    const store = sqliteStore(storage);
    const engine = new Engine(newCore(), { log: store.events, now: () => T0 });
    engines.push(engine);
    engine.onEvent((e) => { if (e.id === 'c1') engine.dispatch(ivr('c1')); });
    const [first, second] = [engine.submit(arrived('c1')), engine.submit(arrived('c2'))];
    await expect(first).rejects.toThrow(/use submit/);
    expect((await second).ok).toBe(true);
    expect(engine.core.call('c1')?.ivrPath).toEqual([]);
    expect(engine.core.call('c2')).not.toBeNull();
    expect((await store.events.after(0, 10)).map((e) => e.event.id)).toEqual(['c1', 'c2']);
    await store.close();
  });

  it('100 webhooks in one turn: one commit', async () => {
    const storage = openStorage(':memory:');
    const store = sqliteStore(storage);
    const engine = new Engine(newCore(), { log: store.events, now: () => T0 });
    engines.push(engine);
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const results = await Promise.all(ids.map((id) => engine.submit(arrived(id))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(engine.commits).toEqual({ count: 1, events: 100 });
    expect((await store.events.after(0, 1000)).map((e) => e.event.id)).toEqual(ids);
    await store.close();
  });
});

describeWithPostgres('group commit on PostgreSQL', (schema) => {
  let store: PostgresStore | null = null;
  afterEach(async () => { await store?.close(); store = null; });

  it('each answer comes after its event is in the database; a batch is one statement, in order', async () => {
    store = await openPostgresStore(schema().url);
    const { rows } = await store.pool.query<{ epoch: number }>('UPDATE lease SET epoch = epoch + 1 RETURNING epoch');
    store.epoch = rows[0].epoch;
    const engine = new Engine(newCore(), { log: store.events, now: () => T0 });
    engines.push(engine);
    const s = store;
    const ids = Array.from({ length: 50 }, (_, i) => `pg${i}`);
    const seen = await Promise.all(ids.map(async (id) => {
      const r = await engine.submit(arrived(id));
      // Answered: the row is committed, seen from another connection.
      return r.ok && await s.events.has(id);
    }));
    expect(seen.every(Boolean)).toBe(true);
    expect(engine.commits.count).toBeLessThan(5);
    expect((await s.events.after(0, 100)).map((e) => e.event.id)).toEqual(ids);
  });
});
