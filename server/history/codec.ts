// A snapshot row's body: the core's snapshot as JSON, gzip'd (a core snapshot is tables
// of ids and numbers: it shrinks several times, for a few ms of a worker's time), and
// beside it, as plain JSON, what the history worker and the start need besides the core.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RoutingCore } from '../../routing/core.ts';
import { SNAPSHOT_VERSION } from '../../routing/snapshot.ts';
import type { SnapshotRow } from '../storage/history.ts';
import type { TrackerState } from './tracker.ts';

export interface SnapshotExtra extends TrackerState {
  /** Hash of the settings file's routing and metrics settings the snapshot was taken under. */
  settingsHash: string;
}

/** A snapshot row that cannot be read (bad gzip, bad JSON): the start tries the one before. */
export class SnapshotDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotDecodeError';
  }
}

export interface EncodedSnapshot extends Omit<SnapshotRow, 'id'> {
  /** Size of the JSON before compression. */
  jsonBytes: number;
}

export function encodeSnapshot(core: RoutingCore, seq: number, extra: SnapshotExtra, takenAt: number): EncodedSnapshot {
  const json = JSON.stringify(core.snapshot());
  return {
    seq, coreAt: core.now, takenAt, version: SNAPSHOT_VERSION, encoding: 'json+gzip',
    core: gzipSync(json, { level: 1 }), extra: JSON.stringify(extra), jsonBytes: Buffer.byteLength(json),
  };
}

/** The parsed core snapshot (for RoutingCore.fromSnapshot) and its extra. */
export function decodeSnapshot(row: SnapshotRow): { core: unknown; extra: SnapshotExtra } {
  let text: string;
  try {
    text = row.encoding === 'json+gzip' ? gunzipSync(row.core).toString('utf8') : Buffer.from(row.core).toString('utf8');
  } catch (err) {
    throw new SnapshotDecodeError(`snapshot ${row.id} (seq ${row.seq}): cannot be inflated: ${(err as Error).message}`, { cause: err });
  }
  try {
    const extra = JSON.parse(row.extra) as SnapshotExtra;
    if (!extra || !Array.isArray(extra.patches) || typeof extra.agents !== 'object') throw new Error('extra lacks patches or agents');
    return { core: JSON.parse(text), extra };
  } catch (err) {
    throw new SnapshotDecodeError(`snapshot ${row.id} (seq ${row.seq}): not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
