import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, StorageError, openDatabase, openStorage, type Storage } from '../../../server/storage/index.ts';
import type { CallView, Decision, DomainEvent } from '../../../routing/types.ts';
import { T0, callInto, ev, newCore } from '../../helpers/core.ts';

const at = (s: number): number => T0 + s * 1000;

function callView(overrides: Partial<CallView> = {}): CallView {
  return {
    id: 'c1', from: '+5511970000001', status: 'queued', queue: 'suporte', tier: 2,
    tierRule: { tier: 2, ruleId: 'repeat', label: 'Rechamada em 24 h', reason: 'repeat' },
    arrivedAt: at(0), queuedAt: at(5), answeredAt: null, agentId: null, level: 1, maxLevel: 1,
    ivrPath: ['1', '2'], language: 'pt-BR', attributes: { vip: false, impact: 3 }, notes: [],
    escalations: 0, missedBy: [], outcome: null, resolvedFirstContact: null,
    protocol: null, callback: null, offerCallback: false,
    ...overrides,
  };
}

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'atende-storage-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('event log', () => {
  let s: Storage;
  beforeEach(() => { s = openStorage(':memory:'); });
  afterEach(() => s.close());

  it('appends once per id and refuses a duplicate', () => {
    const e: DomainEvent = { id: 'tw-CA1-arrived', at: at(0), type: 'call.arrived', callId: 'CA1', from: '+5511999990000' };
    expect(s.events.count()).toBe(0);
    expect(s.events.lastAt()).toBeNull();
    expect(s.events.append(e, 'twilio:/twilio/voice')).toBe(true);
    expect(s.events.append({ ...e, at: at(9) }, 'twilio:/twilio/voice')).toBe(false);
    expect(s.events.count()).toBe(1);
    expect(s.events.has('tw-CA1-arrived')).toBe(true);
    expect(s.events.has('other')).toBe(false);
    expect(s.events.lastAt()).toBe(at(0));
    const row = s.db.prepare('SELECT type, call_id, agent_id, source FROM events').get();
    expect(row).toEqual({ type: 'call.arrived', call_id: 'CA1', agent_id: null, source: 'twilio:/twilio/voice' });
  });

  it('refuses an event without an id', () => {
    expect(() => s.events.append({ at: at(0), type: 'call.abandoned', callId: 'x' } as unknown as DomainEvent)).toThrow();
    expect(s.events.count()).toBe(0);
  });

  it('replays in append order with the same content, and from a sequence number', () => {
    const events: DomainEvent[] = [
      { id: 'a', at: at(0), type: 'agent.state', agentId: 'ana', state: 'available' },
      { id: 'b', at: at(1), type: 'call.arrived', callId: 'c1', from: '+5511970000001', to: '+551130000000' },
      { id: 'c', at: at(2), type: 'call.ivr', callId: 'c1', path: ['1', '9'], language: 'pt-BR' },
      { id: 'd', at: at(3), type: 'call.queued', callId: 'c1', queue: 'suporte', attributes: { vip: true, impact: 4 } },
      // Appended out of time order on purpose: replay follows the log order, not `at`.
      { id: 'e', at: at(2), type: 'agent.configured', agent: { id: 'zé', name: 'Zé', skills: ['vendas'], level: 2 } },
    ];
    events.forEach((e, i) => s.events.append(e, i % 2 ? 'api' : undefined));
    expect([...s.events.replay()]).toStrictEqual(events);
    expect(s.events.lastSeq()).toBe(5);
    expect([...s.events.replay({ afterSeq: 3 })]).toStrictEqual(events.slice(3));
    expect(s.events.lastAt()).toBe(at(3));
    expect(s.db.prepare("SELECT agent_id FROM events WHERE id = 'e'").pluck().get()).toBe('zé');
  });

  it('a replayed log rebuilds the same routing state', () => {
    const core = newCore();
    const events = [
      ev.agent(0, 'bruno', 'available'), ...callInto(1, 'c1', 'suporte'),
      ev.answered(3, 'c1'), ev.ended(60, 'c1'), ev.agent(200, 'bruno', 'away', 'lunch'),
    ];
    for (const e of events) if (core.apply(e).applied) s.events.append(e, 'test');
    const again = newCore();
    for (const e of s.events.replay()) again.apply(e);
    expect(again.call('c1')).toEqual(core.call('c1'));
    expect(again.agentList()).toEqual(core.agentList());
  });
});

