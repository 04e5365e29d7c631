// Atende and the Twilio emulator wired together in one process: the emulator's
// REST API is Atende's TWILIO_API_URL, Atende's address is the emulator's target.
// Atende runs on the emulator's clock (its deadline timer scaled by the speed), so
// at ×1000 every time it records and every figure it computes is in the callers'
// emulated time. Used by live simulation, replays and the tests.
import { randomBytes } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import type { Settings } from '../server/config/types.ts';
import { createAtende, type Atende } from '../server/start.ts';
import type { Access } from '../server/auth/access.ts';
import { createTwilioRest } from '../server/twilio/rest.ts';
import { startEmulator, type Emulator } from './emulator/index.ts';
import type { FaultOptions } from './emulator/types.ts';

export interface LocalStackOptions {
  settings: Settings;
  dbPath: string;
  speed: number;
  /** Emulated time (epoch ms) the run starts at; the clock waits there until `emulator.clock.start()`. Default: now, running. */
  startAt?: number;
  host?: string;
  port?: number;
  demo?: boolean;
  faults?: FaultOptions;
  seed?: number;
  logger?: FastifyServerOptions['logger'];
  supervisorToken?: string | null;
  viewerToken?: string | null;
  access?: Access;
  /** Seconds per spoken word in the emulator (default 0.4); a demo uses less: callers who know the menu key ahead. */
  secondsPerWord?: number;
}

export interface LocalStack {
  atende: Atende;
  emulator: Emulator;
  /** Where Atende listens. */
  url: string;
  accountSid: string;
  authToken: string;
  close(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  // Throwaway credentials: only the emulator and this Atende ever see them.
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const emulator = await startEmulator({
    accountSid, authToken, speed: opts.speed, startAt: opts.startAt, faults: opts.faults, seed: opts.seed, secondsPerWord: opts.secondsPerWord,
    // The number's Voice fallback URL, as the README's console setup configures it.
    voiceFallbackPath: '/twilio/fallback',
  });
  const host = opts.host ?? '127.0.0.1';
  let atende: Atende | null = null;
  try {
    // PUBLIC_URL must be known before listening; with port 0 it is fixed up right after.
    const port = opts.port ?? 0;
    let publicUrl = `http://${host}:${port}`;
    atende = await createAtende({
      settings: opts.settings, dbPath: opts.dbPath, demo: opts.demo ?? false, logger: opts.logger ?? false,
      // The emulator's clock, never anything a request carries.
      now: () => emulator.clock.now(),
      supervisorToken: opts.supervisorToken ?? null, viewerToken: opts.viewerToken ?? null, access: opts.access,
      twilio: {
        publicUrl: () => publicUrl,
        authToken, rest: createTwilioRest({ accountSid, authToken, apiUrl: emulator.apiUrl }),
      },
    });
    atende.engine.setTimerSpeed(opts.speed);
    const address = await atende.app.listen({ host, port });
    publicUrl = address;
    emulator.setAtendeUrl(address);
    const a = atende;
    return {
      atende: a, emulator, url: address, accountSid, authToken,
      async close() {
        await emulator.close();
        await a.idle();
        await a.close();
      },
    };
  } catch (err) {
    await emulator.close();
    await atende?.close();
    throw err;
  }
}
