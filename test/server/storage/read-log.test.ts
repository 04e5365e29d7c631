// The log as one stream on either store (server/storage/read-log.ts): every event once,
// in seq order, page by page; and the event loop gets a turn between pages, so a replay
// of a long log on SQLite (which answers at once) does not hold the webhooks until it ends.
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../routing/types.ts';
import { logEvents } from '../../../server/storage/read-log.ts';
import type { LoggedEvent } from '../../../server/storage/store.ts';

const log: LoggedEvent[] = Array.from({ length: 7 }, (_, i) => ({ seq: 10 + i * 3, event: { type: 'agent.state', id: `e${i}`, at: i, agentId: 'ana', state: 'available' } as DomainEvent }));

function store(onRead: (afterSeq: number) => void) {
  return {
    after: async (afterSeq: number, limit: number) => {
      onRead(afterSeq);
      return log.filter((e) => e.seq > afterSeq).slice(0, limit);
    },
  };
}

describe('logEvents', () => {
  it('reads every event once, in order, a page at a time, from where it is told', async () => {
    const reads: number[] = [];
    const ids: string[] = [];
    for await (const e of logEvents(store((s) => reads.push(s)), { page: 3 })) ids.push(e.id);
    expect(ids).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(reads).toEqual([0, 16, 25, 28]);
    const rest: string[] = [];
    for await (const e of logEvents(store(() => {}), { afterSeq: 22, page: 2 })) rest.push(e.id);
    expect(rest).toEqual(['e5', 'e6']);
  });

  it('gives the event loop a turn before each next page (a webhook waits one page at most)', async () => {
    const turns: string[] = [];
    let pending = 0;
    const s = store((afterSeq) => { turns.push(`read after ${afterSeq} (${pending} waiting)`); });
    const tick = () => { pending++; setImmediate(() => { pending--; }); };
    tick();
    for await (const e of logEvents(s, { page: 4 })) { if (e.id === 'e3') tick(); }
    // The first page is read at once; before the second, the macrotask queued meanwhile has run.
    expect(turns).toEqual(['read after 0 (1 waiting)', 'read after 19 (0 waiting)', 'read after 28 (0 waiting)']);
  });
});
