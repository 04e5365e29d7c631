// The one factory behind every webhook file (jambonz's "one file per verb behind one
// validating factory"). A file gives its URL, the TypeBox schemas of what it reads
// and a handler from the request to TwiML; the factory adds what every webhook
// needs: validation, the idempotency reply cache, a child logger per call, the
// fallback TwiML when the handler throws, and `commit(event)` through the engine.
// The signature check and the form parser belong to the enclosing plugin (plugin.ts).
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Static, TObject } from '@sinclair/typebox';
import type { RoutingCore } from '../../routing/core.ts';
import type { DomainEvent } from '../../routing/types.ts';
import type { LanguageSetting, Settings } from '../config/types.ts';
import type { DispatchResult } from '../engine.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Legs } from './legs.ts';
import { twimlReplies } from './schemas.ts';
import type { Voice, VoiceResponse } from './voice.ts';

/** Twilio's own limit on what it posts is far below this; anything bigger is not Twilio. */
export const WEBHOOK_BODY_LIMIT = 16 * 1024;

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
  legs: Legs;
  now: () => number;
  /** Logs then applies one event (engine.dispatch); a refusal is logged, never an HTTP error. */
  commit: (event: DomainEvent) => DispatchResult;
}

export interface WebhookSpec<B extends TObject, Q extends TObject> {
  url: string;
  body: B;
  query?: Q;
  handle(call: WebhookCall<Static<B>, Static<Q>>): VoiceResponse;
  /** TwiML when `handle` throws; by default the error message, then the default queue. */
  fallback?(call: WebhookCall<Static<B>, Static<Q>>): VoiceResponse;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Twilio edge's services; only inside the Twilio plugin. */
    twilioEdge: import('./edge.ts').Edge;
  }
}

type LevelAware = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };

export function defineWebhook<B extends TObject, Q extends TObject = TObject>(spec: WebhookSpec<B, Q>): FastifyPluginAsync {
  const fallback = spec.fallback ?? ((call) => call.voice.fallback(call.lang));
  const source = `twilio:${spec.url}`;

  return async function webhook(fastify: FastifyInstance) {
    const { engine, core, voice, legs, settings, replies } = fastify.twilioEdge;

    fastify.post(spec.url, {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // TwiML for Twilio, not a page: browser security headers would only cost time.
      helmet: false,
      schema: { body: spec.body, ...(spec.query ? { querystring: spec.query } : {}), response: twimlReplies },
    }, async (req, reply) => {
      const body = req.body as Static<B>;
      // One child logger per call: every line of this request carries its CallSid
      // (only built when info lines are written; warnings and errors name it anyway).
      if ((req.log as LevelAware).isLevelEnabled?.('info') ?? true) req.log = req.log.child({ callSid: body.CallSid });
      const token = req.headers['i-twilio-idempotency-token'];
      const key = typeof token === 'string' ? token : null;
      const cached = key === null ? undefined : replies.get(key);
      if (cached !== undefined) return reply.type('text/xml').send(cached);

      const query = (req.query ?? {}) as Static<Q>;
      const call: WebhookCall<Static<B>, Static<Q>> = {
        body, query, log: req.log, core, voice, legs,
        lang: voice.language((query as { lang?: string }).lang),
        settings: settings.current,
        now: () => engine.now(),
        commit: (event) => {
          const r = engine.dispatch(event, source);
          if (r.ok && r.applied) req.log.info({ event: event.type, id: event.id }, 'event recorded');
          if (!r.ok) req.log.info({ event: event.type, code: r.error.code, reason: r.error.message }, 'event refused by the core');
          return r;
        },
      };
      let twiml: VoiceResponse;
      try {
        twiml = spec.handle(call);
      } catch (err) {
        // Nothing was recorded: 503 so Twilio retries (the app's error handler answers it).
        if (err instanceof StoreUnavailableError) throw err;
        // Otherwise never an empty body or a 5xx to Twilio: the caller must stay somewhere sane.
        req.log.error({ err, callSid: body.CallSid }, 'webhook failed; answering the fallback TwiML');
        twiml = fallback(call);
      }
      const xml = twiml.toString();
      if (key !== null) replies.set(key, xml);
      return reply.type('text/xml').send(xml);
    });
  };
}