describe('database file', () => {
  it('survives a reopen, keeps WAL and applies each migration once', () => {
    const path = join(dir, 'nested', 'dir', 'atende.db');
    const s1 = openStorage(path);
    expect(s1.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s1.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(s1.db.pragma('foreign_keys', { simple: true })).toBe(1);
    s1.events.append({ id: 'x1', at: at(0), type: 'call.arrived', callId: 'c1', from: '1' });
    s1.events.append({ id: 'x2', at: at(1), type: 'call.abandoned', callId: 'c1' });
    s1.close();

    const s2 = openStorage(path);
    expect(s2.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect([...s2.events.replay()].map((e) => e.id)).toEqual(['x1', 'x2']);
    expect(s2.events.append({ id: 'x1', at: at(0), type: 'call.arrived', callId: 'c1', from: '1' })).toBe(false);
    const migrations = s2.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(migrations).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    s2.close();
  });

  it('gives freed pages back: a new database is auto_vacuum=INCREMENTAL; an older one is converted at open when small enough', () => {
    const fresh = openStorage(join(dir, 'new.db'));
    expect(fresh.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    fresh.close();
    // A database made before auto_vacuum was set (a table already there: too late to choose).
    const path = join(dir, 'old.db');
    const raw = new BetterSqlite3(path);
    raw.exec('CREATE TABLE legacy (x INTEGER)');
    raw.close();
    const tooBig = openDatabase(path, { vacuumIntoIncrementalUpTo: 1024 });
    expect(tooBig.pragma('auto_vacuum', { simple: true })).toBe(0);
    tooBig.close();
    const small = openDatabase(path, { vacuumIntoIncrementalUpTo: 64 * 1024 * 1024 });
    expect(small.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(small.pragma('journal_mode', { simple: true })).toBe('wal');
    small.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(dir, 'atende.db');
    openStorage(path).close();
    const raw = new BetterSqlite3(path);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)").run();
    raw.close();
    expect(() => openDatabase(path)).toThrow(StorageError);
    expect(() => openDatabase(path)).toThrow(/version 999/);
  });

  it('applies only new migrations and rolls back a failing one', () => {
    const path = join(dir, 'atende.db');
    openDatabase(path).close();
    const next = MIGRATIONS.length + 1;
    const extra = [...MIGRATIONS, { version: next, name: 'notes', up: 'CREATE TABLE t2 (x INTEGER)' }];
    const db = openDatabase(path, { migrations: extra });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(extra.map((m) => m.version));
    db.close();
    const broken = [...extra, { version: next + 1, name: 'broken', up: 'CREATE TABLE t3 (x); CREATE TABLE t2 (x)' }];
    expect(() => openDatabase(path, { migrations: broken })).toThrow();
    const after = new BetterSqlite3(path);
    expect(after.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(next);
    expect(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 't3'").pluck().get()).toBe(0);
    after.close();
  });

  it('transaction rolls back everything when the function throws', () => {
    const s = openStorage(':memory:');
    expect(() => s.transaction(() => {
      s.events.append({ id: 'y1', at: at(0), type: 'call.abandoned', callId: 'c1' });
      s.records.recordAgentState('ana', 'available', null, at(0));
      throw new Error('boom');
    })).toThrow('boom');
    expect(s.events.count()).toBe(0);
    expect(s.records.agentStateHistory('ana')).toEqual([]);
    expect(s.transaction(() => s.events.append({ id: 'y1', at: at(0), type: 'call.abandoned', callId: 'c1' }))).toBe(true);
    s.close();
  });
});

describe('call detail records', () => {
  let s: Storage;
  beforeEach(() => { s = openStorage(':memory:'); });
  afterEach(() => s.close());

  it('stores every CallView field and reads it back in camelCase', () => {
    s.records.upsertCall(callView(), { toNumber: '+551130000000', twilioQueueSid: 'QU1' });
    expect(s.records.getCall('c1')).toMatchObject({
      callId: 'c1', status: 'queued', from: '+5511970000001', to: '+551130000000', arrivedAt: at(0),
      ivrPath: ['1', '2'], language: 'pt-BR', attributes: { vip: false, impact: 3 }, queue: 'suporte', tier: 2,
      tierRuleId: 'repeat', tierLabel: 'Rechamada em 24 h', tierReason: 'repeat', queuedAt: at(5),
      offeredAt: null, answeredAt: null, endedAt: null, outcome: null, agentId: null, level: 1, escalations: 0,
      missedBy: [], notes: [], surveyNps: null, surveyCsat: null, resolvedFirstContact: null, twilioQueueSid: 'QU1',
    });
    expect(s.records.getCall('nope')).toBeNull();
  });

  it('a later upsert without offeredAt/endedAt keeps the earlier values', () => {
    s.records.upsertCall(callView());
    s.records.upsertCall(callView({ status: 'offering', missedBy: ['ana'] }), { offeredAt: at(6), twilioQueueSid: 'QU1' });
    s.records.upsertCall(callView({ status: 'connected', agentId: 'bruno', answeredAt: at(10), missedBy: ['ana'] }));
    s.records.upsertCall(
      callView({ status: 'ended', agentId: 'bruno', answeredAt: at(10), missedBy: ['ana'], outcome: 'answered', notes: ['ok'] }),
      { endedAt: at(90) },
    );
    s.records.upsertCall(
      callView({ status: 'ended', agentId: 'bruno', answeredAt: at(10), missedBy: ['ana'], outcome: 'answered', notes: ['ok'] }),
      { surveyNps: 9, resolvedFirstContact: false },
    );
    expect(s.records.getCall('c1')).toMatchObject({
      status: 'ended', offeredAt: at(6), answeredAt: at(10), endedAt: at(90), agentId: 'bruno', outcome: 'answered',
      missedBy: ['ana'], notes: ['ok'], twilioQueueSid: 'QU1', surveyNps: 9, resolvedFirstContact: false,
    });
  });

  it('follows a call through the routing core', () => {
    const core = newCore();
    const decisions: Decision[] = [];
    const apply = (e: DomainEvent) => decisions.push(...core.apply(e).decisions);
    for (const e of [ev.agent(0, 'ana', 'available'), ev.agent(0, 'bruno', 'available'), ...callInto(1, 'c1', 'suporte')]) apply(e);
    const first = decisions.find((d) => d.type === 'offer');
    expect(first?.type).toBe('offer');
    const firstAgent = first!.type === 'offer' ? first!.agentId : '';
    s.records.upsertCall(core.call('c1')!, { offeredAt: at(1) });
    s.records.recordOffer('c1', firstAgent, at(1));
    decisions.length = 0;
    apply(ev.missed(20, 'c1'));
    s.records.recordOfferResult('c1', firstAgent, 'no-answer', at(20));
    const second = decisions.find((d) => d.type === 'offer');
    const secondAgent = second?.type === 'offer' ? second.agentId : '';
    expect(secondAgent).not.toBe('');
    expect(secondAgent).not.toBe(firstAgent);
    s.records.recordOffer('c1', secondAgent, at(20));
    s.records.upsertCall(core.call('c1')!, { offeredAt: at(20) });
    apply(ev.answered(25, 'c1'));
    s.records.recordOfferResult('c1', secondAgent, 'answered', at(25));
    s.records.upsertCall(core.call('c1')!);
    apply(ev.ended(100, 'c1'));
    s.records.upsertCall(core.call('c1')!, { endedAt: at(100) });

    const cdr = s.records.getCall('c1')!;
    expect(cdr).toMatchObject({
      status: 'ended', queue: 'suporte', outcome: 'answered', agentId: secondAgent, missedBy: [firstAgent],
      offeredAt: at(20), answeredAt: at(25), endedAt: at(100), ivrPath: ['1'], queuedAt: at(1),
    });
    expect(s.records.offersFor('c1')).toEqual([
      { agentId: firstAgent, offeredAt: at(1), result: 'no-answer', resultAt: at(20) },
      { agentId: secondAgent, offeredAt: at(20), result: 'answered', resultAt: at(25) },
    ]);
  });

  it('closes only the newest open offer of the call and agent', () => {
    s.records.recordOffer('c1', 'ana', at(1));
    expect(s.records.recordOfferResult('c1', 'ana', 'no-answer', at(16))).toBe(true);
    s.records.recordOffer('c1', 'ana', at(30));
    s.records.recordOffer('c2', 'ana', at(31));
    expect(s.records.recordOfferResult('c1', 'ana', 'answered', at(35))).toBe(true);
    expect(s.records.recordOfferResult('c1', 'ana', 'answered', at(36))).toBe(false);
    expect(s.records.recordOfferResult('c1', 'bruno', 'busy', at(36))).toBe(false);
    expect(s.records.offersFor('c1')).toEqual([
      { agentId: 'ana', offeredAt: at(1), result: 'no-answer', resultAt: at(16) },
      { agentId: 'ana', offeredAt: at(30), result: 'answered', resultAt: at(35) },
    ]);
    expect(s.records.offersFor('c2')).toEqual([{ agentId: 'ana', offeredAt: at(31), result: null, resultAt: null }]);
    expect(s.records.offersFor('none')).toEqual([]);
  });

  it('lists calls newest first, filtered by queue and arrival time', () => {
    const calls: [string, string, number][] = [
      ['c1', 'suporte', 0], ['c2', 'vendas', 10], ['c3', 'suporte', 20], ['c4', 'suporte', 30], ['c5', 'vendas', 40],
    ];
    for (const [id, queue, s0] of calls) s.records.upsertCall(callView({ id, queue, arrivedAt: at(s0), queuedAt: at(s0) }));
    const ids = (rows: { callId: string }[]) => rows.map((r) => r.callId);
    expect(ids(s.records.listCalls({}))).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(ids(s.records.listCalls({ queue: 'suporte' }))).toEqual(['c4', 'c3', 'c1']);
    expect(ids(s.records.listCalls({ from: at(10), to: at(30) }))).toEqual(['c3', 'c2']);
    expect(ids(s.records.listCalls({ queue: 'suporte', from: at(10) }))).toEqual(['c4', 'c3']);
    expect(ids(s.records.listCalls({ limit: 2 }))).toEqual(['c5', 'c4']);
    expect(ids(s.records.listCalls({ queue: 'financeiro' }))).toEqual([]);
  });

  it('keeps the agent state history in time order', () => {
    s.records.recordAgentState('ana', 'available', null, at(0));
    s.records.recordAgentState('bruno', 'available', null, at(1));
    s.records.recordAgentState('ana', 'ringing', null, at(5));
    s.records.recordAgentState('ana', 'on-call', null, at(8));
    s.records.recordAgentState('ana', 'away', 'lunch', at(8)); // same ms: insertion order breaks the tie
    s.records.recordAgentState('ana', 'available', null, at(3600));
    expect(s.records.agentStateHistory('ana')).toEqual([
      { status: 'available', reason: null, at: at(0) },
      { status: 'ringing', reason: null, at: at(5) },
      { status: 'on-call', reason: null, at: at(8) },
      { status: 'away', reason: 'lunch', at: at(8) },
      { status: 'available', reason: null, at: at(3600) },
    ]);
    expect(s.records.agentStateHistory('ana', { from: at(5), to: at(3600) }).map((r) => r.status)).toEqual(['ringing', 'on-call', 'away']);
    expect(s.records.agentStateHistory('bruno')).toHaveLength(1);
    expect(s.records.agentStateHistory('carla')).toEqual([]);
  });
});
