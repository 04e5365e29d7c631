// `npm start`: a center on Twilio when credentials are set; otherwise demo mode:
// the Twilio emulator beside the server places the calls of the demo scenario
// live against Atende's own webhooks (signed, logged, routed, dequeued over REST).
// The server only knows it is in demo mode by a flag; it never imports the simulator.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fail, prepareProcess, serve, serveTwilio } from '../server/server.ts';
import { createTwilioRest } from '../server/twilio/rest.ts';
import { startEmulator } from './emulator/index.ts';
import { runLive } from './live.ts';
import { loadScenario } from './model/scenario.ts';

const DEMO_SCENARIO = fileURLToPath(new URL('./scenarios/demo.json', import.meta.url));

const args = process.argv.slice(2);
for (const a of args) if (a !== '--demo') fail(null, `unknown argument "${a}" (the only one is --demo)`);
const ctx = prepareProcess();
if (ctx.env.twilio && !args.includes('--demo')) {
  await serveTwilio(ctx);
} else {
  await serveDemo();
}

async function serveDemo(): Promise<void> {
  const { env, log, settings } = ctx;
  log.warn({ demo: true }, 'DEMO MODE: the calls, callers and agents on the wallboard are simulated by the Twilio emulator (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, or --demo)');
  // Demo traffic never mixes into a real center's log, and starts afresh: its calls
  // live in an emulator that does not survive a restart.
  const dbPath = env.dbPath ?? 'data/atende-demo.db';
  if (!env.dbPath) for (const f of ['', '-wal', '-shm']) rmSync(dbPath + f, { force: true });
  // Throwaway credentials: only the emulator and this Atende ever see them.
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  // The number as the README's console setup configures it: Voice URL and its fallback.
  const emulator = await startEmulator({ accountSid, authToken, speed: 1, secondsPerWord: 0.1, voiceFallbackPath: '/twilio/fallback' });
  let publicUrl = `http://${env.host}:${env.port}`;
  const controller = new AbortController();
  let traffic: Promise<void> = Promise.resolve();
  await serve(ctx, {
    dbPath,
    demo: true,
    twilio: { publicUrl: () => publicUrl, authToken, rest: createTwilioRest({ accountSid, authToken, apiUrl: emulator.apiUrl }) },
    onListening: (url) => {
      publicUrl = url;
      emulator.setAtendeUrl(url);
      const scenario = loadScenario(DEMO_SCENARIO);
      traffic = (async () => {
        // A day of demo traffic, then another, until the server stops.
        while (!controller.signal.aborted) {
          await runLive(scenario, settings, { atendeUrl: url, emulator, supervisorToken: env.tokens.supervisor }, {
            speed: 1, startNow: true, burst: 6, signal: controller.signal,
            log: (msg) => log.info({ demo: true }, msg),
          }).catch((err: unknown) => log.error({ demo: true, err }, 'demo traffic stopped'));
        }
      })();
    },
    beforeClose: async () => {
      controller.abort();
      await emulator.close();
      await traffic;
    },
  });
}
