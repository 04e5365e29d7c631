// The Twilio edge: every step of a call arrives as a signed webhook, becomes a
// domain event (logged, then applied to the core) and is answered with TwiML.
// Offers the core makes are carried out by the Dequeuer over the REST API.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import fp from 'fastify-plugin';
import twilio from 'twilio';
import type { Settings } from '../config/types.ts';
import { StoreUnavailableError, type Engine } from '../engine.ts';
import type { DomainEvent, OfferMissReason } from '../../routing/types.ts';
import { Dequeuer } from './dequeuer.ts';
import type { TwilioRest } from './rest.ts';
import * as S from './schemas.ts';
import { Voice, type VoiceResponse } from './voice.ts';

export interface TwilioEdgeOptions {
  engine: Engine;
  settings: Settings;
  /**
   * Public base URL Twilio calls, e.g. https://atende.example.com (signatures are checked against it).
   * A function when it is only known once listening (port 0 in tests and the local stack).
   */
  publicUrl: string | (() => string);
  /** Null: every webhook is refused (nothing can be verified). */
  authToken: string | null;
  /** Null: offers are not carried out (no REST credentials). */
  rest: TwilioRest | null;
  dequeueBackoffMs?: number[];
  /** Seen by the CDR projection. */
  onQueueSid?: (callId: string, queueSid: string) => void;
  /** A caller's QueueSid recorded earlier (the call records), for routing right after a restart. */
  recordedQueueSid?: (callId: string) => string | null;
}

type Body = Record<string, string>;
type Req = FastifyRequest<{ Body: Body; Querystring: Record<string, string | number | undefined> }>;

const FORBIDDEN = { error: 'forbidden', message: 'missing or invalid X-Twilio-Signature for this URL' };
const TERMINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
const MISS_REASON: Record<string, OfferMissReason> = { 'no-answer': 'no-answer', busy: 'busy', failed: 'failed', canceled: 'no-answer' };
/** Retried requests (same I-Twilio-Idempotency-Token) get the very same TwiML back. */
const REPLAY_CACHE_SIZE = 5000;

