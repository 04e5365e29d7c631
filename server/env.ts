// The environment, read once through a schema (what @fastify/env does, without a
// plugin: the process needs it before any Fastify instance exists). Everything a
// process entry needs to know comes from here; nothing else reads process.env.
import { isIP } from 'node:net';
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { parseAgentTokens } from './auth/access.ts';
import { DEFAULT_SETTINGS_PATH } from './config/load.ts';
import type { VoiceCredentials } from './plugins/services.ts';

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PUBLIC_URL: Type.Optional(Type.String({ minLength: 1 })),
  TWILIO_ACCOUNT_SID: Type.Optional(Type.String()),
  TWILIO_AUTH_TOKEN: Type.Optional(Type.String()),
  TWILIO_API_URL: Type.Optional(Type.String()),
  TWILIO_API_KEY_SID: Type.Optional(Type.String()),
  TWILIO_API_KEY_SECRET: Type.Optional(Type.String()),
  TWILIO_TWIML_APP_SID: Type.Optional(Type.String()),
  ATENDE_CONFIG: Type.String({ minLength: 1, default: DEFAULT_SETTINGS_PATH }),
  ATENDE_DB: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_SUPERVISOR_TOKEN: Type.Optional(Type.String()),
  ATENDE_VIEWER_TOKEN: Type.Optional(Type.String()),
  ATENDE_AGENT_TOKENS: Type.Optional(Type.String()),
  // Edges (server/edge/, docs/deploy.md): the Redis the leader publishes its frames to and
  // edges read them from; where edges send the pages' /api/* calls; which process this is.
  REDIS_URL: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_LEADER_URL: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_ROLE: Type.Union([Type.Literal('server'), Type.Literal('edge')], { default: 'server' }),
  // Several nodes of one center on PostgreSQL (server/cluster/, docs/deploy.md): the store,
  // where the other nodes reach this one, its name, how long a silent leader keeps the lease.
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_NODE_ADDRESS: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_NODE_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  ATENDE_LEASE_MS: Type.Integer({ minimum: 500, maximum: 60_000, default: 3000 }),
  // off: one commit per event, as before group commit (the load test's baseline).
  // Addresses (IPs or CIDRs, comma-separated) of proxies whose X-Forwarded-For is believed: the
  // edges and the balancer in front, so the per-IP rate limit counts the screens, not the edge.
  ATENDE_TRUST_PROXY: Type.Optional(Type.String({ minLength: 1 })),
  ATENDE_GROUP_COMMIT: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
});
type Raw = Static<typeof Schema>;

export interface Environment {
  port: number;
  host: string;
  /** Where Twilio calls us (signatures are checked against it); null = not set. */
  publicUrl: string | null;
  twilio: { accountSid: string; authToken: string; apiUrl: string | null } | null;
  /** The agent console's softphone (Access Tokens): account SID + an API key; null = no softphone. */
  voice: VoiceCredentials | null;
  settingsPath: string;
  dbPath: string | null;
  tokens: { supervisor: string | null; viewer: string | null; agents: Record<string, string> };
  logLevel: string;
  /** REDIS_URL: a server publishes its screens' frames there for edges; an edge reads them. Null = no edges. */
  redisUrl: string | null;
  /** ATENDE_LEADER_URL: where an edge forwards the pages' /api/* calls (the leader, or a balancer in front of it). */
  leaderUrl: string | null;
  /** ATENDE_ROLE: `server` (routes calls; the default) or `edge` (serves screens only, `npm run edge`). */
  role: 'server' | 'edge';
  /** DATABASE_URL (postgres://…): the store is PostgreSQL and this process is one node of a cluster; null = SQLite. */
  databaseUrl: string | null;
  /** This node's name and the base URL other nodes forward to (ATENDE_NODE_ID, ATENDE_NODE_ADDRESS). */
  node: { id: string | null; address: string | null; leaseMs: number };
  /** ATENDE_GROUP_COMMIT=off: one commit per event. */
  groupCommit: boolean;
  /** ATENDE_TRUST_PROXY: the proxies (IPs, CIDRs) whose X-Forwarded-For names the client; empty = none. */
  trustProxy: string[];
}

export class EnvironmentError extends Error {}

