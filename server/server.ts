// Process concerns only: the environment (read once, through a schema), one async
// pino logger with redaction, the settings file, listen, and close-with-grace
// draining on SIGTERM/SIGINT. Run directly it serves a center on Twilio; `npm start`
// (sim/start.ts) uses the same pieces and adds demo mode beside it. With DATABASE_URL
// the process is one node of a cluster on PostgreSQL (server/cluster/node.ts).
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { Access } from './auth/access.ts';
import { loadSettings, SettingsError } from './config/load.ts';
import type { Settings } from './config/types.ts';
import { EnvironmentError, readEnvironment, type Environment } from './env.ts';
import { createLogger } from './logger.ts';
import type { TwilioOptions, VoiceCredentials } from './plugins/services.ts';
import { ClusterNode } from './cluster/node.ts';
import { describeRedis } from './edge/channel.ts';
import { createAtende, type Atende } from './start.ts';
import { describeUrl } from './storage/postgres/connect.ts';
import { createTwilioRest } from './twilio/rest.ts';

export interface ProcessContext {
  env: Environment;
  log: Logger;
  settings: Settings;
  access: Access;
}

/** Logs the reason and exits 1; also plain on stderr, so a newcomer reading the terminal sees it at once. */
export function fail(log: Logger | null, msg: string): never {
  log?.fatal(msg);
  log?.flush();
  process.stderr.write(`atende: ${msg}\n`);
  process.exit(1);
}

/** Environment, logger, settings and roles, each checked; the process stops with the reason on the first that is wrong. */
export function prepareProcess(): ProcessContext {
  let env: Environment;
  try {
    env = readEnvironment();
  } catch (err) {
    fail(null, err instanceof EnvironmentError ? err.message : String(err));
  }
  const log = createLogger({ level: env.logLevel });
  let settings: Settings;
  try {
    settings = loadSettings(env.settingsPath);
  } catch (err) {
    fail(log, err instanceof SettingsError ? err.message : `cannot load settings ${env.settingsPath}: ${(err as Error).message}`);
  }
  let access: Access;
  try {
    access = new Access(settings.auth, env.tokens);
  } catch (err) {
    fail(log, (err as Error).message);
  }
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(env.host);
  if (access.open && !loopback) {
    fail(log, `no tokens are configured, so every route is open: refusing to listen on ${env.host}. Set ATENDE_SUPERVISOR_TOKEN, ATENDE_VIEWER_TOKEN and ATENDE_AGENT_TOKENS (or "auth" in the settings), or keep HOST=127.0.0.1`);
  }
  return { env, log, settings, access };
}

export interface ServeOptions {
  dbPath: string;
  demo: boolean;
  twilio: TwilioOptions;
  /** The softphone's API key (agent console voice); absent = agents need a softphone of their own. */
  voice?: VoiceCredentials | null;
  /** Called once listening (demo mode points the emulator at the server here). */
  onListening?: (url: string) => void | Promise<void>;
  /** Stopped before the server closes (demo traffic, the emulator). */
  beforeClose?: () => Promise<void>;
}

/** Builds Atende, listens, says where everything is, and drains on SIGTERM/SIGINT. */
export async function serve(ctx: ProcessContext, opts: ServeOptions): Promise<{ atende: Atende; url: string }> {
  const { env, log } = ctx;
  const atende = await createAtende({
    settings: ctx.settings, dbPath: opts.dbPath, demo: opts.demo, logger: log, access: ctx.access, twilio: opts.twilio,
    voice: opts.voice ?? null, groupCommit: env.groupCommit, trustProxy: env.trustProxy,
  });
  log.info({ db: opts.dbPath, replayed: atende.replayed }, 'event log replayed');
  const url = await atende.app.listen({ port: env.port, host: env.host });
  // One server on SQLite publishes its screens for edges as a cluster's leader does (docs/deploy.md).
  if (env.redisUrl) {
    atende.app.edgePublisher.start({ redisUrl: env.redisUrl });
    log.info({ redis: describeRedis(env.redisUrl) }, `screens published to ${describeRedis(env.redisUrl)} for edges (npm run edge)`);
  }
  await opts.onListening?.(url);
  closeWithGrace({ delay: 8000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an uncaught error');
    else log.info({ signal }, 'shutting down: finishing requests and dequeues under way');
    await opts.beforeClose?.();
    await atende.close(); // the Twilio edge waits for its dequeues; sockets close with 1001; the database last
  });
  const mode = opts.demo ? 'DEMO (calls simulated by the Twilio emulator)' : `Twilio (webhooks under ${publicUrlOf(opts.twilio)}/twilio/*)`;
  log.info({
    wallboard: `${url}/`, agentConsole: `${url}/agent/`, supervisorApi: `${url}/api/ (docs/api.md)`, mode, database: opts.dbPath,
  }, `wallboard ready at ${url}/ · agent console ${url}/agent/ · supervisor API ${url}/api/ · ${mode} · database ${opts.dbPath}`);
  const open = ctx.access.rolesOpen();
  if (open.length) {
    log.warn({ openRoles: open }, ctx.access.open
      ? 'no tokens configured: the server is open and listens on 127.0.0.1 only'
      : 'some roles have no token: their routes are open (set ATENDE_VIEWER_TOKEN / ATENDE_AGENT_TOKENS / ATENDE_SUPERVISOR_TOKEN or "auth" in the settings)');
  }
  return { atende, url };
}

