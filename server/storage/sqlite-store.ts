// The Store (store.ts) over the SQLite file: the embedded default. Every method runs
// synchronously on the one connection and answers with a settled promise; the log's
// append is also offered synchronously (appendSync) for Engine.dispatch and the
// virtual-time simulator. A batch is one transaction: one WAL commit for all of it.
import type { Storage } from './index.ts';
import { lastAtInArchives, readLog, logBounds } from './archive.ts';
import { AuditLog } from './audit.ts';
import { CallRecords } from './cdr.ts';
import type { Database } from './db.ts';
import { EventLog, type LoggedEvent } from './event-log.ts';
import { IntervalStore, SnapshotStore } from './history.ts';
import { ProtocolStore } from './protocols.ts';
import type { LogAppend, RecordOp, Store } from './store.ts';

/**
 * Reads the log by seq, archived days first. A cursor is kept between calls, so
 * tailing or replaying page by page reads each archive file once, not once a page.
 */
/** What the SQLite store is made of: the server's Storage facade, or a bare connection (the history worker's). */
type SqliteParts = Pick<Storage, 'db' | 'archiveDir' | 'events' | 'records' | 'audit' | 'transaction' | 'checkWritable' | 'close'>;

/** A store on a connection opened elsewhere (a worker thread's own); closing it closes the connection. */
export function storeOfDatabase(db: Database, archiveDir: string | null): Store {
  return sqliteStore({
    db, archiveDir, events: new EventLog(db), records: new CallRecords(db), audit: new AuditLog(db),
    transaction: (fn) => db.transaction(fn)(),
    checkWritable: () => { db.prepare('INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at').run(Date.now()); },
    close: () => { if (db.open) db.close(); },
  });
}

/** Readers paging through the archives at once (a start, a what-if, a "por que esperou?") keep a cursor each. */
const CURSORS = 4;

function logReader(storage: SqliteParts): (afterSeq: number, limit: number) => LoggedEvent[] {
  // By the seq the next page starts after; the oldest goes when a fifth reader comes.
  const cursors = new Map<number, Iterator<LoggedEvent>>();
  const archivedUpTo = storage.db.prepare('SELECT COALESCE(MAX(last_seq), 0) FROM archives').pluck();
  return (afterSeq, limit) => {
    // Past every archive (the usual case: tailing the hot table): one indexed read.
    if (afterSeq >= (archivedUpTo.get() as number)) {
      cursors.delete(afterSeq);
      return storage.events.after(afterSeq, limit);
    }
    let it = cursors.get(afterSeq);
    cursors.delete(afterSeq);
    it ??= readLog(storage.db, storage.archiveDir, { afterSeq });
    const out: LoggedEvent[] = [];
    let done = false;
    while (out.length < limit) {
      const next = it.next();
      if (next.done) { done = true; break; }
      out.push(next.value);
    }
    if (!done && out.length) {
      cursors.set(out[out.length - 1].seq, it);
      if (cursors.size > CURSORS) cursors.delete(cursors.keys().next().value!);
    }
    return out;
  };
}

export function sqliteStore(storage: SqliteParts): Store {
  const { db } = storage;
  const snapshots = new SnapshotStore(db);
  const intervals = new IntervalStore(db);
  let protocols: ProtocolStore | null = null;
  const protocolStore = () => (protocols ??= new ProtocolStore(db));
  const after = logReader(storage);
  const lastAtStmt = db.prepare('SELECT MAX(at) FROM events WHERE call_id = ?').pluck();
  const appendSync = (batch: readonly LogAppend[]): boolean[] =>
    storage.transaction(() => batch.map((a) => storage.events.append(a.event, a.source ?? undefined)));
  const removeSync = (ids: readonly string[]): void => {
    storage.transaction(() => { for (const id of ids) storage.events.remove(id); });
  };
  const writeRecords = (ops: readonly RecordOp[]): void => {
    const r = storage.records;
    storage.transaction(() => {
      for (const op of ops) {
        switch (op.kind) {
          case 'call': r.upsertCall(op.view, op.extra); break;
          case 'offer': r.recordOffer(op.callId, op.agentId, op.at); break;
          case 'offer-result': r.recordOfferResult(op.callId, op.agentId, op.result, op.at); break;
          case 'agent-state': r.recordAgentState(op.agentId, op.status, op.reason, op.at); break;
        }
      }
    });
  };
  // Settled promises whether the call succeeds or throws, as an asynchronous store would.
  const later = <T>(fn: () => T): Promise<T> => {
    try { return Promise.resolve(fn()); } catch (err) { return Promise.reject(err); }
  };
  return {
    kind: 'sqlite',
    where: db.name,
    events: {
      append: (batch) => later(() => appendSync(batch)),
      appendSync,
      remove: (ids) => later(() => removeSync(ids)),
      removeSync,
      has: (id) => later(() => storage.events.has(id)),
      after: (afterSeq, limit) => later(() => after(afterSeq, limit)),
      lastSeq: () => later(() => storage.events.lastSeq()),
      bounds: () => later(() => { const b = logBounds(db); return { events: b.events, firstAt: b.firstAt, lastAt: b.lastAt }; }),
      // The hot table first (indexed); a call it does not hold may be in the archived days.
      lastAtOf: (callId) => later(() => (lastAtStmt.get(callId) as number | null) ?? lastAtInArchives(storage.archiveDir, callId)),
    },
    snapshots: {
      // The body goes in parts, one short transaction each (server/storage/history.ts): webhooks
      // never wait long for the write lock. The intervals go in with the last part, which makes
      // the snapshot visible with its seq.
      write: (row, { keep, intervals: rows }) => later(() => snapshots.write(row, keep, () => {
        if (rows?.length) intervals.write([...rows]);
      })),
      list: () => later(() => snapshots.list()),
      get: (id) => later(() => snapshots.get(id)),
      latestSeq: () => later(() => snapshots.latestSeq()),
    },
    intervals: {
      write: (rows) => later(() => intervals.write([...rows])),
      range: (scope, id, from, to) => later(() => intervals.range(scope, id, from, to)),
    },
    records: {
      write: (ops) => later(() => writeRecords(ops)),
      getCall: (id) => later(() => storage.records.getCall(id)),
      listCalls: (opts) => later(() => storage.records.listCalls(opts)),
      offersFor: (id) => later(() => storage.records.offersFor(id)),
      agentStateHistory: (id, opts) => later(() => storage.records.agentStateHistory(id, opts)),
    },
    audit: {
      record: (e) => later(() => storage.audit.record(e)),
      recent: (limit) => later(() => storage.audit.recent(limit)),
    },
    protocols: {
      allocate: (callId, period, at, render) => later(() => protocolStore().allocate(callId, period, at, render)),
      protocolOf: (callId) => later(() => protocolStore().protocolOf(callId)),
      callOf: (protocol) => later(() => protocolStore().callOf(protocol)),
    },
    checkWritable: () => later(() => storage.checkWritable()),
    close: () => later(() => storage.close()),
  };
}
