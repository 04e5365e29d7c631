// Twilio queues: created on first use of a name, FIFO, a QueueSid each.
import { randomBytes } from 'node:crypto';

export function newSid(prefix: 'CA' | 'QU' | 'RE'): string {
  return prefix + randomBytes(16).toString('hex');
}

export interface Member {
  readonly sid: string;
  /** Real ms (performance.now) when it entered this queue. */
  enteredAt: number;
  /** Wall-clock ms when it entered (for date_enqueued). */
  enteredWall: number;
}

export class Queue<M extends Member = Member> {
  readonly sid = newSid('QU');
  readonly members: M[] = [];
  readonly maxSize = 1000;
  readonly createdWall = Date.now();
  /** Emulated seconds waited by the calls that left, for AvgQueueTime. */
  private waitedTotal = 0;
  private left = 0;

  constructor(readonly name: string) {}

  position(m: M): number {
    const i = this.members.indexOf(m);
    return i < 0 ? 0 : i + 1;
  }

  add(m: M): boolean {
    if (this.members.length >= this.maxSize) return false;
    this.members.push(m);
    return true;
  }

  /** Removes a member; false when it was not there. */
  remove(m: M, waitedSeconds: number): boolean {
    const i = this.members.indexOf(m);
    if (i < 0) return false;
    this.members.splice(i, 1);
    this.waitedTotal += waitedSeconds;
    this.left++;
    return true;
  }

  averageWait(): number {
    return this.left ? Math.round(this.waitedTotal / this.left) : 0;
  }
}

export class Queues<M extends Member = Member> {
  private readonly byName = new Map<string, Queue<M>>();
  private readonly bySid = new Map<string, Queue<M>>();

  named(name: string): Queue<M> {
    let q = this.byName.get(name);
    if (!q) {
      q = new Queue<M>(name);
      this.byName.set(name, q);
      this.bySid.set(q.sid, q);
    }
    return q;
  }

  sid(sid: string): Queue<M> | undefined {
    return this.bySid.get(sid);
  }

  all(): Queue<M>[] {
    return [...this.byName.values()];
  }
}
