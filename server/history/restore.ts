// Where a start begins: the newest snapshot that reads, else the whole log (archives
// included). A snapshot written by another version of the code (SnapshotError), or one
// that does not inflate or parse, is skipped with a warning and the one before it tried.
// So is one taken under a settings file whose structure differs from today's (other
// queues, tier count, strategy, levels, repeat memory): a full replay builds the core
// from today's file, and a snapshot cannot become that core.
import { createHash } from 'node:crypto';
import { RoutingCore } from '../../routing/core.ts';
import { SnapshotError } from '../../routing/snapshot.ts';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { logBounds } from '../storage/archive.ts';
import type { Database } from '../storage/db.ts';
import { SnapshotStore } from '../storage/history.ts';
import { decodeSnapshot, SnapshotDecodeError, type SnapshotExtra } from './codec.ts';
import type { HistoryOrigin } from './processor.ts';

export interface StartPoint {
  core: RoutingCore;
  /** The log after this seq is still to be applied (0: all of it, archives first). */
  afterSeq: number;
  /** The snapshot started from, or null for a full replay. */
  snapshot: { id: number; seq: number; extra: SnapshotExtra } | null;
  /** The same start for the history worker. */
  origin: HistoryOrigin;
}

/** Hash of what the core takes from the settings file: a snapshot taken under another one needs settling. */
export function settingsHash(settings: Settings): string {
  return createHash('sha256').update(JSON.stringify([toRoutingConfig(settings), toMetricsSettings(settings)])).digest('hex');
}

/** Why the snapshot's core cannot stand for a replay under this settings file, or null when it can. */
function structureMismatch(core: RoutingCore, settings: Settings): string | null {
  const file = toRoutingConfig(settings);
  const live = core.routingConfig();
  const ids = (qs: { id: string }[]) => qs.map((q) => q.id).join(',');
  if (ids(core.queueConfigs()) !== ids(file.queues)) return `queues [${ids(core.queueConfigs())}] are now [${ids(file.queues)}]`;
  for (const k of ['tiers', 'strategy', 'maxLevel', 'repeatMemoryHours'] as const) {
    if (live[k] !== file[k]) return `${k} was ${String(live[k])}, the settings file says ${String(file[k])}`;
  }
  return null;
}

/** Reads one stored snapshot; throws SnapshotError / SnapshotDecodeError when it cannot be used. */
export function loadSnapshot(db: Database, id: number, settings: Settings): { core: RoutingCore; seq: number; extra: SnapshotExtra } {
  const row = new SnapshotStore(db).get(id);
  if (!row) throw new SnapshotDecodeError(`snapshot ${id} is gone`);
  const { core: body, extra } = decodeSnapshot(row);
  const core = RoutingCore.fromSnapshot(body);
  const mismatch = structureMismatch(core, settings);
  if (mismatch) throw new SnapshotError(`snapshot ${id} (seq ${row.seq}) was taken under other settings: ${mismatch}`);
  return { core, seq: row.seq, extra };
}

/** A core as the settings file builds it, at the time a full replay starts from. */
export function freshCore(settings: Settings, startAt: number): RoutingCore {
  return new RoutingCore(toRoutingConfig(settings), toMetricsSettings(settings), startAt);
}

/** The start time of a full replay: the log's first event, or now for an empty log (never later than now). */
export function fullReplayStart(db: Database, now: number): number {
  const first = logBounds(db).firstAt;
  return Math.min(first ?? now, now);
}

export function startPoint(db: Database, settings: Settings, now: number, warn: (msg: string) => void): StartPoint {
  for (const { id } of new SnapshotStore(db).list()) {
    try {
      const s = loadSnapshot(db, id, settings);
      return { core: s.core, afterSeq: s.seq, snapshot: { id, seq: s.seq, extra: s.extra }, origin: { snapshotId: id } };
    } catch (err) {
      if (!(err instanceof SnapshotError) && !(err instanceof SnapshotDecodeError)) throw err;
      warn(`${err.message}; trying an older one`);
    }
  }
  const startAt = fullReplayStart(db, now);
  return { core: freshCore(settings, startAt), afterSeq: 0, snapshot: null, origin: { startAt } };
}
