import { GatewayError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { EmbeddingRequest, JsonObject } from '../openai/openai-types.js';
import { validateEmbeddingRequest } from '../openai/validate-request.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { callProvider } from './call-provider.js';
import { COST_HEADER, parseUpstreamJson } from './chat-completions.js';
import { routeRequestFor, servedHeaders } from './route-request.js';
import { isModelAllowed } from '../admission/admission.js';
import { pricingFor } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import { takeRoutingOverrides } from './routing-overrides.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { costUsdHeader, embeddingUsage, rejectedUsageLogger } from './usage-observer.js';
import { readBodyText } from './read-body.js';

/** POST /v1/embeddings: admitted once, routed with retries and fallbacks like chat. */
export async function handleEmbeddings(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const taken = takeRoutingOverrides(body, request.principal);
  const embeddingRequest = validateEmbeddingRequest(taken.body);
  if (!gateway.router.has(embeddingRequest.model)) throw new ModelNotFoundError(embeddingRequest.model);
  const isAllowed = (model: string) => isModelAllowed(request.principal, model);
  const candidates = gateway.router.candidateDeployments(embeddingRequest.model, isAllowed, taken.overrides);
  Object.assign(request.served, { model: embeddingRequest.model, requestedModel: embeddingRequest.model, provider: candidates[0]!.provider, stream: false, operation: 'embeddings', ignoredParams: taken.ignored });
  const metering = await meterRequest(gateway, request, candidates, { messages: embeddingRequest.input, requestedMaxTokens: 0 });

  const routed = await gateway.router.route(
    routeRequestFor(request, { model: embeddingRequest.model, stream: false, isModelAllowed: isAllowed, overrides: taken.overrides }),
    async (deployment, signal) => {
      const provider = providerFor(PROVIDERS[deployment.provider]!.wire);
      const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
      const { buildEmbeddingRequest, parseEmbeddingResponse } = provider;
      if (!buildEmbeddingRequest || !parseEmbeddingResponse) {
        throw new GatewayError({
          status: 400,
          message: `Model "${deployment.modelName}" (provider ${deployment.provider}) does not support embeddings.`,
          type: 'invalid_request_error',
          param: 'model',
          code: 'unsupported_operation',
        });
      }
      const build = (keyed: ResolvedDeployment) => buildEmbeddingRequest(embeddingRequest, { ...context, deployment: keyed });
      const response = await callProvider(gateway, provider, deployment, build, signal, taken.overrides?.timeoutMs);
      const text = await readBodyText(response.body, embeddingAnswerLimit(embeddingRequest, gateway.settings.maxUpstreamResponseBytes));
      return parseEmbeddingResponse(parseUpstreamJson(text), context, embeddingRequest);
    },
  );
  const embeddings = routed.value;
  const usage = embeddingUsage(embeddings.usage, metering.promptEstimate, rejectedUsageLogger(gateway, request, routed.deployment));
  request.served.usage = usage;
  const headers = {
    'content-type': 'application/json',
    ...metering.admission.headers,
    ...servedHeaders(request),
    [COST_HEADER]: costUsdHeader(usage, pricingFor(routed.deployment)),
  };
  return { status: 200, headers, body: JSON.stringify(embeddings) };
}

/** The widest embedding a provider serves (text-embedding-3-large, Gemini): the size of an answer whose request names none. */
const WIDEST_EMBEDDING = 3072;
/** OpenAI's float format spends up to ~25 bytes on one number (`-0.0123456789012345,`); with room to spare. */
const BYTES_PER_NUMBER = 32;
/** V8 cannot hold a longer string. */
const LONGEST_READABLE_ANSWER = 512 * 1024 * 1024;

/**
 * An embeddings answer grows with the batch (2,048 inputs of 1,536 dimensions are ~80 MB of JSON),
 * so its cap is what the request can legitimately produce, and never less than the configured one:
 * a large batch is not refused as an oversized answer, while an endless body still is.
 */
export function embeddingAnswerLimit(request: EmbeddingRequest, configuredBytes: number): number {
  const inputs = Array.isArray(request.input) ? request.input.length : 1;
  const dimensions = typeof request.dimensions === 'number' ? request.dimensions : WIDEST_EMBEDDING;
  const expected = inputs * dimensions * BYTES_PER_NUMBER + 64 * 1024;
  return Math.max(configuredBytes, Math.min(expected, LONGEST_READABLE_ANSWER));
}
