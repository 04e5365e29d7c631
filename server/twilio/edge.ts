// The Twilio edge's services, built once from the app's decorators: the TwiML
// builder, the callers' legs (every QueueSid), the dequeuer that carries out the
// core's offers over REST, the idempotency reply cache, and the reconciler that
// reads from Twilio what the log could not take. The webhooks use them; the engine's
// offers and events drive the dequeuer.
import type { FastifyInstance } from 'fastify';
import type { RoutingCore } from '../../routing/core.ts';
import type { Engine } from '../engine.ts';
import type { TwilioOptions } from '../plugins/services.ts';
import type { SacService } from '../sac/service.ts';
import type { LiveSettings } from '../settings/live.ts';
import type { CdrRow } from '../storage/store.ts';
import { CallbackPlacer } from './callbacks.ts';
import { Dequeuer } from './dequeuer.ts';
import { Legs } from './legs.ts';
import { Reconciler } from './reconcile.ts';
import { ReplyCache } from './replies.ts';
import { Voice } from './voice.ts';

export interface Edge {
  engine: Engine;
  core: RoutingCore;
  /** The settings in force (read `.current` when used). */
  settings: LiveSettings;
  voice: Voice;
  /** The SAC service (protocol numbers, closed queues, callbacks): server/sac/service.ts. */
  sac: SacService;
  legs: Legs;
  /** Null without REST credentials: offers are not carried out. */
  dequeuer: Dequeuer | null;
  replies: ReplyCache;
  /** Reads calls from Twilio's REST API when their change could not be logged, or they went quiet. */
  reconciler: Reconciler;
  /** The public base URL Twilio calls (and signs), without a trailing slash. */
  publicUrl: () => string;
  /** Resolves once every dequeue and redirect under way has finished. */
  idle(): Promise<void>;
  /** Stops following the engine and drops pending dequeues. */
  stop(): void;
}

/**
 * `open`: the call records of the calls under way at the start (openRecords), read once
 * before the edge is built, so nothing on a webhook's path waits for the store.
 */
