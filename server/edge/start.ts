// Assembles an edge: its Redis feed and its HTTP app. main.ts adds the process
// concerns (environment, logger, listen, draining); tests and the bench call this.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FanoutOptions } from '../fanout.ts';
import { fastifyLogger, type LoggerSetting } from '../logger.ts';
import { errorBody } from '../plugins/error-handler.ts';
import edgeApp from './app.ts';
import { edgeKeys } from './channel.ts';
import { EdgeFeed } from './feed.ts';

export interface EdgeOptions {
  redisUrl: string;
  /** ATENDE_LEADER_URL. */
  leaderUrl: string;
  /** Key prefix of the center in Redis (default `atende`), as the leader's. */
  prefix?: string;
  logger?: LoggerSetting;
  staticDir?: string;
  tuning?: FanoutOptions;
  /** The feed counts as silent after this long without a frame (default 5 s). */
  silenceMs?: number;
}

export interface Edge {
  app: FastifyInstance;
  feed: EdgeFeed;
  close(): Promise<void>;
}

export async function createEdge(opts: EdgeOptions): Promise<Edge> {
  const keys = edgeKeys(opts.prefix);
  const app = Fastify({
    ...fastifyLogger(opts.logger ?? false),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: (err, _req, reply) => { void (reply as FastifyReply).code(err.statusCode ?? 400).send(errorBody(err)); },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;
  const feed = new EdgeFeed({ redisUrl: opts.redisUrl, keys, log: app.log, silenceMs: opts.silenceMs });
  await app.register(edgeApp, { feed, keys, leaderUrl: opts.leaderUrl.replace(/\/+$/, ''), staticDir: opts.staticDir, tuning: opts.tuning });
  await app.ready();
  feed.start();
  let closed = false;
  return {
    app,
    feed,
    async close() {
      if (closed) return;
      closed = true;
      await app.close(); // screens close with 1001
      await feed.close();
    },
  };
}
