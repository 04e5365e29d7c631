// The leader's side of the edges: publishes every frame of its fan-out (wallboard,
// supervisor, each agent) to Redis once, for any number of edges to fan out to their
// screens, and shares its socket tickets with them (docs/deploy.md, "Edges and Redis").
//
// Registered always, dormant until started (`fastify.edgePublisher.start({ redisUrl })`,
// called by the process entry when REDIS_URL is set): without it nothing changes. Started, the
// leader keeps routing whatever Redis does: publishing is fire-and-forget, bounded
// (the newest frame per topic waits while Redis is away) and said once per outage.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { describeRedis, edgeKeys, type EdgeKeys } from './channel.ts';
import { Outbox, type OutboxStats } from './outbox.ts';
import { RedisLink } from './redis.ts';
import { LeaderRelay } from './relay.ts';
import { SharedTickets } from './tickets.ts';

export interface PublisherOptions {
  /** REDIS_URL. */
  redisUrl: string;
  /** Key prefix of this center in Redis (default `atende`); tests use a random one. */
  prefix?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Publishes this server's screens to Redis for edges; dormant until started. */
    edgePublisher: EdgePublisher;
  }
}

/** Socket routes whose ticket may have been shared with edges. */
const SOCKET_ROUTE = /^\/ws\/(wallboard|agent|supervisor)\?/;
const TICKET_ROUTE = /^\/api\/(wallboard|agent|supervisor)\/ticket(\?|$)/;

export class EdgePublisher {
  private link: RedisLink | null = null;
  private outbox: Outbox | null = null;
  private relay: LeaderRelay | null = null;
  private tickets: SharedTickets | null = null;
  private keys: EdgeKeys | null = null;

  constructor(private readonly app: FastifyInstance) {}

  get running(): boolean { return this.link !== null; }

  /** Redis reachable now (false when not started). */
  get connected(): boolean { return this.link?.isUp ?? false; }

  get stats(): OutboxStats & { topics: number } {
    return { ...(this.outbox?.stats ?? { published: 0, superseded: 0, held: 0 }), topics: this.relay?.size ?? 0 };
  }

  /** Starts publishing; resolves at once (a Redis that is down is retried in the background). */
  start(opts: PublisherOptions): void {
    if (this.link) throw new Error('the edge publisher is already started');
    const log = this.app.log.child({ redis: describeRedis(opts.redisUrl) });
    const keys = edgeKeys(opts.prefix);
    let failureSaid = false;
    const link = new RedisLink(opts.redisUrl, {
      name: 'atende-leader',
      onUp: () => {
        log.info({ held: this.outbox?.stats.held ?? 0 }, 'edges: publishing to Redis');
        failureSaid = false;
        this.outbox?.reconnected();
      },
      onDown: (reason) => log.warn({ reason }, 'edges: Redis unreachable; routing goes on, screens on edges go stale, the newest frame of each topic waits for Redis'),
    });
    const outbox = new Outbox(link, keys, (reason) => {
      if (failureSaid) return;
      failureSaid = true;
      log.warn({ reason }, 'edges: a publish to Redis failed; retrying with the next frame');
    });
    const tickets = new SharedTickets(link, keys);
    this.link = link;
    this.outbox = outbox;
    this.tickets = tickets;
    this.keys = keys;
    this.app.tickets.share(tickets);
    this.relay = new LeaderRelay(this.app, {
      put: (topic, json) => outbox.put(topic, json),
      drop: (topic) => outbox.drop(topic, ['agent', 'heartbeat']),
    }, () => tickets.settled());
    link.start();
    this.relay.start();
  }

  async stop(): Promise<void> {
    if (!this.link) return;
    this.relay?.stop();
    this.outbox?.close();
    this.app.tickets.share(null);
    const link = this.link;
    this.link = this.outbox = this.relay = this.tickets = this.keys = null;
    await link.close();
  }

  /** Before a ticket route answers: its ticket is in Redis, so an edge can take it at once. */
  async ticketsSettled(): Promise<void> { await this.tickets?.settled(); }

  /** Before one of the leader's own sockets takes its ticket: false when an edge took it already. */
  async ticketStillUnused(ticket: string): Promise<boolean> { return this.tickets ? this.tickets.stillUnused(ticket) : true; }

  /** The Redis keys in use (tests). */
  get redisKeys(): EdgeKeys | null { return this.keys; }
}

async function edgePublisher(fastify: FastifyInstance): Promise<void> {
  const publisher = new EdgePublisher(fastify);
  fastify.decorate('edgePublisher', publisher);
  // At the app's level (fastify-plugin), before the route groups are registered, so
  // both hooks reach the ticket and socket routes. Without a publisher: a flag test.
  fastify.addHook('onRequest', async (req) => {
    if (!publisher.running || req.method !== 'GET' || !SOCKET_ROUTE.test(req.url)) return;
    const ticket = (req.query as { ticket?: unknown }).ticket;
    if (typeof ticket !== 'string' || ticket.length > 128) return;
    if (!(await publisher.ticketStillUnused(ticket))) fastify.tickets.forget(ticket);
  });
  fastify.addHook('onSend', async (req, _reply, payload) => {
    if (publisher.running && req.method === 'POST' && TICKET_ROUTE.test(req.url)) await publisher.ticketsSettled();
    return payload;
  });
  fastify.addHook('preClose', async () => { await publisher.stop(); });
}

export default fp(edgePublisher, { name: 'atende-edge-publisher', dependencies: ['atende-services', 'atende-hub'] });
