// The store interface (server/storage/store.ts), the same checks on both stores:
// SQLite (in memory) and PostgreSQL (a throwaway schema of the real server).
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView, DomainEvent } from '../../../routing/types.ts';
import { openStorage } from '../../../server/storage/index.ts';
import { openPostgresStore, StaleEpochError, type PostgresStore } from '../../../server/storage/postgres/store.ts';
import { sqliteStore } from '../../../server/storage/sqlite-store.ts';
import type { Store } from '../../../server/storage/store.ts';
import { describeWithPostgres, freshSchema, type PgSchema } from '../../helpers/postgres.ts';
import { T0 } from '../../helpers/core.ts';

const arrived = (id: string, callId: string, at = T0): DomainEvent => ({ id, at, type: 'call.arrived', callId, from: '+5511900000001' });
const view = (id: string, over: Partial<CallView> = {}): CallView => ({
  id, status: 'queued', from: '+5511900000001', arrivedAt: T0, ivrPath: ['1'], language: 'pt-BR', attributes: {}, queue: 'suporte',
  tier: 1, tierRule: null, queuedAt: T0 + 1000, answeredAt: null, outcome: null, agentId: null, level: 1, escalations: 0,
  missedBy: [], notes: [], ...over,
} as unknown as CallView);

const open: Store[] = [];
const drops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {});
  for (const drop of drops.splice(0)) await drop();
});

