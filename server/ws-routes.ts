// Shared by the WebSocket routes.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A plain HTTP request to a WebSocket route: say what it needs instead of a bare 404. */
export async function upgradeRequired(_req: FastifyRequest, reply: FastifyReply) {
  return reply.code(426).header('upgrade', 'websocket').send({ error: 'upgrade-required', code: 'ATENDE_UPGRADE_REQUIRED', message: 'this is a WebSocket endpoint: connect with a WebSocket client' });
}