async function twilioEdgePlugin(app: FastifyInstance, opts: TwilioEdgeOptions): Promise<void> {
  const { engine, settings, authToken } = opts;
  const core = engine.core;
  const given = opts.publicUrl;
  const publicUrl = () => (typeof given === 'function' ? given() : given).replace(/\/+$/, '');
  const voice = new Voice(settings, publicUrl);
  const replies = new Map<string, string>();

  // One Twilio queue (one QueueSid) per queue name: any caller's wait request tells it for all.
  const sidByQueue = new Map<string, string>();
  const dequeuer = opts.rest ? new Dequeuer({
    lookupQueueSid: (callId) => {
      const queue = core.call(callId)?.queue;
      return (queue ? sidByQueue.get(queue) : undefined) ?? opts.recordedQueueSid?.(callId) ?? null;
    },
    rest: opts.rest,
    log: app.log.child({ component: 'dequeuer' }) as never,
    backoffMs: opts.dequeueBackoffMs,
    stillWanted: (r) => { const c = core.call(r.callId); return !!c && c.status === 'offering' && c.agentId === r.agentId; },
    onGiveUp: (r, err) => {
      app.log.error({ callSid: r.callId, agent: r.agentId, err: (err as Error)?.message }, 'could not dequeue the caller; the call waits again');
      engine.dispatch({ type: 'call.offer-missed', id: `${r.callId}:not-delivered:${engine.now()}`, at: engine.now(), callId: r.callId, agentId: r.agentId, reason: 'not-delivered' }, 'twilio:dequeue');
    },
  }) : null;
  const offDecisions = engine.onDecisions((decisions) => {
    for (const d of decisions) {
      if (d.type !== 'offer' || !dequeuer) continue;
      const lang = voice.language(core.call(d.callId)?.language ?? undefined);
      dequeuer.dequeue({ callId: d.callId, agentId: d.agentId, url: voice.url('/twilio/agent/connect', { agent: d.agentId, lang: lang.code }) });
    }
  });
  // An escalated caller is talking to an agent: move them out of the Dial, back into a queue.
  const bridged = new Set<string>();
  const offEvents = engine.onEvent((e) => {
    if (e.type === 'call.answered') bridged.add(e.callId);
    else if (e.type === 'call.ended' || e.type === 'call.abandoned') { bridged.delete(e.callId); dequeuer?.forget(e.callId); }
    else if (e.type === 'call.escalated' && bridged.delete(e.callId)) {
      const lang = voice.language(core.call(e.callId)?.language ?? undefined);
      dequeuer?.redirect(e.callId, voice.url('/twilio/queue/reenter', { lang: lang.code }));
    }
  });
  app.decorate('dequeuer', dequeuer);
  app.addHook('onClose', async () => { offDecisions(); offEvents(); dequeuer?.close(); });

  await app.register(formbody, { bodyLimit: 16 * 1024 });

  // Signature first: a forged request is refused before its body is even validated.
  const verify = async (req: FastifyRequest, reply: FastifyReply) => {
    const sig = req.headers['x-twilio-signature'];
    const params = (req.body ?? {}) as Body;
    let ok = false;
    if (authToken && typeof sig === 'string' && params && typeof params === 'object') {
      try { ok = twilio.validateRequest(authToken, sig, publicUrl() + req.url, params); } catch { ok = false; }
    }
    if (!ok) {
      req.log.warn({ path: req.routeOptions.url }, 'refused a webhook with a bad signature');
      return reply.code(403).send(FORBIDDEN);
    }
  };

  const commit = (req: Req, event: DomainEvent) => {
    const r = engine.dispatch(event, `twilio:${req.routeOptions.url}`);
    if (r.ok && r.applied) req.log.info({ event: event.type, id: event.id }, 'event recorded');
    if (!r.ok) req.log.info({ event: event.type, code: r.error.code, reason: r.error.message }, 'event refused by the core');
    return r;
  };
  const now = () => engine.now();
  const send = (req: Req, reply: FastifyReply, r: VoiceResponse) => {
    const xml = r.toString();
    const token = req.headers['i-twilio-idempotency-token'];
    if (typeof token === 'string') {
      replies.set(token, xml);
      if (replies.size > REPLAY_CACHE_SIZE) replies.delete(replies.keys().next().value!);
    }
    return reply.type('text/xml').send(xml);
  };
  const errorResponse = (lang = voice.languages[0]) => {
    const r = voice.response();
    voice.say(r, settings.ivr.errorMessage, lang);
    return voice.enqueue(r, settings.ivr.defaultQueue, lang);
  };

  type Handler = (req: Req, reply: FastifyReply) => VoiceResponse;
  const route = (path: string, schema: { body: object; querystring?: object }, handler: Handler, fallback: (req: Req) => VoiceResponse) => {
    app.post(path, {
      bodyLimit: 16 * 1024,
      // TwiML for Twilio, not a page: browser security headers would only cost time.
      helmet: false,
      preValidation: verify,
      schema: { ...schema, response: S.twimlResponse },
    }, async (request, reply) => {
      const req = request as Req;
      // One child logger per call: every line of this request carries its CallSid
      // (only built when info lines are written; warnings and errors name it anyway).
      if ((req.log as FastifyBaseLogger & { isLevelEnabled?(l: string): boolean }).isLevelEnabled?.('info') ?? true) req.log = req.log.child({ callSid: req.body.CallSid });
      const token = req.headers['i-twilio-idempotency-token'];
      const cached = typeof token === 'string' ? replies.get(token) : undefined;
      if (cached !== undefined) return reply.type('text/xml').send(cached);
      let r: VoiceResponse;
      try {
        r = handler(req, reply);
      } catch (err) {
        // Nothing was recorded: 503 so Twilio retries (the app's error handler answers it).
        if (err instanceof StoreUnavailableError) throw err;
        // Otherwise never an empty body or a 5xx to Twilio: the caller must stay somewhere sane.
        req.log.error({ err, callSid: req.body.CallSid }, 'webhook failed; answering the fallback TwiML');
        r = fallback(req);
      }
      return send(req, reply, r);
    });
  };
  const empty = () => voice.response();
  const langOf = (req: Req) => voice.language(req.query.lang as string | undefined);

  // ---- a call arrives --------------------------------------------------------
  route('/twilio/voice', { body: S.voiceBody }, (req) => {
    const b = req.body;
    commit(req, { type: 'call.arrived', id: `${b.CallSid}:arrived`, at: now(), callId: b.CallSid, from: b.From, to: b.To });
    if (voice.languages.length > 1) return voice.languageMenu(1);
    return voice.menuPrompt(voice.response(), settings.ivr.menu, voice.languages[0], 1, true);
  }, () => errorResponse());

  // ---- IVR menus -------------------------------------------------------------
  route('/twilio/ivr', { body: S.ivrBody, querystring: S.ivrQuery }, (req) => {
    const b = req.body, q = req.query;
    const attempt = Number(q.attempt ?? 1);
    const digits = q.silent ? '' : (b.Digits ?? '');
    const ivr = settings.ivr;
    if (q.step === 'language') {
      const chosen = voice.languages.find((l) => l.digit === digits);
      if (chosen) return voice.menuPrompt(voice.response(), ivr.menu, chosen, 1, false);
      if (attempt < ivr.maxAttempts) return voice.languageMenu(attempt + 1, ivr.invalidInput);
      return voice.menuPrompt(voice.response(), ivr.menu, voice.languages[0], 1, false);
    }
    const lang = langOf(req);
    const found = voice.menu(q.menu as string | undefined) ?? voice.menu(undefined)!;
    const option = found.node.options.find((o) => o.digit === digits);
    if (option?.menu) return voice.menuPrompt(voice.response(), option.menu, lang, 1, false);
    if (option?.queue) return enqueueCall(req, [...found.path, option.digit], option.queue, option.attributes ?? {}, lang);
    if (attempt < ivr.maxAttempts) {
      const r = voice.response();
      voice.say(r, ivr.invalidInput, lang);
      return voice.menuPrompt(r, found.node, lang, attempt + 1, false);
    }
    return enqueueCall(req, found.path, found.node.defaultQueue ?? ivr.defaultQueue, {}, lang);
  }, (req) => errorResponse(langOf(req)));

  function enqueueCall(req: Req, path: string[], queue: string, attributes: Record<string, string | number | boolean>, lang: ReturnType<typeof langOf>): VoiceResponse {
    const sid = req.body.CallSid;
    if (!core.call(sid)) {
      // State lost (e.g. the log was reset): adopt the call rather than drop the caller.
      commit(req, { type: 'call.arrived', id: `${sid}:arrived`, at: now(), callId: sid, from: req.body.From ?? req.body.Caller ?? '' });
    }
    commit(req, { type: 'call.ivr', id: `${sid}:ivr`, at: now(), callId: sid, path, language: lang.code });
    commit(req, { type: 'call.queued', id: `${sid}:queued`, at: now(), callId: sid, queue, attributes });
    const c = core.call(sid);
    if (c?.status === 'ended' && c.outcome === 'overflowed') return voice.goodbye(voice.response(), settings.ivr.overflowMessage, lang);
    return voice.enqueue(voice.response(), c?.queue ?? queue, lang);
  }

  // ---- waiting in the queue --------------------------------------------------
  route('/twilio/queue/wait', { body: S.waitBody, querystring: S.langQuery }, (req) => {
    const b = req.body;
    const lang = langOf(req);
    dequeuer?.rememberQueueSid(b.CallSid, b.QueueSid);
    opts.onQueueSid?.(b.CallSid, b.QueueSid);
    const c = core.call(b.CallSid);
    if (c?.queue) sidByQueue.set(c.queue, b.QueueSid);
    const r = voice.response();
    if (c?.status === 'queued') {
      const position = core.positionOf(c.id) ?? 1;
      voice.say(r, voice.waitAnnouncement(position, core.estimatedWaitSeconds(c.queue!, position), lang), lang);
      return voice.hold(r);
    }
    // Being dequeued to an agent (or unknown here): a short pause keeps the heartbeat quick.
    r.pause({ length: 2 });
    return r;
  }, () => { const r = voice.response(); r.pause({ length: 2 }); return r; });

  route('/twilio/queue/exit', { body: S.exitBody, querystring: S.langQuery }, (req) => {
    const b = req.body;
    const lang = langOf(req);
    const sid = b.CallSid;
    const callerGone = b.CallStatus === 'completed' || b.QueueResult === 'hangup';
    if (b.QueueSid) opts.onQueueSid?.(sid, b.QueueSid);
    if (callerGone) {
      if (core.call(sid)) commit(req, { type: 'call.abandoned', id: `${sid}:ended`, at: now(), callId: sid });
      return empty();
    }
    const c = core.call(sid);
    if (b.QueueResult === 'queue-full') {
      if (c && c.status !== 'ended') commit(req, { type: 'call.ended', id: `${sid}:ended`, at: now(), callId: sid, by: 'system' });
      return voice.goodbye(voice.response(), settings.ivr.overflowMessage, lang);
    }
    // Left by our REST redirect (or bridged): carry on where the core says the call is.
    return whereTheCallBelongs(sid, lang, b.QueueResult === 'error' || b.QueueResult === 'system-error');
  }, (req) => errorResponse(langOf(req)));

  function whereTheCallBelongs(sid: string, lang: ReturnType<typeof langOf>, sayError = false): VoiceResponse {
    const c = core.call(sid);
    const r = voice.response();
    if (!c) return r;
    if (sayError) voice.say(r, settings.ivr.errorMessage, lang);
    if (c.status === 'queued') return voice.enqueue(r, c.queue!, lang);
    if (c.status === 'offering') {
      r.redirect({ method: 'POST' }, voice.url('/twilio/agent/connect', { agent: c.agentId!, lang: lang.code }));
      return r;
    }
    return r;
  }

  // An escalated caller comes back here (REST redirect) and is put where the core says.
  route('/twilio/queue/reenter', { body: S.connectBody, querystring: S.langQuery }, (req) => {
    const lang = langOf(req);
    const c = core.call(req.body.CallSid);
    if (!c || c.status === 'ended') { const r = voice.response(); r.hangup(); return r; }
    return whereTheCallBelongs(c.id, lang);
  }, (req) => errorResponse(langOf(req)));

  // ---- the caller is dequeued to an agent -------------------------------------
  route('/twilio/agent/connect', { body: S.connectBody, querystring: S.agentQuery }, (req) => {
    const sid = req.body.CallSid;
    const agentId = String(req.query.agent);
    const lang = langOf(req);
    dequeuer?.leftQueue(sid); // out of the Twilio queue now; a new offer waits for the next QueueSid
    const c = core.call(sid);
    if (!c) {
      const r = voice.response();
      voice.say(r, settings.ivr.errorMessage, lang);
      r.redirect({ method: 'POST' }, voice.url('/twilio/voice'));
      return r;
    }
    if (c.status === 'offering' && c.agentId !== agentId) {
      const r = voice.response();
      r.redirect({ method: 'POST' }, voice.url('/twilio/agent/connect', { agent: c.agentId!, lang: lang.code }));
      return r;
    }
    if (c.status !== 'offering') {
      if (c.status === 'ended') { const r = voice.response(); r.hangup(); return r; }
      return whereTheCallBelongs(sid, lang);
    }
    const agent = core.agent(agentId)!;
    const contact = agent.contact ?? `client:${agent.id}`;
    const r = voice.response();
    const dial = r.dial({
      timeout: core.routingConfig().offerTimeoutSeconds, answerOnBridge: true,
      action: voice.url('/twilio/dial/done', { agent: agentId, lang: lang.code }), method: 'POST',
    });
    const noun = {
      url: voice.url('/twilio/agent/whisper', { call: sid, agent: agentId }), method: 'POST' as const,
      statusCallback: voice.url('/twilio/agent/status', { call: sid, agent: agentId }), statusCallbackMethod: 'POST' as const,
      statusCallbackEvent: ['ringing', 'answered', 'completed'] as ('ringing' | 'answered' | 'completed')[],
    };
    if (contact.startsWith('client:')) dial.client(noun, contact.slice('client:'.length));
    else dial.number(noun, contact);
    return r;
  }, (req) => errorResponse(langOf(req)));

  /** The first of whisper or answered-status is the answer time; both carry the agent leg's sid. */
  const answered = (req: Req, callId: string, agentId: string, agentLegSid: string) =>
    commit(req, { type: 'call.answered', id: `${callId}:answered:${agentLegSid}`, at: now(), callId, agentId });

  route('/twilio/agent/whisper', { body: S.whisperBody, querystring: S.agentQuery }, (req) => {
    const callId = String(req.query.call ?? req.body.ParentCallSid ?? '');
    const agentId = String(req.query.agent);
    const before = core.call(callId);
    const res = answered(req, callId, agentId, req.body.CallSid);
    const c = core.call(callId);
    const r = voice.response();
    const agentLang = voice.languages[0];
    if (!res.ok || !c || c.status !== 'connected' || c.agentId !== agentId) {
      voice.say(r, { 'pt-BR': 'Esta chamada não está mais disponível.', en: 'This call is no longer available.', es: 'Esta llamada ya no está disponible.' }, agentLang);
      r.hangup();
      return r;
    }
    voice.say(r, whisperText(c, before?.language ?? null), agentLang);
    return r;
  }, () => empty());

  function whisperText(c: NonNullable<ReturnType<typeof core.call>>, language: string | null): string {
    const queue = core.queueConfigs().find((q) => q.id === c.queue)?.name ?? c.queue ?? '';
    const parts = [`${queue}. Prioridade ${c.tier ?? ''}${c.tierRule && c.tierRule.reason !== 'default' ? `: ${c.tierRule.label}` : ''}.`];
    if (c.escalations > 0) parts.push(`Escalada para N${c.level}.${c.notes.length ? ` ${c.notes[c.notes.length - 1]}.` : ''}`);
    if (language && language !== voice.languages[0].code) parts.push(`Idioma: ${language}.`);
    return parts.join(' ');
  }

  route('/twilio/agent/status', { body: S.agentStatusBody, querystring: S.agentQuery }, (req) => {
    const b = req.body;
    const callId = String(req.query.call ?? b.ParentCallSid ?? '');
    // Only "answered" matters here; the end of the talk is reported by the Dial action.
    if (b.CallStatus === 'in-progress' && (b.StatusCallbackEvent ?? 'answered') === 'answered') {
      answered(req, callId, String(req.query.agent), b.CallSid);
    }
    return empty();
  }, () => empty());

  // ---- the Dial ends: talk over, or the agent never answered -----------------
  route('/twilio/dial/done', { body: S.dialDoneBody, querystring: S.agentQuery }, (req) => {
    const b = req.body;
    const sid = b.CallSid;
    const agentId = String(req.query.agent);
    const lang = langOf(req);
    const callerGone = TERMINAL.has(b.CallStatus ?? '');
    const c = core.call(sid);
    if (!c) return callerGone ? empty() : errorResponse(lang);
    const talked = b.DialCallStatus === 'completed' || b.DialCallStatus === 'answered';
    if (talked) {
      if (c.status === 'offering' && c.agentId === agentId) {
        answered(req, sid, agentId, b.DialCallSid ?? `dial-${agentId}`);
      }
      const during = core.call(sid)!;
      if (during.status === 'connected' && during.agentId === agentId) {
        commit(req, { type: 'call.ended', id: `${sid}:ended`, at: now(), callId: sid, by: callerGone ? 'caller' : 'agent' });
      }
      const after = core.call(sid)!;
      // Escalated meanwhile: the caller belongs to the queue again, not to a survey.
      if (after.status !== 'ended') return callerGone ? empty() : whereTheCallBelongs(sid, lang);
      if (callerGone) return empty();
      if (settings.survey.enabled && after.outcome === 'answered') return voice.surveyQuestion('nps', lang, { intro: true });
      const r = voice.response();
      r.hangup();
      return r;
    }
    if (callerGone) {
      if (c.status !== 'ended') commit(req, { type: 'call.ended', id: `${sid}:ended`, at: now(), callId: sid, by: 'caller' });
      return empty();
    }
    if (c.status === 'offering' && c.agentId === agentId) {
      commit(req, {
        type: 'call.offer-missed', id: `${sid}:missed:${b.DialCallSid ?? `${agentId}-${now()}`}`, at: now(),
        callId: sid, agentId, reason: MISS_REASON[b.DialCallStatus] ?? 'failed',
      });
    }
    // Straight to the next agent when the core re-offered at once, else back into the Twilio queue.
    return whereTheCallBelongs(sid, lang);
  }, (req) => errorResponse(langOf(req)));

  // ---- post-call survey --------------------------------------------------------
  route('/twilio/survey', { body: S.surveyBody, querystring: S.surveyQuery }, (req) => {
    const b = req.body;
    const step = req.query.step as 'nps' | 'csat';
    const attempt = Number(req.query.attempt ?? 1);
    const lang = langOf(req);
    const digits = (b.Digits ?? '').replace(/#$/, '');
    const value = /^\d{1,2}$/.test(digits) ? Number(digits) : NaN;
    const valid = step === 'nps' ? value >= 0 && value <= 10 : value >= 1 && value <= 5;
    if (valid) {
      commit(req, { type: 'call.survey', id: `${b.CallSid}:survey:${step}`, at: now(), callId: b.CallSid, ...(step === 'nps' ? { nps: value } : { csat: value }) });
    } else if (attempt < 2) {
      return voice.surveyQuestion(step, lang, { attempt: attempt + 1, retry: true });
    }
    if (step === 'nps') return voice.surveyQuestion('csat', lang);
    return voice.goodbye(voice.response(), settings.survey.thanks, lang);
  }, (req) => voice.goodbye(voice.response(), settings.survey.thanks, langOf(req)));

  // ---- the number's status callback: the caller's leg is over -------------------
  route('/twilio/status', { body: S.statusBody }, (req) => {
    const b = req.body;
    const c = core.call(b.CallSid);
    // Terminal wins and never moves a call backwards; earlier statuses are ignored.
    if (c && c.status !== 'ended' && TERMINAL.has(b.CallStatus)) {
      commit(req, { type: 'call.ended', id: `${b.CallSid}:ended`, at: now(), callId: b.CallSid, by: 'caller' });
    }
    return empty();
  }, () => empty());
}

/** Not encapsulated, so `app.dequeuer` is visible to the app (draining, tests). */
export const twilioEdge = fp(twilioEdgePlugin, { name: 'atende-twilio-edge' });

declare module 'fastify' {
  interface FastifyInstance { dequeuer: Dequeuer | null }
}
