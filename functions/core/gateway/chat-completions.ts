import { ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { JsonObject } from '../openai/openai-types.js';
import { validateChatRequest } from '../openai/validate-request.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { withKeepAlive } from '../streaming/with-keep-alive.js';
import { callProvider } from './call-provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { readBodyText } from './read-body.js';
import { translateChatStream } from './translate-stream.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
};

/** POST /v1/chat/completions: validate, pick a deployment, translate there and back. */
export async function handleChatCompletion(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const chat = validateChatRequest(body);
  const deployment = gateway.router.pick(chat.model);
  if (!deployment) throw new ModelNotFoundError(chat.model);
  const provider = providerFor(PROVIDERS[deployment.provider]!.wire);
  const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
  request.served = { model: deployment.modelName, provider: deployment.provider, stream: chat.stream === true };

  const upstreamRequest = provider.buildChatRequest(chat, context);
  const response = await callProvider(gateway.upstream, provider, deployment, upstreamRequest, request.signal);

  if (chat.stream === true) {
    const translated = translateChatStream(response.body, provider.createChatStreamTranslator(context), request.signal, (error) => {
      const redacted = gateway.redact(error);
      gateway.logger.warn('stream.failed', { requestId: request.requestId, status: redacted.status, code: redacted.code });
      return redacted;
    });
    return { status: 200, headers: { ...SSE_HEADERS }, body: withKeepAlive(translated, gateway.settings.streamKeepAliveMs, SSE_KEEP_ALIVE) };
  }
  const completion = provider.parseChatResponse(parseUpstreamJson(await readBodyText(response.body)), context);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(completion) };
}

/** A 2xx body that is not JSON is the provider's fault: the provider module reports it as a bad upstream response. */
export function parseUpstreamJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
