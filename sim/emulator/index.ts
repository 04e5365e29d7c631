// A Twilio Programmable Voice emulator, in process: places inbound calls on Atende
// (signed webhooks, TwiML executed verb by verb, queues, agent legs, status
// callbacks) and answers the REST API Atende uses (queue-member dequeue and read,
// call redirect and read, the Recording resource of a <Dial record>: recordings.ts) on
// 127.0.0.1, refusing a second dequeue of a member as Twilio does (400). Faults (REST failures, delays and lost answers, duplicated,
// reordered and retried webhooks) are drawn from seeded generators.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { mulberry32 } from '../random.ts';
import { CallRun, type CallEnv } from './call.ts';
import { EmulatedClock } from './clock.ts';
import { Hooks, Stats } from './hooks.ts';
import { extrasFor } from './params.ts';
import { Queues } from './queues.ts';
import { Recordings, type RecordingInfo } from './recordings.ts';
import type { AgentBehaviour, EmulatedOutcome, CallRecord, CallScript, EmulatorEvent, EmulatorOptions, EmulatorStats } from './types.ts';

export type * from './types.ts';
export type { RecordingInfo } from './recordings.ts';

export interface Emulator {
  /** REST base URL (pass as TWILIO_API_URL / createTwilioRest({ apiUrl })). */
  readonly apiUrl: string;
  /**
   * Emulated time: every wait of the emulator, Twilio's timestamps, and the clock a
   * live runner and an in-process Atende run on. Given `startAt`, it waits there until `clock.start()`.
   */
  readonly clock: EmulatedClock;
  /** Where Atende listens (when not given to startEmulator). */
  setAtendeUrl(url: string): void;
  /** Replaces how agent legs answer (a live runner installs its roster's behaviour). */
  setAgentBehaviour(behaviour: AgentBehaviour): void;
  /** Places one inbound call; resolves when it is over (every callback delivered). */
  placeCall(script: CallScript): Promise<CallRecord>;
  /** Subscribes to the live event stream; returns the unsubscribe function. */
  onEvent(listener: (e: EmulatorEvent) => void): () => void;
  stats(): EmulatorStats;
  /** Calls under way. */
  active(): number;
  /** The calls Atende placed with calls.create (callbacks), in order, with the emulated time each was placed (`at`, epoch ms). */
  outbound(): { sid: string; to: string; from: string; at: number }[];
  /** Every recording a <Dial record> made (deleted ones left out), oldest first. */
  recordings(): RecordingInfo[];
  /** Waiting callers per queue name (Twilio's view). */
  queues(): { name: string; sid: string; size: number }[];
  /** The caller of every call under way hangs up; resolves once they are reported, then the REST server stops. */
  close(): Promise<void>;
}

