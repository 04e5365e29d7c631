// What this server can do that the supervisor screen adapts to. The agent scope of
// the interval reports is being added to server/reports; rather than assume it, the
// screen asks the reports route itself: its query schema refuses an unknown scope
// before anything else runs, so an inverted range (refused before any replay when
// the scope is known) tells the two apart without reading the event log.
import type { FastifyInstance } from 'fastify';

export async function probeAgentReports(fastify: FastifyInstance): Promise<boolean> {
  const res = await fastify.inject({ method: 'GET', url: '/api/reports/intervals?scope=agent&id=probe&from=2&to=1' });
  if (res.statusCode === 404) return false;
  const body = res.json() as { code?: string; message?: string };
  return !(body.code === 'FST_ERR_VALIDATION' && /scope/.test(body.message ?? ''));
}
