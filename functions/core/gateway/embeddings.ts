import { GatewayError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { JsonObject } from '../openai/openai-types.js';
import { validateEmbeddingRequest } from '../openai/validate-request.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { callProvider } from './call-provider.js';
import { COST_HEADER, parseUpstreamJson } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { costMicros } from '../pricing/cost.js';
import { formatUsd } from './usage-observer.js';
import { readBodyText } from './read-body.js';

/** POST /v1/embeddings. */
export async function handleEmbeddings(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const embeddingRequest = validateEmbeddingRequest(body);
  const deployment = gateway.router.pick(embeddingRequest.model);
  if (!deployment) throw new ModelNotFoundError(embeddingRequest.model);
  const provider = providerFor(PROVIDERS[deployment.provider]!.wire);
  const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
  Object.assign(request.served, { model: deployment.modelName, provider: deployment.provider, stream: false, operation: 'embeddings' });
  if (!provider.buildEmbeddingRequest || !provider.parseEmbeddingResponse) {
    throw new GatewayError({
      status: 400,
      message: `Model "${deployment.modelName}" (provider ${deployment.provider}) does not support embeddings.`,
      type: 'invalid_request_error',
      param: 'model',
      code: 'unsupported_operation',
    });
  }
  const metering = await meterRequest(gateway, request, deployment, { messages: embeddingRequest.input, requestedMaxTokens: 0 });
  const buildEmbeddingRequest = provider.buildEmbeddingRequest;
  const build = (keyed: typeof deployment) => buildEmbeddingRequest(embeddingRequest, { ...context, deployment: keyed });
  const response = await callProvider(gateway, provider, deployment, build, request.signal);
  const embeddings = provider.parseEmbeddingResponse(parseUpstreamJson(await readBodyText(response.body)), context, embeddingRequest);
  const usage = { promptTokens: embeddings.usage.prompt_tokens, completionTokens: 0, estimated: false };
  request.served.usage = usage;
  const headers = { 'content-type': 'application/json', ...metering.admission.headers, [COST_HEADER]: String(formatUsd(costMicros(usage, metering.pricing))) };
  return { status: 200, headers, body: JSON.stringify(embeddings) };
}
