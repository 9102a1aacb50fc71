import { createAuthenticator } from '../auth/authenticate.js';
import type { KeyStore } from '../auth/key-store.js';
import { GatewayError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, toGatewayError } from '../errors.js';
import type { GatewayHandler, GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { IdSource } from '../ports.js';
import type { JsonObject } from '../openai/openai-types.js';
import { parseJsonBody } from '../openai/validate-request.js';
import { handleChatCompletion } from './chat-completions.js';
import { ATTEMPTS_HEADER } from './route-request.js';
import { IGNORED_OVERRIDES_HEADER } from './routing-overrides.js';
import { handleEmbeddings } from './embeddings.js';
import type { Principal } from '../auth/key-store.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { pricingFor } from '../pricing/cost.js';
import { buildUsageRecord } from '../usage/build-usage-record.js';
import { clientRequestIdOf, readBodyAttribution, readHeaderAttribution, type HeaderAttribution } from './request-attribution.js';
import type { GatewayContext, RequestContext, RequestOutcome } from './gateway-context.js';
import { handleGetModel, handleListModels } from './models.js';
import { isAnthropicRoute, matchRoute, type Route } from './routes.js';
import { handleAnthropicCountTokens, handleAnthropicMessages, renderAnthropicError } from './anthropic-messages.js';
import { handleCreateResponse, handleDeleteResponse, handleGetResponse, handleListInputItems, type ResponsesOptions } from './responses.js';
import { createInMemoryResponseStore, DEFAULT_RESPONSE_TTL_DAYS, type ResponseStore } from '../storage/response-store.js';

/** The gateway's own id for a request, always sent; `x-request-id` echoes the client's when it sent one. */
export const GATEWAY_REQUEST_ID_HEADER = 'x-gateway-request-id';

/**
 * The request pipeline every edge shares: request id → route → size limit →
 * authenticate → handle → headers; every failure rendered in OpenAI's error shape.
 */
export function createGateway(
  gateway: GatewayContext,
  options: { masterKey?: string; keyStore?: KeyStore; ids: IdSource; responseStore?: ResponseStore; responseTtlDays?: number },
): GatewayHandler {
  const authenticate = createAuthenticator(options.masterKey, options.keyStore);
  // Without a configured store (no DynamoDB) stored responses live in this process only.
  const responses: ResponsesOptions = {
    store: options.responseStore ?? createInMemoryResponseStore(),
    ids: options.ids,
    ttlSeconds: Math.round((options.responseTtlDays ?? DEFAULT_RESPONSE_TTL_DAYS) * 86_400),
  };

  return async (http: GatewayHttpRequest): Promise<GatewayHttpResponse> => {
    const startedAt = gateway.clock.now();
    // Reservations, settlements and the usage record are keyed by an id the gateway makes:
    // a client's x-request-id, repeated on purpose, must never merge two requests' counts.
    const requestId = options.ids.next();
    const clientRequestId = clientRequestIdOf(http.headers);
    const served: RequestOutcome = { tags: [], attempts: [], background: [] };
    const request = { requestId, served };
    // Who made the request, once authenticated: a refused or failed request's record names them too.
    const caller: { principal?: Principal; request?: RequestContext; attribution?: HeaderAttribution } = {};

    let response: GatewayHttpResponse;
    let errorCode: string | undefined;
    try {
      response = await route(http, requestId, served, caller);
    } catch (error) {
      const gatewayError = gateway.redact(toGatewayError(error));
      errorCode = gatewayError.code ?? gatewayError.type;
      response = isAnthropicRoute(http.path) ? renderAnthropicError(gatewayError) : renderError(gatewayError);
    }
    response.headers['x-request-id'] = clientRequestId ?? requestId;
    response.headers[GATEWAY_REQUEST_ID_HEADER] = requestId;
    if (served.attempts.length > 0) response.headers[ATTEMPTS_HEADER] = String(served.attempts.length);
    if (served.ignoredParams !== undefined && served.ignoredParams.length > 0) response.headers[IGNORED_OVERRIDES_HEADER] = served.ignoredParams.join(',');
    if (response.status < 400 && served.model !== undefined) {
      response.headers['x-gateway-model'] = served.model;
      response.headers['x-gateway-provider'] = served.provider ?? '';
    }
    const status = response.status;
    let firstByteAt: number | undefined;
    // After the client has the last byte, still inside the invocation: settle, then record.
    const afterResponse = async (): Promise<void> => {
      logRequest(http, request, clientRequestId, caller.principal, status, startedAt);
      await Promise.all(served.background);
      const deployment = served.deployment;
      const principal = caller.principal;
      if (deployment === undefined || principal === undefined) return; // never reached admission
      const usage = served.usage ?? served.streamUsage?.() ?? { promptTokens: 0, completionTokens: 0 };
      const nowMs = gateway.clock.now();
      const succeeded = status < 400;
      await Promise.all([
        served.metering?.settle(usage, pricingFor(deployment)),
        succeeded ? gateway.router.settle(deployment, requestId, usage.promptTokens + usage.completionTokens, nowMs) : undefined,
      ]);
      await gateway.usageSink?.record(
        buildUsageRecord({
          requestId,
          startedAtMs: startedAt,
          finishedAtMs: gateway.clock.now(),
          firstByteAtMs: firstByteAt,
          clientRequestId,
          principal,
          endUser: caller.request?.endUser,
          outcome: { ...served, deployment },
          status,
          errorCode,
          attribution: caller.attribution,
        }),
      );
    };
    if (typeof response.body === 'string') return { ...response, afterResponse };
    const body = response.body;
    return {
      ...response,
      body: (async function* timed() {
        for await (const piece of body) {
          if (firstByteAt === undefined && piece !== SSE_KEEP_ALIVE) firstByteAt = gateway.clock.now();
          yield piece;
        }
      })(),
      afterResponse,
    };
  };

  async function route(
    http: GatewayHttpRequest,
    requestId: string,
    served: RequestOutcome,
    caller: { principal?: Principal; request?: RequestContext; attribution?: HeaderAttribution },
  ): Promise<GatewayHttpResponse> {
    const match = matchRoute(http.method, http.path);
    if (match.kind === 'not_found') throw new RouteNotFoundError(http.method, http.path);
    if (match.kind === 'wrong_method') throw new MethodNotAllowedError(http.method, http.path, match.allowed);
    if (match.route.name === 'health') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
    }
    const principal = await authenticate(http.headers);
    if (http.body.byteLength > gateway.settings.maxRequestBytes) throw new PayloadTooLargeError(gateway.settings.maxRequestBytes);
    // Known before the headers are checked, so that a refused header's log line names who sent it.
    caller.principal = principal;
    const attribution = readHeaderAttribution(http.headers);
    served.tags = attribution.tags;
    const request: RequestContext = { requestId, signal: http.signal, principal, served, endUser: attribution.endUser };
    caller.request = request;
    caller.attribution = attribution;
    return dispatch(match.route, http, request);
  }

  function dispatch(route: Route, http: GatewayHttpRequest, request: RequestContext): Promise<GatewayHttpResponse> | GatewayHttpResponse {
    switch (route.name) {
      case 'chat_completions':
        return handleChatCompletion(gateway, request, withAttribution(request, parseJsonBody(http.body)));
      case 'embeddings':
        return handleEmbeddings(gateway, request, withAttribution(request, parseJsonBody(http.body)));
      case 'list_models':
        return handleListModels(gateway, request.principal);
      case 'get_model':
        return handleGetModel(gateway, request.principal, route.id);
      case 'anthropic_messages':
        return handleAnthropicMessages(gateway, request, withAttribution(request, parseJsonBody(http.body)), http);
      case 'anthropic_count_tokens':
        return handleAnthropicCountTokens(gateway, request, parseJsonBody(http.body), http);
      case 'create_response':
        return handleCreateResponse(gateway, request, withAttribution(request, parseJsonBody(http.body)), responses);
      case 'get_response':
        return handleGetResponse(gateway, request, route.id, responses, http);
      case 'delete_response':
        return handleDeleteResponse(gateway, request, route.id, responses);
      case 'list_response_input_items':
        return handleListInputItems(gateway, request, route.id, responses, http);
      case 'health':
        throw new Error('health is answered before authentication');
    }
  }

  /** One line per request: who, which model, how it ended. Never a key, never prompt text. */
  function logRequest(
    http: GatewayHttpRequest,
    request: Pick<RequestContext, 'requestId' | 'served'>,
    clientRequestId: string | undefined,
    principal: Principal | undefined,
    status: number,
    startedAt: number,
  ): void {
    const { served } = request;
    gateway.logger.info('request.completed', {
      requestId: request.requestId,
      clientRequestId,
      method: loggedMethod(http.method),
      path: loggedPath(http.method, http.path),
      status,
      tenantId: principal === undefined ? undefined : principal.kind === 'virtual' ? principal.tenant.id : 'master',
      keyId: principal === undefined ? undefined : principal.kind === 'virtual' ? principal.key.id : 'master',
      model: served.model,
      requestedModel: served.requestedModel !== served.model ? served.requestedModel : undefined,
      provider: served.provider,
      deployment: served.deployment?.id,
      attempts: served.attempts.length > 0 ? served.attempts.length : undefined,
      stream: served.stream,
      latencyMs: gateway.clock.now() - startedAt,
    });
  }
}

