// Snapshot bodies are written in parts, one short transaction each, so the main
// connection never waits long for the write lock; a snapshot becomes visible only
// once whole, and what a crash leaves half written is neither seen nor kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/storage/db.ts';
import { SNAPSHOT_PART_BYTES, SnapshotStore } from '../../../server/storage/history.ts';

const row = (seq: number, core: Buffer) => ({ seq, coreAt: seq * 1000, takenAt: 0, version: 1, encoding: 'json+gzip', core, extra: '{}' });

describe('snapshot store', () => {
  it('a body of 2.5 parts is stored in 3 parts and read back whole; only the newest `keep` stay, their parts with them', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'atende-snapstore-')), 'a.db'));
    const store = new SnapshotStore(db);
    const body = randomBytes(Math.floor(2.5 * SNAPSHOT_PART_BYTES));
    let partsWhenVisible = -1;
    const id = store.write(row(10, body), 2, () => {
      partsWhenVisible = db.prepare('SELECT COUNT(*) FROM snapshot_parts WHERE snapshot_id = (SELECT MAX(id) FROM snapshots)').pluck().get() as number;
    });
    expect(partsWhenVisible).toBe(3); // every part is in before the row turns visible
    expect(store.get(id)).toMatchObject({ seq: 10, encoding: 'json+gzip' });
    expect(Buffer.compare(store.get(id)!.core, body)).toBe(0);
    store.write(row(20, randomBytes(10)), 2);
    store.write(row(30, randomBytes(10)), 2);
    expect(store.list().map((s) => s.seq)).toEqual([30, 20]);
    expect(store.get(id)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) FROM snapshot_parts WHERE snapshot_id = ?').pluck().get(id)).toBe(0);
    // Inside a transaction of the caller's, it all lands in that one.
    const inside = db.transaction(() => store.write(row(40, randomBytes(10)), 2))();
    expect(store.list().map((s) => s.id)).toEqual([inside, store.list()[1].id]);
    db.close();
  });

  it('a snapshot a crash left pending is not seen, and goes at the next write', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'atende-snapstore-')), 'a.db'));
    const store = new SnapshotStore(db);
    store.write(row(10, randomBytes(100)), 3);
    // The crash: a pending row and one of its parts, never completed.
    const pending = Number(db.prepare("INSERT INTO snapshots (seq, core_at, taken_at, version, encoding, core, extra) VALUES (50, 0, 0, 1, 'pending', x'', '{}')").run().lastInsertRowid);
    db.prepare('INSERT INTO snapshot_parts (snapshot_id, part, data) VALUES (?, 0, ?)').run(pending, randomBytes(100));
    expect(store.list().map((s) => s.seq)).toEqual([10]);
    expect(store.latestSeq()).toBe(10);
    expect(store.get(pending)).toBeNull();
    store.write(row(20, randomBytes(100)), 3);
    expect(db.prepare('SELECT COUNT(*) FROM snapshots WHERE id = ?').pluck().get(pending)).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM snapshot_parts WHERE snapshot_id = ?').pluck().get(pending)).toBe(0);
    expect(store.list().map((s) => s.seq)).toEqual([20, 10]);
    db.close();
  });
});
