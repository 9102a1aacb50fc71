import { isModelAllowed } from '../admission/admission.js';
import { InvalidRequestError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, JsonObject } from '../openai/openai-types.js';
import { pricingFor } from '../pricing/cost.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import { takeRoutingOverrides } from './routing-overrides.js';
import { routeRequestFor, servedHeaders } from './route-request.js';
import { validateChatRequest } from '../openai/validate-request.js';
import { DROPPED_PARAMS, PROVIDERS, type WireFormat } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { encodeSseData, SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { withKeepAlive } from '../streaming/with-keep-alive.js';
import { callProvider } from './call-provider.js';
import type { GatewayContext, RecordedUsage, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { readBodyText } from './read-body.js';
import { translateChatStream } from './translate-stream.js';
import { completionUsage, costUsdHeader, createStreamUsageObserver, rejectedUsageLogger } from './usage-observer.js';
import { commitWhenStarted, followAttemptSignal, streamFailureHandler } from './stream-commit.js';

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

/**
 * POST /v1/chat/completions: validate, admit once, then route: attempts at deployments and
 * fallbacks until one answers (for a stream: until its first token). Settlement and the usage
 * record follow the response.
 */
export async function handleChatCompletion(gateway: GatewayContext, request: RequestContext, body: JsonObject): Promise<GatewayHttpResponse> {
  const taken = takeRoutingOverrides(body, request.principal);
  const chat = validateChatRequest(taken.body);
  if (!gateway.router.has(chat.model)) throw new ModelNotFoundError(chat.model);
  const isAllowed = (model: string) => isModelAllowed(request.principal, model);
  const candidates = gateway.router.candidateDeployments(chat.model, isAllowed, taken.overrides);
  const stream = chat.stream === true;
  Object.assign(request.served, { model: chat.model, requestedModel: chat.model, provider: candidates[0]!.provider, stream, operation: 'chat', ignoredParams: taken.ignored });

  const metering = await meterRequest(gateway, request, candidates, {
    messages: chat.messages,
    tools: chat['tools'],
    requestedMaxTokens: requestedMaxTokens(chat),
  });
  const { clampedMaxTokens, headers: limitHeaders } = metering.admission;
  const sent = withoutGatewayMetadata(clampedMaxTokens === undefined ? chat : withMaxTokens(chat, clampedMaxTokens));
  const headers: Record<string, string> = { ...limitHeaders };
  if (clampedMaxTokens !== undefined) headers[CLAMPED_MAX_TOKENS_HEADER] = String(clampedMaxTokens);

  const routed = await gateway.router.route(
    routeRequestFor(request, { model: chat.model, stream, isModelAllowed: isAllowed, overrides: taken.overrides }),
    (deployment, signal) => {
      const attempt = { deployment, signal, timeoutOverrideMs: taken.overrides?.timeoutMs };
      return stream ? startStream(gateway, request, sent, attempt, metering.promptEstimate) : complete(gateway, request, sent, attempt);
    },
  );
  Object.assign(headers, servedHeaders(request), routed.value.headers);

  if (routed.value.kind === 'stream') {
    request.served.streamUsage = routed.value.usage;
    return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: withKeepAlive(routed.value.body, gateway.settings.streamKeepAliveMs, SSE_KEEP_ALIVE) };
  }
  const { completion } = routed.value;
  const usage = completionUsage(completion, metering.promptEstimate, rejectedUsageLogger(gateway, request, routed.deployment));
  request.served.usage = usage;
  headers[COST_HEADER] = costUsdHeader(usage, pricingFor(routed.deployment));
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(completion) };
}

export type Served =
  | { kind: 'json'; completion: ChatCompletion; headers: Record<string, string> }
  | { kind: 'stream'; body: AsyncIterable<string>; usage: () => RecordedUsage; headers: Record<string, string> };

/** One attempt at one deployment: its abort signal (timeout, client gone) and the client's `timeout` override, if any. */
export interface AttemptTarget {
  deployment: ResolvedDeployment;
  signal: AbortSignal;
  timeoutOverrideMs?: number;
}

