// The agent console's server side: one agent's own view (state, the call offered
// or in progress, wrap-up), over HTTP and live over /ws/agent, and the softphone's
// token (voice-token.ts). An agent token only ever sees its own agent; a supervisor
// names the agent with ?agent=. The console's pages get their own CSP (csp.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerOf } from '../auth/access.ts';
import type { AgentConsoleView } from '../contract.ts';
import { UnknownAgentError } from '../errors.ts';
import type { Topic } from '../fanout.ts';
import { errorReplies } from '../schemas.ts';
import { upgradeRequired } from '../ws-routes.ts';
import agentConsoleCsp from './csp.ts';
import { ConsoleQuery, ConsoleTicket, ConsoleView } from './schemas.ts';
import agentRecording from './recording.ts';
import { consoleView, type VoiceSetup } from './view.ts';
import voiceToken from './voice-token.ts';
import { agentResolver } from './whose.ts';

/** Agent frames are small: a socket this far behind is skipped (then closed if it stays stuck). */
const AGENT_MAX_BUFFERED_BYTES = 256 * 1024;

const consoleRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, tickets, fanout } = fastify as FastifyInstance;
  const voice: VoiceSetup = fastify.demo ? 'demo' : (fastify as FastifyInstance).voiceCredentials ? 'softphone' : 'none';
  // The settings are read when each view is built: a supervisor's change (new pause
  // reasons) shows on the next answer and the next frame.
  const view = (agentId: string): AgentConsoleView | null => consoleView(engine, fastify.settings.current, agentId, voice);
  const agentFor = agentResolver(fastify as FastifyInstance);
  const errors = errorReplies(400, 401, 403, 404);

  fastify.get('/api/agent/me', {
    schema: { querystring: ConsoleQuery, response: { 200: ConsoleView, ...errors } },
  }, async (req) => {
    const id = agentFor(req, req.query, access.identify(bearerOf(req)));
    const v = view(id);
    if (!v) throw new UnknownAgentError(id);
    return v;
  });

  fastify.post('/api/agent/ticket', {
    schema: { querystring: ConsoleQuery, response: { 200: ConsoleTicket, ...errors } },
  }, async (req) => {
    const id = agentFor(req, req.query, access.identify(bearerOf(req)));
    return { ...tickets.issue('agent', { role: 'agent', agentId: id }), agent: id };
  });

  // ---- live: a topic per agent on the fan-out; a frame only when that agent's view changed ----
  const topics = new Map<string, Topic>();
  /** The last view each agent's sockets were sent, without the ticking clocks. */
  const lastSent = new Map<string, string>();
  const sameness = (v: AgentConsoleView) => JSON.stringify({ ...v, serverTime: 0, agent: { ...v.agent, stateSeconds: 0 } });
  const topicOf = (agentId: string): Topic => {
    const known = topics.get(agentId);
    if (known) return known;
    const topic = fanout.topic({
      welcome: () => {
        const v = view(agentId);
        if (v && !lastSent.has(agentId)) lastSent.set(agentId, sameness(v));
        return v ? [v] : [];
      },
      frame: () => {
        const v = view(agentId);
        if (!v) return null;
        const key = sameness(v);
        if (lastSent.get(agentId) === key) return null;
        lastSent.set(agentId, key);
        return v;
      },
      heartbeat: () => ({ type: 'heartbeat', serverTime: engine.now() }),
      maxBufferedBytes: AGENT_MAX_BUFFERED_BYTES,
      onEmpty: () => { topic.close(); topics.delete(agentId); lastSent.delete(agentId); },
    });
    topics.set(agentId, topic);
    return topic;
  };
  const offChange = engine.onChange(() => { for (const t of topics.values()) t.changed(); });
  // The fan-out itself closes the sockets (1001) when the server stops.
  fastify.addHook('preClose', async () => { offChange(); });

  /** The agent each accepted socket request is for, from its preHandler to its wsHandler. */
  const socketAgent = new WeakMap<FastifyRequest, string>();
  fastify.route({
    method: 'GET',
    url: '/ws/agent',
    schema: { querystring: ConsoleQuery, response: { ...errors, ...errorReplies(426) } },
    // After the query is validated, before the upgrade: a ticket, a bearer token or ?token=.
    preHandler: async (req) => {
      const held = tickets.take(req.query.ticket, 'agent');
      const principal = held ?? access.identify(bearerOf(req) ?? req.query.token ?? null);
      socketAgent.set(req, agentFor(req, req.query, principal, held !== undefined));
    },
    handler: upgradeRequired,
    wsHandler: (socket, req) => {
      const id = socketAgent.get(req);
      if (id === undefined) { socket.close(1011, 'no agent'); return; }
      socket.on('message', () => { /* actions go over HTTP */ });
      topicOf(id).add(socket);
    },
  });
};

/**
 * The console group: its CSP hook at the app's level (it must reach the static pages),
 * its routes each in their own encapsulated plugin.
 */
async function agentConsole(fastify: FastifyInstance): Promise<void> {
  await fastify.register(agentConsoleCsp);
  await fastify.register(consoleRoutes);
  await fastify.register(voiceToken);
  await fastify.register(agentRecording);
}

export default fp(agentConsole, { name: 'atende-agent-console' });
