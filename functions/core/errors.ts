/**
 * Errors the gateway answers with. Each carries its HTTP status and the OpenAI
 * `error.type`/`code`, so any layer can throw and the edge renders one JSON shape:
 * `{"error":{"message","type","param","code"}}`.
 */

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'timeout_error'
  | 'api_error';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  /** Extra response headers (e.g. `Allow` for 405, `Retry-After` for 429). */
  readonly headers: Record<string, string>;

  constructor(options: {
    status: number;
    message: string;
    type: string;
    code?: string | null;
    param?: string | null;
    headers?: Record<string, string>;
  }) {
    super(options.message);
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidRequestError extends GatewayError {
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super({ status: 400, message, type: 'invalid_request_error', param, code });
    this.name = 'InvalidRequestError';
  }
}

export class AuthenticationError extends GatewayError {
  constructor(message: string) {
    super({ status: 401, message, type: 'invalid_request_error', code: 'invalid_api_key' });
    this.name = 'AuthenticationError';
  }
}

export class ModelNotFoundError extends GatewayError {
  constructor(model: string) {
    super({
      status: 404,
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
    this.name = 'ModelNotFoundError';
  }
}

export class RouteNotFoundError extends GatewayError {
  constructor(method: string, path: string) {
    super({
      status: 404,
      message: `Unknown request URL: ${method} ${path}.`,
      type: 'invalid_request_error',
      code: 'unknown_url',
    });
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends GatewayError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super({
      status: 405,
      message: `Method ${method} is not allowed for ${path}; use ${allowed.join(' or ')}.`,
      type: 'invalid_request_error',
      code: 'method_not_allowed',
      headers: { allow: allowed.join(', ') },
    });
    this.name = 'MethodNotAllowedError';
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(limitBytes: number) {
    super({
      status: 413,
      message: `Request body is larger than the gateway's limit of ${limitBytes} bytes.`,
      type: 'invalid_request_error',
      code: 'request_too_large',
    });
    this.name = 'PayloadTooLargeError';
  }
}

/** The client stopped sending its request body (an edge's idle timeout while reading it). */
export class RequestTimeoutError extends GatewayError {
  constructor(idleMs: number) {
    super({
      status: 408,
      message: `The request body stalled: no bytes for ${idleMs} ms. Send the whole body without pauses.`,
      type: 'invalid_request_error',
      code: 'request_timeout',
    });
    this.name = 'RequestTimeoutError';
  }
}

/** The provider did not answer in time. */
export class UpstreamTimeoutError extends GatewayError {
  constructor(message = 'The upstream provider did not respond in time.') {
    super({ status: 504, message, type: 'timeout_error', code: 'upstream_timeout' });
    this.name = 'UpstreamTimeoutError';
  }
}

/** The provider could not be reached at all (refused, DNS, reset before a response). */
export class UpstreamUnreachableError extends GatewayError {
  constructor(message = 'The upstream provider could not be reached.') {
    super({ status: 502, message, type: 'api_error', code: 'upstream_unreachable' });
    this.name = 'UpstreamUnreachableError';
  }
}

/** A dependency the gateway needs for this request (a store, a secret, credentials) is briefly unavailable: retry in a second. */
export class ServiceUnavailableError extends GatewayError {
  constructor(message: string, code: string) {
    super({ status: 503, message, type: 'server_error', code, headers: { 'retry-after': '1' } });
    this.name = 'ServiceUnavailableError';
  }
}

export class InternalGatewayError extends GatewayError {
  constructor(message = 'The gateway failed to handle this request.') {
    super({ status: 500, message, type: 'server_error', code: 'internal_error' });
    this.name = 'InternalGatewayError';
  }
}

/** Anything thrown becomes a GatewayError; unknown errors never leak their message or stack. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new InternalGatewayError();
}

/**
 * The provider's answer (a whole response body, or one streamed event) outgrew
 * `general_settings.max_upstream_response_mb`: reading stopped there and the connection was dropped.
 */
export class UpstreamResponseTooLargeError extends GatewayError {
  constructor(limitBytes: number, what: 'response' | 'streamed event' = 'response') {
    const megabytes = Number((limitBytes / (1024 * 1024)).toFixed(3));
    super({
      status: 502,
      message: `The upstream provider's ${what} is larger than the gateway's limit of ${megabytes} MB (general_settings.max_upstream_response_mb).`,
      type: 'api_error',
      code: 'upstream_response_too_large',
    });
    this.name = 'UpstreamResponseTooLargeError';
  }
}
