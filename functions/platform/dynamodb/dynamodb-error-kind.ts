/**
 * Which DynamoDB failures mean "the store is unavailable" (throttled, unreachable, timed out,
 * failing on its side) and which mean it answered and refused the request itself
 * (ValidationException for an oversized key or number, ResourceNotFound, AccessDenied…).
 * Only the first may be retried later or admitted without limits; the second would let
 * whoever caused it skip limits, and says nothing about the store's health.
 *
 * The SDK has already retried throttling and transient errors (its `maxAttempts`) by the time
 * an error reaches here.
 */

/** Error names DynamoDB (and the SDK) give throttling and server-side failures. */
const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Node's codes for a connection that could not be made or broke (the SDK rethrows them as is). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);

/** A transaction's cancellation reason codes that mean throttling (the others are refusals or request errors). */
const UNAVAILABLE_CANCELLATION_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** True when `error` is real unavailability: throttling, network or timeout, a 5xx. */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  if (UNAVAILABLE_NAMES.has(error.name)) return true;
  if (typeof details.code === 'string' && NETWORK_CODES.has(details.code)) return true;
  if (details.$retryable?.throttling === true) return true;
  const status = details.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

const BENIGN_CANCELLATION_CODES = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict', ...UNAVAILABLE_CANCELLATION_CODES]);

/** The cancellation code that is neither a refusal, a conflict, throttling nor "not the culprit" (e.g. `ValidationError`), if any. */
export function rejectingCancellationCode(reasons: ReadonlyArray<{ Code?: string }>): string | undefined {
  return reasons.find((reason) => reason.Code !== undefined && !BENIGN_CANCELLATION_CODES.has(reason.Code))?.Code;
}

/**
 * Contention: writes to one key's or tenant's item met another request's transaction. The
 * callers' own concurrency causes it, not an outage, so it must never fail open (that would
 * let a client skip its limits by sending enough at once): it is answered 503, retry shortly.
 */
export function isContention(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionConflictException';
}

/** True when every reason of a cancelled transaction is a conflict with another transaction (or "not the culprit"). */
export function isConflictOnly(reasons: ReadonlyArray<{ Code?: string }>): boolean {
  return reasons.length > 0 && reasons.every((reason) => reason.Code === 'None' || reason.Code === 'TransactionConflict');
}