/** The OpenAI `user` field names the end user when the header does not; `metadata` adds tags and attribution. Both bounded (a 400 otherwise). */
function withAttribution(request: RequestContext, body: JsonObject): JsonObject {
  const attribution = readBodyAttribution(body, request.served.tags);
  request.endUser ??= attribution.endUser;
  request.served.tags = attribution.tags;
  if (attribution.metadata !== undefined) request.served.metadata = attribution.metadata;
  return body;
}

const LOGGED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function loggedMethod(method: string): string {
  return LOGGED_METHODS.has(method) ? method : 'OTHER';
}

/**
 * The path as logged: a fixed route's own path; a model's route as its template (a model id
 * is whatever the client typed); anything else only by its length. A key pasted into a URL,
 * or 15 KB of path, must not reach the log.
 */
export function loggedPath(method: string, path: string): string {
  if (/^(?:\/v1)?\/models\/./.test(path)) return '/v1/models/{id}';
  if (/^(?:\/v1)?\/responses\/./.test(path)) return /\/input_items\/?$/.test(path) ? '/v1/responses/{id}/input_items' : '/v1/responses/{id}';
  if (matchRoute(method, path).kind !== 'not_found' && path.length <= 64) return path;
  return `(unmatched path, ${path.length} characters)`;
}

export function renderError(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(error.toBody()),
  };
}


