import { InvalidRequestError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { ChatCompletionRequest, JsonObject } from '../openai/openai-types.js';
import { validateChatRequest } from '../openai/validate-request.js';
import { DROPPED_PARAMS, PROVIDERS, type WireFormat } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { withKeepAlive } from '../streaming/with-keep-alive.js';
import { callProvider } from './call-provider.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { readBodyText } from './read-body.js';
import { translateChatStream } from './translate-stream.js';
import { createStreamUsageObserver, formatUsd, recordedUsageOf } from './usage-observer.js';
import { costMicros } from '../pricing/cost.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
};

/** Set when the remaining budget could not buy the requested output, to the max_tokens actually sent. */
export const CLAMPED_MAX_TOKENS_HEADER = 'x-gateway-max-tokens-clamped';

/** Response header naming the parameters the provider could not honour and the gateway dropped. */
export const DROPPED_PARAMS_HEADER = 'x-gateway-dropped-params';

/** Response header with the request's own cost in USD (non-streaming; streams put it in the usage chunk). */
export const COST_HEADER = 'x-gateway-cost-usd';

/** POST /v1/chat/completions: validate, admit, translate there and back. Settlement and the usage record follow the response. */
export async function handleChatCompletion(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const chat = validateChatRequest(body);
  const deployment = gateway.router.pick(chat.model);
  if (!deployment) throw new ModelNotFoundError(chat.model);
  const wire = PROVIDERS[deployment.provider]!.wire;
  const provider = providerFor(wire);
  const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
  Object.assign(request.served, { model: deployment.modelName, provider: deployment.provider, stream: chat.stream === true, operation: 'chat' });

  const metering = await meterRequest(gateway, request, deployment, {
    messages: chat.messages,
    tools: chat['tools'],
    requestedMaxTokens: requestedMaxTokens(chat),
  });
  const { clampedMaxTokens, headers: limitHeaders } = metering.admission;
  const sent = withoutGatewayMetadata(clampedMaxTokens === undefined ? chat : withMaxTokens(chat, clampedMaxTokens));
  const headers: Record<string, string> = { ...limitHeaders };
  const dropped = droppedParams(wire, chat, gateway.dropParams);
  if (dropped.length > 0) headers[DROPPED_PARAMS_HEADER] = dropped.join(',');
  if (clampedMaxTokens !== undefined) headers[CLAMPED_MAX_TOKENS_HEADER] = String(clampedMaxTokens);

  const build = (keyed: typeof deployment) => provider.buildChatRequest(sent, { ...context, deployment: keyed });
  const upstreamBody = (await callProvider(gateway, provider, deployment, build, request.signal)).body;

  if (chat.stream === true) {
    const usage = createStreamUsageObserver(metering.promptEstimate, metering.pricing);
    request.served.streamUsage = usage.usage;
    const translated = translateChatStream(upstreamBody, provider.createChatStreamTranslator(context), {
      signal: request.signal,
      observe: usage.observe,
      stripUsage: chat.stream_options?.include_usage !== true,
      framing: provider.streamFraming,
      onError: (error) => {
        const redacted = gateway.redact(error);
        request.served.streamErrorCode = redacted.code ?? redacted.type;
        gateway.logger.warn('stream.failed', { requestId: request.requestId, status: redacted.status, code: redacted.code });
        return redacted;
      },
    });
    return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: withKeepAlive(translated, gateway.settings.streamKeepAliveMs, SSE_KEEP_ALIVE) };
  }

  const completion = provider.parseChatResponse(parseUpstreamJson(await readBodyText(upstreamBody)), context);
  const usage = recordedUsageOf(completion.usage) ?? { promptTokens: metering.promptEstimate, completionTokens: 0, estimated: true };
  request.served.usage = usage;
  headers[COST_HEADER] = String(formatUsd(costMicros(usage, metering.pricing)));
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(completion) };
}

/**
 * OpenAI accepts `metadata` only with `store: true`; otherwise it is the caller's
 * attribution for the usage record (read in create-gateway), not something to forward.
 */
function withoutGatewayMetadata(chat: ChatCompletionRequest): ChatCompletionRequest {
  if (chat['metadata'] === undefined || chat['store'] === true) return chat;
  const { metadata: _metadata, ...rest } = chat;
  return rest as ChatCompletionRequest;
}

/** Names the parameters the provider will not honour; refuses them instead when drop_params is off. */
function droppedParams(wire: WireFormat, chat: ChatCompletionRequest, dropParams: boolean): string[] {
  const present = (DROPPED_PARAMS[wire] ?? []).filter((param) => chat[param] !== undefined && chat[param] !== null && chat[param] !== false);
  if (present.length > 0 && !dropParams) {
    throw new InvalidRequestError(`The provider of model "${chat.model}" does not support '${present[0]}' (set litellm_settings.drop_params: true to drop it).`, present[0]!);
  }
  return present;
}

function requestedMaxTokens(chat: ChatCompletionRequest): number | undefined {
  const value = chat['max_completion_tokens'] ?? chat['max_tokens'];
  return typeof value === 'number' ? value : undefined;
}

/** Keeps the client's own field: `max_completion_tokens` if it used that, else `max_tokens`. */
function withMaxTokens(chat: ChatCompletionRequest, maxTokens: number): ChatCompletionRequest {
  return chat['max_completion_tokens'] !== undefined ? { ...chat, max_completion_tokens: maxTokens } : { ...chat, max_tokens: maxTokens };
}

/** A 2xx body that is not JSON is the provider's fault: the provider module reports it as a bad upstream response. */
export function parseUpstreamJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
