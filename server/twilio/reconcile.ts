// Reconciliation: what Twilio knows that the log does not. A status callback that
// could not be logged is lost (Twilio sends it once and never retries a 5xx; status
// callbacks have no fallback URL: twilio.md §4), and a call can end while Atende is
// restarting. So Atende reads the call from the REST Calls resource
// (`client.calls(sid).fetch()`) and logs what it learns, with Twilio's own end time:
// - at once (then with backoff) for each call whose change it could not record;
// - for any call it believes under way but has not heard of for longer than that
//   step of a call can stay quiet (QUIET_LIMIT below), swept every `everyMs`.
// A call Twilio says is still under way counts as heard; one it says is over ends
// with the event the webhooks would have logged (same id, so a late webhook is a
// duplicate, never a second count).
import type { FastifyBaseLogger } from 'fastify';
import type { RoutingCore } from '../../routing/core.ts';
import type { CallView, DomainEvent } from '../../routing/types.ts';
import type { Settings } from '../config/types.ts';
import type { Engine } from '../engine.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { TwilioRest } from './rest.ts';

/** Call resource statuses after which the call is over (Twilio's Call resource, "Call Status values"). */
const OVER = new Set(['completed', 'canceled', 'failed', 'busy', 'no-answer']);

/** Delays (real ms) before each new try of a call whose change could not be recorded. */
const DEFAULT_RETRY_MS = [1000, 5000, 15_000, 30_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000];
/** Sweep period (real ms): the quiet limits are minutes, so a call is caught within a minute of going over. */
const DEFAULT_EVERY_MS = 30_000;
/** Calls checked per sweep at most (one REST GET each): the rest wait for the next sweep. */
const PER_SWEEP = 50;

/**
 * How long a call may go without any request from Twilio before Atende asks (ms of
 * the center's clock). Each step has its own heartbeat:
 * - ivr: a <Gather> posts at the latest after its prompt and timeout (≤ 60 s): 2 min;
 * - queued: the wait URL comes back every cycle (waitCycleSeconds of pause, or the
 *   whole hold track, whose length Atende cannot know): 3 cycles and at least 2 min,
 *   10 min with hold music;
 * - offering: the dequeue, then the agent rings for up to offerTimeoutSeconds before
 *   the Dial's action: the offer timeout plus 2 min;
 * - connected: a conversation says nothing until the Dial ends; 15 min keeps a lost
 *   end from lasting longer than that at ≤ 4 GETs an hour per call.
 */
export function quietLimitMs(status: CallView['status'], s: Settings): number {
  switch (status) {
    case 'ivr': return 120_000;
    case 'queued': return s.ivr.holdMusicUrl ? 600_000 : Math.max(120_000, 3 * s.ivr.waitCycleSeconds * 1000);
    case 'offering': return (s.offerTimeoutSeconds + 120) * 1000;
    case 'connected': return 15 * 60_000;
    default: return Infinity;
  }
}

export interface ReconcilerOptions {
  engine: Engine;
  /** Null (no REST credentials): nothing can be read, so nothing is reconciled. */
  rest: TwilioRest | null;
  log: FastifyBaseLogger;
  settings: () => Settings;
  /** Calls under way when the edge starts (replayed from the log): Twilio may have ended them meanwhile. */
  openCalls: string[];
  everyMs?: number;
  retryMs?: number[];
  /**
   * The Twilio CallSid to read for a call: its own, or the leg Atende placed that carries it
   * (a callback's customer, legs.ts); null when no leg of the caller's is Atende's to read (a
   * callback waiting or being placed: its caller leg is long over, its own legs report
   * through their status callbacks). Default: the call's id.
   */
  twilioSidOf?: (callId: string) => string | null;
  /** The id of the event that ends the call (legs.endedId: a dropped call called back has its own); default `<callId>:ended`. */
  endedId?: (callId: string) => string;
}

interface CallResource { status: string; startTime?: Date | null; endTime?: Date | null; duration?: string | null }
type Outcome = 'settled' | 'retry';

export class Reconciler {
  /** Calls believed under way → when Twilio was last heard of about them (center clock). */
  private readonly heardAt = new Map<string, number>();
  private readonly unrecorded = new Map<string, { tries: number; timer: NodeJS.Timeout | null }>();
  private readonly inFlight = new Map<string, Promise<Outcome>>();
  private readonly core: RoutingCore;
  private readonly retryMs: number[];
  private readonly sweepTimer: NodeJS.Timeout | null;
  private readonly offEvents: () => void;
  private stopped = false;

  constructor(private readonly opts: ReconcilerOptions) {
    this.core = opts.engine.core;
    this.retryMs = opts.retryMs ?? DEFAULT_RETRY_MS;
    const now = opts.engine.now();
    for (const id of opts.openCalls) this.heardAt.set(id, now);
    this.offEvents = opts.engine.onEvent((e) => {
      if (!('callId' in e) || typeof e.callId !== 'string') return;
      if (e.type === 'call.ended' || e.type === 'call.abandoned') this.forget(e.callId);
      else if (!this.heardAt.has(e.callId)) this.heardAt.set(e.callId, opts.engine.now());
    });
    const every = opts.everyMs ?? DEFAULT_EVERY_MS;
    this.sweepTimer = every > 0 && opts.rest ? setInterval(() => { void this.sweep(); }, every) : null;
    this.sweepTimer?.unref();
  }

  /** Twilio posted a request about the call: it is alive as of now. */
  heard(callId: string): void {
    if (this.heardAt.has(callId)) this.heardAt.set(callId, this.opts.engine.now());
  }

