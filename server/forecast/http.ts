// Shared by the forecast and reports routes: 400 answers that name the parameter.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface BadRequest { error: 'bad-request'; parameter: string; message: string }

export const badRequestSchema = {
  type: 'object', required: ['error', 'parameter', 'message'],
  properties: { error: { type: 'string' }, parameter: { type: 'string' }, message: { type: 'string' } },
} as const;

export const unavailableSchema = {
  type: 'object', required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export function badRequest(parameter: string, message: string): BadRequest {
  return { error: 'bad-request', parameter, message };
}

interface AjvError { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }

/**
 * Routes declare `attachValidation: true`; this turns the first schema error into
 * `{error, parameter, message}` ("callsPerHour must be >= 0") and sends the 400.
 * Returns true when it answered.
 */
export function refuseInvalid(req: FastifyRequest, reply: FastifyReply): boolean {
  const err = req.validationError as (Error & { validation?: AjvError[] }) | undefined;
  if (!err) return false;
  const first = err.validation?.[0];
  let parameter = 'query';
  let message = err.message;
  if (first) {
    const p = first.params ?? {};
    if (first.keyword === 'required' && typeof p.missingProperty === 'string') {
      parameter = p.missingProperty;
      message = `${parameter} is required`;
    } else if (first.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
      parameter = p.additionalProperty;
      message = `${parameter} is not a known parameter`;
    } else {
      parameter = (first.instancePath ?? '').replace(/^\//, '').split('/')[0] || 'query';
      message = `${parameter} ${first.message ?? 'is invalid'}`;
      if (first.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
    }
  }
  void reply.code(400).send(badRequest(parameter, message));
  return true;
}
