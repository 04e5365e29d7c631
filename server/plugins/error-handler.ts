// The one error handler: every error Atende answers (its own coded errors, the
// routing core's refusals, Fastify's validation, 404, 413, 415, rate limits) leaves
// in one shape, { statusCode, code, error, message }. Like fastify/demo, the message
// of a 5xx is not the exception's: it is logged with the request, not sent.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RoutingError } from '../../routing/errors.ts';
import { httpErrorOf, RouteNotFoundError, type ErrorBody } from '../errors.ts';

export function errorBody(err: Pick<FastifyError, 'statusCode' | 'code' | 'message'>): ErrorBody {
  const statusCode = err.statusCode ?? 500;
  return {
    statusCode,
    code: err.code ?? (statusCode >= 500 ? 'ATENDE_ERR_INTERNAL' : 'ATENDE_ERR_BAD_REQUEST'),
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: statusCode >= 500 && statusCode !== 503 && statusCode !== 502 ? 'internal error' : err.message,
  };
}

async function errorHandler(fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler((raw: FastifyError | RoutingError | Error, request, reply) => {
    const err = (raw instanceof RoutingError ? httpErrorOf(raw) : raw) as FastifyError;
    if (err.validation) err.statusCode = 400;
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, status === 503 ? 'unavailable: answered 503' : 'request failed');
    if (status === 503) void reply.header('retry-after', '1');
    if (status === 426) void reply.header('upgrade', 'websocket');
    return reply.code(status).send(errorBody({ ...err, message: err.message, statusCode: status }));
  });
  fastify.setNotFoundHandler((request) => {
    throw new RouteNotFoundError(request.method, request.url.split('?')[0]);
  });
}

export default fp(errorHandler, { name: 'atende-error-handler' });
