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
import { buildUsageRecord, collectTags } from '../usage/build-usage-record.js';
import type { GatewayContext, RequestContext, RequestOutcome } from './gateway-context.js';
import { handleGetModel, handleListModels } from './models.js';
import { isAnthropicRoute, matchRoute, type Route } from './routes.js';
import { handleAnthropicCountTokens, handleAnthropicMessages, renderAnthropicError } from './anthropic-messages.js';

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
    const served: RequestOutcome = { tags: collectTags(http.headers['x-gateway-tags'], undefined), attempts: [], background: [] };
    const request = { requestId, served };
    // Who made the request, once authenticated: a refused or failed request's record names them too.
    const caller: { principal?: Principal; request?: RequestContext } = {};

    let response: GatewayHttpResponse;
    let errorCode: string | undefined;
    try {
      response = await route(http, requestId, served, caller);
    } catch (error) {
      const gatewayError = gateway.redact(toGatewayError(error));
      errorCode = gatewayError.code ?? gatewayError.type;
      response = isAnthropicRoute(http.path) ? renderAnthropicError(gatewayError) : renderError(gatewayError);
    }
    response.headers['x-request-id'] = requestId;
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
      logRequest(http, request, caller.principal, status, startedAt);
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
          principal,
          endUser: caller.request?.endUser,
          outcome: { ...served, deployment },
          status,
          errorCode,
          headers: http.headers,
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
    caller: { principal?: Principal; request?: RequestContext },
  ): Promise<GatewayHttpResponse> {
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
    caller.principal = principal;
    caller.request = request;
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
        return handleAnthropicMessages(gateway, request, withAttribution(request, parseJsonBody(http.body)));
      case 'anthropic_count_tokens':
        return handleAnthropicCountTokens(parseJsonBody(http.body));
      case 'health':
        throw new Error('health is answered before authentication');
    }
  }

  /** One line per request: who, which model, how it ended. Never a key, never prompt text. */
  function logRequest(http: GatewayHttpRequest, request: Pick<RequestContext, 'requestId' | 'served'>, principal: Principal | undefined, status: number, startedAt: number): void {
    const { served } = request;
    gateway.logger.info('request.completed', {
      requestId: request.requestId,
      method: http.method,
      path: http.path,
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

/** The OpenAI `user` field names the end user when the header does not; `metadata` adds tags and attribution. */
function withAttribution(request: RequestContext, body: JsonObject): JsonObject {
  if (request.endUser === undefined && typeof body['user'] === 'string' && body['user'] !== '') request.endUser = body['user'];
  const metadata = body['metadata'];
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
    const { tags: _tags, ...rest } = metadata as Record<string, unknown>;
    request.served.tags = collectTags(request.served.tags.join(','), metadata);
    if (Object.keys(rest).length > 0) request.served.metadata = rest;
  }
  return body;
}

export function renderError(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(error.toBody()),
  };
}