/** A non-streaming attempt: the whole answer, parsed (a malformed one fails the attempt). */
export async function complete(gateway: GatewayContext, request: RequestContext, chat: ChatCompletionRequest, target: AttemptTarget): Promise<Served> {
  const { deployment, signal } = target;
  const { provider, context, headers } = prepare(gateway, request, chat, deployment);
  const build = (keyed: ResolvedDeployment) => provider.buildChatRequest(chat, { ...context, deployment: keyed });
  const upstreamBody = (await callProvider(gateway, provider, deployment, build, signal, target.timeoutOverrideMs)).body;
  const completion = provider.parseChatResponse(parseUpstreamJson(await readBodyText(upstreamBody, gateway.settings.maxUpstreamResponseBytes)), context);
  return { kind: 'json', completion, headers };
}

/**
 * A streaming attempt: the provider's stream translated to OpenAI chunks, committed once its first
 * token (or its finish) has come through, by commitWhenStarted's rules (fail over until then).
 */
export async function startStream(gateway: GatewayContext, request: RequestContext, chat: ChatCompletionRequest, target: AttemptTarget, promptEstimate: () => number): Promise<Served> {
  const { deployment } = target;
  const upstream = followAttemptSignal(target.signal);
  const { provider, context, headers } = prepare(gateway, request, chat, deployment);
  const build = (keyed: ResolvedDeployment) => provider.buildChatRequest(chat, { ...context, deployment: keyed });
  const upstreamBody = (await callProvider(gateway, provider, deployment, build, upstream.signal, target.timeoutOverrideMs)).body;
  const usage = createStreamUsageObserver(promptEstimate, pricingFor(deployment), rejectedUsageLogger(gateway, request, deployment));
  let started = false;
  let committed = false;
  const onError = streamFailureHandler(gateway, request);
  const translated = translateChatStream(upstreamBody, provider.createChatStreamTranslator(context), {
    // The client's own signal: only its leaving ends a committed stream silently.
    signal: request.signal,
    observe: (chunk) => {
      usage.observe(chunk);
      if (!started && startsAnswer(chunk)) started = true;
    },
    stripUsage: chat.stream_options?.include_usage !== true,
    framing: provider.streamFraming,
    maxEventBytes: gateway.settings.maxUpstreamResponseBytes,
    committed: () => committed,
    onError,
  });
  const body = await commitWhenStarted(gateway, request, {
    iterator: translated[Symbol.asyncIterator](),
    started: () => started,
    deployment,
    timeoutOverrideMs: target.timeoutOverrideMs,
    upstream,
    onCommit: () => (committed = true),
    errorEvent: (error) => encodeSseData(onError(error).toBody()),
  });
  return { kind: 'stream', headers, usage: usage.usage, body };
}


/** A chunk that carries output, or the provider's word that there is none (finish, usage): the stream has started. */
function startsAnswer(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage) return true;
  for (const choice of chunk.choices) {
    const delta = choice.delta as JsonObject;
    if (choice.finish_reason) return true;
    if ((typeof delta['content'] === 'string' && delta['content'] !== '') || delta['tool_calls'] || delta['refusal'] || delta['reasoning_content']) return true;
  }
  return false;
}

/** What one attempt needs: its provider, the context for translation, and the headers it adds (dropped parameters). */
function prepare(gateway: GatewayContext, request: RequestContext, chat: ChatCompletionRequest, deployment: ResolvedDeployment) {
  const wire = PROVIDERS[deployment.provider]!.wire;
  const provider = providerFor(wire);
  const context = { deployment, requestId: request.requestId, nowSeconds: Math.floor(gateway.clock.now() / 1000) };
  const dropped = droppedParams(wire, chat, gateway.dropParams);
  const headers: Record<string, string> = dropped.length > 0 ? { [DROPPED_PARAMS_HEADER]: dropped.join(',') } : {};
  return { provider, context, headers };
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
    throw new InvalidRequestError(
      `The provider of model "${chat.model}" does not support '${present[0]}' (set litellm_settings.drop_params: true to drop it).`,
      present[0]!,
      'unsupported_parameter',
    );
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
