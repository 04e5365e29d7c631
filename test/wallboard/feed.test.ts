import { describe, expect, it } from 'vitest';
import { Feed, parseMessage, TICKET_PATH, type FeedDeps, type FeedMessage, type FeedStatus, type SocketLike, type TicketResponse } from '../../wallboard/src/feed.ts';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({});
  }
  send(obj: unknown): void {
    this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
  }
  drop(): void {
    this.onerror?.({});
    this.onclose?.({});
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

function harness(opts: { token?: string | null; protocol?: string; ticketStatus?: () => number } = {}) {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const sockets: FakeSocket[] = [];
  const tickets: { url: string; auth: string; method: string }[] = [];
  const statuses: FeedStatus[] = [];
  const messages: FeedMessage[] = [];
  let ticketNo = 0;
  const deps: FeedDeps = {
    location: { protocol: opts.protocol ?? 'http:', host: 'board.local:3000' },
    token: opts.token === undefined ? 'TOKEN-1' : opts.token,
    fetchTicket: async (url, init): Promise<TicketResponse> => {
      tickets.push({ url, auth: init.headers.Authorization, method: init.method });
      const status = opts.ticketStatus?.() ?? 200;
      ticketNo++;
      const n = ticketNo;
      return { ok: status >= 200 && status < 300, status, json: async () => ({ ticket: `t${n}` }) };
    },
    openSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    now: () => now,
    random: () => 0.5,
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
  };
  const feed = new Feed(deps);
  /** Advance the fake clock, firing due timers in order. */
  const advance = async (ms: number): Promise<void> => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      now = t.at;
      t.fn();
      await flush();
    }
    now = end;
  };
  return { feed, sockets, tickets, statuses, messages, advance, last: () => sockets[sockets.length - 1] };
}

const SNAPSHOT = {
  type: 'snapshot', serverTime: 1, demo: false, centerName: 'C', tiers: 3,
  serviceLevel: { thresholdSeconds: 20, target: 0.8, formula: 'offered', shortAbandonSeconds: 0, windowMinutes: 30 },
  colours: {}, center: {}, queues: [], agents: [], waitingCalls: [], recentAbandons: [],
};
const HISTORY = { type: 'history', intervals: [], series: { at: [], serviceLevel: [], waiting: [] } };

describe('feed: ticket then socket', () => {
  it('exchanges the token for a ticket (POST, Bearer) and opens the socket with it', async () => {
    const h = harness();
    h.feed.start();
    await flush();
    expect(h.tickets).toEqual([{ url: TICKET_PATH, auth: 'Bearer TOKEN-1', method: 'POST' }]);
    expect(TICKET_PATH).toBe('/api/wallboard/ticket');
    expect(h.last().url).toBe('ws://board.local:3000/ws/wallboard?ticket=t1');
    h.last().open();
    expect(h.statuses.map((s) => s.kind)).toEqual(['connecting', 'open']);
  });

  it('without a token opens /ws/wallboard directly; wss on https pages', async () => {
    const h = harness({ token: null, protocol: 'https:' });
    h.feed.start();
    await flush();
    expect(h.tickets).toEqual([]);
    expect(h.last().url).toBe('wss://board.local:3000/ws/wallboard');
  });

  it.each([401, 403])('ticket answered %i → access denied, no socket, slow retry', async (code) => {
    const h = harness({ ticketStatus: () => code });
    h.feed.start();
    await flush();
    expect(h.sockets).toHaveLength(0);
    expect(h.statuses.at(-1)).toMatchObject({ kind: 'denied', httpStatus: code });
    await h.advance(59_000);
    expect(h.tickets).toHaveLength(1);
    await h.advance(1_000);
    expect(h.tickets).toHaveLength(2);
  });

  it('a 500 on the ticket is not "denied": it retries with backoff', async () => {
    let status = 500;
    const h = harness({ ticketStatus: () => status });
    h.feed.start();
    await flush();
    expect(h.statuses.at(-1)?.kind).toBe('closed');
    status = 200;
    await h.advance(500);
    expect(h.sockets).toHaveLength(1);
  });
});

