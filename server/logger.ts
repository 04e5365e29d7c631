// One pino logger for the process: JSON lines (async, so a slow terminal or pipe
// never stalls a webhook), human lines through pino-pretty when stdout is a TTY.
// Secrets that travel in headers or URLs never reach a log line.
import type { FastifyBaseLogger, FastifyRequest, FastifyServerOptions } from 'fastify';
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACT = [
  'req.headers.authorization', 'req.headers["x-twilio-signature"]', 'req.headers.cookie',
  'authToken', 'apiKeySecret', 'token',
];

/** Hides secrets that travel in URLs (viewer token, wallboard ticket) from request logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|ticket)=)[^&#]*/gi, '$1[redacted]');
}

const serializers = {
  req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
};

export function createLogger(opts: { level?: string; pretty?: boolean; name?: string } = {}): Logger {
  const options: LoggerOptions = { level: opts.level ?? 'info', name: opts.name ?? 'atende', redact: REDACT, serializers };
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const destination = pretty
    ? pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } })
    : pino.destination({ sync: false });
  return pino(options, destination);
}

/** What a caller may hand createAtende: false (silent), pino options, or a ready logger. */
export type LoggerSetting = FastifyServerOptions['logger'] | FastifyBaseLogger;

const isLogger = (l: unknown): l is FastifyBaseLogger => typeof l === 'object' && l !== null && typeof (l as Logger).child === 'function';

/** Fastify's logger options for a setting, with redaction on whatever Fastify builds itself. */
export function fastifyLogger(setting: LoggerSetting): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (isLogger(setting)) return { loggerInstance: setting };
  if (!setting) return { logger: false };
  const base = setting === true ? {} : setting;
  return { logger: { ...base, redact: REDACT, serializers } as FastifyServerOptions['logger'] };
}