function contract(name: string, make: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    it('appends a batch in one go, in order; a duplicate id (earlier or in the same batch) is not written twice', async () => {
      const s = await make();
      expect(await s.events.append([{ event: arrived('a1', 'c1'), source: 'test' }, { event: arrived('a2', 'c2'), source: null }])).toEqual([true, true]);
      expect(await s.events.append([{ event: arrived('a1', 'c1'), source: 'test' }, { event: arrived('a3', 'c3'), source: null }, { event: arrived('a3', 'c3'), source: null }]))
        .toEqual([false, true, false]);
      const all = await s.events.after(0, 100);
      expect(all.map((e) => e.event.id)).toEqual(['a1', 'a2', 'a3']);
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
      expect(await s.events.lastSeq()).toBe(all[2].seq);
      expect((await s.events.after(all[0].seq, 1)).map((e) => e.event.id)).toEqual(['a2']);
      expect(await s.events.has('a2')).toBe(true);
      await s.events.remove(['a2']);
      expect(await s.events.has('a2')).toBe(false);
      expect(await s.events.bounds()).toEqual({ events: 2, firstAt: T0, lastAt: T0 });
      expect(all[0].event).toEqual(arrived('a1', 'c1'));
    });

    it('an event without an id or a time is refused and nothing of its batch is written', async () => {
      const s = await make();
      await expect(s.events.append([{ event: arrived('ok', 'c1'), source: null }, { event: { ...arrived('', 'c2') }, source: null }])).rejects.toThrow(/id/);
      expect(await s.events.has('ok')).toBe(false);
    });

    it('snapshots with their intervals in one write, newest first, pruned to `keep`; intervals by range', async () => {
      const s = await make();
      const row = (seq: number) => ({ seq, coreAt: T0 + seq, takenAt: T0, version: 1, encoding: 'json', core: Buffer.from(`{"seq":${seq}}`), extra: '{}' });
      const iv = { scope: 'center' as const, id: '', start: T0, end: T0 + 900_000, data: '[1,2]' };
      const first = await s.snapshots.write(row(10), { keep: 2, intervals: [iv] });
      await s.snapshots.write(row(20), { keep: 2 });
      const third = await s.snapshots.write(row(30), { keep: 2 });
      expect((await s.snapshots.list()).map((x) => x.seq)).toEqual([30, 20]);
      expect(await s.snapshots.get(first)).toBeNull();
      const got = await s.snapshots.get(third);
      expect({ ...got, core: got!.core.toString() }).toEqual({ ...row(30), id: third, core: '{"seq":30}' });
      expect(await s.snapshots.latestSeq()).toBe(30);
      await s.intervals.write([{ ...iv, data: '[3,4]' }, { ...iv, start: T0 + 900_000, end: T0 + 1_800_000, data: '[5]' }]);
      expect(await s.intervals.range('center', '', T0, T0 + 1_000_000)).toEqual([
        { start: T0, end: T0 + 900_000, data: '[3,4]' }, { start: T0 + 900_000, end: T0 + 1_800_000, data: '[5]' },
      ]);
      expect(await s.intervals.range('queue', 'suporte', T0, T0 + 1_000_000)).toEqual([]);
    });

    it('call records: an upsert keeps what a later one leaves out; offers and agent states in order', async () => {
      const s = await make();
      await s.records.write([
        { kind: 'call', view: view('c1'), extra: { toNumber: '+5511300000000', twilioQueueSid: 'QU1' } },
        { kind: 'offer', callId: 'c1', agentId: 'ana', at: T0 + 2000 },
        { kind: 'agent-state', agentId: 'ana', status: 'ringing', reason: null, at: T0 + 2000 },
      ]);
      await s.records.write([
        { kind: 'call', view: view('c1', { status: 'connected', answeredAt: T0 + 5000, agentId: 'ana' } as unknown as Partial<CallView>), extra: { offeredAt: T0 + 2000, twilioCarrierSid: 'CA2' } },
        { kind: 'offer-result', callId: 'c1', agentId: 'ana', result: 'answered', at: T0 + 5000 },
        { kind: 'agent-state', agentId: 'ana', status: 'on-call', reason: null, at: T0 + 5000 },
      ]);
      expect(await s.records.getCall('c1')).toMatchObject({
        callId: 'c1', status: 'connected', to: '+5511300000000', twilioQueueSid: 'QU1', twilioCarrierSid: 'CA2', offeredAt: T0 + 2000, answeredAt: T0 + 5000, agentId: 'ana', ivrPath: ['1'],
      });
      expect(await s.records.getCall('nope')).toBeNull();
      expect((await s.records.listCalls({ queue: 'suporte' })).map((c) => c.callId)).toEqual(['c1']);
      expect(await s.records.listCalls({ from: T0 + 1 })).toEqual([]);
      expect(await s.records.offersFor('c1')).toEqual([{ agentId: 'ana', offeredAt: T0 + 2000, result: 'answered', resultAt: T0 + 5000 }]);
      expect(await s.records.agentStateHistory('ana')).toEqual([
        { status: 'ringing', reason: null, at: T0 + 2000 }, { status: 'on-call', reason: null, at: T0 + 5000 },
      ]);
      expect(await s.records.agentStateHistory('ana', { from: T0 + 3000 })).toHaveLength(1);
    });

    it("call records: the recording's sid, URL, duration and status (docs/sac.md, Gravações), kept when a later view has none", async () => {
      const s = await make();
      const recording = { sid: `RE${'ab'.repeat(16)}`, status: 'completed', callSid: 'CAx', url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/REab', durationSeconds: 95, channels: 2 };
      await s.records.write([{ kind: 'call', view: view('c1', { status: 'ended', recording } as unknown as Partial<CallView>), extra: {} }]);
      await s.records.write([{ kind: 'call', view: view('c1', { status: 'ended' } as unknown as Partial<CallView>), extra: {} }]);
      expect(await s.records.getCall('c1')).toMatchObject({ recordingSid: recording.sid, recordingUrl: recording.url, recordingDurationSeconds: 95, recordingStatus: 'completed' });
      expect((await s.records.listCalls())[0]).toMatchObject({ recordingDurationSeconds: 95 });
    });

    it('protocols: one per call, the same on a retry, the period\'s next otherwise, a taken number skipped', async () => {
      const s = await make();
      const render = (seq: number) => `20261206${String(seq).padStart(4, '0')}`;
      expect(await s.protocols.allocate('c1', '20261206', T0, render)).toBe('202612060001');
      expect(await s.protocols.allocate('c1', '20261206', T0, render)).toBe('202612060001');
      expect(await s.protocols.allocate('c2', '20261206', T0, render)).toBe('202612060002');
      // Another period whose numbers look the same: the one already given is skipped.
      expect(await s.protocols.allocate('c3', 'other', T0, render)).toBe('202612060003');
      const all = await Promise.all(['d1', 'd2', 'd3', 'd4'].map((id) => s.protocols.allocate(id, 'p2', T0, (n) => `p2-${n}`)));
      expect([...all].sort()).toEqual(['p2-1', 'p2-2', 'p2-3', 'p2-4']);
      expect(await s.protocols.protocolOf('c2')).toBe('202612060002');
      expect(await s.protocols.callOf('202612060001')).toBe('c1');
      expect(await s.protocols.protocolOf('nope')).toBeNull();
    });

    it('audit: newest first, values as given', async () => {
      const s = await make();
      await s.audit.record({ at: T0, actor: 'supervisor', action: 'settings.changed', target: 'queues', before: { a: 1 }, after: { a: 2 } });
      await s.audit.record({ at: T0 + 1, actor: 'supervisor', action: 'agent.added', target: 'ana', before: null, after: [1] });
      const r = await s.audit.recent(10);
      expect(r.map((e) => e.action)).toEqual(['agent.added', 'settings.changed']);
      expect(r[1]).toMatchObject({ at: T0, actor: 'supervisor', target: 'queues', before: { a: 1 }, after: { a: 2 } });
      await s.checkWritable();
    });
  });
}

