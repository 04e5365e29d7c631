// Where each caller's Twilio leg is, and under which QueueSid: the one place that
// knows. Twilio dequeues a chosen caller only by (QueueSid, CallSid), and tells the
// QueueSid only to the wait URL, so every QueueSid Atende learns is kept here:
// per call while the caller is in a Twilio queue, per queue name (one Twilio queue
// per name, so any caller's wait request tells it for all of that queue), and in the
// call records (routing right after a restart, before any wait request came back).

/**
 * A caller's leg as far as dequeuing goes: in a Twilio queue (dequeue it there),
 * dialling an agent, bridged to one, or being moved back after an escalation (in
 * none of those three is it in any queue: no dequeue until a wait request says so).
 */
export type Leg =
  | { where: 'queued'; queueSid: string }
  | { where: 'dialling' }
  | { where: 'bridged' }
  | { where: 'moving' };

export interface LegsOptions {
  /** The queue the routing core has the call in, if any. */
  queueOf(callId: string): string | null;
  /** Keeps a caller's QueueSid in the call records. */
  record(callId: string, queueSid: string): void;
  /** The QueueSid the call records hold for a caller (from before a restart). */
  recorded(callId: string): string | null;
  /** Keeps the leg that carries a call in the call records (read back at start: `restore`). */
  recordCarrier?(callId: string, legSid: string): void;
}

/** Told whenever a leg changes (null: the call is over). */
export type LegListener = (callId: string, leg: Leg | null) => void;

export class Legs {
  private readonly legs = new Map<string, Leg>();
  /** A leg Atende placed that carries a call (a callback's customer): its CallSid → the call's id, and back. */
  private readonly carrierOf = new Map<string, string>();
  private readonly callByLeg = new Map<string, string>();
  /** A carried call's second life (a call that dropped, called back): the suffix of its end's event id. */
  private readonly lives = new Map<string, string>();
  private readonly sidByQueue = new Map<string, string>();
  private readonly listeners = new Set<LegListener>();

  constructor(private readonly opts: LegsOptions) {}

  /** The wait URL: the caller is in the Twilio queue `queueSid` (and so is its queue's name). */
  waiting(callId: string, queueSid: string): void {
    this.opts.record(callId, queueSid);
    const queue = this.opts.queueOf(callId);
    if (queue) this.sidByQueue.set(queue, queueSid);
    this.set(callId, { where: 'queued', queueSid });
  }

  /** The Enqueue action reports the QueueSid the caller just left: kept in the records only. */
  left(callId: string, queueSid: string): void {
    this.opts.record(callId, queueSid);
  }

  /** Out of the Twilio queue to an agent's Dial: a new offer waits for the next QueueSid. */
  dialling(callId: string): void {
    this.set(callId, { where: 'dialling' });
  }

  /** Talking to an agent. */
  bridged(callId: string): void {
    this.set(callId, { where: 'bridged' });
  }

  /**
   * The call was escalated. True when the caller is bridged and so must be moved
   * out of the Dial back into a queue (the leg is then on its way, in no queue).
   */
  escalated(callId: string): boolean {
    if (this.legs.get(callId)?.where !== 'bridged') return false;
    this.set(callId, { where: 'moving' });
    return true;
  }

  /**
   * From now on the Twilio leg `legSid` carries the call `callId`: a callback's customer,
   * called by Atende (customer-first: calls.create; agent-first: the agent's <Dial>). Its
   * requests are the call's own (the webhook factory reads them as `callId`), and the REST
   * requests that move the caller (dequeue, redirect, read) go to that leg.
   */
  carries(legSid: string, callId: string, droppedAt: number | null = null): void {
    const changed = legSid !== callId && this.carrierOf.get(callId) !== legSid;
    this.restore(legSid, callId, droppedAt);
    if (changed) this.opts.recordCarrier?.(callId, legSid);
  }

  /**
   * What `carries` said before a restart, read back from the call records at start: the
   * leg's requests after it are still the call's, and the caller is still moved on it.
   */
  restore(legSid: string, callId: string, droppedAt: number | null = null): void {
    if (droppedAt !== null) this.lives.set(callId, `:${droppedAt}`);
    if (legSid === callId) return;
    const before = this.carrierOf.get(callId);
    if (before) this.callByLeg.delete(before);
    this.carrierOf.set(callId, legSid);
    this.callByLeg.set(legSid, callId);
  }

  /** The call a request's CallSid stands for: the call a carrying leg carries, else null. */
  callOf(sid: string): string | null {
    return this.callByLeg.get(sid) ?? null;
  }

  /** The Twilio CallSid on which the caller of `callId` is reached now: its carrying leg, else its own. */
  twilioSidOf(callId: string): string {
    return this.carrierOf.get(callId) ?? callId;
  }

  /**
   * The id of the event that ends the call (`call.ended`, or `call.abandoned` from a queue). A
   * call that dropped and is called back lives twice under one id: its first end's id is
   * taken (a retry of it must stay a duplicate), so the second end's carries the drop's time.
   */
  endedId(callId: string): string {
    return `${callId}:ended${this.lives.get(callId) ?? ''}`;
  }

  /** True when a leg Atende placed carries the call (someone is on the line for it). */
  carried(callId: string): boolean {
    return this.carrierOf.has(callId);
  }

  /** The call is over (told even for a call never seen here: a dequeue may be waiting for it). */
  ended(callId: string): void {
    this.legs.delete(callId);
    const carrier = this.carrierOf.get(callId);
    if (carrier) { this.carrierOf.delete(callId); this.callByLeg.delete(carrier); }
    this.lives.delete(callId);
    for (const fn of this.listeners) fn(callId, null);
  }

  /**
   * The QueueSid to dequeue the caller from; null while the caller is in no queue
   * (or none is known yet). A caller not seen since the start is looked up by its
   * queue's name, then in the call records.
   */
  queueSidOf(callId: string): string | null {
    const leg = this.legs.get(callId);
    if (leg) return leg.where === 'queued' ? leg.queueSid : null;
    const queue = this.opts.queueOf(callId);
    return (queue ? this.sidByQueue.get(queue) : undefined) ?? this.opts.recorded(callId);
  }

  legOf(callId: string): Leg | null {
    return this.legs.get(callId) ?? null;
  }

  onChange(fn: LegListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(callId: string, leg: Leg): void {
    this.legs.set(callId, leg);
    for (const fn of this.listeners) fn(callId, leg);
  }
}