describe('feed: messages', () => {
  it('delivers snapshots and history, ignores unknown types and garbage', async () => {
    const h = harness();
    h.feed.start();
    await flush();
    const s = h.last();
    s.open();
    s.send(SNAPSHOT);
    s.send({ type: 'hello', x: 1 });
    s.send('not json {');
    s.send({ type: 'snapshot' }); // malformed snapshot
    s.send(HISTORY);
    expect(h.messages.map((m) => m.type)).toEqual(['snapshot', 'history']);
  });

  it('parseMessage fills missing lists so one absent field cannot blank the board', () => {
    const { queues: _q, agents: _a, ...partial } = SNAPSHOT;
    const m = parseMessage(JSON.stringify(partial));
    expect(m?.type).toBe('snapshot');
    if (m?.type === 'snapshot') {
      expect(m.snapshot.queues).toEqual([]);
      expect(m.snapshot.agents).toEqual([]);
    }
    expect(parseMessage(JSON.stringify({ type: 'history' }))).toMatchObject({
      type: 'history', history: { intervals: [], series: { at: [], serviceLevel: [], waiting: [] } },
    });
    expect(parseMessage(new ArrayBuffer(2))).toBeNull();
    expect(parseMessage('[1,2]')).toBeNull();
  });
});

describe('feed: reconnects', () => {
  it('reconnects after a drop with a new ticket each time, backing off 0.5 s, 1 s, 2 s…', async () => {
    const h = harness();
    h.feed.start();
    await flush();
    h.last().drop();
    expect(h.statuses.at(-1)).toMatchObject({ kind: 'closed', retryAt: 1_000_000 + 500 });
    await h.advance(499);
    expect(h.tickets).toHaveLength(1);
    await h.advance(1);
    expect(h.tickets).toHaveLength(2);
    expect(h.last().url).toContain('ticket=t2');
    h.last().drop();
    await h.advance(999);
    expect(h.tickets).toHaveLength(2);
    await h.advance(1);
    expect(h.tickets).toHaveLength(3);
    expect(h.last().url).toContain('ticket=t3');
    expect(h.sockets.slice(0, -1).every((s) => s.closed)).toBe(true);
  });

  it('backoff resets only once a socket actually delivers a message', async () => {
    const h = harness({ token: null });
    h.feed.start();
    await flush();
    h.last().open();
    h.last().drop(); // open then dropped, no message: keep backing off
    await h.advance(500);
    h.last().open();
    h.last().drop();
    expect(h.statuses.at(-1)).toMatchObject({ kind: 'closed' });
    const second = h.statuses.at(-1) as { retryAt: number };
    await h.advance(1000);
    h.last().open();
    h.last().send(SNAPSHOT); // healthy
    h.last().drop();
    const third = h.statuses.at(-1) as { retryAt: number };
    expect(second.retryAt - (1_000_000 + 500)).toBe(1000);
    expect(third.retryAt - (1_000_000 + 1500)).toBe(500);
  });

  it('error and close of the same socket schedule a single reconnect', async () => {
    const h = harness({ token: null });
    h.feed.start();
    await flush();
    h.last().drop(); // fires onerror and onclose
    await h.advance(15_000);
    expect(h.sockets).toHaveLength(2);
  });

  it('a silent socket (half-open TCP) is replaced after 15 s without messages', async () => {
    const h = harness({ token: null });
    h.feed.start();
    await flush();
    h.last().open();
    h.last().send(SNAPSHOT);
    await h.advance(14_000);
    h.last().send(SNAPSHOT); // keeps it alive
    await h.advance(14_999);
    expect(h.sockets).toHaveLength(1);
    await h.advance(1);
    expect(h.sockets[0].closed).toBe(true);
    await h.advance(500);
    expect(h.sockets).toHaveLength(2);
  });

  it('messages from a replaced socket are ignored; stop() ends everything', async () => {
    const h = harness({ token: null });
    h.feed.start();
    await flush();
    const old = h.last();
    const oldOnMessage = old.onmessage;
    old.drop();
    await h.advance(500);
    oldOnMessage?.({ data: JSON.stringify(SNAPSHOT) });
    expect(h.messages).toHaveLength(0);
    h.feed.stop();
    await h.advance(60_000);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().closed).toBe(true);
  });
});
