import { GatewayError } from '../../errors.js';
import { isObject, nonEmptyString, parseJson } from '../json-values.js';

const MAX_MESSAGE_LENGTH = 1000;

/** A provider's error message as the client gets it: at most MAX_MESSAGE_LENGTH characters, then `…`. */
export function clippedMessage(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

/** The OpenAI error type that goes with an HTTP status, when the provider names none. */
export function errorTypeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** An upstream error's HTTP status as the client's: an error status (4xx, 5xx) is kept, anything else is 502. */
export function clientErrorStatus(status: number): number {
  return status >= 400 && status <= 599 ? status : 502;
}

/** The upstream's `retry-after` header, passed on to the client when it sent one. */
export function retryAfterOf(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const retryAfter = headers['retry-after'];
  return retryAfter ? { 'retry-after': retryAfter } : {};
}

/**
 * Maps an OpenAI-compatible provider's error answer to the client's error: same status,
 * the provider's own message, type and code kept when it sends them. Providers disagree
 * on the body (`{"error":{…}}`, `{"error":"…"}`, `{"message":…}`, `{"detail":…}`, plain text).
 */
export function mapOpenAICompatibleError(
  status: number,
  bodyText: string,
  headers: Readonly<Record<string, string | undefined>>,
): GatewayError {
  const parsed = parseJson(bodyText);
  const errorField = isObject(parsed) ? parsed['error'] : undefined;
  const details = isObject(errorField) ? errorField : isObject(parsed) ? parsed : {};
  const message =
    nonEmptyString(details['message']) ??
    (typeof errorField === 'string' ? errorField : undefined) ??
    nonEmptyString(details['detail']) ??
    (bodyText.trim() || `The upstream provider answered with HTTP ${status}.`);
  const code = details['code'];
  const clientStatus = clientErrorStatus(status);
  return new GatewayError({
    status: clientStatus,
    message: clippedMessage(message),
    type: nonEmptyString(details['type']) ?? errorTypeForStatus(clientStatus),
    code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
    param: nonEmptyString(details['param']) ?? null,
    headers: retryAfterOf(headers),
  });
}
