// Process entry: config, engine, demo traffic, listen, graceful shutdown.
import pino from 'pino';
import { RoutingCore } from '../routing/core.ts';
import { startDemo } from '../sim/demo.ts';
import { buildApp } from './app.ts';
import { DEMO_CENTER_NAME, DEMO_VIP_NUMBERS, demoMetricsSettings, demoRoutingConfig } from './demo-config.ts';
import { Engine } from './engine.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const level = process.env.LOG_LEVEL ?? 'info';
const log = pino({ level, name: 'atende' });

const metrics = demoMetricsSettings();
const core = new RoutingCore(demoRoutingConfig(), metrics, Date.now());
const engine = new Engine(core);
const app = await buildApp({
  engine, demo: true, centerName: DEMO_CENTER_NAME, logger: { level, name: 'atende-http' },
  serviceLevel: {
    thresholdSeconds: metrics.thresholdSeconds, target: metrics.target, formula: metrics.formula,
    shortAbandonSeconds: metrics.shortAbandonSeconds, windowMinutes: metrics.windowMinutes,
  },
});

log.warn({ demo: true }, 'DEMO MODE: all calls, callers and agents on the wallboard are simulated demo data');
const demo = startDemo(engine, {
  seed: Number(process.env.DEMO_SEED ?? 42),
  callsPerHour: Number(process.env.DEMO_CALLS_PER_HOUR ?? 600),
  vipNumbers: DEMO_VIP_NUMBERS,
  log: (msg, extra) => log.info({ demo: true, ...extra }, msg),
});

await app.listen({ port, host });
log.info({ url: `http://${host}:${port}/` }, 'wallboard ready');

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  demo.stop();
  engine.stop();
  try {
    await app.close(); // hub closes sockets with 1001 "server shutting down"
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'error while closing');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