const publicUrlOf = (t: TwilioOptions) => (typeof t.publicUrl === 'function' ? t.publicUrl() : t.publicUrl);

/** A center on Twilio: credentials and PUBLIC_URL from the environment. */
export async function serveTwilio(ctx: ProcessContext): Promise<void> {
  const { env } = ctx;
  if (!env.twilio) fail(ctx.log, 'no Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): `npm start` runs demo mode without them');
  // Without it every signature would be checked against the wrong URL and every webhook refused.
  if (!env.publicUrl) fail(ctx.log, 'PUBLIC_URL is required with Twilio credentials: the public https base URL Twilio calls (signatures cover it), e.g. PUBLIC_URL=https://atende.example.com.br');
  const { accountSid, authToken, apiUrl } = env.twilio;
  ctx.log.info({ publicUrl: env.publicUrl, twilioApi: apiUrl ?? 'https://api.twilio.com' }, 'Twilio webhooks expected under PUBLIC_URL/twilio/*');
  // Only whether there is a key: its SID and secret never reach a log line.
  if (env.voice) ctx.log.info({ softphone: 'configured' }, 'agent console softphone: Access Tokens from the API key (TWILIO_API_KEY_SID)');
  else ctx.log.warn({ softphone: 'not configured' }, 'no TWILIO_API_KEY_SID / TWILIO_API_KEY_SECRET: agents on client:NAME need a Twilio softphone of their own');
  const twilio: TwilioOptions = { publicUrl: env.publicUrl, authToken, rest: createTwilioRest({ accountSid, authToken, apiUrl }) };
  if (env.databaseUrl) {
    await serveNode(ctx, env.databaseUrl, twilio);
    return;
  }
  await serve(ctx, { dbPath: env.dbPath ?? 'data/atende.db', demo: false, twilio, voice: env.voice });
}

/**
 * One node of a center on PostgreSQL: listens at once (a standby forwards to the leader
 * and answers /readyz 503), takes the lead when the lease is free, and drains on SIGTERM.
 */
export async function serveNode(ctx: ProcessContext, databaseUrl: string, twilio: TwilioOptions): Promise<ClusterNode> {
  const { env, log } = ctx;
  // Where the other nodes forward to: said, or this host's name when listening on every interface.
  const address = env.node.address ?? `http://${['0.0.0.0', '::'].includes(env.host) ? hostname() : env.host}:${env.port}`;
  let node: ClusterNode;
  try {
    node = await ClusterNode.start({
      url: databaseUrl, settings: ctx.settings, holder: env.node.id ?? undefined, address, leaseMs: env.node.leaseMs, log, redisUrl: env.redisUrl,
      atende: { logger: log, access: ctx.access, twilio, voice: env.voice, groupCommit: env.groupCommit, trustProxy: env.trustProxy },
    });
  } catch (err) {
    fail(log, `cannot use DATABASE_URL: ${(err as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => {
    node.front.server.once('error', reject);
    node.front.server.listen(env.port, env.host, () => resolve());
  });
  closeWithGrace({ delay: 8000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an uncaught error');
    else log.info({ signal }, 'shutting down: finishing requests and dequeues under way; the lease goes to a standby');
    await node.close();
  });
  log.info({ node: node.holder, address, database: describeUrl(databaseUrl), leaseMs: env.node.leaseMs },
    `cluster node ${node.holder} listening at ${address} · store PostgreSQL · /readyz is 200 on the leader only`);
  return node;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const a of process.argv.slice(2)) fail(null, `unknown argument "${a}"`);
  await serveTwilio(prepareProcess());
}
