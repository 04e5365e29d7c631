// Builds a whole Atende (services + app plugin) on an in-memory database, with the
// example settings unless told otherwise. Each test builds its own and closes it.
import { createAtende, type Atende, type AtendeOptions } from '../../server/start.ts';
import { testSettings } from './twilio.ts';
import { T0 } from './core.ts';

export interface TestApp extends Atende {
  /** The test clock: set `clock.now` to move time. */
  clock: { now: number };
}

export async function buildTestApp(opts: Partial<AtendeOptions> = {}): Promise<TestApp> {
  const clock = { now: T0 };
  const atende = await createAtende({
    settings: opts.settings ?? testSettings(),
    dbPath: ':memory:',
    now: () => clock.now,
    logger: false,
    viewerToken: null,
    supervisorToken: null,
    ...opts,
  });
  return Object.assign(atende, { clock });
}
