// Process entry: environment, settings, listen, demo traffic, graceful shutdown.
import pino from 'pino';
import { startDemo } from '../sim/demo.ts';
import { DEFAULT_SETTINGS_PATH, loadSettings, SettingsError } from './config/load.ts';
import { createAtende } from './start.ts';
import { createTwilioRest } from './twilio/rest.ts';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const host = env.HOST ?? '127.0.0.1';
const level = env.LOG_LEVEL ?? 'info';
const log = pino({ level, name: 'atende' });

function fail(msg: string): never {
  log.fatal(msg);
  // Also plain on stderr: a newcomer reading the terminal sees the reason at once.
  process.stderr.write(`atende: ${msg}\n`);
  process.exit(1);
}

const settingsPath = env.ATENDE_CONFIG || DEFAULT_SETTINGS_PATH;
let settings;
try {
  settings = loadSettings(settingsPath);
} catch (err) {
  fail(err instanceof SettingsError ? err.message : `cannot load settings ${settingsPath}: ${(err as Error).message}`);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be an integer 0..65535, got "${env.PORT}"`);

const accountSid = env.TWILIO_ACCOUNT_SID || null;
const authToken = env.TWILIO_AUTH_TOKEN || null;
if (!!accountSid !== !!authToken) fail('set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (demo mode)');
const demo = !accountSid;
const publicUrl = (env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, '');
try { new URL(publicUrl); } catch { fail(`PUBLIC_URL is not a URL: "${env.PUBLIC_URL}"`); }
// Demo traffic never mixes into a real center's log.
const dbPath = env.ATENDE_DB || (demo ? 'data/atende-demo.db' : 'data/atende.db');

const atende = await createAtende({
  settings, dbPath, demo,
  logger: { level, name: 'atende-http' },
  twilio: demo ? null : {
    publicUrl, authToken,
    rest: createTwilioRest({ accountSid: accountSid!, authToken: authToken!, apiUrl: env.TWILIO_API_URL || null }),
  },
});
log.info({ settings: settingsPath, db: dbPath, replayed: atende.replayed }, 'event log replayed');

let demoDriver: { stop(): void } | null = null;
if (demo) {
  log.warn({ demo: true }, 'DEMO MODE (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN): calls, callers and agents on the wallboard are simulated');
  demoDriver = startDemo(atende.engine, {
    seed: Number(env.DEMO_SEED ?? 42),
    callsPerHour: Number(env.DEMO_CALLS_PER_HOUR ?? 600),
    vipNumbers: settings.priority.vipNumbers,
    log: (msg, extra) => log.info({ demo: true, ...extra }, msg),
  });
} else {
  log.info({ publicUrl, twilioApi: env.TWILIO_API_URL || 'https://api.twilio.com' }, 'Twilio webhooks expected under PUBLIC_URL/twilio/*');
}

const address = await atende.app.listen({ port, host });
log.info({ url: `${address}/` }, 'wallboard ready');

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing requests and dequeues under way');
  const force = setTimeout(() => process.exit(1), 8000);
  force.unref();
  demoDriver?.stop();
  try {
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
