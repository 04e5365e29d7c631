// Shared by the forecast and reports routes: a query the schema refuses is answered
// as the coded 400 that names the parameter (BadInputError, "callsPerHour: must be >= 0"),
// not Fastify's "querystring must NOT have additional properties", which names nothing.
import type { FastifySchemaValidationError } from 'fastify';
import { BadInputError } from '../errors.ts';

/** Route option `schemaErrorFormatter`: the first schema error, as BadInputError(parameter, reason). */
export function namingTheParameter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0] as FastifySchemaValidationError | undefined;
  if (!first) return new BadInputError(dataVar, 'is invalid');
  const p = first.params ?? {};
  if (first.keyword === 'required' && typeof p.missingProperty === 'string') return new BadInputError(p.missingProperty, 'is required');
  if (first.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    return new BadInputError(p.additionalProperty, 'is not a known parameter');
  }
  const parameter = first.instancePath.replace(/^\//, '').split('/')[0] || dataVar;
  let reason = first.message ?? 'is invalid';
  if (first.keyword === 'enum' && Array.isArray(p.allowedValues)) reason += `: ${p.allowedValues.join(', ')}`;
  return new BadInputError(parameter, reason);
}

/** A parameter-naming message ("callsPerHour must be >= 0") as the reason alone ("must be >= 0"). */
export function reasonOf(parameter: string, message: string): string {
  return message.startsWith(`${parameter} `) ? message.slice(parameter.length + 1) : message;
}
