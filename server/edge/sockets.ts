// An edge's screens: /ws/wallboard, /ws/agent and /ws/supervisor as the leader serves
// them (same query, same admission, same frames), on the one fan-out (server/fanout.ts)
// fed from Redis instead of from an engine. Each topic relays the leader's frames as
// they come, serialised once by the leader; the fan-out's rules apply unchanged here
// (slow sockets skipped then closed, pings). Heartbeats are the leader's, relayed:
// when Redis or the leader goes away the screens hear nothing and say "stale", and a
// screen that connects meanwhile gets nothing old passed off as new: it gets the
// topic's whole welcome (snapshot and history…) with the topic's next live frame.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bearerOf, type Principal } from '../auth/access.ts';
import type { TicketPurpose } from '../auth/tickets.ts';
import { ConsoleQuery } from '../agents/schemas.ts';
import { ForbiddenError } from '../errors.ts';
import { Fanout, Serialised, type FanoutOptions, type Topic } from '../fanout.ts';
import { errorReplies } from '../schemas.ts';
import { upgradeRequired } from '../ws-routes.ts';
import { agentTopic, frameType, HEARTBEAT, SUPERVISOR_TOPIC, WALLBOARD_TOPIC, type EdgeKeys } from './channel.ts';
import type { EdgeFeed } from './feed.ts';
import { vouch } from './leader.ts';
import { takeSharedTicket } from './tickets.ts';

/** As the leader's console topics (server/agents/console.ts): agent frames are small. */
const AGENT_MAX_BUFFERED_BYTES = 256 * 1024;

const SocketQuery = Type.Object({
  ticket: Type.Optional(Type.String({ maxLength: 128 })),
  token: Type.Optional(Type.String({ maxLength: 512 })),
});

export interface EdgeSocketsOptions {
  feed: EdgeFeed;
  keys: EdgeKeys;
  leaderUrl: string;
  tuning?: FanoutOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Screens connected to this edge, by kind. */
    edgeScreens(): { wallboards: number; agents: number; supervisors: number };
  }
}

interface EdgeTopic { topic: Topic; owesWelcome: boolean }

export const edgeSockets: FastifyPluginAsyncTypebox<EdgeSocketsOptions> = async (fastify, opts) => {
  const { feed, keys, leaderUrl } = opts;
  const fanout = new Fanout(opts.tuning);
  const topics = new Map<string, EdgeTopic>();

  const topicFor = (key: string, maxBufferedBytes?: number): EdgeTopic => {
    const known = topics.get(key);
    if (known) return known;
    const entry: EdgeTopic = {
      owesWelcome: false,
      topic: fanout.topic({
        // Only while the feed is live, and only a state (not a heartbeat alone): otherwise the
        // welcome waits for the topic's next frame, and comes whole with it.
        welcome: () => {
          const frames = feed.live ? feed.welcome(key) : [];
          if (frames.some((json) => frameType(json) !== HEARTBEAT)) return frames.map((json) => new Serialised(json));
          entry.owesWelcome = true;
          return [];
        },
        frame: () => null,
        heartbeat: () => null,
        maxBufferedBytes,
        onEmpty: key === WALLBOARD_TOPIC || key === SUPERVISOR_TOPIC ? undefined : () => {
          entry.topic.close();
          topics.delete(key);
        },
      }),
    };
    topics.set(key, entry);
    return entry;
  };
  topicFor(WALLBOARD_TOPIC);
  topicFor(SUPERVISOR_TOPIC);

  const offFrame = feed.onFrame((key, json) => {
    const entry = topics.get(key);
    if (!entry) return;
    // Owed (a socket joined while the feed was not live): the whole welcome, once the feed is
    // live again, i.e. caught up with Redis; until then, fresh frames as they come.
    if (!entry.owesWelcome || !feed.live) { entry.topic.feed(json); return; }
    entry.owesWelcome = false;
    for (const frame of feed.welcome(key)) entry.topic.feed(frame);
  });
  fastify.addHook('preClose', async () => {
    offFrame();
    fanout.close(1001, 'server shutting down');
  });
  (fastify as unknown as FastifyInstance).decorate('edgeScreens', () => {
    let agents = 0;
    for (const [key, e] of topics) if (key.startsWith('agent:')) agents += e.topic.size;
    return { wallboards: topics.get(WALLBOARD_TOPIC)?.topic.size ?? 0, agents, supervisors: topics.get(SUPERVISOR_TOPIC)?.topic.size ?? 0 };
  });

  /**
   * Who may open this socket: a ticket taken once from Redis (the leader issued it), else
   * the leader asked on the socket's behalf with the token it brought (or none).
   */
  const admit = async (req: FastifyRequest, purpose: TicketPurpose, q: { ticket?: string; token?: string; agent?: string }): Promise<Principal | null> => {
    if (q.ticket) {
      const held = await takeSharedTicket(feed.commands, keys, q.ticket, purpose);
      if (held !== undefined) return held;
    }
    const v = await vouch(leaderUrl, purpose, bearerOf(req) ?? q.token ?? null, q.agent, req.ip);
    // The ticket it gave us is ours alone: burn it.
    void takeSharedTicket(feed.commands, keys, v.ticket, purpose).catch(() => { /* expires by itself */ });
    return v.principal;
  };
  const errors = errorReplies(400, 401, 403, 404, 426, 503);

  const route = (url: string, purpose: TicketPurpose, topicOf: (req: FastifyRequest) => EdgeTopic) => {
    fastify.route({
      method: 'GET',
      url,
      schema: { querystring: purpose === 'agent' ? ConsoleQuery : SocketQuery, response: errors },
      preHandler: async (req) => {
        const q = req.query as { ticket?: string; token?: string; agent?: string };
        const principal = await admit(req, purpose, q);
        if (purpose !== 'agent') return;
        // As the leader's console: an agent's ticket opens that agent's console only.
        const agentId = principal?.agentId ?? null;
        if (!agentId) throw new ForbiddenError('this ticket is not for an agent console');
        if (q.agent && q.agent !== agentId) throw new ForbiddenError(`this token belongs to agent '${agentId}', not '${q.agent}'`);
        socketAgent.set(req, agentId);
      },
      handler: upgradeRequired,
      wsHandler: (socket, req) => {
        socket.on('message', () => { /* screens only listen; actions go over HTTP */ });
        topicOf(req).topic.add(socket);
      },
    });
  };
  /** The agent each admitted console socket is for, from its preHandler to its wsHandler. */
  const socketAgent = new WeakMap<FastifyRequest, string>();
  route('/ws/wallboard', 'wallboard', () => topicFor(WALLBOARD_TOPIC));
  route('/ws/supervisor', 'supervisor', () => topicFor(SUPERVISOR_TOPIC));
  route('/ws/agent', 'agent', (req) => topicFor(agentTopic(socketAgent.get(req)!), AGENT_MAX_BUFFERED_BYTES));
};
