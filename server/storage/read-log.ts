// The whole log as one stream, oldest first, on either store: page by page through
// `EventLogStore.after` (SQLite: the archived days, then the hot table; PostgreSQL: the
// table). What reads the log from its start on a request (the what-if, "por que
// esperou?") reads it here, so it sees archived days and works on PostgreSQL alike.
import type { DomainEvent } from '../../routing/types.ts';
import type { EventLogStore } from './store.ts';

export const LOG_PAGE = 2000;

/**
 * Events with seq > afterSeq, oldest first; a page is read only when the one before is used up.
 * Between pages it gives way to the event loop (SQLite answers at once, so without it a replay
 * of a long log would hold every webhook until it ends; with it they wait one page at most,
 * a few tenths of a second).
 */
export async function* logEvents(events: Pick<EventLogStore, 'after'>, { afterSeq = 0, page = LOG_PAGE }: { afterSeq?: number; page?: number } = {}): AsyncGenerator<DomainEvent> {
  let last = afterSeq;
  for (;;) {
    if (last !== afterSeq) await new Promise<void>((resolve) => setImmediate(resolve));
    const batch = await events.after(last, page);
    if (!batch.length) return;
    for (const e of batch) yield e.event;
    last = batch[batch.length - 1].seq;
  }
}
