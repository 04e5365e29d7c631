// Process entry: environment, settings, listen, demo traffic, graceful shutdown.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadScenario } from '../sim/model/scenario.ts';
import { runLive } from '../sim/live.ts';
import { startLocalStack } from '../sim/stack.ts';
import { Access, parseAgentTokens } from './auth/access.ts';
import { DEFAULT_SETTINGS_PATH, loadSettings, SettingsError } from './config/load.ts';
import type { Settings } from './config/types.ts';
import { createAtende, type Atende } from './start.ts';
import { createTwilioRest } from './twilio/rest.ts';

const env = process.env;
const args = process.argv.slice(2);
const port = Number(env.PORT ?? 3000);
const host = env.HOST ?? '127.0.0.1';
const level = env.LOG_LEVEL ?? 'info';
const log = pino({ level, name: 'atende' });
const DEMO_SCENARIO = new URL('../sim/scenarios/demo.json', import.meta.url);

function fail(msg: string): never {
  log.fatal(msg);
  // Also plain on stderr: a newcomer reading the terminal sees the reason at once.
  process.stderr.write(`atende: ${msg}\n`);
  process.exit(1);
}

for (const a of args) if (a !== '--demo') fail(`unknown argument "${a}" (the only one is --demo)`);
const settingsPath = env.ATENDE_CONFIG || DEFAULT_SETTINGS_PATH;
let settings: Settings;
try {
  settings = loadSettings(settingsPath);
} catch (err) {
  fail(err instanceof SettingsError ? err.message : `cannot load settings ${settingsPath}: ${(err as Error).message}`);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be an integer 0..65535, got "${env.PORT}"`);

const accountSid = env.TWILIO_ACCOUNT_SID || null;
const authToken = env.TWILIO_AUTH_TOKEN || null;
if (!!accountSid !== !!authToken) fail('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (demo mode)');
const demo = !accountSid || args.includes('--demo');
const publicUrl = (env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, '');
try { new URL(publicUrl); } catch { fail(`PUBLIC_URL is not a URL: "${env.PUBLIC_URL}"`); }
// Demo traffic never mixes into a real center's log, and starts afresh: its calls
// live in an emulator that does not survive a restart.
const dbPath = env.ATENDE_DB || (demo ? 'data/atende-demo.db' : 'data/atende.db');
if (demo && !env.ATENDE_DB) for (const f of ['', '-wal', '-shm']) rmSync(dbPath + f, { force: true });
const logger = { level, name: 'atende-http' };
const tokens = { supervisorToken: env.ATENDE_SUPERVISOR_TOKEN || null, viewerToken: env.ATENDE_VIEWER_TOKEN || null };
let access: Access;
try {
  access = new Access(settings.auth, { viewer: tokens.viewerToken, supervisor: tokens.supervisorToken, agents: parseAgentTokens(env.ATENDE_AGENT_TOKENS) });
} catch (err) {
  fail((err as Error).message);
}
const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
if (access.open && !loopback) {
  fail(`no tokens are configured, so every route is open: refusing to listen on ${host}. Set ATENDE_SUPERVISOR_TOKEN, ATENDE_VIEWER_TOKEN and ATENDE_AGENT_TOKENS (or "auth" in the settings), or keep HOST=127.0.0.1`);
}

let atende: Atende;
let stopDemo: (() => Promise<void>) | null = null;
if (demo) {
  log.warn({ demo: true }, 'DEMO MODE: the calls, callers and agents on the wallboard are simulated by the Twilio emulator (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, or --demo)');
  const stack = await startLocalStack({ settings, dbPath, speed: 1, host, port, demo: true, logger, secondsPerWord: 0.1, access });
  atende = stack.atende;
  const controller = new AbortController();
  const scenario = loadScenario(fileURLToPath(DEMO_SCENARIO));
  const loop = (async () => {
    // A day of demo traffic, then another, until the server stops.
    while (!controller.signal.aborted) {
      await runLive(scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator, supervisorToken: tokens.supervisorToken }, {
        speed: 1, startNow: true, burst: 6, signal: controller.signal,
        log: (msg) => log.info({ demo: true }, msg),
      }).catch((err: unknown) => log.error({ demo: true, err }, 'demo traffic stopped'));
    }
  })();
  stopDemo = async () => {
    controller.abort();
    await stack.emulator.close();
    await loop;
  };
  log.info({ url: `${stack.url}/`, db: dbPath }, 'wallboard ready (DEMO)');
} else {
  atende = await createAtende({
    settings, dbPath, demo: false, logger, access,
    twilio: {
      publicUrl, authToken,
      rest: createTwilioRest({ accountSid: accountSid!, authToken: authToken!, apiUrl: env.TWILIO_API_URL || null }),
    },
  });
  log.info({ settings: settingsPath, db: dbPath, replayed: atende.replayed }, 'event log replayed');
  log.info({ publicUrl, twilioApi: env.TWILIO_API_URL || 'https://api.twilio.com' }, 'Twilio webhooks expected under PUBLIC_URL/twilio/*');
  const address = await atende.app.listen({ port, host });
  log.info({ url: `${address}/` }, 'wallboard ready');
}
if (access.rolesOpen().length) {
  log.warn({ openRoles: access.rolesOpen() }, access.open
    ? 'no tokens configured: the server is open and listens on 127.0.0.1 only'
    : 'some roles have no token: their routes are open (set ATENDE_VIEWER_TOKEN / ATENDE_AGENT_TOKENS / ATENDE_SUPERVISOR_TOKEN or "auth" in the settings)');
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing requests and dequeues under way');
  const force = setTimeout(() => process.exit(1), 8000);
  force.unref();
  try {
    await stopDemo?.();
    await atende.app.dequeuer?.idle();
    await atende.close(); // hub closes sockets with 1001; the database is closed last
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'error while closing');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
