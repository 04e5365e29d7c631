// One Atende node of a center served by several, on PostgreSQL (docs/deploy.md). Every
// node starts as a standby: its core follows the log (follower.ts), its front forwards
// what reaches it (front.ts), and it tries for the lease (lease.ts) a few times a second.
// The one that gets it moves the epoch on, reads the log to its end (nothing older can be
// appended any more), and builds its Atende around that core, exactly as a restart would
// but without the replay: engine, timers, the Twilio edge (dequeues, reconciliation: the
// calls waiting in Twilio's queues are routed as after a restart), the history worker.
// Only the leader applies events and appends them, under its epoch.
//
// A leader that loses the lease (its session ended, a renewal failed, or the database
// refused an append under its epoch) steps down at once: its front forwards, its Atende
// closes, and it starts over as a standby from the latest snapshot and the log.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Settings } from '../config/types.ts';
import { createAtende, type Atende, type AtendeOptions } from '../start.ts';
import { Follower } from './follower.ts';
import { Front } from './front.ts';
import { Lease } from './lease.ts';
import { openPostgresStore, type PostgresStore } from '../storage/postgres/store.ts';

export interface ClusterNodeOptions {
  /** DATABASE_URL. */
  url: string;
  settings: Settings;
  /** Who this node is (default host:pid) and where other nodes reach it (its base URL). */
  holder?: string;
  address: string;
  /** How long a lease outlives a leader that stopped renewing (ms; default 3000). */
  leaseMs?: number;
  /** What a leader's Atende is built with (logger, roles, Twilio, voice, …). */
  atende: Omit<AtendeOptions, 'settings' | 'dbPath' | 'prepared'>;
  log: Logger;
  /** REDIS_URL: a leader publishes its screens there for edges (server/edge). */
  redisUrl?: string | null;
  now?: () => number;
  /** How long a standby holds a request while no leader answers (ms). */
  forwardWaitMs?: number;
}

export type Role = 'standby' | 'leader' | 'stopped';

export class ClusterNode {
  readonly front: Front;
  readonly holder: string;
  role: Role = 'standby';
  atende: Atende | null = null;
  /** The last takeover: ms from getting the lease to answering as the leader, and the events read at that moment (the tail the standby had not seen). */
  lastTakeover: { epoch: number; ms: number; replayedAtTakeover: number } | null = null;
  private follower: Follower | null = null;
  private readonly lease: Lease;
  private timer: NodeJS.Timeout | null = null;
  /** Role changes, one at a time. */
  private changing: Promise<void> = Promise.resolve();
  private readonly leaseMs: number;
  private readonly now: () => number;

  /** A standby: the last seq its core has applied (null while leading). */
  get followingSeq(): number | null { return this.follower?.lastSeq ?? null; }

  private constructor(private readonly o: ClusterNodeOptions, private readonly store: PostgresStore) {
    this.holder = o.holder ?? `${hostname()}:${process.pid}`;
    this.leaseMs = Math.max(500, o.leaseMs ?? 3000);
    this.now = o.now ?? Date.now;
    this.lease = new Lease({ url: o.url, holder: this.holder, address: o.address, leaseMs: this.leaseMs });
    this.lease.onLost((why) => { void this.stepDown(`lost the lease: ${why}`); });
    store.onFenced = (err) => { void this.stepDown(`fenced: ${err.message}`); };
    this.front = new Front({
      holder: this.holder,
      forwardWaitMs: o.forwardWaitMs,
      leader: async () => {
        const l = await Lease.current(store.pool);
        return { holder: l.holder, address: l.address, epoch: l.epoch };
      },
    });
  }

  /** Opens the store, brings a core to the end of the log and starts trying for the lease. The caller listens on `front.server`. */
  static async start(o: ClusterNodeOptions): Promise<ClusterNode> {
    const store = await openPostgresStore(o.url, { applicationName: 'atende', now: o.now });
    const node = new ClusterNode(o, store);
    try {
      node.follower = await node.startFollower();
    } catch (err) {
      await store.close().catch(() => {});
      throw err;
    }
    node.o.log.info({ node: node.holder, seq: node.follower.lastSeq }, 'standby: following the log');
    node.schedule(0);
    return node;
  }

