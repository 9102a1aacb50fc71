import type { Principal } from '../auth/key-store.js';
import { MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, toGatewayError, type GatewayError } from '../errors.js';
import type { GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { IdSource, Logger } from '../ports.js';
import { renderAnthropicError } from './anthropic-messages.js';
import { GATEWAY_REQUEST_ID_HEADER, loggedMethod, loggedPath, renderError } from './create-gateway.js';
import { clientRequestIdOf } from './request-attribution.js';
import { isAnthropicRoute, matchRoute } from './routes.js';

/** What an edge knows once the request headers are in, before any body byte is read. */
export type PreflightRequest = Pick<GatewayHttpRequest, 'method' | 'path' | 'headers'>;

/**
 * Answers the error response the gateway would give from the request line and headers
 * alone — unknown route 404, wrong method 405, missing or bad key 401, a declared
 * `content-length` over the limit 413 — or `undefined` when the request may proceed.
 * An edge calls it before reading the body, so a refused upload is never buffered.
 * `admin: true` marks a request bound for the master-key-guarded admin handler.
 * The full handler still checks everything again; the key store's cache makes the
 * second authentication a map lookup.
 */
export type Preflight = (request: PreflightRequest, options?: { admin?: boolean }) => Promise<GatewayHttpResponse | undefined>;

type Authenticate = (headers: PreflightRequest['headers']) => Promise<Principal>;

export function createPreflight(options: {
  /** The gateway's authenticator (master key, then virtual keys through the same cached key store). */
  authenticate: Authenticate;
  /** The master key alone, for `/admin`. */
  authenticateMaster: Authenticate;
  maxRequestBytes: number;
  ids: IdSource;
  logger: Logger;
}): Preflight {
  return async (request, { admin = false } = {}) => {
    // Refusals here carry no provider text (routes, keys, sizes), so there is nothing to redact.
    const error = admin ? await refuseAdmin(request) : await refuse(request);
    if (error === undefined) return undefined;
    if (admin) return renderError(error); // as the admin guard renders it
    // The same ids and the same (bounded) log line as the handler gives a refusal.
    const requestId = options.ids.next();
    const clientRequestId = clientRequestIdOf(request.headers);
    options.logger.info('request.completed', {
      requestId,
      clientRequestId,
      method: loggedMethod(request.method),
      path: loggedPath(request.method, request.path),
      status: error.status,
      refusedBeforeBody: true,
    });
    const response = renderErrorFor(request.path, error);
    response.headers['x-request-id'] = clientRequestId ?? requestId;
    response.headers[GATEWAY_REQUEST_ID_HEADER] = requestId;
    return response;
  };

  async function refuse(request: PreflightRequest): Promise<GatewayError | undefined> {
    const match = matchRoute(request.method, request.path);
    if (match.kind === 'not_found') return new RouteNotFoundError(request.method, request.path);
    if (match.kind === 'wrong_method') return new MethodNotAllowedError(request.method, request.path, match.allowed);
    if (match.route.name === 'health') return undefined;
    return (await authenticationFailure(options.authenticate, request)) ?? declaredTooLarge(request);
  }

  async function refuseAdmin(request: PreflightRequest): Promise<GatewayError | undefined> {
    return authenticationFailure(options.authenticateMaster, request);
  }

  function declaredTooLarge(request: PreflightRequest): GatewayError | undefined {
    const declared = Number(request.headers['content-length']);
    return Number.isFinite(declared) && declared > options.maxRequestBytes ? new PayloadTooLargeError(options.maxRequestBytes) : undefined;
  }
}

/** An edge's own error (e.g. a stalled body), in the shape the route's clients expect: Anthropic's on `/v1/messages`, else OpenAI's. */
export function renderErrorFor(path: string, error: GatewayError): GatewayHttpResponse {
  return isAnthropicRoute(path) ? renderAnthropicError(error) : renderError(error);
}

async function authenticationFailure(authenticate: Authenticate, request: PreflightRequest): Promise<GatewayError | undefined> {
  try {
    await authenticate(request.headers);
    return undefined;
  } catch (error) {
    return toGatewayError(error);
  }
}
