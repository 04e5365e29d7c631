// The one factory behind every webhook file (jambonz's "one file per verb behind one
// validating factory"). A file gives its URL, the TypeBox schemas of what it reads
// and a handler from the request to TwiML; the factory adds what every webhook
// needs: validation, the idempotency reply cache, a child logger per call, the
// fallback TwiML when the handler throws, `commit(event)` through the engine, a log
// line for a Twilio enum value Atende does not know yet, and, when the event log
// cannot take an event, an answer that keeps the caller (hold.ts) while the
// reconciler learns from Twilio what could not be recorded (reconcile.ts).
// The signature check and the form parser belong to the enclosing plugin (plugin.ts).
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Static, TObject } from '@sinclair/typebox';
import type { RoutingCore } from '../../routing/core.ts';
import type { DomainEvent } from '../../routing/types.ts';
import type { LanguageSetting, Settings } from '../config/types.ts';
import type { DispatchResult } from '../engine.ts';
import { StoreUnavailableError } from '../errors.ts';
import { carriedFields, holdQuery, holdTwiml, restoreCarried } from './hold.ts';
import type { Legs } from './legs.ts';
import type { Reconciler } from './reconcile.ts';
import { KNOWN_VALUES, twimlReplies } from './schemas.ts';
import type { Voice, VoiceResponse } from './voice.ts';
import { legIsOver } from './webhooks/steps.ts';

/**
 * The incoming call (Voice URL, and its fallback) carries Marketplace Add-on results
 * in `AddOns`: a JSON document per Add-on, often tens of KB. 256 KiB is four times
 * the 64 KiB such a request needs with room to spare, and still a bounded buffer.
 */
export const INCOMING_CALL_BODY_LIMIT = 256 * 1024;
/**
 * Every other request: the standard parameters, geographic fields, a CallToken
 * (STIR/SHAKEN, over 2 KB) and the step's own parameters stay within a few KB;
 * 32 KiB is ten times that, and far below what would cost memory.
 */
export const WEBHOOK_BODY_LIMIT = 32 * 1024;

/** One webhook request, as its handler sees it. */
export interface WebhookCall<B, Q> {
  body: B;
  query: Q;
  /** This request's logger, bound to the caller's CallSid. */
  log: FastifyBaseLogger;
  /** The language the query names (`lang`), else the first configured one. */
  lang: LanguageSetting;
  /** The settings in force for this request. */
  settings: Settings;
  core: RoutingCore;
  voice: Voice;
  /** The SAC service: protocol numbers, closed queues, callbacks (docs/sac.md, "For the Twilio edge"). */
  sac: import('../sac/service.ts').SacService;
  legs: Legs;
  /** Asks Twilio what became of a call (`lookUp`) when a request leaves it unclear. */
  reconciler: Reconciler;
  now: () => number;
  /**
   * Logs then applies one event (engine.submit: the group commit); a refusal is logged, never
   * an HTTP error. Await it: the answer must not leave before the event is durable.
   */
  commit: (event: DomainEvent) => Promise<DispatchResult>;
}

/** TwiML, or TwiML once the step's events are committed. */
export type Answer = VoiceResponse | Promise<VoiceResponse>;

export interface WebhookSpec<B extends TObject, Q extends TObject> {
  url: string;
  body: B;
  query?: Q;
  /** Default WEBHOOK_BODY_LIMIT. */
  bodyLimit?: number;
  /** A status callback: Twilio runs no TwiML from the answer, so a hold would be lost on it. */
  callback?: boolean;
  handle(call: WebhookCall<Static<B>, Static<Q>>): Answer;
  /** TwiML when `handle` throws; by default the error message, then the default queue. */
  fallback?(call: WebhookCall<Static<B>, Static<Q>>): Answer;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Twilio edge's services; only inside the Twilio plugin. */
    twilioEdge: import('./edge.ts').Edge;
  }
}

type LevelAware = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };

/** A value of a Twilio enum that Atende does not know yet: accepted, named in the log, handled by the safest rule. */
function warnUnknownValues(log: FastifyBaseLogger, body: Record<string, unknown>): void {
  for (const [field, known] of Object.entries(KNOWN_VALUES)) {
    const value = body[field];
    if (typeof value === 'string' && !known.includes(value)) {
      log.warn({ callSid: body.CallSid, field, value }, 'a Twilio value Atende does not know yet; handled by the safest rule');
    }
  }
}

