// Schemas shared by every route group (TypeBox, typed through the Fastify type provider).
import { Type, type TSchema } from '@sinclair/typebox';

/** The one error shape (plugins/error-handler.ts renders every error in it). */
export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});

/** `response` entries for the error statuses a route may answer, all in the one shape. */
export function errorReplies(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = ErrorReply;
  return out;
}

/** Statuses any route guarded by a role can answer. */
export const GUARDED = [401, 403] as const;
