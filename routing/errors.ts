// Typed refusals: the core throws these for impossible events and leaves its state untouched,
// so callers (and tests) can branch on `code` rather than on message text.

export type RoutingErrorCode =
  | 'ATENDE_UNKNOWN_CALL'
  | 'ATENDE_UNKNOWN_AGENT'
  | 'ATENDE_UNKNOWN_QUEUE'
  | 'ATENDE_CALL_EXISTS'
  | 'ATENDE_BAD_CALL_STATE'
  | 'ATENDE_BAD_AGENT_STATE'
  | 'ATENDE_AGENT_BUSY'
  | 'ATENDE_NOT_ELIGIBLE'
  | 'ATENDE_BAD_EVENT'
  /** Nobody is enqueued into a closed queue (business hours, holiday, a supervisor's closure). */
  | 'ATENDE_QUEUE_CLOSED';

export class RoutingError extends Error {
  readonly code: RoutingErrorCode;
  constructor(code: RoutingErrorCode, message: string) {
    super(message);
    this.name = 'RoutingError';
    this.code = code;
  }
}

export function refuse(code: RoutingErrorCode, message: string): never {
  throw new RoutingError(code, message);
}