  /** Stops: a leader closes its Atende (last snapshot included) and gives the lease up. */
  async close(): Promise<void> {
    if (this.role === 'stopped') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.change(async () => {
      const a = this.atende;
      this.role = 'stopped';
      this.front.follow();
      this.atende = null;
      await a?.close();
      await this.follower?.stop();
      await this.lease.release();
      this.store.epoch = null;
    });
    const closed = new Promise<void>((resolve) => this.front.server.close(() => resolve()));
    // Kept-alive connections with nothing under way would hold the close for their timeout.
    this.front.server.closeIdleConnections();
    await closed;
    await this.store.close();
  }

  private schedule(ms: number): void {
    if (this.role === 'stopped') return;
    this.timer = setTimeout(() => { void this.tick(); }, ms);
    this.timer.unref();
  }

  /** Standby: try for the lease. Leader: renew it (a lost renewal steps down through onLost). */
  private async tick(): Promise<void> {
    this.timer = null;
    try {
      if (this.role === 'standby') {
        const epoch = await this.lease.tryAcquire();
        if (epoch !== null) await this.lead(epoch);
      } else if (this.role === 'leader') {
        await this.lease.renew();
      }
    } catch (err) {
      this.o.log.warn({ node: this.holder, err: (err as Error).message }, 'lease: the database did not answer');
    }
    this.schedule(this.role === 'leader' ? this.leaseMs / 4 : Math.min(250, this.leaseMs / 4));
  }

  private lead(epoch: number): Promise<void> {
    return this.change(async () => {
      if (this.role !== 'standby' || this.lease.epoch !== epoch) return;
      const t0 = performance.now();
      this.store.epoch = epoch;
      try {
        // The epoch moved on before this read: nothing older can be appended after it.
        const follower = this.follower ?? await this.startFollower();
        const { prepared, tail } = await follower.takeOver();
        this.follower = null;
        const atende = await createAtende({ ...this.o.atende, settings: this.o.settings, dbPath: this.store.where, prepared, now: this.now });
        if (this.lease.epoch !== epoch) {
          // Lost while it was being built: it never answers anything.
          await atende.close();
          throw new Error(`the lease was lost during the takeover (epoch ${epoch})`);
        }
        if (this.o.redisUrl) atende.app.edgePublisher.start({ redisUrl: this.o.redisUrl });
        this.atende = atende;
        this.role = 'leader';
        this.front.lead(atende.app);
        this.lastTakeover = { epoch, ms: Math.round(performance.now() - t0), replayedAtTakeover: tail };
        this.o.log.info({ node: this.holder, epoch, seq: prepared.lastSeq, tail, takeoverMs: this.lastTakeover.ms }, 'leader: took the lease');
      } catch (err) {
        this.o.log.error({ node: this.holder, epoch, err: (err as Error).message }, 'leader: could not take over; giving the lease back');
        this.store.epoch = null;
        await this.lease.release();
        this.follower ??= await this.startFollower();
      }
    });
  }

  private stepDown(why: string): Promise<void> {
    // From this instant (not after the role changes queued before it) the front forwards and
    // the store appends nothing: a request read the moment the loss is known goes to the leader.
    this.front.follow();
    this.store.epoch = null;
    return this.change(async () => {
      if (this.role !== 'leader') return;
      this.role = 'standby';
      this.front.follow();
      this.store.epoch = null;
      this.o.log.warn({ node: this.holder, why }, 'standby: stepped down; no longer accepting webhooks');
      const a = this.atende;
      this.atende = null;
      await a?.close().catch((err) => this.o.log.warn({ err: (err as Error).message }, 'closing the former leader\'s Atende'));
      await this.lease.release();
      // Its core went on with the clock (timers): a standby's follows the log only. Without the
      // database now, the next try for the lease builds one.
      this.follower = await this.startFollower().catch(() => null);
    });
  }

  private startFollower(): Promise<Follower> {
    return Follower.start({
      store: this.store, settings: this.o.settings, now: this.now,
      warn: (msg) => this.o.log.warn({ node: this.holder }, msg),
    });
  }

  private change(fn: () => Promise<void>): Promise<void> {
    const next = this.changing.then(fn, fn);
    this.changing = next.catch((err) => { this.o.log.error({ node: this.holder, err: (err as Error).message }, 'cluster: role change failed'); });
    return this.changing;
  }
}
