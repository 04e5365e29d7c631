// An edge serves the pages with the leader's security headers: a page behaves the same
// from either (same Content-Security-Policy; the console's additions for the softphone).
import { expect, it } from 'vitest';
import { createEdge } from '../../../server/edge/start.ts';
import { buildTestApp } from '../../helpers/app.ts';

it('the wallboard and the agent console get the same policies from an edge as from the leader', async () => {
  const leader = await buildTestApp();
  // No Redis needed to answer a page (this one is never reached).
  const edge = await createEdge({ redisUrl: 'redis://127.0.0.1:1', leaderUrl: 'http://127.0.0.1:1' });
  try {
    for (const url of ['/', '/agent/', '/supervisor/']) {
      const [a, b] = await Promise.all([leader.app.inject({ url }), edge.app.inject({ url })]);
      expect(b.headers['content-security-policy'], url).toBe(a.headers['content-security-policy']);
      expect(b.headers['permissions-policy'], url).toBe(a.headers['permissions-policy']);
    }
    // And /api/* goes to the leader: unreachable here, the edge says so in the one shape.
    const res = await edge.app.inject({ url: '/api/snapshot' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ statusCode: 503, code: 'ATENDE_ERR_LEADER_UNREACHABLE' });
    expect((await edge.app.inject({ url: '/readyz' })).statusCode).toBe(503);
  } finally {
    await edge.close();
    await leader.close();
  }
});
