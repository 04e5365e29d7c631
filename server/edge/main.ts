// `npm run edge`: a stateless process that serves the screens (wallboard, agent
// console, supervisor) from the frames the leader publishes to Redis, and forwards
// the pages' /api/* calls to the leader. Environment: REDIS_URL, ATENDE_LEADER_URL,
// PORT, HOST, LOG_LEVEL (server/env.ts); docs/deploy.md, "Edges and Redis".
import { pathToFileURL } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { EnvironmentError, readEdgeEnvironment, type Environment } from '../env.ts';
import { createLogger } from '../logger.ts';
import { describeRedis } from './channel.ts';
import { createEdge } from './start.ts';

function fail(msg: string): never {
  process.stderr.write(`atende edge: ${msg}\n`);
  process.exit(1);
}

export async function serveEdge(env: Environment): Promise<void> {
  const log = createLogger({ level: env.logLevel, name: 'atende-edge' });
  const edge = await createEdge({ redisUrl: env.redisUrl!, leaderUrl: env.leaderUrl!, logger: log });
  const url = await edge.app.listen({ port: env.port, host: env.host });
  closeWithGrace({ delay: 5000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an uncaught error');
    else log.info({ signal }, 'edge shutting down: screens reconnect to another edge');
    await edge.close();
  });
  log.info({ wallboard: `${url}/`, agentConsole: `${url}/agent/`, leader: env.leaderUrl, redis: describeRedis(env.redisUrl!) },
    `edge ready at ${url}/ · screens fed from ${describeRedis(env.redisUrl!)} · /api/* to ${env.leaderUrl}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const a of process.argv.slice(2)) fail(`unknown argument "${a}"`);
  let env: Environment;
  try {
    env = readEdgeEnvironment();
  } catch (err) {
    fail(err instanceof EnvironmentError ? err.message : String(err));
  }
  await serveEdge(env);
}
