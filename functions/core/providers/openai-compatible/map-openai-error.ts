import { GatewayError } from '../../errors.js';

const MAX_MESSAGE_LENGTH = 1000;

/** The OpenAI error type that goes with an HTTP status, when the provider names none. */
export function errorTypeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
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
    stringField(details, 'message') ??
    (typeof errorField === 'string' ? errorField : undefined) ??
    stringField(details, 'detail') ??
    (bodyText.trim() || `The upstream provider answered with HTTP ${status}.`);
  const code = details['code'];
  const retryAfter = headers['retry-after'];
  const clientStatus = status >= 400 && status <= 599 ? status : 502;
  return new GatewayError({
    status: clientStatus,
    message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
    type: stringField(details, 'type') ?? errorTypeForStatus(clientStatus),
    code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
    param: stringField(details, 'param') ?? null,
    headers: retryAfter ? { 'retry-after': retryAfter } : {},
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(object: Record<string, unknown>, name: string): string | undefined {
  const value = object[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
