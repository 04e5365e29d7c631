// The base intervals of a report from the stored rows (server/history writes one per
// scope as each interval closes), plus the interval still open, which the history
// worker computes on request. An interval with no stored row had nothing in it: zero
// counters (for an agent: offline the whole interval). Cost: one indexed range read,
// O(intervals in the range), whatever the age of the log.
import type { ScopeTerms } from '../../routing/metrics/index.ts';
import { emptyAgentCounters, figuresOf, SCOPE_COUNTERS, type AgentCounters, type ScopeCounters } from '../history/counters.ts';
import type { OpenInterval } from '../history/link.ts';
import type { IntervalRows, IntervalScope } from '../storage/store.ts';
import type { CapturedInterval } from './intervals.ts';

export interface StoredRange {
  /** The scope's stored rows the range needs, oldest first (readStored). */
  stored: { start: number; end: number; data: string }[];
  scope: IntervalScope;
  /** '' for the center. */
  id: string;
  /** Epoch ms; the intervals overlapping [from, to) that have begun by `now` are listed. */
  from: number;
  to: number;
  now: number;
  /** Base interval length (the settings in force). */
  intervalMs: number;
  open: OpenInterval;
}

interface Span<T> { start: number; end: number; complete: boolean; value: T }

type RangeKey = Pick<StoredRange, 'scope' | 'id' | 'from' | 'to' | 'now' | 'intervalMs'>;

/** The range on the interval grid: [firstStart, lastEnd), or null when empty. */
function grid(r: RangeKey): { firstStart: number; lastEnd: number } | null {
  const size = r.intervalMs;
  const lastEnd = r.to <= r.now ? Math.ceil(r.to / size) * size : (Math.floor(r.now / size) + 1) * size;
  const firstStart = Math.floor(r.from / size) * size;
  if (!(r.to > r.from) || firstStart >= lastEnd) return null;
  return { firstStart, lastEnd };
}

/** The stored rows a range needs: one indexed range read of the store. */
export async function readStored(store: IntervalRows, r: RangeKey): Promise<StoredRange['stored']> {
  const g = grid(r);
  return g ? store.range(r.scope, r.id, g.firstStart, g.lastEnd) : [];
}

/** Stored, open or empty intervals covering the range, oldest first. */
function spans<T>(r: StoredRange, parse: (data: string) => T, openValue: () => T | undefined, empty: (elapsedMs: number) => T): Span<T>[] {
  const size = r.intervalMs;
  const g = grid(r);
  if (!g) return [];
  const { firstStart, lastEnd } = g;
  const stored = r.stored;
  const open = r.open.start < lastEnd && r.open.end > firstStart ? r.open : null;
  const out: Span<T>[] = [];
  let i = 0;
  for (let t = firstStart; t < lastEnd;) {
    while (i < stored.length && stored[i].end <= t) i++;
    const row = stored[i];
    if (row && row.start <= t) {
      out.push({ start: row.start, end: row.end, complete: row.end <= r.now, value: parse(row.data) });
      t = row.end;
    } else if (open && open.start <= t && t < open.end) {
      out.push({ start: open.start, end: open.end, complete: false, value: openValue() ?? empty(Math.min(r.now, open.end) - open.start) });
      t = open.end;
    } else {
      // Nothing stored: an empty interval on the grid, up to whatever comes next.
      const next = Math.min(Math.floor(t / size) * size + size, row?.start ?? Infinity, open && open.start > t ? open.start : Infinity);
      out.push({ start: t, end: next, complete: next <= r.now, value: empty(next - t) });
      t = next;
    }
  }
  return out;
}

/** Center, queue or tier intervals with their figures under today's terms. */
export function storedIntervals(r: StoredRange, terms: ScopeTerms): CapturedInterval[] {
  const zero: ScopeCounters = new Array<number>(SCOPE_COUNTERS).fill(0);
  const open = () => r.open.scopes.find((s) => s.scope === r.scope && s.id === r.id)?.counters;
  return spans<ScopeCounters>(r, (d) => JSON.parse(d) as ScopeCounters, open, () => zero)
    .map((s) => ({ start: s.start, end: s.end, complete: s.complete, figures: figuresOf(s.value, terms) }));
}

export interface AgentInterval { start: number; end: number; complete: boolean; counters: AgentCounters }

/** One agent's intervals; an interval without a row is offline from start to end. */
export function storedAgentIntervals(r: StoredRange): AgentInterval[] {
  const offline = (ms: number): AgentCounters => ({ ...emptyAgentCounters(), stateMs: { offline: ms } });
  const open = () => r.open.agents.find((a) => a.id === r.id)?.counters;
  return spans<AgentCounters>(r, (d) => JSON.parse(d) as AgentCounters, open, offline)
    .map((s) => ({ start: s.start, end: s.end, complete: s.complete, counters: s.value }));
}
