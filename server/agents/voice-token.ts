// GET /api/agent/voice-token: a Twilio Access Token for the agent console's softphone
// (the Voice SDK's Device), so an agent reached as `client:<identity>` answers in the
// page. Minted with twilio-node's AccessToken + VoiceGrant (twilio/lib/jwt/AccessToken:
// `new AccessToken(accountSid, apiKeySid, apiKeySecret, { identity, ttl })`, signed
// HS256 with the API key secret, `sub` = account, `iss` = API key; VoiceGrant
// `incomingAllow` lets Twilio ring this identity). The identity is the one the Twilio
// edge dials (contact.ts), so the token can only ring the agent it was asked for.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import twilio from 'twilio';
import { bearerOf } from '../auth/access.ts';
import { NoSoftphoneError, UnknownAgentError, VoiceUnconfiguredError } from '../errors.ts';
import type { VoiceCredentials } from '../plugins/services.ts';
import { errorReplies } from '../schemas.ts';
import { clientIdentity, dialledContact } from './contact.ts';
import { VoiceToken, VoiceTokenQuery } from './schemas.ts';
import { agentResolver } from './whose.ts';

/** One hour: the Voice SDK asks for a new one before it runs out ('tokenWillExpire'). */
export const VOICE_TOKEN_TTL_SECONDS = 3600;

const { AccessToken } = twilio.jwt;

export interface MintedVoiceToken { token: string; identity: string; expiresAt: number }

/** A signed Access Token letting `identity` receive calls (and place them through the TwiML App, when there is one). */
export function mintVoiceToken(creds: VoiceCredentials, identity: string): MintedVoiceToken {
  const grant = new AccessToken.VoiceGrant({
    incomingAllow: true,
    ...(creds.twimlAppSid ? { outgoingApplicationSid: creds.twimlAppSid } : {}),
  });
  const at = new AccessToken(creds.accountSid, creds.apiKeySid, creds.apiKeySecret, { identity, ttl: VOICE_TOKEN_TTL_SECONDS });
  at.addGrant(grant);
  const token = at.toJwt();
  // The expiry as signed (twilio-node stamps iat/exp from the wall clock, which is what Twilio checks).
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number };
  return { token, identity, expiresAt: claims.exp * 1000 };
}

const voiceToken: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access } = fastify as FastifyInstance;
  const agentOf = agentResolver(fastify as FastifyInstance);

  fastify.get('/api/agent/voice-token', {
    schema: { querystring: VoiceTokenQuery, response: { 200: VoiceToken, ...errorReplies(400, 401, 403, 404, 409, 503) } },
  }, async (req, reply) => {
    const id = agentOf(req, req.query, access.identify(bearerOf(req)));
    const agent = engine.core.agent(id);
    if (!agent) throw new UnknownAgentError(id);
    if (fastify.demo) throw new VoiceUnconfiguredError('demo mode: the Twilio emulator answers for the agents, there is no voice to carry');
    const creds = (fastify as FastifyInstance).voiceCredentials;
    if (!creds) throw new VoiceUnconfiguredError('set TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (an API key of the Twilio account) to give agents a softphone in the console');
    const identity = clientIdentity(agent);
    if (identity === null) throw new NoSoftphoneError(id, dialledContact(agent));
    // A credential: never kept by a browser cache or a proxy.
    void reply.header('cache-control', 'no-store');
    return mintVoiceToken(creds, identity);
  });
};

export default voiceToken;
