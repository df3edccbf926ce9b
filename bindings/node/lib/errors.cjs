'use strict';
// The errors, one class per failure status of the C library, and the conversion of a
// `droplet_action_result` into an Action or one of them.

const { bytes, c, constants } = require('./ffi.cjs');
const { actionFromC, rateLimitFromC, text, Unrepresentable } = require('./model.cjs');

/** What a call ended with: the C library's `droplet_status`, read from its constants. */
const Status = Object.freeze(
  Object.fromEntries(
    Object.entries(constants)
      .filter(([name]) => name.startsWith('DROPLET_STATUS_'))
      .map(([name, value]) => [name.slice('DROPLET_STATUS_'.length), value]),
  ),
);

/**
 * The base of every error a call rejects with. Besides the message (never holding the
 * token) it carries what is known of the last answer.
 */
class DropletActionError extends Error {
  constructor(message, fields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    /** The C library's status for this kind of error. */
    this.status = fields.status ?? new.target.status;
    /** The HTTP status of the last answer, or null when no answer came. */
    this.httpStatus = fields.httpStatus ?? null;
    /** The API's error id ("not_found", "unauthorized", ...), or null. */
    this.errorId = fields.errorId ?? null;
    /** The request id, from the error body or the x-request-id header, or null. */
    this.requestId = fields.requestId ?? null;
    /** The rate limit of the last answer, or null when it carried none. */
    this.rateLimit = fields.rateLimit ?? null;
    /** How many requests were sent (0 when refused before sending). */
    this.attempts = fields.attempts ?? 0;
    /** The last body received, exactly as received, or null. */
    this.rawBody = fields.rawBody ?? null;
  }
}
DropletActionError.status = Status.OK;

/** An argument or setting was refused. Nothing was sent. */
class InvalidArgumentError extends DropletActionError {}
InvalidArgumentError.status = Status.INVALID_ARGUMENT;

/** No answer came: name resolution, connection, TLS, or broken HTTP, after retries. */
class TransportError extends DropletActionError {}
TransportError.status = Status.TRANSPORT;

/** No answer in time, or a wait's deadline passed; `last` is the last Action a wait saw. */
class TimeoutError extends DropletActionError {
  constructor(message, fields = {}) {
    super(message, fields);
    this.last = fields.last ?? null;
  }
}
TimeoutError.status = Status.TIMEOUT;

/** The API answered with an error status. */
class ApiError extends DropletActionError {}
ApiError.status = Status.API_ERROR;

/** The answer was not a valid action (`rawBody` holds it). */
class DecodeError extends DropletActionError {}
DecodeError.status = Status.DECODE;

/** The answer was larger than the client's body limit. */
class BodyTooLargeError extends DropletActionError {}
BodyTooLargeError.status = Status.BODY_TOO_LARGE;

/** A wait ended because the action finished as errored; `action` holds it. */
class ActionErroredError extends DropletActionError {
  constructor(message, fields = {}) {
    super(message, fields);
    this.action = fields.action ?? null;
  }
}
ActionErroredError.status = Status.ACTION_ERRORED;

/** An internal error of the C library was contained; the library stays usable. */
class InternalError extends DropletActionError {}
InternalError.status = Status.PANIC;

/**
 * The call's AbortSignal was aborted. Its name is "AbortError", as for fetch; `cause` is
 * the signal's reason and `last` the last Action a wait saw.
 */
class CancelledError extends DropletActionError {
  constructor(message, fields = {}) {
    super(message, fields);
    this.name = 'AbortError';
    this.last = fields.last ?? null;
  }
}
CancelledError.status = Status.CANCELLED;

/**
 * A wait saw the rate limit spent while the action ran, resetting after its deadline or
 * the longest pause honoured: `rateLimit.resetAt` says when to try again.
 */
class RateLimitedError extends DropletActionError {
  constructor(message, fields = {}) {
    super(message, fields);
    this.last = fields.last ?? null;
  }
}
RateLimitedError.status = Status.RATE_LIMITED;

const ERRORS = new Map(
  [
    InvalidArgumentError,
    TransportError,
    TimeoutError,
    ApiError,
    DecodeError,
    BodyTooLargeError,
    ActionErroredError,
    InternalError,
    CancelledError,
    RateLimitedError,
  ].map((cls) => [cls.status, cls]),
);

/** The error class of a status (the base class for a status this package does not know). */
function errorClass(status) {
  return ERRORS.get(status) ?? DropletActionError;
}

/**
 * Copies what a result holds: the Action on success, else the error to reject with. The
 * caller frees the result.
 */
function outcomeFromC(result, cause) {
  let action = null;
  let unreadable = null;
  try {
    action = result.action === null ? null : actionFromC(result.action);
  } catch (error) {
    if (!(error instanceof Unrepresentable)) throw error;
    unreadable = `the action cannot be represented in JavaScript: ${error.message}`;
  }
  if (result.status === Status.OK && action !== null) return action;
  let cls = errorClass(result.status);
  let message = text(result.error_message) ?? c.droplet_status_str(result.status);
  if (unreadable !== null) {
    cls = DecodeError;
    message = unreadable;
  }
  const length = Number(result.raw_body_len);
  return new cls(message, {
    status: cls === DropletActionError ? result.status : undefined,
    httpStatus: result.http_status || null,
    errorId: text(result.error_id),
    requestId: text(result.request_id),
    rateLimit: rateLimitFromC(result.rate_limit),
    attempts: result.attempts,
    rawBody: result.raw_body === null ? null : bytes(result.raw_body, length),
    action,
    last: action,
    cause: cls === CancelledError ? cause : undefined,
  });
}

/** `outcomeFromC`, then frees the result. */
function takeResult(result, cause) {
  try {
    return outcomeFromC(result, cause);
  } finally {
    c.droplet_action_result_free(result);
  }
}

/** The error for a refused builder or waiter call, with the library's reason. */
function refusal() {
  const reason = c.droplet_last_error_message() || c.droplet_status_str(Status.INVALID_ARGUMENT);
  return new InvalidArgumentError(reason);
}

/** The Action of an outcome, or its error thrown. */
function unwrap(outcome) {
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

module.exports = {
  Status,
  DropletActionError,
  InvalidArgumentError,
  TransportError,
  TimeoutError,
  ApiError,
  DecodeError,
  BodyTooLargeError,
  ActionErroredError,
  InternalError,
  CancelledError,
  RateLimitedError,
  takeResult,
  refusal,
  unwrap,
};
