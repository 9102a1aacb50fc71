import { GatewayError, type OpenAIErrorType } from '../../errors.js';
import { clientErrorStatus, clippedMessage, errorTypeForStatus, retryAfterOf } from '../openai-compatible/map-openai-error.js';
import { isObject, parseJson } from '../json-values.js';

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors) as OpenAI's. */
const OPENAI_TYPE_BY_ANTHROPIC_TYPE: Readonly<Record<string, OpenAIErrorType>> = {
  invalid_request_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'server_error',
  overloaded_error: 'server_error',
  timeout_error: 'timeout_error',
};

/**
 * The HTTP status each Anthropic error type comes with, for errors that arrive without one
 * (an `error` event in a stream that already answered 200). Overloaded is 529 upstream;
 * clients and retry logic know 503.
 */
const STATUS_BY_ANTHROPIC_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 503,
};

/** Anthropic's 529 "overloaded" is not a status OpenAI clients know: it becomes 503, the retryable kind. */
const OVERLOADED_STATUS = 529;

/**
 * Maps Anthropic's error answer `{"type":"error","error":{"type","message"}}` to the client's
 * error: same status (529 → 503), OpenAI's type for Anthropic's, Anthropic's type as `code`,
 * Anthropic's message kept, `retry-after` passed on.
 */
export function mapAnthropicError(
  status: number,
  bodyText: string,
  headers: Readonly<Record<string, string | undefined>>,
): GatewayError {
  const details = errorDetails(parseJson(bodyText));
  const clientStatus = status === OVERLOADED_STATUS ? 503 : clientErrorStatus(status);
  return gatewayError(
    clientStatus,
    details,
    bodyText.trim() || `The upstream provider answered with HTTP ${status}.`,
    retryAfterOf(headers),
  );
}

/** An `error` event mid-stream (or an error body with a 2xx status): the status follows from the error type. */
export function mapAnthropicStreamError(payload: unknown): GatewayError {
  const details = errorDetails(payload);
  const status = (details.type !== undefined ? STATUS_BY_ANTHROPIC_TYPE[details.type] : undefined) ?? 502;
  return gatewayError(status, details, 'The upstream provider failed mid-stream.', {});
}

interface ErrorDetails {
  type?: string;
  message?: string;
}

function errorDetails(parsed: unknown): ErrorDetails {
  const error = isObject(parsed) && isObject(parsed['error']) ? parsed['error'] : isObject(parsed) ? parsed : {};
  const type = error['type'];
  const message = error['message'];
  return {
    ...(typeof type === 'string' && type !== '' && type !== 'error' ? { type } : {}),
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
  };
}

function gatewayError(status: number, details: ErrorDetails, fallbackMessage: string, headers: Record<string, string>): GatewayError {
  const message = details.message ?? fallbackMessage;
  return new GatewayError({
    status,
    message: clippedMessage(message),
    type: (details.type !== undefined ? OPENAI_TYPE_BY_ANTHROPIC_TYPE[details.type] : undefined) ?? errorTypeForStatus(status),
    code: details.type ?? null,
    headers,
  });
}
