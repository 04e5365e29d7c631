// Bearer-token checks shared by the supervisor routes.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bearerOf(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1].trim() : null;
}

/** preHandler: with a token configured, a request without it gets 401 and a reason. */
export function requireSupervisor(token: string | null) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!token) return;
    const given = bearerOf(req);
    if (!given || !sameSecret(given, token)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'a supervisor token is required: Authorization: Bearer <ATENDE_SUPERVISOR_TOKEN>' });
    }
  };
}

export const refusalSchema = {
  type: 'object', required: ['error', 'message'], additionalProperties: true,
  properties: { error: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
} as const;
