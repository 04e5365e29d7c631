// The Twilio edge: every step of a call arrives as a signed webhook, becomes a domain
// event (logged, then applied to the core) and is answered with TwiML; the core's
// offers are carried out over the REST API by the dequeuer (edge.ts wires it).
//
// The webhooks live in an encapsulated plugin, one file each (webhooks/*.ts, built by
// webhook.ts): the form parser and the signature check apply to them alone, and
// their services are decorated inside it only. The one thing the rest of the process
// needs from the edge is to wait for the dequeues under way (tests, a restart), so
// what app.ts registers is a thin fastify-plugin shell that decorates `twilioIdle`
// on the app and registers the encapsulated edge inside itself.
import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import fp from 'fastify-plugin';
import { createEdge, openRecords, type Edge } from './edge.ts';
import { signatureCheck } from './signature.ts';
import { INCOMING_CALL_BODY_LIMIT } from './webhook.ts';
import agentConnect from './webhooks/agent-connect.ts';
import agentStatus from './webhooks/agent-status.ts';
import { CALLBACK_WEBHOOKS } from './webhooks/callback-call.ts';
import callbackRequest from './webhooks/callback-request.ts';
import dialDone from './webhooks/dial-done.ts';
import fallback from './webhooks/fallback.ts';
import ivr from './webhooks/ivr.ts';
import queueExit from './webhooks/queue-exit.ts';
import queueReenter from './webhooks/queue-reenter.ts';
import queueWait from './webhooks/queue-wait.ts';
import recording from './webhooks/recording.ts';
import status from './webhooks/status.ts';
import survey from './webhooks/survey.ts';
import voice from './webhooks/voice.ts';
import whisper from './webhooks/whisper.ts';

const WEBHOOKS = [voice, fallback, ivr, queueWait, queueExit, queueReenter, callbackRequest, agentConnect, whisper, agentStatus, dialDone, survey, status, recording, ...CALLBACK_WEBHOOKS];

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once every Twilio dequeue and redirect under way has finished (at once without Twilio). */
    twilioIdle(): Promise<void>;
    /** Reads from Twilio now every call whose change could not be logged or that went quiet (reconcile.ts). */
    twilioReconcile(): Promise<void>;
  }
}

/** Encapsulated: the form parser, the signature check and the webhooks stay in here. */
async function webhooks(fastify: FastifyInstance, opts: { edge: Edge; authToken: string | null }): Promise<void> {
  const { edge } = opts;
  fastify.decorate('twilioEdge', edge);
  // The parser takes the largest body any webhook allows; each route sets its own limit.
  await fastify.register(formbody, { bodyLimit: INCOMING_CALL_BODY_LIMIT });
  // Signature first: a forged request is refused before its body is even validated.
  fastify.addHook('preValidation', signatureCheck(opts.authToken, edge.publicUrl));
  for (const webhook of WEBHOOKS) await fastify.register(webhook);
  // Shutdown finishes the dequeues under way (a caller half-moved is a caller lost), then stops.
  fastify.addHook('preClose', async () => { await edge.idle(); });
  fastify.addHook('onClose', async () => { edge.stop(); });
}

async function twilio(fastify: FastifyInstance): Promise<void> {
  const options = fastify.twilioOptions;
  // No Twilio routes at all without Twilio options.
  const edge = options ? createEdge(fastify, options, await openRecords(fastify)) : null;
  fastify.decorate('twilioIdle', async () => { await edge?.idle(); });
  fastify.decorate('twilioReconcile', async () => { await edge?.reconciler.runNow(); });
  if (options && edge) await fastify.register(webhooks, { edge, authToken: options.authToken });
}

export const twilioEdge = fp(twilio, { name: 'atende-twilio', decorators: { fastify: ['engine', 'settings', 'records', 'storage', 'twilioOptions', 'sac'] } });
export default twilioEdge;
