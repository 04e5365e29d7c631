// The pages' /api/* calls, forwarded to the leader as they came (method, path, query,
// body, Authorization), its answer returned as it left (status, body, headers): the
// pages use relative URLs and never know they are on an edge. Actions from consoles
// (state changes, dispositions) and tickets therefore reach the one process that
// decides. Encapsulated: the raw-body parser stays in here.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LeaderUnreachableError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { LEADER_TIMEOUT_MS } from './leader.ts';

/** Per hop (RFC 9110 §7.6.1), or recomputed by fetch: never passed on. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'host', 'content-length', 'content-encoding', 'expect',
]);

export interface ProxyOptions {
  leaderUrl: string;
  /** Largest request body passed on (the leader's own limit is 64 KiB). */
  bodyLimit?: number;
}

function requestHeaders(req: FastifyRequest): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.set(name, value);
  }
  const prior = req.headers['x-forwarded-for'];
  out.set('x-forwarded-for', prior ? `${String(prior)}, ${req.ip}` : req.ip);
  out.set('x-forwarded-proto', req.protocol);
  if (req.headers.host) out.set('x-forwarded-host', req.headers.host);
  return out;
}

export async function leaderProxy(fastify: FastifyInstance, opts: ProxyOptions): Promise<void> {
  // Bodies go through untouched, whatever their type.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit ?? 64 * 1024 }, (_req, body, done) => done(null, body));

  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as Buffer | undefined;
    let res: Response;
    try {
      res = await fetch(`${opts.leaderUrl}${req.url}`, {
        method: req.method,
        headers: requestHeaders(req),
        body: req.method === 'GET' || req.method === 'HEAD' || !body?.length ? undefined : new Uint8Array(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(LEADER_TIMEOUT_MS),
      });
    } catch (err) {
      throw new LeaderUnreachableError((err as Error).message);
    }
    void reply.code(res.status);
    for (const [name, value] of res.headers) {
      if (!HOP_BY_HOP.has(name) && name !== 'set-cookie') void reply.header(name, value);
    }
    const cookies = res.headers.getSetCookie();
    if (cookies.length) void reply.header('set-cookie', cookies);
    // Streamed: a CSV report is not held in memory here.
    return reply.send(res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : null);
  };

  fastify.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/*',
    // What the leader answers is the leader's (docs/api.md); the edge's own failure is this.
    schema: { response: errorReplies(503) },
    handler: forward,
  });
}
