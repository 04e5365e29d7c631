// The fan-out (WallboardHub, and the topics the agent consoles use): one
// serialisation per update, slow clients skipped then caught up with the newest
// frame, stuck clients closed, silent clients dropped.
// Fake sockets (with fake timers, so the real 1 MiB / 30 s / 15 s limits are
// exercised without waiting) and real `ws` sockets over loopback.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { DomainEvent } from '../../routing/types.ts';
import { Fanout, type FanoutOptions } from '../../server/fanout.ts';
import { WallboardHub, type HubOptions } from '../../server/hub.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

const MiB = 1024 * 1024;

/** What the hub uses of a `ws` socket, with knobs for the tests. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  /** Answers pings (a live peer) or not (a dead one). */
  answersPings = true;
  sent: string[] = [];
  pings = 0;
  terminated = false;
  closedWith: [number, string] | null = null;
  send(data: string): void { this.sent.push(data); }
  ping(): void {
    this.pings++;
    if (this.answersPings) this.emit('pong');
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
    this.emit('close');
  }
  /** Sequence numbers of the snapshots received, in order. */
  seqs(): number[] {
    return this.sent.map((s) => JSON.parse(s) as { type: string; seq?: number }).filter((m) => m.type === 'snapshot').map((m) => m.seq!);
  }
}

const asWs = (s: FakeSocket) => s as unknown as WebSocket;

let hubs: WallboardHub[] = [];
function makeHub(opts: Partial<HubOptions> = {}) {
  let seq = 0;
  const counters = { snapshots: 0, histories: 0 };
  const hub = new WallboardHub({
    snapshot: () => { counters.snapshots++; return { type: 'snapshot', seq: ++seq }; },
    history: () => { counters.histories++; return { type: 'history', intervals: [] }; },
    ...opts,
  });
  hubs.push(hub);
  return { hub, counters, seq: () => seq };
}

afterEach(() => {
  for (const h of hubs) h.close();
  hubs = [];
  vi.useRealTimers();
});

