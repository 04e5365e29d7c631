// Carries out the core's offers: takes that very caller out of its Twilio queue
// (REST queue-member update) and points it at /twilio/agent/connect. Twilio queues
// are FIFO per name; dequeuing a chosen CallSid is how Atende's priority wins.
import type { Logger } from 'pino';
import type { TwilioRest } from './rest.ts';

export interface DequeueRequest {
  callId: string;
  agentId: string;
  /** Absolute URL Twilio runs on the caller's leg once dequeued. */
  url: string;
}

export interface DequeuerOptions {
  rest: TwilioRest;
  log: Logger;
  /** Where the caller can be dequeued from (legs.ts owns every QueueSid); null: not in a queue yet. */
  queueSidOf: (callId: string) => string | null;
  /** Delays between attempts; the call stays visible as waiting meanwhile. */
  backoffMs?: number[];
  /** Still worth doing? (the caller may have hung up, the offer may be withdrawn) */
  stillWanted: (req: DequeueRequest) => boolean;
  /** Every attempt failed: the offer never reached the agent. */
  onGiveUp: (req: DequeueRequest, err: unknown) => void;
  /** How long to wait for the wait URL to tell us the caller's QueueSid. */
  queueSidWaitMs?: number;
}

const DEFAULT_BACKOFF_MS = [250, 500, 1000, 2000, 4000];

export class Dequeuer {
  /** Offers made while the caller was in no Twilio queue: carried out once a QueueSid is known. */
  private readonly waitingForSid = new Map<string, { req: DequeueRequest; timer: NodeJS.Timeout }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly backoff: number[];
  private closed = false;

  constructor(private readonly opts: DequeuerOptions) {
    this.backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  /** The caller is in the Twilio queue `queueSid` now: an offer waiting for it goes ahead. */
  inQueue(callId: string, queueSid: string): void {
    const pending = this.waitingForSid.get(callId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.waitingForSid.delete(callId);
    this.start(pending.req, queueSid);
  }

  /** The caller left the queue (to an agent, back to a queue, or hung up): an offer waiting for a QueueSid is dropped. */
  forget(callId: string): void {
    const pending = this.waitingForSid.get(callId);
    if (pending) clearTimeout(pending.timer);
    this.waitingForSid.delete(callId);
  }

  dequeue(req: DequeueRequest): void {
    if (this.closed) return;
    const sid = this.opts.queueSidOf(req.callId);
    if (sid) return this.start(req, sid);
    // Enqueued a moment ago: Twilio has not called the wait URL yet.
    const prev = this.waitingForSid.get(req.callId);
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => {
      this.waitingForSid.delete(req.callId);
      if (this.opts.stillWanted(req)) this.opts.onGiveUp(req, new Error('no QueueSid reported for the call'));
    }, this.opts.queueSidWaitMs ?? 10_000);
    timer.unref();
    this.waitingForSid.set(req.callId, { req, timer });
  }

  /**
   * Moves a caller who is talking to an agent (escalation) back through `url`,
   * which re-enqueues them; the Dial and the agent's leg end.
   */
  redirect(callId: string, url: string): void {
    if (this.closed) return;
    const p = this.retrying(`redirect ${callId}`, { callId }, () => this.opts.rest.calls(callId).update({ url, method: 'POST' }).then(() => undefined))
      .then((ok) => { if (!ok) this.opts.log.error({ callSid: callId }, 'could not move the caller back to the queue'); })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves once every request under way has finished (for draining and tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.waitingForSid.values()) clearTimeout(timer);
    this.waitingForSid.clear();
  }

  private start(req: DequeueRequest, queueSid: string): void {
    const p = this.run(req, queueSid).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async run(req: DequeueRequest, queueSid: string): Promise<void> {
    let lastErr: unknown = null;
    const ok = await this.retrying('dequeue', { callSid: req.callId, agent: req.agentId, queueSid }, async () => {
      await this.opts.rest.queues(queueSid).members(req.callId).update({ url: req.url, method: 'POST' });
    }, () => this.opts.stillWanted(req), (err) => { lastErr = err; });
    if (!ok && !this.closed && this.opts.stillWanted(req)) this.opts.onGiveUp(req, lastErr);
  }

  /** True once `attempt` succeeded; false when every try failed or it stopped being wanted. */
  private async retrying(what: string, bindings: Record<string, string>, attempt: () => Promise<void>,
    wanted: () => boolean = () => true, onError: (err: unknown) => void = () => {}): Promise<boolean> {
    const log = this.opts.log.child(bindings);
    for (let n = 0; n <= this.backoff.length; n++) {
      if (this.closed || !wanted()) return false;
      try {
        await attempt();
        log.info({ attempt: n + 1 }, `${what}: done`);
        return true;
      } catch (err) {
        onError(err);
        log.warn({ attempt: n + 1, status: (err as { status?: number }).status, err: (err as Error).message }, `${what}: failed`);
        if (n < this.backoff.length) await sleep(this.backoff[n]);
      }
    }
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
