// An edge's view of its leader: the frames the leader publishes (channel.ts), the
// latest of each topic and type kept in memory for the screens that connect, and
// whether the feed is live. The leader sends every topic a frame at least every 2 s
// (its heartbeats come through too), so silence means Redis or the leader is gone:
// the edge then stays silent as well, and the pages say "stale" as they do when
// their server goes. Nothing here is ever invented or replayed as if it were new.
import { decodeMessage, frameType, HEARTBEAT, latestField, parseLatestField, type EdgeKeys } from './channel.ts';
import { RedisLink } from './redis.ts';

/** No frame for this long: the feed is silent (the leader's heartbeat is 2 s). */
export const FEED_SILENCE_MS = 5000;

/** The order a (re)connecting screen gets a topic's frames in: state first, history, then liveness. */
const WELCOME_ORDER = ['snapshot', 'history', 'supervisor', 'agent'];
const rank = (type: string): number => {
  if (type === HEARTBEAT) return WELCOME_ORDER.length + 1;
  const i = WELCOME_ORDER.indexOf(type);
  return i < 0 ? WELCOME_ORDER.length : i;
};

export type FeedState = 'live' | 'silent' | 'down';

export interface FeedLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EdgeFeedOptions {
  redisUrl: string;
  keys: EdgeKeys;
  log: FeedLog;
  silenceMs?: number;
  now?: () => number;
}

type FrameListener = (topic: string, json: string) => void;

export class EdgeFeed {
  /** For frames and nothing else (a subscribed connection takes no other command). */
  private readonly sub: RedisLink;
  /** For the latest frames at (re)start and for tickets. */
  readonly commands: RedisLink;
  private readonly latest = new Map<string, Map<string, string>>();
  /** Which subscription last wrote each field: a hash read never overwrites a newer live frame. */
  private readonly writtenIn = new Map<string, number>();
  private subscription = 0;
  private subscribed = false;
  private lastFrameAt = -Infinity;
  private readonly listeners = new Set<FrameListener>();
  private readonly silenceMs: number;
  private readonly now: () => number;

  constructor(private readonly o: EdgeFeedOptions) {
    this.silenceMs = o.silenceMs ?? FEED_SILENCE_MS;
    this.now = o.now ?? Date.now;
    this.sub = new RedisLink(o.redisUrl, {
      name: 'atende-edge-feed',
      onUp: () => { void this.subscribe(); },
      onDown: (reason) => {
        this.subscribed = false;
        o.log.warn({ reason }, 'edge: Redis unreachable; screens here go stale until it returns');
      },
    });
    this.commands = new RedisLink(o.redisUrl, { name: 'atende-edge' });
    this.sub.client.on('message', (channel: string, message: string) => {
      if (channel === o.keys.frames) this.take(message);
    });
  }

  start(): void {
    this.sub.start();
    this.commands.start();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.sub.close(), this.commands.close()]);
  }

  /** live: frames are coming; silent: subscribed but nothing for a while; down: no Redis. */
  get state(): FeedState {
    if (!this.subscribed || !this.sub.isUp) return 'down';
    return this.now() - this.lastFrameAt <= this.silenceMs ? 'live' : 'silent';
  }

  get live(): boolean { return this.state === 'live'; }

  /** Redis answers (the feed may still be silent: a leader that publishes nothing). */
  get connected(): boolean { return this.sub.isUp && this.subscribed; }

  /** Every frame as it arrives, after it became the latest of its topic. */
  onFrame(fn: FrameListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The latest frame of each type of a topic, in the order a new screen needs them. */
  welcome(topic: string): string[] {
    const kinds = this.latest.get(topic);
    if (!kinds) return [];
    return [...kinds.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([, json]) => json);
  }

  private async subscribe(): Promise<void> {
    const n = ++this.subscription;
    try {
      await this.sub.client.subscribe(this.o.keys.frames);
    } catch (err) {
      this.o.log.warn({ reason: (err as Error).message }, 'edge: could not subscribe; retrying when Redis reconnects');
      return;
    }
    if (n !== this.subscription) return;
    // Heartbeats kept from before are old news: a screen must not take their time as now.
    for (const kinds of this.latest.values()) kinds.delete(HEARTBEAT);
    // Frames published while this edge was away: the hash has the latest of each. Live
    // only once read, so a screen's welcome never lacks a topic's history.
    let fields: Record<string, string> = {};
    try {
      await this.commands.whenUp(2000); // both links connect together at start
      fields = await this.commands.client.hgetall(this.o.keys.latest);
    } catch { /* the live frames will do: every topic sends one within 2 s */ }
    if (n !== this.subscription) return;
    for (const [field, json] of Object.entries(fields)) {
      const f = parseLatestField(field);
      if (!f || (this.writtenIn.get(field) ?? 0) >= n) continue;
      this.keep(f.topic, f.type, json, n - 0.5);
    }
    this.subscribed = true;
    this.o.log.info({ topics: this.latest.size }, 'edge: reading the leader\'s frames from Redis');
  }

  private take(message: string): void {
    const m = decodeMessage(message);
    if (!m) return;
    this.keep(m.topic, frameType(m.json) ?? 'frame', m.json, this.subscription);
    this.lastFrameAt = this.now();
    for (const fn of this.listeners) fn(m.topic, m.json);
  }

  private keep(topic: string, type: string, json: string, writtenIn: number): void {
    let kinds = this.latest.get(topic);
    if (!kinds) { kinds = new Map(); this.latest.set(topic, kinds); }
    kinds.set(type, json);
    this.writtenIn.set(latestField(topic, type), writtenIn);
  }
}