describe('WallboardHub with fake sockets', () => {
  it('serialises each update once and hands every socket the very same string', () => {
    vi.useFakeTimers();
    const { hub, counters } = makeHub();
    const socks = Array.from({ length: 50 }, () => new FakeSocket());
    for (const s of socks) hub.add(asWs(s));
    expect(hub.size).toBe(50);
    // Connecting sends a snapshot then a history to that socket.
    expect(socks.every((s) => s.sent.length === 2 && JSON.parse(s.sent[1]).type === 'history')).toBe(true);

    const before = counters.snapshots;
    vi.advanceTimersByTime(600);
    hub.changed();
    expect(counters.snapshots - before).toBe(1);
    const frame = socks[0].sent.at(-1)!;
    for (const s of socks) {
      expect(s.sent).toHaveLength(3);
      expect(Object.is(s.sent[2], frame)).toBe(true);
    }
    hub.historyChanged();
    expect(counters.histories).toBe(50 + 1);
    expect(new Set(socks.map((s) => s.sent[3])).size).toBe(1);
  });

  it('coalesces a burst of changes into one immediate and one trailing snapshot', () => {
    vi.useFakeTimers();
    const { hub, counters } = makeHub();
    const s = new FakeSocket();
    hub.add(asWs(s));
    vi.advanceTimersByTime(600);
    const before = counters.snapshots;
    for (let i = 0; i < 100; i++) { hub.changed(); vi.advanceTimersByTime(3); }
    // 300 ms of changes: the first goes out at once, the rest wait for 500 ms after it.
    expect(counters.snapshots - before).toBe(1);
    vi.advanceTimersByTime(200);
    expect(counters.snapshots - before).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(counters.snapshots - before).toBe(2);
  });

  it('heartbeat: an idle board never goes more than heartbeatMs without a frame', () => {
    vi.useFakeTimers();
    const { hub } = makeHub();
    const s = new FakeSocket();
    const sentAt: number[] = [];
    s.send = (d: string) => { s.sent.push(d); sentAt.push(Date.now()); };
    hub.add(asWs(s));
    // One change 100 ms after a heartbeat, then nothing for a minute.
    vi.advanceTimersByTime(2_100);
    hub.changed();
    const from = sentAt.length - 1;
    vi.advanceTimersByTime(60_000);
    const gaps = sentAt.slice(from).map((t, i, a) => (i === 0 ? 0 : t - a[i - 1])).slice(1);
    expect(gaps.length).toBeGreaterThanOrEqual(29);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2_000);
  });

  it('heartbeat: with heartbeatMs 3000 an idle board still never reaches the page\'s 5 s stale limit', () => {
    vi.useFakeTimers();
    const { hub } = makeHub({ heartbeatMs: 3_000 });
    const s = new FakeSocket();
    const sentAt: number[] = [];
    s.send = (d: string) => { s.sent.push(d); sentAt.push(Date.now()); };
    hub.add(asWs(s));
    vi.advanceTimersByTime(3_100);
    hub.changed();
    vi.advanceTimersByTime(30_000);
    const gaps = sentAt.map((t, i, a) => (i === 0 ? 0 : t - a[i - 1]));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3_000);
  });

  it('skips a client buffered above 1 MiB, then sends it the newest snapshot once it drains', () => {
    vi.useFakeTimers();
    const { hub, seq } = makeHub();
    const fast = new FakeSocket(), slow = new FakeSocket();
    hub.add(asWs(fast));
    hub.add(asWs(slow));
    const slowBefore = slow.seqs();

    // Exactly at the bound still gets frames; above it does not.
    slow.bufferedAmount = MiB;
    vi.advanceTimersByTime(500);
    hub.changed();
    expect(slow.seqs()).toHaveLength(slowBefore.length + 1);
    slow.bufferedAmount = MiB + 1;
    const skippedFrom = seq() + 1;
    for (let i = 0; i < 5; i++) { vi.advanceTimersByTime(500); hub.changed(); }
    expect(slow.seqs()).toHaveLength(slowBefore.length + 1);
    expect(fast.seqs().slice(-5)).toEqual([skippedFrom, skippedFrom + 1, skippedFrom + 2, skippedFrom + 3, skippedFrom + 4]);
    expect(slow.terminated).toBe(false);
    expect(hub.size).toBe(2);

    // It drains; the next update (here the 2 s heartbeat, nothing changed) is the newest state.
    slow.bufferedAmount = 0;
    vi.advanceTimersByTime(2000);
    const newest = seq();
    expect(newest).toBeGreaterThan(skippedFrom + 4);
    expect(slow.seqs().at(-1)).toBe(newest);
    expect(fast.seqs().at(-1)).toBe(newest);
    // None of the skipped (stale) snapshots ever reached it.
    for (let k = skippedFrom; k < newest; k++) expect(slow.seqs()).not.toContain(k);
    expect(slow.terminated).toBe(false);
  });

  it('closes a client stuck above the bound for more than 30 s, not one that drains in time', () => {
    vi.useFakeTimers();
    const { hub } = makeHub();
    const stuck = new FakeSocket(), recovers = new FakeSocket(), fine = new FakeSocket();
    for (const s of [stuck, recovers, fine]) hub.add(asWs(s));
    stuck.bufferedAmount = 2 * MiB;
    recovers.bufferedAmount = 2 * MiB;
    // Nothing changes: only the 2 s heartbeat sends, and notices the stuck sockets
    // (first skip at 2 s, so 30 s stuck is reached at 32 s and acted on at the
    // next send after that: 34 s).
    vi.advanceTimersByTime(31_900);
    expect(stuck.terminated).toBe(false);
    expect(recovers.terminated).toBe(false);
    expect(hub.size).toBe(3);
    recovers.bufferedAmount = 0;
    vi.advanceTimersByTime(2_100);
    expect(stuck.terminated).toBe(true);
    expect(hub.size).toBe(2);
    expect(recovers.terminated).toBe(false);
    const afterClose = stuck.sent.length;
    vi.advanceTimersByTime(60_000);
    expect(stuck.sent.length).toBe(afterClose);
    expect(recovers.terminated).toBe(false);
    expect(fine.terminated).toBe(false);
    // The recovered socket has its stuck clock reset: stuck again, it gets 30 s afresh
    // (counted from the first skipped frame, ≤ 2 s later), closed within 34 s.
    recovers.bufferedAmount = 2 * MiB;
    vi.advanceTimersByTime(31_900);
    expect(recovers.terminated).toBe(false);
    vi.advanceTimersByTime(2_100);
    expect(recovers.terminated).toBe(true);
    expect(hub.size).toBe(1);
  });

  it('the stuck limit and the buffer bound are options', () => {
    vi.useFakeTimers();
    const { hub } = makeHub({ maxBufferedBytes: 1000, stuckCloseMs: 1000, heartbeatMs: 100 });
    const s = new FakeSocket();
    hub.add(asWs(s));
    s.bufferedAmount = 1001;
    vi.advanceTimersByTime(1000);
    expect(s.terminated).toBe(false);
    vi.advanceTimersByTime(200);
    expect(s.terminated).toBe(true);
  });

  it('pings every 15 s and terminates a socket that missed the last pong', () => {
    vi.useFakeTimers();
    const { hub } = makeHub();
    const live = new FakeSocket(), dead = new FakeSocket();
    dead.answersPings = false;
    hub.add(asWs(live));
    hub.add(asWs(dead));
    vi.advanceTimersByTime(15_000);
    expect(live.pings).toBe(1);
    expect(dead.pings).toBe(1);
    expect(dead.terminated).toBe(false);
    vi.advanceTimersByTime(15_000);
    expect(dead.terminated).toBe(true);
    expect(live.terminated).toBe(false);
    expect(hub.size).toBe(1);
    vi.advanceTimersByTime(150_000);
    expect(live.terminated).toBe(false);
    expect(live.pings).toBe(12);
  });

  it('on close, says 1001 "server shutting down" to everyone and refuses newcomers', () => {
    const { hub } = makeHub();
    const a = new FakeSocket(), b = new FakeSocket();
    hub.add(asWs(a));
    hub.close();
    expect(a.closedWith).toEqual([1001, 'server shutting down']);
    hub.add(asWs(b));
    expect(b.closedWith).toEqual([1001, 'server shutting down']);
    expect(b.sent).toEqual([]);
    expect(hub.size).toBe(0);
  });
});

