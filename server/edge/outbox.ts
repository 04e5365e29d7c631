// The leader's side of the Redis link: each frame goes out once (PUBLISH, and HSET
// as the topic's latest unless it is a heartbeat), in one MULTI per batch, with one
// batch in flight at a time. Publishing never blocks the caller and never throws:
// what cannot go out now waits here, and only the newest frame of each topic and
// type waits (a heartbeat does not wait at all), so the buffer is bounded by the
// number of topics, not by the length of an outage. Everything held goes out as soon
// as Redis answers again, and with it the latest frame of every topic (resent): a
// Redis that restarted empty (it keeps nothing on disk) has the whole state again.
import { encodeMessage, frameType, HEARTBEAT, latestField, type EdgeKeys } from './channel.ts';
import type { RedisLink } from './redis.ts';

/** The hash of latest frames outlives a leader that stopped publishing by a day at most. */
const LATEST_TTL_MS = 24 * 3_600_000;

interface Held { topic: string; type: string; json: string }

export interface OutboxStats {
  /** Frames that reached Redis. */
  published: number;
  /** Frames replaced by a newer one of their topic before they could go out (or heartbeats dropped while down). */
  superseded: number;
  /** Frames waiting now. */
  held: number;
}

export class Outbox {
  private readonly held = new Map<string, Held>();
  /** The newest frame of each topic and type that is not a heartbeat: what Redis must hold. */
  private readonly latest = new Map<string, Held>();
  private inFlight = false;
  private closed = false;
  private readonly counts = { published: 0, superseded: 0 };

  constructor(private readonly link: RedisLink, private readonly keys: EdgeKeys, private readonly onFailure: (reason: string) => void) {}

  get stats(): OutboxStats { return { ...this.counts, held: this.held.size }; }

  /** One frame of a topic, as the fan-out serialised it. */
  put(topic: string, json: string): void {
    if (this.closed) return;
    const type = frameType(json) ?? 'frame';
    if (type === HEARTBEAT && !this.link.isUp) { this.counts.superseded++; return; }
    const key = latestField(topic, type);
    if (type !== HEARTBEAT) this.latest.set(key, { topic, type, json });
    if (this.held.has(key)) this.counts.superseded++;
    // Re-inserted at the end: a topic's frames go out in the order they were made.
    this.held.delete(key);
    this.held.set(key, { topic, type, json });
    this.flush();
  }

  /** Sends what is held, if Redis is up and no batch is in flight; called again when Redis comes back. */
  flush(): void {
    if (this.inFlight || this.closed || this.held.size === 0 || !this.link.isUp) return;
    const batch = [...this.held.values()];
    this.held.clear();
    this.inFlight = true;
    const multi = this.link.client.multi();
    let stored = false;
    for (const f of batch) {
      if (f.type !== HEARTBEAT) { multi.hset(this.keys.latest, latestField(f.topic, f.type), f.json); stored = true; }
      multi.publish(this.keys.frames, encodeMessage(f.topic, f.json));
    }
    if (stored) multi.pexpire(this.keys.latest, LATEST_TTL_MS);
    multi.exec().then((replies) => {
      const failed = replies?.find(([err]) => err)?.[0];
      if (replies === null || failed) throw failed ?? new Error('transaction discarded');
      this.counts.published += batch.length;
      return true;
    }).catch((err: Error) => {
      // Back in line behind anything newer that came meanwhile (newer wins), heartbeats aside.
      for (const f of batch) {
        const key = latestField(f.topic, f.type);
        if (f.type === HEARTBEAT || this.held.has(key)) { this.counts.superseded++; continue; }
        this.held.set(key, f);
      }
      this.onFailure(err.message);
      return false;
    }).then((sent) => {
      this.inFlight = false;
      // Frames that came during the round trip go now. After a failure, the next frame
      // or Redis coming back tries again: never a retry loop against a failing Redis.
      if (sent) setImmediate(() => this.flush());
    });
  }

  /** Redis is back (maybe restarted empty): every topic's latest frame goes out again, then what waited. */
  reconnected(): void {
    for (const [key, f] of this.latest) if (!this.held.has(key)) this.held.set(key, f);
    this.flush();
  }

  /** Forgets a topic (an agent removed): its latest frames leave Redis too. */
  drop(topic: string, types: string[]): void {
    for (const t of types) { this.held.delete(latestField(topic, t)); this.latest.delete(latestField(topic, t)); }
    if (!this.link.isUp) return;
    this.link.client.hdel(this.keys.latest, ...types.map((t) => latestField(topic, t))).catch(() => { /* gone with its TTL */ });
  }

  close(): void {
    this.closed = true;
    this.held.clear();
    this.latest.clear();
  }
}