  /** Asks Twilio soon (then with backoff) what became of the call: its change could not be recorded, or was not understood. */
  lookUp(callId: string): void {
    if (this.stopped || !this.opts.rest || this.unrecorded.has(callId)) return;
    this.unrecorded.set(callId, { tries: 0, timer: null });
    this.schedule(callId);
  }

  /** Checks every unrecorded call and every call quiet for too long, now (tests, operators). */
  async runNow(): Promise<void> {
    await Promise.all([...this.unrecorded.keys()].map((id) => this.retryUnrecorded(id)));
    await this.sweep();
  }

  /** Resolves once no check is under way. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight.values()]);
  }

  stop(): void {
    this.stopped = true;
    this.offEvents();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const u of this.unrecorded.values()) if (u.timer) clearTimeout(u.timer);
    this.unrecorded.clear();
  }

  private forget(callId: string): void {
    this.heardAt.delete(callId);
    const u = this.unrecorded.get(callId);
    if (u?.timer) clearTimeout(u.timer);
    this.unrecorded.delete(callId);
  }

  private schedule(callId: string): void {
    const u = this.unrecorded.get(callId);
    if (!u || this.stopped) return;
    if (u.tries >= this.retryMs.length) {
      // Left to the sweep from now on: the call stays believed under way until Twilio says otherwise.
      this.opts.log.error({ callSid: callId }, 'reconciliation: still could not record what became of the call; the sweep keeps trying');
      this.unrecorded.delete(callId);
      return;
    }
    u.timer = setTimeout(() => { void this.retryUnrecorded(callId); }, this.retryMs[u.tries]);
    u.timer.unref();
  }

  private async retryUnrecorded(callId: string): Promise<void> {
    const u = this.unrecorded.get(callId);
    if (!u) return;
    if (u.timer) clearTimeout(u.timer);
    u.timer = null;
    u.tries++;
    const outcome = await this.check(callId);
    if (outcome === 'settled') this.unrecorded.delete(callId);
    else this.schedule(callId);
  }

  private async sweep(): Promise<void> {
    if (this.stopped || !this.opts.rest) return;
    const now = this.opts.engine.now();
    const settings = this.opts.settings();
    const due: string[] = [];
    for (const [id, at] of this.heardAt) {
      const c = this.core.call(id);
      if (!c || c.status === 'ended') { this.heardAt.delete(id); continue; }
      if (now - at > quietLimitMs(c.status, settings)) due.push(id);
      if (due.length >= PER_SWEEP) break;
    }
    for (const id of due) await this.check(id);
  }

  /** One look at the call in Twilio; concurrent asks for the same call share it. */
  private check(callId: string): Promise<Outcome> {
    const running = this.inFlight.get(callId);
    if (running) return running;
    const p = this.look(callId).finally(() => this.inFlight.delete(callId));
    this.inFlight.set(callId, p);
    return p;
  }

  private async look(callId: string): Promise<Outcome> {
    const log = this.opts.log;
    if (this.stopped || !this.opts.rest) return 'settled';
    if (!this.isOpen(callId)) { this.forget(callId); return 'settled'; }
    const sid = this.opts.twilioSidOf ? this.opts.twilioSidOf(callId) : callId;
    if (sid === null) {
      // Nobody on a leg of the caller's to ask about: followed again later.
      this.heardAt.set(callId, this.opts.engine.now());
      return 'settled';
    }
    let call: CallResource;
    try {
      call = await this.opts.rest.calls(sid).fetch();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404) {
        // Twilio has no such call (not one of this account's): nothing to learn, ever.
        log.warn({ callSid: callId }, 'reconciliation: Twilio has no such call; no longer followed');
        this.forget(callId);
        return 'settled';
      }
      log.warn({ callSid: callId, status, err: (err as Error).message }, 'reconciliation: could not read the call');
      return 'retry';
    }
    if (this.stopped) return 'settled';
    const c = this.core.call(callId);
    if (!c || c.status === 'ended') { this.forget(callId); return 'settled'; }
    if (!OVER.has(call.status)) {
      this.heardAt.set(callId, this.opts.engine.now());
      return 'settled';
    }
    const at = endTimeOf(call) ?? this.opts.engine.now();
    // The event the webhooks would have logged: an abandon while waiting, else the end.
    const id = this.opts.endedId?.(callId) ?? `${callId}:ended`;
    const event: DomainEvent = c.status === 'queued' || c.status === 'offering'
      ? { type: 'call.abandoned', id, at, callId }
      : { type: 'call.ended', id, at, callId, by: 'caller' };
    try {
      await this.opts.engine.submit(event, 'twilio:reconcile');
    } catch (err) {
      if (err instanceof StoreUnavailableError) return 'retry';
      throw err;
    }
    log.warn({ callSid: callId, status: call.status, endedAt: new Date(at).toISOString(), event: event.type }, 'reconciliation: Twilio says the call is over; logged');
    this.forget(callId);
    return 'settled';
  }

  private isOpen(callId: string): boolean {
    const c = this.core.call(callId);
    return !!c && c.status !== 'ended';
  }
}

/** When the call ended, by the Call resource: end_time, else start_time + duration. */
export function endTimeOf(call: CallResource): number | null {
  const end = call.endTime?.getTime();
  if (end !== undefined && Number.isFinite(end)) return end;
  const start = call.startTime?.getTime();
  const duration = Number(call.duration);
  if (start !== undefined && Number.isFinite(start) && call.duration != null && Number.isFinite(duration)) return start + duration * 1000;
  return null;
}
