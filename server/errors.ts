// Every error Atende answers over HTTP, as fastify core does it: one coded constant
// each, built with @fastify/error, so tests and clients branch on `code`. The one
// error handler (plugins/error-handler.ts) renders them, and Fastify's own errors,
// in one shape: { statusCode, code, error, message }. docs/api.md lists them all.
import createError from '@fastify/error';
import type { RoutingError, RoutingErrorCode } from '../routing/errors.ts';

// ---- 400 ---------------------------------------------------------------------------
/** A query or body value the schema lets through but the route cannot use ("%s: %s" = field, reason). */
export const BadInputError = createError<[string, string]>('ATENDE_ERR_BAD_INPUT', '%s: %s', 400);
export const AgentRequiredError = createError('ATENDE_ERR_AGENT_REQUIRED', 'name the agent: ?agent=ID (only an agent token names its own agent)', 400);
/** A settings change that would make an invalid settings file ("%s: %s" = field, reason). */
export const InvalidSettingsError = createError<[string, string]>('ATENDE_ERR_INVALID_SETTINGS', '%s: %s', 400);

// ---- 401 / 403 -----------------------------------------------------------------------
export const UnauthorizedError = createError<[string]>('ATENDE_ERR_UNAUTHORIZED', 'a valid token is required for %s: Authorization: Bearer <token>', 401);
export const ForbiddenError = createError<[string]>('ATENDE_ERR_FORBIDDEN', '%s', 403);
/** Nothing of a forged webhook is recorded; the message says only what was wrong. */
export const BadSignatureError = createError('ATENDE_ERR_BAD_SIGNATURE', 'missing or invalid X-Twilio-Signature for this URL', 403);

// ---- 404 -----------------------------------------------------------------------------
export const RouteNotFoundError = createError<[string, string]>('ATENDE_ERR_NOT_FOUND', 'no route %s %s', 404);
export const UnknownCallError = createError<[string]>('ATENDE_ERR_UNKNOWN_CALL', "no call with id '%s'", 404);
export const UnknownAgentError = createError<[string]>('ATENDE_ERR_UNKNOWN_AGENT', "no agent with id '%s'", 404);
export const UnknownQueueError = createError<[string]>('ATENDE_ERR_UNKNOWN_QUEUE', "no queue with id '%s'", 404);
export const UnknownAlertError = createError<[string]>('ATENDE_ERR_UNKNOWN_ALERT', "no alert with id '%s' (resolved alerts are kept for a while only)", 404);

// ---- 409: the routing core refused the change -------------------------------------------
export const CallExistsError = createError<[string]>('ATENDE_ERR_CALL_EXISTS', '%s', 409);
export const BadCallStateError = createError<[string]>('ATENDE_ERR_BAD_CALL_STATE', '%s', 409);
export const BadAgentStateError = createError<[string]>('ATENDE_ERR_BAD_AGENT_STATE', '%s', 409);
export const AgentBusyError = createError<[string]>('ATENDE_ERR_AGENT_BUSY', '%s', 409);
export const NotEligibleError = createError<[string]>('ATENDE_ERR_NOT_ELIGIBLE', '%s', 409);
export const BadEventError = createError<[string]>('ATENDE_ERR_BAD_EVENT', '%s', 409);
/** Nobody is enqueued into a closed queue (business hours, holiday, a supervisor's closure). */
export const QueueClosedError = createError<[string]>('ATENDE_ERR_QUEUE_CLOSED', '%s', 409);
/** Recordings (docs/sac.md, "Gravações"): the agent has no call in progress, or the call is not being recorded. */
export const NoCallInProgressError = createError<[string]>('ATENDE_ERR_NO_CALL', "agent '%s' has no call in progress", 409);
export const NotRecordedError = createError<[string]>('ATENDE_ERR_NOT_RECORDED', '%s', 409);
/** A softphone token for an agent reached on a phone number (E.164): the phone rings, no browser does. */
export const NoSoftphoneError = createError<[string, string]>('ATENDE_ERR_NO_SOFTPHONE', "agent '%s' is reached on the phone %s: there is no softphone for a phone", 409);

