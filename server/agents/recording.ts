// Pausing the recording from the agent console (docs/sac.md, "Gravações"): while the caller
// gives a card number, the agent presses "Pausar gravação", and "Retomar gravação" after.
// Atende asks Twilio through the REST Recording resource of the call that owns the
// recording (the <Dial>'s parent leg: twilio.com/docs/voice/api/recording, "call_sid ...
// will always refer to the parent leg of a two-leg call"):
//   POST /2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings/{RE}.json  Status=paused, PauseBehavior=skip|silence
//   … Status=in-progress to resume.
// Once Twilio has done it, the change is logged (`call.recording`), so the console and the
// call record show it; when Twilio refuses, nothing is logged and the agent sees why (502).
import type { FastifyInstance } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerOf } from '../auth/access.ts';
import { recordingOf } from '../config/load.ts';
import {
  httpErrorOf, NoCallInProgressError, NotRecordedError, TwilioRestError, TwilioUnconfiguredError, UnknownAgentError,
} from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { ConsoleQuery } from './schemas.ts';
import { agentResolver } from './whose.ts';

const Action = Type.Object({ action: Type.Union([Type.Literal('pause'), Type.Literal('resume')]) }, { additionalProperties: false });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** The call and its recording after the change (routing/types.ts RecordingView). */
const RecordingReply = Type.Object({
  callId: Type.String(),
  recording: Type.Object({
    sid: Type.String(),
    status: Type.String(),
    callSid: Nullable(Type.String()),
    url: Nullable(Type.String()),
    durationSeconds: Nullable(Type.Number()),
    channels: Nullable(Type.Number()),
  }),
});

/** Recordings an agent may pause or resume: those Twilio still records. */
const LIVE = new Set(['in-progress', 'paused']);

const recordingRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access } = fastify as FastifyInstance;
  const agentFor = agentResolver(fastify as FastifyInstance);
  let seq = 0;

  fastify.post('/api/agent/recording', {
    schema: {
      querystring: ConsoleQuery, body: Action,
      response: { 200: RecordingReply, ...errorReplies(400, 401, 403, 404, 409, 502, 503) },
    },
  }, async (req) => {
    const id = agentFor(req, req.query, access.identify(bearerOf(req)));
    const agent = engine.core.agent(id);
    if (!agent) throw new UnknownAgentError(id);
    const call = agent.callId ? engine.core.call(agent.callId) : null;
    if (!call || call.status !== 'connected' || call.agentId !== id) throw new NoCallInProgressError(id);
    const rec = call.recording ?? null;
    if (!rec) {
      const queue = call.queue ?? 'none';
      throw new NotRecordedError(recordingOf(fastify.settings.current, call.queue)
        ? `call ${call.id} is not being recorded yet: Twilio has not reported the recording of queue ${queue}`
        : `call ${call.id} is not recorded: queue ${queue} does not record calls`);
    }
    if (!LIVE.has(rec.status)) throw new NotRecordedError(`the recording ${rec.sid} of call ${call.id} is over (${rec.status})`);
    const rest = fastify.twilioOptions?.rest;
    if (!rest) throw new TwilioUnconfiguredError('the recording cannot be paused');
    const pause = req.body.action === 'pause';
    const owner = rec.callSid ?? call.id;
    try {
      const pauseBehavior = recordingOf(fastify.settings.current, call.queue)?.pauseBehavior ?? 'skip';
      await rest.calls(owner).recordings(rec.sid).update(pause ? { status: 'paused', pauseBehavior } : { status: 'in-progress' });
    } catch (err) {
      const e = err as { status?: number; code?: number; message?: string };
      req.log.warn({ callSid: call.id, recordingSid: rec.sid, status: e.status, code: e.code, err: e.message }, 'Twilio did not change the recording');
      throw new TwilioRestError(`${e.status ? `HTTP ${e.status}` : 'no answer'}${e.code ? ` (Twilio error ${e.code})` : ''}: ${e.message ?? String(err)}`);
    }
    const r = await engine.submit({
      type: 'call.recording', id: `api:recording:${call.id}:${engine.now()}:${seq++}`, at: engine.now(), callId: call.id,
      recordingSid: rec.sid, status: pause ? 'paused' : 'in-progress',
    }, 'api:agent');
    if (!r.ok) throw httpErrorOf(r.error);
    return { callId: call.id, recording: { ...engine.core.call(call.id)!.recording! } };
  });
};

export default recordingRoutes;