export function defineWebhook<B extends TObject, Q extends TObject = TObject>(spec: WebhookSpec<B, Q>): FastifyPluginAsync {
  const fallback = spec.fallback ?? ((call) => call.voice.fallback(call.lang));
  const source = `twilio:${spec.url}`;
  const carried = carriedFields(spec.body);

  return async function webhook(fastify: FastifyInstance) {
    const { engine, core, voice, sac, legs, settings, replies, reconciler } = fastify.twilioEdge;

    fastify.post(spec.url, {
      bodyLimit: spec.bodyLimit ?? WEBHOOK_BODY_LIMIT,
      // TwiML for Twilio, not a page: browser security headers would only cost time.
      helmet: false,
      // After the plugin's signature check (shared hooks run first): a hold redirect's values back into the body.
      preValidation: restoreCarried(carried),
      schema: { body: spec.body, querystring: holdQuery(spec.query, spec.body), response: twimlReplies },
    }, async (req, reply) => {
      const body = req.body as Static<B>;
      // A leg Atende placed to carry a call (a callback's customer, legs.carries) speaks for
      // that call: its requests, and those of the agent legs it dials, are read as the call's.
      const fields = body as { CallSid: string; ParentCallSid?: unknown };
      fields.CallSid = legs.callOf(fields.CallSid) ?? fields.CallSid;
      if (typeof fields.ParentCallSid === 'string') fields.ParentCallSid = legs.callOf(fields.ParentCallSid) ?? fields.ParentCallSid;
      // One child logger per call: every line of this request carries its CallSid
      // (only built when info lines are written; warnings and errors name it anyway).
      if ((req.log as LevelAware).isLevelEnabled?.('info') ?? true) req.log = req.log.child({ callSid: body.CallSid });
      const raw = body as Record<string, unknown>;
      const query = (req.query ?? {}) as Static<Q> & Record<string, unknown>;
      // The caller's call: an agent leg's requests name it in our query or as ParentCallSid.
      const callId = String(query.call ?? raw.ParentCallSid ?? body.CallSid);
      reconciler.heard(callId);
      warnUnknownValues(req.log, raw);
      const token = req.headers['i-twilio-idempotency-token'];
      const key = typeof token === 'string' ? token : null;
      const cached = key === null ? undefined : replies.get(key);
      if (cached !== undefined) return reply.type('text/xml').send(cached);

      const call: WebhookCall<Static<B>, Static<Q>> = {
        body, query, log: req.log, core, voice, sac, legs, reconciler,
        lang: voice.language((query as { lang?: string }).lang),
        settings: settings.current,
        now: () => engine.now(),
        commit: async (event) => {
          const r = await engine.submit(event, source);
          if (r.ok && r.applied) req.log.info({ event: event.type, id: event.id }, 'event recorded');
          if (!r.ok) req.log.info({ event: event.type, code: r.error.code, reason: r.error.message }, 'event refused by the core');
          return r;
        },
      };
      let twiml: VoiceResponse;
      try {
        twiml = await spec.handle(call);
      } catch (err) {
        if (err instanceof StoreUnavailableError) {
          // Not a 503: Twilio would not retry it, the caller would hear an application
          // error. A caller still on the line is held while this very step is tried
          // again (hold.ts); once the leg is over (or on a status callback) nothing will
          // come again, so the truth is read back from Twilio (reconcile.ts).
          const over = spec.callback || legIsOver(body.CallStatus as string | undefined);
          if (over) reconciler.lookUp(callId);
          req.log.error({ err, callSid: body.CallSid }, over
            ? 'the event log cannot take the event; Twilio will be asked what became of the call'
            : 'the event log cannot take the event; holding the caller and trying the step again');
          const held = over ? voice.response() : holdTwiml(voice, call.lang, spec.url, query, raw, carried);
          // Never cached: a retry with the same token must try again, not replay the hold.
          return reply.type('text/xml').send(held.toString());
        }
        // Otherwise never an empty body or a 5xx to Twilio: the caller must stay somewhere sane.
        req.log.error({ err, callSid: body.CallSid }, 'webhook failed; answering the fallback TwiML');
        twiml = await fallback(call);
      }
      const xml = twiml.toString();
      if (key !== null) replies.set(key, xml);
      return reply.type('text/xml').send(xml);
    });
  };
}