// The agent consoles ride the same fan-out as the wallboard: a topic per agent.
describe('Fanout topics with fake sockets', () => {
  let fanouts: Fanout[] = [];
  afterEach(() => { for (const f of fanouts) f.close(); fanouts = []; });
  const makeFanout = (opts: FanoutOptions = {}) => { const f = new Fanout(opts); fanouts.push(f); return f; };
  const types = (s: FakeSocket) => s.sent.map((m) => (JSON.parse(m) as { type: string }).type);

  it('a frame goes only to its own topic, serialised once; a null frame sends nothing', () => {
    vi.useFakeTimers();
    const fanout = makeFanout();
    let anaVersion = 1, builds = 0;
    const ana = fanout.topic({
      welcome: () => [{ type: 'agent', v: anaVersion }],
      frame: () => { builds++; return anaVersion === 1 ? null : { type: 'agent', v: anaVersion }; },
    });
    const bruno = fanout.topic({ welcome: () => [{ type: 'agent', v: 0 }], frame: () => ({ type: 'agent', v: 0 }) });
    const anaTabs = [new FakeSocket(), new FakeSocket()], brunoTab = new FakeSocket();
    for (const s of anaTabs) ana.add(asWs(s));
    bruno.add(asWs(brunoTab));
    expect(ana.size).toBe(2);

    ana.changed();
    expect(builds).toBe(1);
    expect(anaTabs[0].sent).toHaveLength(1);
    anaVersion = 2;
    ana.changed();
    expect(builds).toBe(2);
    expect(Object.is(anaTabs[0].sent[1], anaTabs[1].sent[1])).toBe(true);
    expect(JSON.parse(anaTabs[1].sent[1])).toEqual({ type: 'agent', v: 2 });
    expect(brunoTab.sent).toHaveLength(1);
  });

  it('heartbeat: a quiet topic sends its own heartbeat frame heartbeatMs after its last frame', () => {
    vi.useFakeTimers();
    const fanout = makeFanout({ heartbeatMs: 2000 });
    let changed = false;
    const topic = fanout.topic({
      welcome: () => [{ type: 'agent' }],
      frame: () => (changed ? { type: 'agent' } : null),
      heartbeat: () => ({ type: 'heartbeat' }),
    });
    const s = new FakeSocket();
    const sentAt: number[] = [];
    s.send = (d: string) => { s.sent.push(d); sentAt.push(Date.now()); };
    topic.add(asWs(s));
    vi.advanceTimersByTime(2000);
    expect(types(s)).toEqual(['agent', 'heartbeat']);
    // Nothing new: no frame, and the heartbeat is not put off.
    vi.advanceTimersByTime(500);
    topic.changed();
    vi.advanceTimersByTime(1500);
    expect(types(s)).toEqual(['agent', 'heartbeat', 'heartbeat']);
    // A real frame re-arms it: the next heartbeat comes 2 s after that frame.
    vi.advanceTimersByTime(1000);
    changed = true;
    topic.changed();
    changed = false;
    vi.advanceTimersByTime(1999);
    expect(types(s)).toEqual(['agent', 'heartbeat', 'heartbeat', 'agent']);
    vi.advanceTimersByTime(1);
    expect(types(s).at(-1)).toBe('heartbeat');
    expect(sentAt.at(-1)! - sentAt.at(-2)!).toBe(2000);
  });

  it('every topic gets the slow-client care (its own bound), the pings, and changedAll', () => {
    vi.useFakeTimers();
    const fanout = makeFanout({ heartbeatMs: 2000, stuckCloseMs: 30_000, pingMs: 15_000 });
    let v = 0;
    const agent = fanout.topic({ welcome: () => [], frame: () => ({ type: 'agent', v: ++v }), maxBufferedBytes: 256 * 1024 });
    const slow = new FakeSocket(), dead = new FakeSocket(), fine = new FakeSocket();
    dead.answersPings = false;
    for (const s of [slow, dead, fine]) agent.add(asWs(s));
    slow.bufferedAmount = 256 * 1024 + 1;
    fanout.changedAll();
    expect(fine.sent).toHaveLength(1);
    expect(slow.sent).toHaveLength(0);
    vi.advanceTimersByTime(30_000);
    expect(dead.terminated).toBe(true);
    expect(slow.terminated).toBe(false);
    vi.advanceTimersByTime(4_000);
    expect(slow.terminated).toBe(true);
    expect(fine.terminated).toBe(false);
    expect(agent.size).toBe(1);
  });

  it('says when its last socket left; a closed topic turns newcomers away with 1001', () => {
    const fanout = makeFanout();
    let emptied = 0;
    const topic = fanout.topic({ welcome: () => [], frame: () => null, onEmpty: () => { emptied++; } });
    const a = new FakeSocket(), b = new FakeSocket();
    topic.add(asWs(a));
    topic.add(asWs(b));
    a.close(1000, 'tab closed');
    expect(emptied).toBe(0);
    b.terminate();
    expect(emptied).toBe(1);
    topic.close();
    const late = new FakeSocket();
    topic.add(asWs(late));
    expect(late.closedWith).toEqual([1001, 'server shutting down']);
    expect(topic.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// Real sockets.

let apps: TestApp[] = [];
let servers: WebSocketServer[] = [];
let clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients) c.terminate();
  clients = [];
  for (const a of apps) await a.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  apps = [];
  servers = [];
});

let n = 0;
const ev = (x: Record<string, unknown>): DomainEvent => ({ id: `h${n++}`, at: Date.now(), ...x }) as DomainEvent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timeout: ${what}`);
    await sleep(5);
  }
}

/** A whole Atende (example settings) on the wall clock: the test's events carry Date.now(). */
async function listeningApp(hub: { minIntervalMs?: number; heartbeatMs?: number; pingMs?: number }) {
  const atende = await buildTestApp({ now: Date.now, hub, rateLimitPerMinute: false });
  apps.push(atende);
  const { app, engine } = atende;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, engine, url: `ws://127.0.0.1:${port}/ws/wallboard` };
}

function connect(url: string, opts: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, opts);
  clients.push(ws);
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(d));
  ws.on('error', () => { /* closes follow */ });
  const opened = new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, frames, opened, closed };
}

