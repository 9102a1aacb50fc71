import { createAuthenticator } from '../auth/authenticate.js';
import type { KeyStore } from '../auth/key-store.js';
import { GatewayError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, toGatewayError } from '../errors.js';
import type { GatewayHandler, GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { IdSource } from '../ports.js';
import type { JsonObject } from '../openai/openai-types.js';
import { parseJsonBody } from '../openai/validate-request.js';
import { handleChatCompletion } from './chat-completions.js';
import { handleEmbeddings } from './embeddings.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { handleGetModel, handleListModels } from './models.js';
import { matchRoute, type Route } from './routes.js';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:\-]{1,128}$/;

/**
 * The request pipeline every edge shares: request id → route → size limit →
 * authenticate → handle → headers; every failure rendered in OpenAI's error shape.
 */
export function createGateway(gateway: GatewayContext, options: { masterKey?: string; keyStore?: KeyStore; ids: IdSource }): GatewayHandler {
  const authenticate = createAuthenticator(options.masterKey, options.keyStore);

  return async (http: GatewayHttpRequest): Promise<GatewayHttpResponse> => {
    const startedAt = gateway.clock.now();
    const clientRequestId = http.headers['x-request-id'];
    const requestId = clientRequestId !== undefined && REQUEST_ID_PATTERN.test(clientRequestId) ? clientRequestId : options.ids.next();
    const served: RequestContext['served'] = {};
    const request = { requestId, served };

    let response: GatewayHttpResponse;
    try {
      response = await route(http, requestId, served);
    } catch (error) {
      response = renderError(gateway.redact(toGatewayError(error)));
    }
    response.headers['x-request-id'] = requestId;
    if (response.status < 400 && served.model !== undefined) {
      response.headers['x-gateway-model'] = served.model;
      response.headers['x-gateway-provider'] = served.provider ?? '';
    }
    if (typeof response.body === 'string') {
      logRequest(http, request, response.status, startedAt);
      return response;
    }
    return { ...response, body: loggedWhenDone(response.body, () => logRequest(http, request, response.status, startedAt)) };
  };

  async function route(http: GatewayHttpRequest, requestId: string, served: RequestContext['served']): Promise<GatewayHttpResponse> {
    const match = matchRoute(http.method, http.path);
    if (match.kind === 'not_found') throw new RouteNotFoundError(http.method, http.path);
    if (match.kind === 'wrong_method') throw new MethodNotAllowedError(http.method, http.path, match.allowed);
    if (match.route.name === 'health') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
    }
    const principal = await authenticate(http.headers);
    if (http.body.byteLength > gateway.settings.maxRequestBytes) throw new PayloadTooLargeError(gateway.settings.maxRequestBytes);
    const endUser = http.headers['x-gateway-end-user'];
    const request: RequestContext = { requestId, signal: http.signal, principal, served, endUser: endUser || undefined };
    return dispatch(match.route, http, request);
  }

  function dispatch(route: Route, http: GatewayHttpRequest, request: RequestContext): Promise<GatewayHttpResponse> | GatewayHttpResponse {
    switch (route.name) {
      case 'chat_completions':
        return handleChatCompletion(gateway, request, withEndUser(request, parseJsonBody(http.body)));
      case 'embeddings':
        return handleEmbeddings(gateway, request, withEndUser(request, parseJsonBody(http.body)));
      case 'list_models':
        return handleListModels(gateway, request.principal);
      case 'get_model':
        return handleGetModel(gateway, request.principal, route.id);
      case 'health':
        throw new Error('health is answered before authentication');
    }
  }

  function logRequest(http: GatewayHttpRequest, request: Pick<RequestContext, 'requestId' | 'served'>, status: number, startedAt: number): void {
    gateway.logger.info('request.completed', {
      requestId: request.requestId,
      method: http.method,
      path: http.path,
      status,
      model: request.served.model,
      provider: request.served.provider,
      stream: request.served.stream,
      latencyMs: gateway.clock.now() - startedAt,
    });
  }
}

/** The OpenAI `user` field names the end user when the header does not. */
function withEndUser(request: RequestContext, body: JsonObject): JsonObject {
  if (request.endUser === undefined && typeof body['user'] === 'string' && body['user'] !== '') request.endUser = body['user'];
  return body;
}

export function renderError(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(error.toBody()),
  };
}

async function* loggedWhenDone(body: AsyncIterable<string>, onDone: () => void): AsyncGenerator<string> {
  try {
    yield* body;
  } finally {
    onDone();
  }
}
