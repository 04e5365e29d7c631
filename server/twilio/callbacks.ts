// Callbacks that keep the place, carried out over REST (docs/sac.md). When the core offers
// a waiting callback to an agent (an `offer` decision with `callback: true`) nobody is in a
// Twilio queue, so nothing is dequeued: Atende places a call with the Calls resource
// (calls.create, twilio.com/docs/voice/api/call-resource#create-a-call-resource).
//
// Agent first (callbacks.order "agent-first", the default): the call goes to the agent; the
// agent's leg hears who and why (with the protocol) and then <Dial>s the customer
// (webhooks/callback-call.ts). <Dial> on the agent's leg is the simplest Twilio-correct
// bridge: one leg Atende created, the customer's leg created and bridged by Twilio, the
// customer's answer seen by <Number url> (run on the called party before the bridge,
// twilio.com/docs/voice/twiml/number#url) and the outcome by the Dial's action
// (DialCallStatus: completed / no-answer / busy / failed).
//
// Customer first ("customer-first"): the call goes to the customer, ringing for the offer
// timeout (the core holds the agent for the offer meanwhile); its status callback tells a
// customer who never answered (no-answer / busy / failed / canceled). Picked up, the
// customer's leg carries the call (legs.ts: its requests are the call's) and is bridged
// to the offered agent like any dequeued caller (webhooks/callback-customer.ts).
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from '../engine.ts';
import type { Legs } from './legs.ts';
import type { TwilioRest } from './rest.ts';
import type { Voice } from './voice.ts';

export interface CallbackOffer { callId: string; agentId: string; number: string; attempt: number; customerFirst?: boolean }

export interface CallbackPlacerOptions {
  engine: Engine;
  rest: TwilioRest;
  voice: Voice;
  legs?: Legs;
  log: FastifyBaseLogger;
  /** The center's number the customer called (the callback's caller ID); null when unknown. */
  centerNumber(callId: string): Promise<string | null>;
}

export class CallbackPlacer {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: CallbackPlacerOptions) {}

  /** Places the callback's first call: to the agent, or (customer-first) to the customer. */
  place(offer: CallbackOffer): void {
    const p = (offer.customerFirst ? this.callCustomer(offer) : this.callAgent(offer)).finally(() => { this.pending.delete(p); });
    this.pending.add(p);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Agent first: rings the agent; the rest follows in webhooks/callback-call.ts. */
  private callAgent(offer: CallbackOffer): Promise<void> {
    const { engine, rest, voice, log } = this.opts;
    const agent = engine.core.agent(offer.agentId);
    const to = agent?.contact ?? `client:${offer.agentId}`;
    const query = { call: offer.callId, agent: offer.agentId };
    return this.opts.centerNumber(offer.callId).then((from) => rest.calls.create({
      to, from: from ?? to, method: 'POST',
      url: voice.url('/twilio/callback/agent', query),
      statusCallback: voice.url('/twilio/callback/agent-status', query), statusCallbackMethod: 'POST', statusCallbackEvent: ['completed'],
      timeout: engine.core.routingConfig().offerTimeoutSeconds,
    })).then(
      (created) => { log.info({ callSid: offer.callId, agent: offer.agentId, agentLeg: created.sid, attempt: offer.attempt }, 'callback: ringing the agent'); },
      (err: unknown) => {
        log.error({ callSid: offer.callId, agent: offer.agentId, err: (err as Error)?.message }, 'callback: could not call the agent; the callback waits again');
        return this.notDelivered(offer);
      },
    );
  }

  /**
   * Customer first: calls the customer's number from the center's number. It rings for the
   * offer timeout (`Timeout`: how long Twilio lets the phone ring before giving up, short of an
   * answering machine: twilio.com/docs/api/errors/21208), so that a customer who never answers
   * is reported before the core's offer expires (offer timeout + grace) and never counts as the
   * agent's miss: never picked up, the call's StatusCallback gets CallStatus no-answer (busy,
   * failed, canceled likewise; twilio.com/docs/voice/api/call-resource#statuscallback).
   */
  private callCustomer(offer: CallbackOffer): Promise<void> {
    const { engine, rest, voice, log } = this.opts;
    const query = { call: offer.callId, agent: offer.agentId };
    return this.opts.centerNumber(offer.callId).then((from) => {
      if (!from) log.warn({ callSid: offer.callId }, 'callback: the number the customer called is unknown; calling from the customer\'s own number');
      return rest.calls.create({
        to: offer.number, from: from ?? offer.number, method: 'POST',
        url: voice.url('/twilio/callback/customer', query),
        statusCallback: voice.url('/twilio/callback/customer-status', query), statusCallbackMethod: 'POST', statusCallbackEvent: ['completed'],
        timeout: engine.core.routingConfig().offerTimeoutSeconds,
      });
    }).then(
      (created) => { log.info({ callSid: offer.callId, agent: offer.agentId, customerLeg: created.sid, attempt: offer.attempt }, 'callback: calling the customer first'); },
      (err: unknown) => {
        const status = (err as { status?: unknown })?.status;
        // A 4xx is Twilio's final word on this number (21211 invalid 'To', 21215 not allowed…):
        // a failed attempt, so a number that can never be called ends as not reached.
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
          log.error({ callSid: offer.callId, status, err: (err as Error)?.message }, 'callback: Twilio refused the call to the customer; a failed attempt');
          const c = engine.core.call(offer.callId);
          if (c?.status !== 'offering' || c.agentId !== offer.agentId || !c.callback || c.callback.reached) return undefined;
          return engine.submit({ type: 'call.callback-attempt', id: `${offer.callId}:callback-failed:${engine.now()}`, at: engine.now(), callId: offer.callId, result: 'failed' }, 'twilio:callback')
            .then(() => {}, (e: unknown) => { log.error({ callSid: offer.callId, err: (e as Error)?.message }, 'callback: the failed attempt could not be logged; the offer times out instead'); });
        }
        log.error({ callSid: offer.callId, err: (err as Error)?.message }, 'callback: could not call the customer; the callback waits again');
        return this.notDelivered(offer);
      },
    );
  }

  /** The first call could not be placed: the offer goes back (the agent is freed, the callback keeps its place). */
  private notDelivered(offer: CallbackOffer): Promise<void> | undefined {
    const { engine, log } = this.opts;
    const c = engine.core.call(offer.callId);
    if (c?.status !== 'offering' || c.agentId !== offer.agentId) return undefined;
    return engine.submit({ type: 'call.offer-missed', id: `${offer.callId}:not-delivered:${engine.now()}`, at: engine.now(), callId: offer.callId, agentId: offer.agentId, reason: 'not-delivered' }, 'twilio:callback')
      .then(() => {}, (e: unknown) => { log.error({ callSid: offer.callId, err: (e as Error)?.message }, 'callback: the give-up could not be logged; the offer times out instead'); });
  }
}
