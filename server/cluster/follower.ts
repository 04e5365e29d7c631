// A standby's routing core, kept current by tailing the log: woken by LISTEN/NOTIFY at
// every append (the trigger in storage/postgres/migrations.ts), reading by seq, and once a
// second anyway should a notification be lost. It applies events only (no timers, no
// decisions acted on): its clock moves with the events' times, exactly as a replay's does,
// so at a takeover it is the core a restart would have built, without the replay.
import type { Settings } from '../config/types.ts';
import { catchUpFromLog } from '../history/restore.ts';
import type { SettingsPatch } from '../settings/live.ts';
import { collectPatch, prepareStart, type Prepared } from '../start.ts';
import { createClient, type Client } from '../storage/postgres/connect.ts';
import type { PostgresStore } from '../storage/postgres/store.ts';

export interface FollowerOptions {
  store: PostgresStore;
  /** The settings file (the log carries the supervisors' changes). */
  settings: Settings;
  now: () => number;
  warn: (msg: string) => void;
  /** How often the log is read when no notification came (ms). */
  pollMs?: number;
}

export class Follower {
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** One catch-up at a time; a wake-up during one runs another after it. */
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  private constructor(private readonly o: FollowerOptions, private state: Prepared) {}

  /** The latest snapshot that reads, the log after it, then following. */
  static async start(o: FollowerOptions): Promise<Follower> {
    const prepared = await prepareStart(o.store, o.settings, o.now(), o.warn);
    const f = new Follower(o, prepared);
    await f.listen();
    f.poll();
    return f;
  }

  /** Where the core stands: the last seq applied. */
  get lastSeq(): number { return this.state.lastSeq; }

  /** Reads and applies everything logged so far (resolves when at the end of the log as it is now). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const patches: SettingsPatch[] = this.state.patches;
          const fed = await catchUpFromLog(this.o.store, this.state.core, this.state.lastSeq, (e) => collectPatch(patches, e));
          this.state.lastSeq = fed.lastSeq;
          this.state.replayed.applied += fed.applied;
          this.state.replayed.refused += fed.refused;
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Stops following and hands the core over (a takeover), after a last catch-up: call it
   * once the lease's epoch has moved on, when nothing older can be appended any more.
   */
  async takeOver(): Promise<{ prepared: Prepared; tail: number }> {
    await this.stop();
    const before = this.state.replayed.applied + this.state.replayed.refused;
    await this.catchUpNow();
    return { prepared: this.state, tail: this.state.replayed.applied + this.state.replayed.refused - before };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => {});
    await this.running?.catch(() => {});
  }

  private async catchUpNow(): Promise<void> {
    this.stopped = false;
    try { await this.catchUp(); } finally { this.stopped = true; }
  }

  private async listen(): Promise<void> {
    const c = createClient(this.o.store.url, 'atende-standby');
    c.on('error', () => { /* the poll keeps the core current; a new listener comes with the next start */ });
    c.on('notification', () => { void this.catchUp().catch((err) => this.o.warn(`standby: ${(err as Error).message}`)); });
    await c.connect();
    await c.query(`LISTEN "${this.o.store.channel.replaceAll('"', '""')}"`);
    this.listener = c;
  }

  private poll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.catchUp().catch((err) => this.o.warn(`standby: ${(err as Error).message}`)).finally(() => this.poll());
    }, this.o.pollMs ?? 1000);
    this.timer.unref();
  }
}
