// The agent console's Content-Security-Policy: the app's policy (helmet, ops/plugin.ts)
// plus exactly what Twilio's Voice SDK needs, on the pages under /agent/ only. The
// wallboard keeps the strict policy untouched.
//
// The hosts, as the SDK (@twilio/voice-sdk 2.x) builds them:
// - signalling: a WebSocket to `wss://voice-js.<edge>.twilio.com/signal` (lib/twilio/regions.ts:
//   createChunderEdgeURI / createSignalingEndpointURL; `roaming` by default, then the edge Twilio
//   picked for this agent, hence wss://*.twilio.com);
// - sounds (ring, DTMF, hang-up): `https://sdk.twilio.com/js/client/sounds/...` (lib/twilio/constants.ts
//   SOUNDS_BASE_URL), fetched by XHR for Web Audio (connect-src) or played by an <audio> (media-src);
// - insights: `https://eventgw.twilio.com`, then `eventgw.<home>.twilio.com` once the account's home
//   region is known (regions.ts createEventGatewayURI); Twilio's home regions are us1, ie1 and au1.
// Audio itself goes over WebRTC (not governed by CSP) into an <audio> through srcObject.
// Microphone: `Permissions-Policy: microphone=(self)` lets this page (and no frame) ask for it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Sources added to the app's policy on the console's pages, by directive. */
export const VOICE_SOURCES: Record<string, string[]> = {
  'connect-src': [
    'wss://voice-js.roaming.twilio.com', 'wss://*.twilio.com',
    'https://sdk.twilio.com',
    'https://eventgw.twilio.com', 'https://eventgw.us1.twilio.com', 'https://eventgw.ie1.twilio.com', 'https://eventgw.au1.twilio.com',
  ],
  'media-src': ['https://sdk.twilio.com'],
};

export const CONSOLE_PERMISSIONS_POLICY = 'microphone=(self)';

/** The console's pages: /agent, /agent/ and anything under it. */
export function isAgentConsolePath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/agent' || path.startsWith('/agent/');
}

/**
 * `policy` with `sources` appended to their directives; a directive the policy lacks is
 * added as 'self' plus the sources (it would otherwise fall back to default-src 'self').
 */
export function withSources(policy: string, sources: Record<string, string[]>): string {
  const directives = policy.split(';').map((d) => d.trim()).filter(Boolean);
  const left = new Map(Object.entries(sources));
  const out = directives.map((d) => {
    const name = d.split(/\s+/)[0].toLowerCase();
    const add = left.get(name);
    if (!add) return d;
    left.delete(name);
    return [d, ...add].join(' ');
  });
  for (const [name, add] of left) out.push([name, "'self'", ...add].join(' '));
  return out.join(';');
}

async function agentConsoleCsp(fastify: FastifyInstance): Promise<void> {
  // onSend: after helmet's onRequest hook set the app's policy on this reply.
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!isAgentConsolePath(req.url)) return payload;
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy !== 'string') return payload;
    void reply.header('content-security-policy', withSources(policy, VOICE_SOURCES));
    void reply.header('permissions-policy', CONSOLE_PERMISSIONS_POLICY);
    return payload;
  });
}

/** Not encapsulated: the hook must see the static files registered beside it. */
export default fp(agentConsoleCsp, { name: 'atende-agent-console-csp' });
