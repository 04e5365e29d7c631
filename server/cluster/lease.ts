// The leader's lease, in PostgreSQL: a session advisory lock held on a connection of
// its own, and the lease row (epoch, holder, address, renewed_at).
//
// - Exactly one session holds the advisory lock; the node that gets it moves the epoch on
//   by one (a takeover) and appends under that epoch only. The database refuses an append
//   under any other epoch (storage/postgres/migrations.ts), so a leader that lost the lease
//   cannot write, whatever it believes.
// - The lock lives as long as its session. The session is told `idle_session_timeout =
//   leaseMs`, and the leader renews (a query on that session) several times per leaseMs:
//   a leader frozen (SIGSTOP, a stalled VM) or cut off from the database stops renewing,
//   PostgreSQL ends the session after leaseMs, the lock is free, and a standby takes it.
//   A leader that dies (kill -9) closes the session at once.
// - The row says who leads and where (`address`): standbys forward what reaches them there.
import { createClient, type Client, type Pool } from '../storage/postgres/connect.ts';

export interface LeaseRow { epoch: number; holder: string | null; address: string | null; renewedAt: Date | null }

export interface LeaseOptions {
  url: string;
  /** This node: who it is and where other nodes reach it (its base URL). */
  holder: string;
  address: string;
  /** How long the lease outlives a leader that stopped renewing (ms). */
  leaseMs: number;
}

/** The advisory lock's key: one per schema, so centers (and test files) sharing a database never contend. */
const LOCK_KEY = "hashtext('atende.leader.' || current_schema())";

export class Lease {
  private client: Client | null = null;
  private lostListeners = new Set<(why: string) => void>();
  /** The epoch held, or null while not leading. */
  epoch: number | null = null;

  constructor(private readonly o: LeaseOptions) {}

  /** Who leads now, by the lease row (read through any connection). */
  static async current(pool: Pool): Promise<LeaseRow> {
    const { rows } = await pool.query<{ epoch: number; holder: string | null; address: string | null; renewed_at: Date | null }>(
      'SELECT epoch, holder, address, renewed_at FROM lease WHERE id = 1');
    const r = rows[0]!;
    return { epoch: r.epoch, holder: r.holder, address: r.address, renewedAt: r.renewed_at };
  }

  /** Told once when a lease held is lost (the session ended, a renewal failed or found another epoch). */
  onLost(fn: (why: string) => void): () => void {
    this.lostListeners.add(fn);
    return () => this.lostListeners.delete(fn);
  }

  /**
   * Takes the lease if it is free: the advisory lock, then the epoch moved on by one. The
   * update waits for an append under way under the old epoch (it holds the row FOR SHARE),
   * so once this returns no append of an older epoch can commit any more. Null: another
   * node holds it.
   */
  async tryAcquire(): Promise<number | null> {
    if (this.epoch !== null) return this.epoch;
    const c = await this.session();
    const { rows } = await c.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS got`);
    if (!rows[0]?.got) return null;
    try {
      const bumped = await c.query<{ epoch: number }>(
        'UPDATE lease SET epoch = epoch + 1, holder = $1, address = $2, renewed_at = now() WHERE id = 1 RETURNING epoch',
        [this.o.holder, this.o.address]);
      this.epoch = bumped.rows[0]!.epoch;
      return this.epoch;
    } catch (err) {
      // Locked but no epoch: give the lock back with the session rather than sit on it.
      this.client = null;
      await c.end().catch(() => {});
      throw err;
    }
  }

  /** The leader says it is alive (and keeps its session from timing out); false when the lease is gone. */
  async renew(): Promise<boolean> {
    if (this.epoch === null || !this.client) return false;
    try {
      const r = await this.client.query('UPDATE lease SET renewed_at = now() WHERE id = 1 AND epoch = $1', [this.epoch]);
      if (r.rowCount === 1) return true;
      this.lose(`the lease moved past epoch ${this.epoch}`);
    } catch (err) {
      this.lose(`renewal failed: ${(err as Error).message}`);
    }
    return false;
  }

  /** Keeps a standby's session alive between tries (a no-op query). */
  async ping(): Promise<void> {
    await (await this.session()).query('SELECT 1');
  }

  /** Gives the lease up (a clean stop): the lock goes with the session. */
  async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.epoch = null;
    await c?.end().catch(() => {});
  }

  private async session(): Promise<Client> {
    if (this.client) return this.client;
    // A query that gets no answer (the network cut) fails on this side too, well within the lease.
    const c = createClient(this.o.url, `atende-lease ${this.o.holder}`, Math.max(200, Math.round(this.o.leaseMs / 2)));
    // Until connected, errors reject connect(); after, the session's end is the lease's.
    c.on('error', (err) => this.ended(c, err.message));
    c.on('end', () => this.ended(c, 'the session ended'));
    await c.connect();
    try {
      await c.query(`SET idle_session_timeout = ${Math.round(this.o.leaseMs)}`);
      await c.query(`SET statement_timeout = ${Math.round(this.o.leaseMs)}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    this.client = c;
    return c;
  }

  private ended(c: Client, why: string): void {
    if (this.client !== c) return;
    this.client = null;
    this.lose(`the lease session ended: ${why}`);
  }

  private lose(why: string): void {
    if (this.epoch === null) return;
    this.epoch = null;
    const c = this.client;
    this.client = null;
    void c?.end().catch(() => {});
    for (const fn of this.lostListeners) fn(why);
  }
}
