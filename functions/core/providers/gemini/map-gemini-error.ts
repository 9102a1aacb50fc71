import { GatewayError } from '../../errors.js';
import { clippedMessage, errorTypeForStatus } from '../openai-compatible/map-openai-error.js';
import { arrayOr, isObject, nonEmptyString, parseJson } from '../json-values.js';

/** Google's canonical error codes (google.rpc.Code) → the HTTP status the client gets. */
export const STATUS_BY_GOOGLE_CODE: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * Maps Gemini's error answer `{"error":{"code","message","status","details":[…]}}` (also sent as
 * a one-element array by the non-SSE stream endpoint) to the client's error: Google's message is
 * kept, the status comes from Google's `status` (RESOURCE_EXHAUSTED → 429, …) or else the HTTP
 * status, `code` is Google's status name. A RetryInfo detail's `retryDelay` ("34.4s") becomes a
 * `retry-after` header in whole seconds, rounded up (google-429-retry-info.json); without one the
 * upstream `retry-after` header is kept.
 */
export function mapGeminiError(status: number, bodyText: string, headers: Readonly<Record<string, string | undefined>>): GatewayError {
  const parsed = parseJson(bodyText);
  const body = Array.isArray(parsed) ? parsed[0] : parsed;
  const error = isObject(body) && isObject(body['error']) ? body['error'] : {};
  return geminiError(error, {
    httpStatus: status,
    fallbackMessage: bodyText.trim() || `The upstream provider answered with HTTP ${status}.`,
    retryAfterHeader: headers['retry-after'],
  });
}

/** An error object Gemini put in a stream (`data: {"error":{…}}`) or in a 2xx body: the status comes from its own code. */
export function geminiInBandError(error: unknown): GatewayError {
  const fields = isObject(error) ? error : { message: typeof error === 'string' ? error : undefined };
  return geminiError(fields, { fallbackMessage: 'The upstream provider failed mid-stream.' });
}

interface ErrorSource {
  httpStatus?: number;
  fallbackMessage: string;
  retryAfterHeader?: string;
}

function geminiError(error: Record<string, unknown>, source: ErrorSource): GatewayError {
  const googleCode = nonEmptyString(error['status']);
  const numericCode = errorStatus(error['code']);
  const status =
    (googleCode !== undefined && Object.hasOwn(STATUS_BY_GOOGLE_CODE, googleCode) ? STATUS_BY_GOOGLE_CODE[googleCode] : undefined) ??
    errorStatus(source.httpStatus) ??
    numericCode ??
    502;
  const message = nonEmptyString(error['message']) ?? source.fallbackMessage;
  const retryAfter = retryDelaySeconds(error['details']) ?? source.retryAfterHeader;
  return new GatewayError({
    status,
    message: clippedMessage(message),
    type: errorTypeForStatus(status),
    code: googleCode ?? (numericCode !== undefined ? String(numericCode) : null),
    headers: retryAfter !== undefined ? { 'retry-after': retryAfter } : {},
  });
}

function errorStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined;
}

/** `details[@type=RetryInfo].retryDelay` (a protobuf Duration: "17s", "34.4s") in whole seconds, rounded up. */
export function retryDelaySeconds(details: unknown): string | undefined {
  for (const detail of arrayOr(details)) {
    if (!isObject(detail) || detail['@type'] !== RETRY_INFO_TYPE || typeof detail['retryDelay'] !== 'string') continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail['retryDelay'].trim());
    if (match) return String(Math.ceil(Number(match[1])));
  }
  return undefined;
}