/** Reads and checks the environment; throws EnvironmentError with the variable named. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  // Empty values count as unset, as a shell `VAR= npm start` means.
  const data = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  let raw: Raw;
  try {
    raw = envSchema<Raw>({ schema: Schema, data, dotenv: false });
  } catch (err) {
    throw new EnvironmentError(`environment: ${(err as Error).message}`);
  }
  const accountSid = raw.TWILIO_ACCOUNT_SID ?? null, authToken = raw.TWILIO_AUTH_TOKEN ?? null;
  if (!!accountSid !== !!authToken) throw new EnvironmentError('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (demo mode)');
  const apiKeySid = raw.TWILIO_API_KEY_SID ?? null, apiKeySecret = raw.TWILIO_API_KEY_SECRET ?? null;
  if (!!apiKeySid !== !!apiKeySecret) throw new EnvironmentError('set both TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (the softphone\'s API key), or neither');
  const publicUrl = raw.PUBLIC_URL?.replace(/\/+$/, '') ?? null;
  if (publicUrl !== null) {
    try { new URL(publicUrl); } catch { throw new EnvironmentError(`PUBLIC_URL is not a URL: "${raw.PUBLIC_URL}"`); }
  }
  const redisUrl = raw.REDIS_URL ?? null;
  if (redisUrl !== null && !/^rediss?:\/\/[^/]/.test(redisUrl)) throw new EnvironmentError(`REDIS_URL is not a redis:// or rediss:// URL: "${redisUrl}"`);
  const leaderUrl = raw.ATENDE_LEADER_URL?.replace(/\/+$/, '') ?? null;
  if (leaderUrl !== null && !/^https?:\/\/[^/]/.test(leaderUrl)) throw new EnvironmentError(`ATENDE_LEADER_URL is not an http(s) URL: "${raw.ATENDE_LEADER_URL}"`);
  if (raw.ATENDE_ROLE === 'edge' && (!redisUrl || !leaderUrl)) {
    throw new EnvironmentError('ATENDE_ROLE=edge needs REDIS_URL (where the leader publishes) and ATENDE_LEADER_URL (where /api/* goes)');
  }
  const databaseUrl = raw.DATABASE_URL ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/[^/]/.test(databaseUrl)) throw new EnvironmentError(`DATABASE_URL is not a postgres:// URL: "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`);
  const nodeAddress = raw.ATENDE_NODE_ADDRESS?.replace(/\/+$/, '') ?? null;
  if (nodeAddress !== null && !/^https?:\/\/[^/]/.test(nodeAddress)) throw new EnvironmentError(`ATENDE_NODE_ADDRESS is not an http(s) URL: "${raw.ATENDE_NODE_ADDRESS}"`);
  const trustProxy = (raw.ATENDE_TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of trustProxy) {
    const [ip, bits, extra] = a.split('/');
    const family = isIP(ip);
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)))) {
      throw new EnvironmentError(`ATENDE_TRUST_PROXY: "${a}" is not an IP address or a CIDR range (e.g. 10.0.0.0/8,127.0.0.1)`);
    }
  }
  let agents: Record<string, string>;
  try { agents = parseAgentTokens(raw.ATENDE_AGENT_TOKENS); } catch (err) { throw new EnvironmentError((err as Error).message); }
  return {
    port: raw.PORT,
    host: raw.HOST,
    publicUrl,
    twilio: accountSid && authToken ? { accountSid, authToken, apiUrl: raw.TWILIO_API_URL ?? null } : null,
    voice: accountSid && apiKeySid && apiKeySecret
      ? { accountSid, apiKeySid, apiKeySecret, twimlAppSid: raw.TWILIO_TWIML_APP_SID ?? null }
      : null,
    settingsPath: raw.ATENDE_CONFIG,
    dbPath: raw.ATENDE_DB ?? null,
    tokens: { supervisor: raw.ATENDE_SUPERVISOR_TOKEN ?? null, viewer: raw.ATENDE_VIEWER_TOKEN ?? null, agents },
    logLevel: raw.LOG_LEVEL,
    redisUrl,
    leaderUrl,
    role: raw.ATENDE_ROLE,
    databaseUrl,
    node: { id: raw.ATENDE_NODE_ID ?? null, address: nodeAddress, leaseMs: raw.ATENDE_LEASE_MS },
    groupCommit: raw.ATENDE_GROUP_COMMIT === 'on',
    trustProxy,
  };
}

/** The environment of `npm run edge`: ATENDE_ROLE is `edge` unless said otherwise, and must be. */
export function readEdgeEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const read = readEnvironment({ ATENDE_ROLE: 'edge', ...env });
  if (read.role !== 'edge') throw new EnvironmentError(`ATENDE_ROLE=${read.role}: \`npm run edge\` starts an edge (unset ATENDE_ROLE, or set it to edge)`);
  return read;
}
