// Where a start begins: the newest snapshot that reads, else the whole log (archives
// included). A snapshot written by another version of the code (SnapshotError), or one
// that does not inflate or parse, is skipped with a warning and the one before it tried.
// So is one taken under a settings file whose structure differs from today's (other
// queues, tier count, strategy, levels, repeat memory): a full replay builds the core
// from today's file, and a snapshot cannot become that core.
import { createHash } from 'node:crypto';
import { RoutingCore } from '../../routing/core.ts';
import { RoutingError } from '../../routing/errors.ts';
import { SnapshotError } from '../../routing/snapshot.ts';
import type { DomainEvent } from '../../routing/types.ts';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import type { Store } from '../storage/store.ts';
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
export async function loadSnapshot(store: Store, id: number, settings: Settings): Promise<{ core: RoutingCore; seq: number; extra: SnapshotExtra }> {
  const row = await store.snapshots.get(id);
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
export async function fullReplayStart(store: Store, now: number): Promise<number> {
  const first = (await store.events.bounds()).firstAt;
  return Math.min(first ?? now, now);
}

export async function startPoint(store: Store, settings: Settings, now: number, warn: (msg: string) => void): Promise<StartPoint> {
  for (const { id } of await store.snapshots.list()) {
    try {
      const s = await loadSnapshot(store, id, settings);
      return { core: s.core, afterSeq: s.seq, snapshot: { id, seq: s.seq, extra: s.extra }, origin: { snapshotId: id } };
    } catch (err) {
      if (!(err instanceof SnapshotError) && !(err instanceof SnapshotDecodeError)) throw err;
      warn(`${err.message}; trying an older one`);
    }
  }
  const startAt = await fullReplayStart(store, now);
  return { core: freshCore(settings, startAt), afterSeq: 0, snapshot: null, origin: { startAt } };
}

/** Applies logged events to a core as a start does: one refused, or one that makes the core throw (an older bug), is counted, never fatal. */
export function applyLogged(core: RoutingCore, events: Iterable<{ event: DomainEvent }>, onEvent?: (e: DomainEvent) => void): { applied: number; refused: number } {
  let applied = 0, refused = 0;
  for (const { event } of events) {
    try {
      core.apply(event);
      applied++;
    } catch (err) {
      refused++;
      // A bug's exception: skipped. A refusal: still seen, as Engine.replay does.
      if (!(err instanceof RoutingError)) continue;
    }
    onEvent?.(event);
  }
  return { applied, refused };
}

/** Feeds the log after `afterSeq` to the core, page by page, up to its end now; gives the counts and the last seq fed. */
export async function catchUpFromLog(
  store: Store, core: RoutingCore, afterSeq: number, onEvent?: (e: DomainEvent) => void, pageSize = 2000,
): Promise<{ applied: number; refused: number; lastSeq: number }> {
  let applied = 0, refused = 0, lastSeq = afterSeq;
  for (;;) {
    const page = await store.events.after(lastSeq, pageSize);
    if (!page.length) return { applied, refused, lastSeq };
    const n = applyLogged(core, page, onEvent);
    applied += n.applied;
    refused += n.refused;
    lastSeq = page[page.length - 1].seq;
  }
}