describe('WallboardHub over real WebSockets', () => {
  it('every client receives byte-identical frames', async () => {
    const { engine, url } = await listeningApp({ minIntervalMs: 100 });
    const cs = Array.from({ length: 8 }, () => connect(url));
    await Promise.all(cs.map((c) => c.opened));
    await until(() => cs.every((c) => c.frames.length >= 2), 2000, 'snapshot + history on connect');
    await sleep(150);
    const start = cs.map((c) => c.frames.length);
    for (let i = 0; i < 5; i++) {
      engine.dispatch(ev({ type: 'call.arrived', callId: `r${i}`, from: `+551198765000${i}` }));
      engine.dispatch(ev({ type: 'call.ivr', callId: `r${i}`, path: ['1'] }));
      engine.dispatch(ev({ type: 'call.queued', callId: `r${i}`, queue: 'suporte' }));
      await sleep(120);
    }
    await until(() => cs.every((c) => c.frames.some((f) => JSON.parse(f.toString()).center?.waiting === 5)), 2000, 'waiting 5 everywhere');
    await sleep(50);
    // Compare the frames every client got since it was connected, position by position.
    const tails = cs.map((c, i) => c.frames.slice(start[i]));
    const len = Math.min(...tails.map((t) => t.length));
    expect(len).toBeGreaterThanOrEqual(2);
    for (let k = 0; k < len; k++) {
      for (const t of tails) expect(t[k].equals(tails[0][k])).toBe(true);
    }
  });

  it('terminates a client that does not answer pings; one that answers stays', async () => {
    const { app, url } = await listeningApp({ pingMs: 100 });
    const mute = connect(url, { autoPong: false });
    const live = connect(url);
    await Promise.all([mute.opened, live.opened]);
    expect(app.hub.size).toBe(2);
    const t0 = Date.now();
    const code = await Promise.race([mute.closed, sleep(2000).then(() => -1)]);
    // Terminated (no close frame): the client sees 1006 after one ping period unanswered.
    expect(code).toBe(1006);
    expect(Date.now() - t0).toBeLessThan(1000);
    await sleep(500);
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    expect(app.hub.size).toBe(1);
  });

  it('a paused reader is skipped above the bound, then catches up with the newest frame; stuck too long, it is closed', async () => {
    // A bare ws server in front of the hub, with a big snapshot so buffers fill fast.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(wss);
    await new Promise((r) => wss.once('listening', r));
    const serverSide: import('ws').WebSocket[] = [];
    const pad = 'x'.repeat(128 * 1024);
    let seq = 0;
    // Nothing timed: the test calls broadcast() itself.
    const hub = new WallboardHub({
      snapshot: () => ({ type: 'snapshot', seq: ++seq, pad }), history: () => ({ type: 'history' }),
      heartbeatMs: 3_600_000, pingMs: 3_600_000, stuckCloseMs: 1_000,
    });
    hubs.push(hub);
    wss.on('connection', (ws) => { serverSide.push(ws); hub.add(ws); });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const seqsOf = (frames: Buffer[]) => frames.map((f) => JSON.parse(f.toString()) as { type: string; seq?: number })
      .filter((m) => m.type === 'snapshot').map((m) => m.seq!);

    const fast = connect(url), slow = connect(url);
    await Promise.all([fast.opened, slow.opened]);
    await until(() => serverSide.length === 2 && fast.frames.length >= 2 && slow.frames.length >= 2, 2000, 'both connected');
    const slowServer = serverSide[1];
    slow.ws.pause();

    // Broadcast until the paused reader's server-side buffer passes 1 MiB.
    let rounds = 0;
    while (slowServer.bufferedAmount <= MiB) {
      hub.broadcast();
      await sleep(2);
      if (++rounds > 2000) throw new Error('buffer never filled');
    }
    const lastQueued = seq;
    const buffered = slowServer.bufferedAmount;
    for (let i = 0; i < 5; i++) { hub.broadcast(); await sleep(2); }
    // Skipped: nothing more was queued for it.
    expect(slowServer.bufferedAmount).toBeLessThanOrEqual(buffered);
    expect(slowServer.readyState).toBe(WebSocket.OPEN);

    // It drains (the reader resumes), then the next update goes out.
    slow.ws.resume();
    await until(() => slowServer.bufferedAmount === 0, 5000, 'drained');
    hub.broadcast();
    const newest = seq;
    await until(() => seqsOf(slow.frames).at(-1) === newest && seqsOf(fast.frames).at(-1) === newest, 5000, 'newest delivered');
    const got = seqsOf(slow.frames);
    // Everything queued before the bound, then straight to the newest: the 5 skipped never arrive.
    // (seq 1 was the fast client's connect snapshot, 2 the slow one's.)
    expect(got).toEqual([2, ...Array.from({ length: lastQueued - 2 }, (_, i) => i + 3), newest]);
    for (let k = lastQueued + 1; k < newest; k++) expect(got).not.toContain(k);
    expect(seqsOf(fast.frames).slice(-6)).toEqual([newest - 5, newest - 4, newest - 3, newest - 2, newest - 1, newest]);
    console.info(`hub: paused reader hit the bound after ${rounds} frames of 128 KiB (${(buffered / MiB).toFixed(2)} MiB buffered)`);

    // Stuck again, for longer than stuckCloseMs (1 s here; 30 s by default): closed.
    slow.ws.pause();
    rounds = 0;
    while (slowServer.bufferedAmount <= MiB) {
      hub.broadcast();
      await sleep(2);
      if (++rounds > 2000) throw new Error('buffer never filled');
    }
    hub.broadcast(); // stuck clock starts
    await sleep(600);
    hub.broadcast();
    expect(slowServer.readyState).toBe(WebSocket.OPEN);
    await sleep(600);
    hub.broadcast();
    expect(hub.size).toBe(1);
    await until(() => slowServer.readyState === WebSocket.CLOSED, 1000, 'terminated');
    expect(fast.ws.readyState).toBe(WebSocket.OPEN);
  });
});
