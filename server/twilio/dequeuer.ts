// Carries out the core's offers: takes that very caller out of its Twilio queue
// (REST queue-member update) and points it at /twilio/agent/connect. Twilio queues
// are FIFO per name; dequeuing a chosen CallSid is how Atende's priority wins.
//
// Only what may succeed on a second try is retried: no answer (a timeout, a dropped
// connection), a 5xx, a 429 (never processed, "always safe to retry":
// twilio.com/docs/api/errors/20429; after its Retry-After when it gives one). A 4xx
// is Twilio's final word: no retry. But a dequeue whose answer was lost may have been
// carried out, and Twilio answers 400 to a second update of a member it has already
// dequeued; so a 4xx after a try that got no answer (or a 5xx) is checked by reading
// the queue member and the call before giving up: a caller out of the queue and still
// on the line is on the way to the agent, and the offer stands.
import type { Logger } from 'pino';
import { TwilioRetryLater, type TwilioRest } from './rest.ts';

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
  /** Every attempt failed: the offer never reached the agent (a promise: idle() waits for it to be logged). */
  onGiveUp: (req: DequeueRequest, err: unknown) => void | Promise<void>;
  /** How long to wait for the wait URL to tell us the caller's QueueSid. */
  queueSidWaitMs?: number;
  /** The Twilio CallSid the caller of a call is on (a callback's customer leg: legs.ts); default the call's id. */
  twilioSidOf?: (callId: string) => string;
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
      if (this.opts.stillWanted(req)) void this.opts.onGiveUp(req, new Error('no QueueSid reported for the call'));
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
    const p = this.retrying(`redirect ${callId}`, { callId }, () => this.opts.rest.calls(this.sidOf(callId)).update({ url, method: 'POST' }).then(() => undefined))
      .then((r) => { if (!r.ok) this.opts.log.error({ callSid: callId }, 'could not move the caller back to the queue'); })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private sidOf(callId: string): string {
    return this.opts.twilioSidOf?.(callId) ?? callId;
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
    const bindings = { callSid: req.callId, agent: req.agentId, queueSid };
    const r = await this.retrying('dequeue', bindings, async () => {
      await this.opts.rest.queues(queueSid).members(this.sidOf(req.callId)).update({ url: req.url, method: 'POST' });
    }, () => this.opts.stillWanted(req));
    if (r.ok || this.closed || !this.opts.stillWanted(req)) return;
    if (r.final && r.maybeDone && await this.onTheWay(req, queueSid)) return;
    if (!this.closed && this.opts.stillWanted(req)) await this.opts.onGiveUp(req, r.err);
  }

  /**
   * After a 4xx that may answer a dequeue already carried out: true when the caller has
   * left the Twilio queue and is still on the line (so it is on its way to /agent/connect),
   * or when that cannot be read (the core's offer timeout is then the safety net: an
   * agent must never hear "no longer available" for a caller who is on the way).
   */
  private async onTheWay(req: DequeueRequest, queueSid: string): Promise<boolean> {
    const log = this.opts.log.child({ callSid: req.callId, agent: req.agentId, queueSid });
    const read = async <T>(what: () => Promise<T>): Promise<T | 'gone' | 'unknown'> => {
      try {
        return await what();
      } catch (err) {
        return statusOf(err) === 404 ? 'gone' : 'unknown';
      }
    };
    const member = await read(() => this.opts.rest.queues(queueSid).members(this.sidOf(req.callId)).fetch());
    if (member === 'unknown') {
      log.warn('dequeue: the queue member cannot be read; assuming the earlier try moved the caller');
      return true;
    }
    if (member !== 'gone') {
      log.warn('dequeue: the caller is still in the Twilio queue; the refusal stands');
      return false;
    }
    const call = await read(() => this.opts.rest.calls(this.sidOf(req.callId)).fetch());
    if (call === 'unknown') {
      log.warn('dequeue: the call cannot be read; assuming the earlier try moved the caller');
      return true;
    }
    if (call === 'gone' || !LIVE_CALL.has(call.status)) {
      log.info({ callStatus: call === 'gone' ? null : call.status }, 'dequeue: the caller is gone');
      return false;
    }
    log.info({ callStatus: call.status }, 'dequeue: done by an earlier try whose answer was lost; the caller is on the way');
    return true;
  }

  /** Tries until `attempt` succeeds, fails for good, or every try allowed is spent. */
  private async retrying(what: string, bindings: Record<string, string>, attempt: () => Promise<void>,
    wanted: () => boolean = () => true): Promise<Attempts> {
    const log = this.opts.log.child(bindings);
    let err: unknown = null;
    let maybeDone = false;
    for (let n = 0; n <= this.backoff.length; n++) {
      if (this.closed || !wanted()) return { ok: false, err, final: false, maybeDone };
      try {
        await attempt();
        log.info({ attempt: n + 1 }, `${what}: done`);
        return { ok: true };
      } catch (e) {
        err = e;
        const status = statusOf(e);
        const final = status !== null && status >= 400 && status < 500 && status !== 429 && status !== 408;
        log.warn({ attempt: n + 1, status, final, err: (e as Error).message }, `${what}: failed`);
        if (final) return { ok: false, err, final, maybeDone };
        // No answer, or a 5xx: Twilio may have done it all the same.
        if (status === null || status >= 500) maybeDone = true;
        if (n < this.backoff.length) await sleep(e instanceof TwilioRetryLater ? Math.max(this.backoff[n], Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS)) : this.backoff[n]);
      }
    }
    return { ok: false, err, final: false, maybeDone };
  }
}

/** How a run of tries ended: `final` a 4xx (no retry helps); `maybeDone` some try got no answer or a 5xx. */
type Attempts = { ok: true } | { ok: false; err: unknown; final: boolean; maybeDone: boolean };

/** Call statuses of a caller still on the line (twilio.md §1). */
const LIVE_CALL = new Set(['queued', 'ringing', 'in-progress']);
/** A Retry-After beyond this is not waited for in full: the caller is waiting too. */
const MAX_RETRY_AFTER_MS = 30_000;

/** The HTTP status of a REST error; null when no answer came (timeout, connection dropped). */
function statusOf(err: unknown): number | null {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 100 ? status : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