// ---- 426 / 429 / 503 -------------------------------------------------------------------
export const UpgradeRequiredError = createError('ATENDE_ERR_UPGRADE_REQUIRED', 'this is a WebSocket endpoint: connect with a WebSocket client', 426);
export const RateLimitedError = createError<[string]>('ATENDE_ERR_RATE_LIMITED', 'too many requests: try again in %s', 429);
/** The event could not be made durable: nothing was applied. */
export const StoreUnavailableError = createError<[string]>('ATENDE_ERR_STORE_UNAVAILABLE', 'the event log cannot take the event: %s', 503);
/** The store refused or failed a write: StoreUnavailableError with the store's own error as its cause. */
export function storeUnavailable(err: unknown, message: string = (err as Error)?.message ?? String(err)): Error {
  // @fastify/error takes a trailing `{ cause }`; its typed arguments are the message's only.
  return new (StoreUnavailableError as unknown as new (m: string, o: { cause: unknown }) => Error)(message, { cause: err });
}
export const NotReadyError = createError<[string]>('ATENDE_ERR_UNAVAILABLE', '%s', 503);
/** No Twilio voice for the console's softphone: API key variables missing, or demo mode (the emulator answers). */
export const VoiceUnconfiguredError = createError<[string]>('ATENDE_ERR_VOICE_UNCONFIGURED', 'no softphone voice on this server: %s', 503);
/** An edge (server/edge/) cannot read its leader's frames nor check a ticket: Redis is unreachable. The page retries. */
export const EdgeFeedUnavailableError = createError<[string]>('ATENDE_ERR_EDGE_UNAVAILABLE', 'the live feed is unavailable on this edge: %s', 503);
/** An edge could not reach the leader it forwards /api/* to (ATENDE_LEADER_URL). */
export const LeaderUnreachableError = createError<[string]>('ATENDE_ERR_LEADER_UNREACHABLE', 'the leader cannot be reached: %s', 503);
/** A feature that still reads the SQLite file directly, on a center whose store is PostgreSQL (docs/deploy.md lists them). */
/** Twilio's REST API refused or failed a request Atende made for a person waiting on the answer (a recording's pause). */
export const TwilioRestError = createError<[string]>('ATENDE_ERR_TWILIO', 'Twilio did not carry it out: %s', 502);
/** No Twilio REST credentials on this server: nothing can be asked of Twilio. */
export const TwilioUnconfiguredError = createError<[string]>('ATENDE_ERR_NO_TWILIO', 'no Twilio REST client on this server: %s', 503);
export const SqliteOnlyError = createError<[string]>('ATENDE_ERR_SQLITE_ONLY', '%s reads the SQLite file directly: not available on PostgreSQL yet', 501);

/**
 * The routing core's refusal as the HTTP error a client sees. A missing call,
 * agent or queue is a 404; every other refusal is a conflict with the live state.
 */
export function httpErrorOf(err: RoutingError): Error {
  const byCode: Record<RoutingErrorCode, (m: string) => Error> = {
    ATENDE_UNKNOWN_CALL: (m) => withMessage(new UnknownCallError(''), m),
    ATENDE_UNKNOWN_AGENT: (m) => withMessage(new UnknownAgentError(''), m),
    ATENDE_UNKNOWN_QUEUE: (m) => withMessage(new UnknownQueueError(''), m),
    ATENDE_CALL_EXISTS: (m) => new CallExistsError(m),
    ATENDE_BAD_CALL_STATE: (m) => new BadCallStateError(m),
    ATENDE_BAD_AGENT_STATE: (m) => new BadAgentStateError(m),
    ATENDE_AGENT_BUSY: (m) => new AgentBusyError(m),
    ATENDE_NOT_ELIGIBLE: (m) => new NotEligibleError(m),
    ATENDE_BAD_EVENT: (m) => new BadEventError(m),
    ATENDE_QUEUE_CLOSED: (m) => new QueueClosedError(m),
  };
  return byCode[err.code](err.message);
}

// The core's message is better than the template's for a 404 it raised itself.
function withMessage(err: Error, message: string): Error {
  err.message = message;
  return err;
}

/** The one body every error is answered with. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}