const DEFAULT_AGENTS: AgentBehaviour = () => ({ answer: true, afterSeconds: 3 });
const OUTCOMES: EmulatedOutcome[] = ['answered', 'abandoned', 'ivr-hangup', 'overflowed', 'error', 'callback-requested'];

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be > 0');
  const seed = opts.seed ?? 1;
  const clock = new EmulatedClock(speed, opts.startAt ?? Date.now(), opts.startAt === undefined);
  const faults = opts.faults ?? {};
  // One generator per concern: adding calls of one kind does not reshuffle another's faults.
  const stream = (salt: number) => mulberry32((seed ^ salt) >>> 0);
  const rngRest = stream(0x52455354), rngHooks = stream(0x484f4f4b), rngDup = stream(0x44555021), rngOrder = stream(0x4f524452), rngAgents = stream(0x4147454e), rngParams = stream(0x50415253);
  const chance = (rng: () => number, p: number | undefined) => () => (!p || p <= 0 ? false : p >= 1 ? true : rng() < p);
  const responseLost = chance(stream(0x4c4f5354), faults.restLostResponseRate);

  const listeners = new Set<(e: EmulatorEvent) => void>();
  if (opts.onEvent) listeners.add(opts.onEvent);
  const emit = (e: EmulatorEvent) => {
    for (const l of listeners) {
      try { l(e); } catch { /* a listener's failure is not the call's */ }
    }
  };

  const stats = new Stats();
  const hooks = new Hooks({
    authToken: opts.authToken, atendeUrl: opts.atendeUrl ?? null, publicUrl: opts.publicUrl ?? null, timeoutMs: opts.webhookTimeoutMs ?? 15_000,
    stats, emit, retry: chance(rngHooks, faults.webhookRetries),
  });
  const queues = new Queues<CallRun>();
  const recordings = new Recordings();
  const statusPath = opts.statusCallbackPath === undefined ? '/twilio/status' : opts.statusCallbackPath;
  const env: CallEnv = {
    accountSid: opts.accountSid,
    get voiceUrl() { return hooks.publicBase + (opts.voicePath ?? '/twilio/voice'); },
    get statusCallbackUrl() { return statusPath === null ? null : hooks.publicBase + statusPath; },
    get voiceFallbackUrl() { return opts.voiceFallbackPath ? hooks.publicBase + opts.voiceFallbackPath : null; },
    extras: () => extrasFor(rngParams, opts.params),
    toNumber: opts.toNumber ?? '+551130001000',
    speed, clock, playSeconds: opts.playSeconds ?? 10, secondsPerWord: opts.secondsPerWord ?? 1 / 2.5,
    hooks, queues, agents: opts.agents ?? DEFAULT_AGENTS, agentRandom: rngAgents,
    duplicateCallback: chance(rngDup, faults.duplicateCallbacks),
    reorderCallbacks: chance(rngOrder, faults.reorderCallbacks),
    emit,
    recordings,
  };

  const active = new Map<string, CallRun>();
  const ended = new Map<string, CallRun>();
  const runs = new Set<Promise<CallRecord>>();
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<EmulatedOutcome, number>;
  let placed = 0;
  /** Calls Atende placed (calls.create), in order. */
  const outboundPlaced: { sid: string; to: string; from: string; at: number }[] = [];
  let closing = false;

  // ---- REST ---------------------------------------------------------------------------
  const app: FastifyInstance = Fastify({ logger: false });
  await app.register(formbody);
  const twilioError = (reply: FastifyReply, status: number, code: number, message: string) =>
    reply.code(status).send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  const expectedAuth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;

  app.addHook('onResponse', async (req, reply) => {
    stats.rest(reply.statusCode);
    emit({ type: 'rest', at: Date.now(), method: req.method, path: req.url, status: reply.statusCode });
  });
  // Order of a Twilio answer: authentication, then (fault) delay/failure, then the resource.
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const account = (req.params as { account?: string }).account;
    if (req.headers.authorization !== expectedAuth || account !== opts.accountSid) {
      return twilioError(reply.header('www-authenticate', 'Basic realm="Twilio API"'), 401, 20003, 'Authenticate');
    }
    if (faults.restDelayMs) await new Promise((r) => setTimeout(r, faults.restDelayMs));
    if (chance(rngRest, faults.restFailureRate)()) {
      stats.restFailuresInjected++;
      const status = faults.restFailStatus ?? 500;
      const code = status === 429 ? 20429 : status === 503 ? 20503 : status >= 500 ? 20500 : 20001;
      return twilioError(reply, status, code, 'Emulated failure (faults.restFailureRate)');
    }
  });

  const notFound = (reply: FastifyReply, path: string) =>
    twilioError(reply, 404, 20404, `The requested resource ${path} was not found`);
  let responsesLost = 0;
  /** Fault: the change is made, then the connection drops before any answer (the client cannot tell). */
  const loseAnswer = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (!responseLost()) return false;
    responsesLost++;
    stats.rest(0);
    emit({ type: 'rest', at: Date.now(), method: req.method, path: req.url, status: 0 });
    void reply.hijack();
    req.raw.socket.destroy();
    return true;
  };
  const memberOf = (queue: string, call: string) => {
    const q = queues.sid(queue);
    return { q, member: q && (call === 'Front' ? q.members[0] : q.members.find((m) => m.sid === call)) };
  };

  app.post('/2010-04-01/Accounts/:account/Queues/:queue/Members/:call.json', async (req, reply) => {
    const { queue, call } = req.params as { queue: string; call: string };
    const body = (req.body ?? {}) as Record<string, string>;
    const { q, member } = memberOf(queue, call);
    if (q && !member && (active.has(call) || ended.has(call))) {
      // Twilio refuses a second update of a member it has already dequeued (or that hung up) with a 400.
      return twilioError(reply, 400, 20001, `Call ${call} is not a member of queue ${queue}`);
    }
    if (!q || !member) return notFound(reply, req.url.replace(/\.json$/, ''));
    if (!body.Url) return twilioError(reply, 400, 21205, 'Url is required');
    const json = member.memberJson(q, opts.accountSid);
    member.dequeue(body.Url, body.Method);
    if (loseAnswer(req, reply)) return reply;
    return json;
  });

  // A member is there while it waits: once dequeued (or gone) it is not found.
  app.get('/2010-04-01/Accounts/:account/Queues/:queue/Members/:call.json', async (req, reply) => {
    const { queue, call } = req.params as { queue: string; call: string };
    const { q, member } = memberOf(queue, call);
    if (!q || !member) return notFound(reply, req.url.replace(/\.json$/, ''));
    return member.memberJson(q, opts.accountSid);
  });

  app.get('/2010-04-01/Accounts/:account/Queues/:queue/Members.json', async (req, reply) => {
    const q = queues.sid((req.params as { queue: string }).queue);
    if (!q) return notFound(reply, req.url.replace(/\.json$/, ''));
    return { queue_members: q.members.map((m) => m.memberJson(q, opts.accountSid)), page: 0, page_size: 50, uri: req.url };
  });

  app.post('/2010-04-01/Accounts/:account/Calls/:call.json', async (req, reply) => {
    const sid = (req.params as { call: string }).call;
    const body = (req.body ?? {}) as Record<string, string>;
    const c = active.get(sid);
    if (!c) {
      const done = ended.get(sid);
      if (done) return twilioError(reply, 400, 21220, 'Call is not in-progress. Cannot redirect.');
      return notFound(reply, req.url.replace(/\.json$/, ''));
    }
    if (body.Status === 'completed' || body.Status === 'canceled') c.hangup();
    else if (body.Url) c.redirect(body.Url, body.Method);
    else if (body.Twiml) return twilioError(reply, 400, 20001, 'Twiml updates are not emulated; use Url');
    const json = c.callJson(opts.accountSid);
    if (loseAnswer(req, reply)) return reply;
    return json;
  });

  // calls.create (twilio.com/docs/voice/api/call-resource#create-a-call-resource): a callback's
  // call to the agent (agent-first) or to the customer (customer-first). It runs like any call,
  // from its Url (a <Dial> to the agent, an <Enqueue> when the agent misses), picked up or not
  // as the agent behaviour says for the number called, reporting to its StatusCallback.
  app.post('/2010-04-01/Accounts/:account/Calls.json', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (!body.To || !body.From || !body.Url) return twilioError(reply, 400, 21205, 'To, From and Url are required');
    const call = new CallRun(env, {
      from: body.From, to: body.To, digits: [], patienceSeconds: null, talkSeconds: opts.callbackTalkSeconds ?? 60, hangsUp: 'agent',
      outbound: { url: body.Url, method: body.Method, statusCallback: body.StatusCallback ?? null, timeoutSeconds: Number(body.Timeout) || 60 },
    });
    active.set(call.sid, call);
    outboundPlaced.push({ sid: call.sid, to: body.To, from: body.From, at: clock.now() });
    const p = call.run().then((record) => {
      active.delete(call.sid);
      ended.set(call.sid, call);
      return record;
    });
    runs.add(p);
    void p.finally(() => runs.delete(p));
    const json = call.callJson(opts.accountSid);
    if (loseAnswer(req, reply)) return reply;
    return reply.code(201).send(json);
  });

  app.get('/2010-04-01/Accounts/:account/Calls/:call.json', async (req, reply) => {
    const sid = (req.params as { call: string }).call;
    const c = active.get(sid) ?? ended.get(sid);
    if (!c) return notFound(reply, req.url.replace(/\.json$/, ''));
    return c.callJson(opts.accountSid);
  });

  // The Recording resource (twilio.com/docs/voice/api/recording): a call's recordings, one
  // paused/resumed/stopped (Twilio.CURRENT: the call's active one), fetched or deleted.
  const recordingSid = (raw: string) => raw.replace(/\.json$/, '');
  app.get('/2010-04-01/Accounts/:account/Calls/:call/Recordings.json', async (req) => {
    const { call } = req.params as { call: string };
    return { recordings: recordings.ofCall(call).map((r) => r.json()), page: 0, page_size: 50, uri: req.url };
  });
  app.post('/2010-04-01/Accounts/:account/Calls/:call/Recordings/:rec', async (req, reply) => {
    const { call, rec } = req.params as { call: string; rec: string };
    const sid = recordingSid(rec);
    const body = (req.body ?? {}) as Record<string, string>;
    const r = sid === 'Twilio.CURRENT' ? recordings.current(call) : recordings.get(sid);
    if (!r || r.callSid !== call) return notFound(reply, req.url.replace(/\.json$/, ''));
    if (!body.Status) return twilioError(reply, 400, 21205, 'Status is required');
    const refused = r.update(body.Status, body.PauseBehavior ?? null);
    if (refused) return twilioError(reply, 400, 21220, refused);
    emit({ type: 'recording', at: Date.now(), callSid: call, recordingSid: r.sid, status: r.status, durationSeconds: r.live ? null : r.durationSeconds() });
    const json = r.json();
    if (loseAnswer(req, reply)) return reply;
    return json;
  });
  app.get('/2010-04-01/Accounts/:account/Recordings/:rec', async (req, reply) => {
    const r = recordings.get(recordingSid((req.params as { rec: string }).rec));
    if (!r) return notFound(reply, req.url.replace(/\.json$/, ''));
    return r.json();
  });
  app.delete('/2010-04-01/Accounts/:account/Recordings/:rec', async (req, reply) => {
    if (!recordings.delete(recordingSid((req.params as { rec: string }).rec))) return notFound(reply, req.url.replace(/\.json$/, ''));
    return reply.code(204).send();
  });

  const apiUrl = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });

  return {
    apiUrl,
    clock,
    setAtendeUrl: (url) => hooks.setAtendeUrl(url),
    setAgentBehaviour: (behaviour) => { env.agents = behaviour; },
    placeCall(script) {
      if (closing) return Promise.reject(new Error('the emulator is closing'));
      try { hooks.target(env.voiceUrl); } catch (err) { return Promise.reject(err); }
      const call = new CallRun(env, script);
      if (active.has(call.sid) || ended.has(call.sid)) return Promise.reject(new Error(`duplicate CallSid ${call.sid}`));
      active.set(call.sid, call);
      placed++;
      const p = call.run().then((record) => {
        active.delete(call.sid);
        ended.set(call.sid, call);
        if (ended.size > 100_000) ended.delete(ended.keys().next().value!);
        outcomes[record.outcome]++;
        return record;
      });
      runs.add(p);
      void p.finally(() => runs.delete(p));
      return p;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    stats() {
      return {
        callsPlaced: placed, callsActive: active.size, outcomes: { ...outcomes },
        webhooksSent: stats.webhooksSent, latencyMs: stats.latency(), errorsByStatus: { ...stats.errorsByStatus },
        restRequests: stats.restRequests, restByStatus: { ...stats.restByStatus }, restFailuresInjected: stats.restFailuresInjected,
        restResponsesLost: responsesLost,
      };
    },
    active: () => active.size,
    outbound: () => [...outboundPlaced],
    queues: () => queues.all().map((q) => ({ name: q.name, sid: q.sid, size: q.members.length })),
    recordings: () => recordings.all(),
    async close() {
      if (closing) return;
      closing = true;
      for (const c of active.values()) c.hangup();
      await Promise.allSettled([...runs]);
      await app.close();
      clock.stop();
    },
  };
}
