// What-if: a recorded day replayed through the same routing core with changes ("and if I
// had had two more agents in Suporte from 9 to 10?"). Pure (no I/O, no clock): the server
// (server/whatif) and the command line (sim/whatif.ts) hand it the log and the settings.
//
// 1. record.ts replays the log as the interval reports do and keeps the day's figures (the
//    "before"), the core as it stood when the day began, and each caller as a script.
// 2. The day's patience is estimated with Kaplan–Meier (routing/patience.ts): a caller who
//    hung up showed their patience, one answered showed only a lower bound.
// 3. replay.ts plays the scripts again from that core, with the changes: the "after".
// With no change the "after" is the "before", exactly.
import type { MetricsSettings } from '../metrics/types.ts';
import { PatienceEstimate } from '../patience.ts';
import type { DomainEvent, RoutingConfig } from '../types.ts';
import { checkChange, describeChange, type WhatIfChange } from './changes.ts';
import { recordDay } from './record.ts';
import { replayWithChanges } from './replay.ts';
import type { WhatIfSummary } from './types.ts';

export { CHANGE_SYNTAX, normalizeChange, parseChange, WhatIfChangeError, type WhatIfChange } from './changes.ts';
export type { ScopeFigures, ScopeSet, WhatIfSummary } from './types.ts';

export interface WhatIfInput {
  config: RoutingConfig;
  metrics: MetricsSettings;
  /** The whole event log, oldest first (an async iterable: a store's log, read page by page). */
  events: Iterable<DomainEvent> | AsyncIterable<DomainEvent>;
  /** From the day's daily reset to the next (or to now, for today). */
  dayStart: number;
  endAt: number;
  changes: WhatIfChange[];
  /** Seeds the patience drawn for callers who did not hang up (default 1). */
  seed?: number;
  /** Local "HH:MM" on that day → epoch ms. */
  timeOf(hhmm: string): number;
  /** 0 … 1 over both passes. */
  onProgress?(fraction: number): void;
  /**
   * Awaited every BREATHE_EVERY events of either pass: a server hands the event loop back
   * (setImmediate) so that a what-if over a long log does not hold its webhooks and screens.
   * Routing never waits on a clock itself; the results are the same with or without it.
   */
  breathe?(): Promise<void>;
}

/** What the replay cannot know, said with every result. */
export const LIMITS: readonly string[] = [
  'Arrivals are the recorded ones: callers who would have called back, or given up calling, are not modelled.',
  'Talk, hold and wrap-up times are each caller\'s recorded ones; a caller answered only in the what-if gets a talk time drawn from the day\'s calls of the same queue.',
  'The k-th offer to a caller rings as long and ends as the recorded k-th offer did, whichever agent gets it; an offer the day never made is answered after the day\'s median ring time.',
  'Patience: a caller who hung up keeps the wait they hung up at; one answered (or still waiting) draws from the day\'s Kaplan–Meier estimate, above the wait they showed (seeded).',
  'Agents log in, pause and leave at their recorded times, whatever the new load; added agents never miss an offer.',
  'Calls already under way when the day began replay their recorded events as they were.',
];

export async function whatIf(input: WhatIfInput): Promise<WhatIfSummary> {
  input.changes.forEach((c, i) => checkChange(c, input.config, `changes[${i}]`));
  const seed = (input.seed ?? 1) >>> 0;
  const progress = (offset: number) => (f: number) => input.onProgress?.(offset + f / 2);
  const day = await recordDay({
    config: input.config, metrics: input.metrics, events: input.events, dayStart: input.dayStart, endAt: input.endAt, onProgress: progress(0), breathe: input.breathe,
  });
  const patience = new PatienceEstimate(day.patience);
  const after = await replayWithChanges(day, {
    changes: input.changes, seed, intervalMs: input.metrics.intervalMinutes * 60_000, patience, timeOf: input.timeOf, onProgress: progress(0.5), breathe: input.breathe,
  });
  input.onProgress?.(1);
  const changes = input.changes.map(describeChange);
  if (after.agentsRemoved.length) changes.push(`agents taken away: ${after.agentsRemoved.join(', ')}`);
  return {
    dayStart: input.dayStart,
    endAt: input.endAt,
    intervalMinutes: input.metrics.intervalMinutes,
    changes,
    seed,
    intervals: day.before.intervals.map((b, i) => ({ start: b.start, end: b.end, complete: b.complete, before: b.figures, after: after.intervals[i]?.figures ?? b.figures })),
    day: { before: day.before.day, after: after.day },
    patience: patience.summary(),
    calls: { recorded: day.scripts.length, carriedOver: day.carried },
    refused: { before: day.before.refused, after: after.refused },
    limits: [...LIMITS],
  };
}
