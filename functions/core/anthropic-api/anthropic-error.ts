import type { GatewayError } from '../errors.js';
import type { AnthropicErrorBody, AnthropicErrorType } from './anthropic-types.js';

const ERROR_TYPE_BY_STATUS: Readonly<Record<number, AnthropicErrorType>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * Anthropic's `error.type` for an HTTP status (https://docs.claude.com/en/api/errors).
 * Anthropic uses `invalid_request_error` for 4xx statuses it does not list, and the
 * gateway's other 5xx (502 unreachable upstream, …) become `api_error`.
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  const known = ERROR_TYPE_BY_STATUS[status];
  if (known !== undefined) return known;
  return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
}

/** A gateway error in Anthropic's shape: `{"type":"error","error":{"type","message"}}`; the HTTP status stays `error.status`. */
export function toAnthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}