export function createEdge(fastify: FastifyInstance, opts: TwilioOptions, open: CdrRow[] = []): Edge {
  const { engine, settings, records, store } = fastify;
  const core = engine.core;
  const given = opts.publicUrl;
  const publicUrl = () => (typeof given === 'function' ? given() : given).replace(/\/+$/, '');
  const voice = new Voice(settings, publicUrl);
  // The QueueSid the call records hold for each call under way: those of the start, then
  // every one noted since (what the records' twilio_queue_sid would say), until the call ends.
  const queueSids = new Map(open.filter((r) => r.twilioQueueSid).map((r) => [r.callId, r.twilioQueueSid!]));
  const legs = new Legs({
    queueOf: (callId) => core.call(callId)?.queue ?? null,
    record: (callId, queueSid) => { queueSids.set(callId, queueSid); records.note(callId, { twilioQueueSid: queueSid }); },
    recorded: (callId) => queueSids.get(callId) ?? null,
    recordCarrier: (callId, legSid) => records.note(callId, { twilioCarrierSid: legSid }),
  });
  // The calls under way before a restart, as far as their legs go: the leg that carries a
  // call (a callback's customer, legs.carries), and the callers talking to an agent (so an
  // escalation moves them out of the Dial; the other places are learnt from Twilio's requests).
  for (const r of open) {
    const c = core.call(r.callId);
    if (!c || c.status === 'ended') continue;
    if (r.twilioCarrierSid) legs.restore(r.twilioCarrierSid, r.callId, c.callback?.origin === 'dropped' ? c.callback.requestedAt : null);
    if (c.status === 'connected') legs.bridged(r.callId);
  }
  const dequeuer = opts.rest ? new Dequeuer({
    rest: opts.rest,
    log: fastify.log.child({ component: 'dequeuer' }) as never,
    queueSidOf: (callId) => legs.queueSidOf(callId),
    twilioSidOf: (callId) => legs.twilioSidOf(callId),
    backoffMs: opts.dequeueBackoffMs,
    stillWanted: (r) => { const c = core.call(r.callId); return !!c && c.status === 'offering' && c.agentId === r.agentId; },
    onGiveUp: (r, err) => {
      fastify.log.error({ callSid: r.callId, agent: r.agentId, err: (err as Error)?.message }, 'could not dequeue the caller; the call waits again');
      return engine.submit({ type: 'call.offer-missed', id: `${r.callId}:not-delivered:${engine.now()}`, at: engine.now(), callId: r.callId, agentId: r.agentId, reason: 'not-delivered' }, 'twilio:dequeue')
        .then(() => {}, (e) => { fastify.log.error({ callSid: r.callId, err: (e as Error)?.message }, 'the give-up could not be logged; the offer times out instead'); });
    },
  }) : null;
  const reconciler = new Reconciler({
    engine, rest: opts.rest, log: fastify.log.child({ component: 'reconcile' }), settings: () => settings.current,
    openCalls: openCallsOf(fastify, open),
    // A callback nobody carries yet has no caller leg to read: its own legs report their end.
    twilioSidOf: (callId) => (core.call(callId)?.callback && !legs.carried(callId) ? null : legs.twilioSidOf(callId)),
    endedId: (callId) => legs.endedId(callId),
  });
  const callbacks = opts.rest ? new CallbackPlacer({
    engine, rest: opts.rest, voice, legs, log: fastify.log.child({ component: 'callbacks' }) as never,
    centerNumber: async (callId) => (await store.records.getCall(callId))?.to ?? null,
  }) : null;
  const langOf = (callId: string) => voice.language(core.call(callId)?.language ?? undefined);

  // An offer waiting for a QueueSid goes ahead once the caller is in a queue, and is dropped once out of it.
  const offLegs = legs.onChange((callId, leg) => {
    if (leg?.where === 'queued') dequeuer?.inQueue(callId, leg.queueSid);
    else dequeuer?.forget(callId);
  });
  // An offer is carried out on the next turn: the decision comes while its batch is being
  // applied (the group commit), before the TwiML answers of that batch have gone out, and
  // Twilio cannot dequeue a caller whose <Enqueue> it has not received yet.
  const deferred = new Set<Promise<void>>();
  const nextTurn = (fn: () => void) => {
    const p = new Promise<void>((resolve) => setImmediate(() => { try { fn(); } finally { resolve(); } })).finally(() => deferred.delete(p));
    deferred.add(p);
  };
  const offDecisions = engine.onDecisions((decisions) => {
    for (const d of decisions) {
      if (d.type !== 'offer' || !dequeuer) continue;
      // A callback: nobody is in a Twilio queue; Atende calls the agent or the customer first (callbacks.ts).
      if (d.callback) {
        nextTurn(() => callbacks?.place({ callId: d.callId, agentId: d.agentId, number: d.number, attempt: d.attempt, customerFirst: d.customerFirst }));
        continue;
      }
      nextTurn(() => dequeuer.dequeue({ callId: d.callId, agentId: d.agentId, url: voice.url('/twilio/agent/connect', { agent: d.agentId, lang: langOf(d.callId).code }) }));
    }
  });
  const offEvents = engine.onEvent((e) => {
    if (e.type === 'call.answered') legs.bridged(e.callId);
    else if (e.type === 'call.ended' || e.type === 'call.abandoned') { legs.ended(e.callId); queueSids.delete(e.callId); }
    // An escalated caller is talking to an agent: move them out of the Dial, back into a queue.
    else if (e.type === 'call.escalated' && legs.escalated(e.callId)) {
      dequeuer?.redirect(e.callId, voice.url('/twilio/queue/reenter', { lang: langOf(e.callId).code }));
    }
  });

  return {
    engine, core, settings, voice, sac: fastify.sac, legs, dequeuer, replies: new ReplyCache(), reconciler, publicUrl,
    idle: async () => {
      while (deferred.size) await Promise.all([...deferred]);
      await dequeuer?.idle(); await callbacks?.idle(); await reconciler.idle();
    },
    stop: () => { offLegs(); offDecisions(); offEvents(); dequeuer?.close(); reconciler.stop(); },
  };
}

/** Twilio's longest call (a <Dial timeLimit> is at most 24 h): an older record still open is not a live call. */
const LONGEST_CALL_MS = 24 * 3600_000;

/**
 * The call records of the last day still open: the calls a start finds under way. By status,
 * not by the end time: a call that dropped after it ended lives again (a callback) and keeps
 * its first end's time on the record.
 */
export async function openRecords(fastify: FastifyInstance): Promise<CdrRow[]> {
  const rows = await fastify.store.records.listCalls({ from: fastify.engine.now() - LONGEST_CALL_MS, limit: 100_000 });
  return rows.filter((r) => r.status !== 'ended');
}

/** Calls the records hold as under way (replayed from the log) that the core still has open. */
function openCallsOf(fastify: FastifyInstance, open: CdrRow[]): string[] {
  return open.filter((r) => (fastify.engine.core.call(r.callId)?.status ?? 'ended') !== 'ended').map((r) => r.callId);
}