contract('SQLite', async () => {
  const s = sqliteStore(openStorage(':memory:'));
  open.push(s);
  return s;
});

describeWithPostgres('PostgreSQL store', (schema: () => PgSchema) => {
  /** A schema of its own per test: the contract starts from an empty store each time. */
  const fresh = async (): Promise<PostgresStore> => {
    const own = await freshSchema();
    drops.push(own.drop);
    const s = await openPostgresStore(own.url);
    const { rows } = await s.pool.query<{ epoch: number }>('UPDATE lease SET epoch = epoch + 1 RETURNING epoch');
    s.epoch = rows[0].epoch;
    open.push(s);
    return s;
  };
  contract('PostgreSQL', fresh);

  it('migrations apply once, however many nodes open the schema at once', async () => {
    const base = schema();
    const nodes = await Promise.all([openPostgresStore(base.url), openPostgresStore(base.url), openPostgresStore(base.url)]);
    open.push(...nodes);
    const { rows } = await nodes[0].pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
  });

  it('the database refuses an append under a stale epoch, whoever sends it; the store says StaleEpochError', async () => {
    const s = await fresh();
    const fenced: StaleEpochError[] = [];
    s.onFenced = (e) => fenced.push(e);
    expect(await s.events.append([{ event: arrived('e1', 'c1'), source: null }])).toEqual([true]);
    // Another node takes over: the epoch moves on.
    await s.pool.query('UPDATE lease SET epoch = epoch + 1');
    await expect(s.events.append([{ event: arrived('e2', 'c2'), source: null }])).rejects.toBeInstanceOf(StaleEpochError);
    expect(fenced).toHaveLength(1);
    // Not the client's check: a plain INSERT with the old epoch is refused by the database itself.
    await expect(s.pool.query(`INSERT INTO events (id, type, at, body, recorded_at, epoch) VALUES ('raw', 'call.arrived', 1, '{}', 1, $1)`, [s.epoch]))
      .rejects.toMatchObject({ code: 'AT001' });
    expect(await s.events.has('e2')).toBe(false);
    // A node that never held the lease cannot append at all.
    s.epoch = null;
    await expect(s.events.append([{ event: arrived('e3', 'c3'), source: null }])).rejects.toBeInstanceOf(StaleEpochError);
    expect((await s.events.after(0, 10)).map((e) => e.event.id)).toEqual(['e1']);
  });
});
