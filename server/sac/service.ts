// What the Twilio edge (and the APIs) call for the SAC: protocol numbers, the state of a
// queue at a caller's arrival, whether to offer a callback, and the callback events. Every
// method reads the settings in force when it is called. docs/sac.md, "For the Twilio edge".
import type { DispatchResult, Engine } from '../engine.ts';
import { storeUnavailable } from '../errors.ts';
import { callbacksOf, sacOf } from '../config/load.ts';
import type { Localised, Settings } from '../config/types.ts';
import type { LiveSettings } from '../settings/live.ts';
import type { ProtocolRows } from '../storage/store.ts';
import type { CallbackResult, DomainEvent } from '../../routing/types.ts';
import { BusinessHours } from './hours.ts';
import { Protocols, protocolSpeech } from './protocol.ts';

/** A queue as a caller finds it (GET /api/queues shows the same). */
export interface QueueEntry {
  open: boolean;
  /** "hours", "holiday: Natal", "date: Inventário", or a supervisor's reason; null while open. */
  reason: string | null;
  emergency: boolean;
  /** When it opens again (a supervisor's `until`, the schedule's next opening); null while open or unknown. */
  nextOpeningAt: number | null;
  /** The queue takes callback requests (also while closed: for its next opening). */
  callbacks: boolean;
  /** What a caller hears at it closed, in every language (the queue's own, else sac.closedMessage); null when none. */
  closedMessage: Localised | null;
}

export class SacService {
  readonly protocols: Protocols;
  private calendar: { settings: Settings; hours: BusinessHours } | null = null;
  private seq = 0;

  constructor(private readonly engine: Engine, private readonly settings: LiveSettings, protocols: ProtocolRows) {
    this.protocols = new Protocols(protocols, {
      format: () => sacOf(this.settings.current).protocolFormat,
      timezone: () => this.settings.current.timezone,
    });
  }

  /** Business hours of the settings in force (rebuilt when they change). */
  hours(): BusinessHours {
    const current = this.settings.current;
    if (this.calendar?.settings !== current) this.calendar = { settings: current, hours: new BusinessHours(current) };
    return this.calendar.hours;
  }

  /** The call's protocol number, before anything else: `call.arrived` carries it (`protocol`). */
  async protocolFor(callId: string, at: number): Promise<string> {
    try {
      return await this.protocols.allocate(callId, at);
    } catch (err) {
      // The number is stored like an event: a locked or full database must hold the caller
      // and retry the step (the Twilio edge's answer to StoreUnavailableError), not drop them.
      throw storeUnavailable(err);
    }
  }

  /** What <Say> reads to tell a protocol, in the caller's language. */
  speech(protocol: string, language: string): string {
    return protocolSpeech(protocol, language, this.protocols.format());
  }

  /** The queue as a caller finds it now: the core's closures (schedule and supervisors) and the queue's settings. */
  entry(queue: string): QueueEntry {
    const s = this.settings.current;
    const q = s.queues.find((x) => x.id === queue);
    const state = this.engine.core.queueState(queue);
    return {
      open: state.open,
      reason: state.reason,
      emergency: state.emergency,
      nextOpeningAt: state.until,
      callbacks: q?.callbacks ?? true,
      closedMessage: q?.closedMessage ?? sacOf(s).closedMessage ?? null,
    };
  }

  /**
   * Whether the wait URL offers this caller a callback now: the queue takes them, and the caller
   * has waited `callbacks.offerAfterSeconds` with an estimated wait above
   * `callbacks.minEstimatedWaitSeconds` — or the queue closed under them with `sac.onClose: offer-callback`.
   */
  offersCallback(callId: string): boolean {
    const c = this.engine.core.call(callId);
    if (!c || c.status !== 'queued' || c.callback !== null || c.queue === null || !this.entry(c.queue).callbacks) return false;
    if (c.offerCallback) return true;
    const cb = callbacksOf(this.settings.current);
    const waited = (this.engine.now() - (c.queuedAt ?? c.arrivedAt)) / 1000;
    const position = this.engine.core.positionOf(callId) ?? 1;
    return waited >= cb.offerAfterSeconds && this.engine.core.estimatedWaitSeconds(c.queue, position) > cb.minEstimatedWaitSeconds;
  }

  /**
   * The caller asked for a callback (pressed the key and confirmed `number`). Waiting: they keep
   * their place. Still in the IVR at a closed queue (`queue`): a callback for its next opening.
   */
  requestCallback(callId: string, number: string, queue?: string): Promise<DispatchResult> {
    const c = this.engine.core.call(callId);
    const more: { queue?: string; notBefore?: number } = {};
    if (c?.status === 'ivr' && queue !== undefined) {
      const e = this.entry(queue);
      more.queue = queue;
      if (!e.open && e.nextOpeningAt !== null) more.notBefore = e.nextOpeningAt;
    }
    return this.send(callId, 'callback', (base) => ({ ...base, type: 'call.callback-requested', number, ...more }));
  }

  /** How the call to the customer ended (agent-first: after the agent answered; customer-first: before ringing the agent). */
  callbackResult(callId: string, result: CallbackResult): Promise<DispatchResult> {
    return this.send(callId, `callback-${result}`, (base) => ({ ...base, type: 'call.callback-attempt', result }));
  }

  /** The call dropped on the company's side: a callback at the head of its tier, to `number` or the caller ID. */
  dropped(callId: string, number?: string, source = 'api:calls'): Promise<DispatchResult> {
    return this.send(callId, 'dropped', (base) => ({ ...base, type: 'call.dropped', ...(number ? { number } : {}) }), source);
  }

  /** Logged, then applied (the group commit): resolves once durable. */
  private send(callId: string, kind: string, event: (base: { id: string; at: number; callId: string }) => DomainEvent, source = 'sac'): Promise<DispatchResult> {
    const at = this.engine.now();
    return this.engine.submit(event({ id: `sac:${kind}:${callId}:${at}:${this.seq++}`, at, callId }), source);
  }
}
