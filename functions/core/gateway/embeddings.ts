import { GatewayError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { JsonObject } from '../openai/openai-types.js';
import { validateEmbeddingRequest } from '../openai/validate-request.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { callProvider } from './call-provider.js';
import { parseUpstreamJson } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest, settleUnbilled } from './metering.js';
import { readBodyText } from './read-body.js';

/** POST /v1/embeddings. */
export async function handleEmbeddings(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const embeddingRequest = validateEmbeddingRequest(body);
  const deployment = gateway.router.pick(embeddingRequest.model);
  if (!deployment) throw new ModelNotFoundError(embeddingRequest.model);
  const provider = providerFor(PROVIDERS[deployment.provider]!.wire);
  const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
  Object.assign(request.served, { model: deployment.modelName, provider: deployment.provider, stream: false });
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
  let embeddings;
  try {
    const buildEmbeddingRequest = provider.buildEmbeddingRequest;
    const build = (keyed: typeof deployment) => buildEmbeddingRequest(embeddingRequest, { ...context, deployment: keyed });
    const response = await callProvider(gateway, provider, deployment, build, request.signal);
    embeddings = provider.parseEmbeddingResponse(parseUpstreamJson(await readBodyText(response.body)), context);
  } catch (error) {
    await settleUnbilled(metering);
    throw error;
  }
  await metering.settle({ promptTokens: embeddings.usage.prompt_tokens, completionTokens: 0 });
  return { status: 200, headers: { 'content-type': 'application/json', ...metering.admission.headers }, body: JSON.stringify(embeddings) };
}
