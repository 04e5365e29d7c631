// Callbacks that keep the place, carried out over REST (docs/sac.md). When the core offers
// a waiting callback to an agent (an `offer` decision with `callback: true`) nobody is in a
// Twilio queue, so nothing is dequeued: Atende calls the agent first with the Calls
// resource (calls.create, twilio.com/docs/voice/api/call-resource#create-a-call-resource);
// the agent's leg hears who and why (with the protocol) and then <Dial>s the customer
// (webhooks/callback-call.ts). <Dial> on the agent's leg is the simplest Twilio-correct
// bridge: one leg Atende created, the customer's leg created and bridged by Twilio, the
// customer's answer seen by <Number url> (run on the called party before the bridge,
// twilio.com/docs/voice/twiml/number#url) and the outcome by the Dial's action
// (DialCallStatus: completed / no-answer / busy / failed).
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from '../engine.ts';
import type { TwilioRest } from './rest.ts';
import type { Voice } from './voice.ts';

export interface CallbackOffer { callId: string; agentId: string; number: string; attempt: number }

export interface CallbackPlacerOptions {
  engine: Engine;
  rest: TwilioRest;
  voice: Voice;
  log: FastifyBaseLogger;
  /** The center's number the customer called (the callback's caller ID); null when unknown. */
  centerNumber(callId: string): Promise<string | null>;
}

export class CallbackPlacer {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: CallbackPlacerOptions) {}

  /** Rings the agent for the callback; the rest follows in webhooks/callback-call.ts. */
  place(offer: CallbackOffer): void {
    const { engine, rest, voice, log } = this.opts;
    const agent = engine.core.agent(offer.agentId);
    const to = agent?.contact ?? `client:${offer.agentId}`;
    const query = { call: offer.callId, agent: offer.agentId };
    const p = this.opts.centerNumber(offer.callId).then((from) => rest.calls.create({
      to, from: from ?? to, method: 'POST',
      url: voice.url('/twilio/callback/agent', query),
      statusCallback: voice.url('/twilio/callback/agent-status', query), statusCallbackMethod: 'POST', statusCallbackEvent: ['completed'],
      timeout: engine.core.routingConfig().offerTimeoutSeconds,
    })).then(
      (created) => { log.info({ callSid: offer.callId, agent: offer.agentId, agentLeg: created.sid, attempt: offer.attempt }, 'callback: ringing the agent'); },
      (err: unknown) => {
        log.error({ callSid: offer.callId, agent: offer.agentId, err: (err as Error)?.message }, 'callback: could not call the agent; the callback waits again');
        const c = engine.core.call(offer.callId);
        if (c?.status === 'offering' && c.agentId === offer.agentId) {
          return engine.submit({ type: 'call.offer-missed', id: `${offer.callId}:not-delivered:${engine.now()}`, at: engine.now(), callId: offer.callId, agentId: offer.agentId, reason: 'not-delivered' }, 'twilio:callback')
            .then(() => {}, (e: unknown) => { log.error({ callSid: offer.callId, err: (e as Error)?.message }, 'callback: the give-up could not be logged; the offer times out instead'); });
        }
        return undefined;
      },
    ).finally(() => { this.pending.delete(p); });
    this.pending.add(p);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
