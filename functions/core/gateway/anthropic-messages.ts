import { checkModelAllowed, isModelAllowed } from '../admission/admission.js';
import { budgetExhaustedError } from '../admission/admission-errors.js';
import { toAnthropicErrorBody } from '../anthropic-api/anthropic-error.js';
import { anthropicToOpenAIRequest } from '../anthropic-api/anthropic-request-to-openai.js';
import { ESTIMATED_TOKEN_COUNT, estimateAnthropicInputTokens, TOKEN_COUNT_HEADER } from '../anthropic-api/count-tokens.js';
import { openAIToAnthropicMessage } from '../anthropic-api/openai-response-to-anthropic.js';
import { createAnthropicStreamWriter, type AnthropicStreamWriter } from '../anthropic-api/openai-stream-to-anthropic.js';
import { GatewayError, InvalidRequestError, ModelNotFoundError } from '../errors.js';
import type { GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { ChatCompletion, ChatCompletionRequest, JsonObject } from '../openai/openai-types.js';
import { MAX_OUTPUT_TOKENS, validateChatRequest } from '../openai/validate-request.js';
import { pricingFor } from '../pricing/cost.js';
import { readAnthropicClientRequest, buildAnthropicNativeRequest, type AnthropicClientRequest } from '../providers/anthropic/anthropic-native.js';
import { anthropicProvider } from '../providers/anthropic/anthropic-provider.js';
import { buildBedrockCountTokensRequest, parseBedrockCountTokens } from '../providers/bedrock/bedrock-invoke-native.js';
import { bedrockProvider } from '../providers/bedrock/bedrock-provider.js';
import { isObject, parseJsonObject } from '../providers/json-values.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { rewriteChatStream } from './rewrite-chat-stream.js';
import { withKeepAlive } from '../streaming/with-keep-alive.js';
import { completeNative, nativeDialectOf, startNativeStream, type AnthropicServed } from './anthropic-passthrough.js';
import { callProvider } from './call-provider.js';
import { CLAMPED_MAX_TOKENS_HEADER, complete, COST_HEADER, handleChatCompletion, SSE_HEADERS, startStream, type AttemptTarget } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import { meterRequest } from './metering.js';
import { readBodyText } from './read-body.js';
import { routeRequestFor, servedHeaders } from './route-request.js';
import { takeRoutingOverrides, type TakenOverrides } from './routing-overrides.js';
import { completionUsage, costUsdHeader, rejectedUsageLogger } from './usage-observer.js';

/** What the Anthropic routes read of the HTTP request besides its body: `anthropic-version`, `anthropic-beta`, `?beta=true`. */
export type AnthropicHttpRequest = Pick<GatewayHttpRequest, 'headers' | 'query'>;

/**
 * POST /v1/messages: an Anthropic Messages request, with the keys, limits, budgets, routing and
 * usage records of every route. When a deployment that may serve it speaks Anthropic Messages
 * itself (`anthropic/…`, Claude on Bedrock), it goes there as the client sent it and comes back
 * as the provider answered (anthropic-passthrough.ts); other deployments (an OpenAI model, or a
 * fallback to one) are served by the chat pipeline and answered in Anthropic's format, as before.
 */
export async function handleAnthropicMessages(gateway: GatewayContext, request: RequestContext, body: JsonObject, http: AnthropicHttpRequest = { headers: {} }): Promise<GatewayHttpResponse> {
  const model = body['model'];
  if (typeof model === 'string' && gateway.router.has(model)) {
    const taken = takeRoutingOverrides(body, request.principal);
    const candidates = gateway.router.candidateDeployments(model, (name) => isModelAllowed(request.principal, name), taken.overrides);
    if (candidates.some((deployment) => nativeDialectOf(deployment) !== undefined)) {
      return handleNativeMessages(gateway, request, taken, candidates, readAnthropicClientRequest(http.headers, http.query));
    }
  }
  const chat = anthropicToOpenAIRequest(body);
  const response = await handleChatCompletion(gateway, request, chat as JsonObject);
  if (typeof response.body === 'string') {
    const completion = JSON.parse(response.body) as ChatCompletion;
    return { ...response, body: JSON.stringify(openAIToAnthropicMessage(completion, chat.model)) };
  }
  const writer = createAnthropicStreamWriter(chat.model, `msg_${request.requestId.replaceAll('-', '')}`);
  return { ...response, body: toAnthropicEvents(response.body, writer) };
}

/**
 * The passthrough route: one admission for the Anthropic body, then the router's attempts; each
 * at a native deployment is forwarded untranslated, each at another deployment translated as
 * the chat pipeline does. The body sent is the client's without the gateway's routing fields
 * (`fallbacks`, `num_retries`, `timeout`) and with `max_tokens` clamped when a budget requires.
 */
async function handleNativeMessages(
  gateway: GatewayContext,
  request: RequestContext,
  taken: TakenOverrides,
  candidates: readonly ResolvedDeployment[],
  client: AnthropicClientRequest,
): Promise<GatewayHttpResponse> {
  const body = validatePassthroughBody(taken.body);
  const model = body['model'] as string;
  const stream = body['stream'] === true;
  const isAllowed = (name: string) => isModelAllowed(request.principal, name);
  Object.assign(request.served, { model, requestedModel: model, provider: candidates[0]!.provider, stream, operation: 'chat', ignoredParams: taken.ignored });

  const metering = await meterRequest(gateway, request, candidates, {
    messages: [body['system'] ?? null, body['messages']],
    tools: body['tools'],
    requestedMaxTokens: body['max_tokens'] as number,
  });
  const { clampedMaxTokens, headers: limitHeaders } = metering.admission;
  const sent = clampedMaxTokens === undefined ? body : withClampedMaxTokens(body, clampedMaxTokens);
  const headers: Record<string, string> = { ...limitHeaders };
  if (clampedMaxTokens !== undefined) headers[CLAMPED_MAX_TOKENS_HEADER] = String(clampedMaxTokens);

  let translated: ChatCompletionRequest | undefined;
  const routed = await gateway.router.route(
    routeRequestFor(request, { model, stream, isModelAllowed: isAllowed, overrides: taken.overrides }),
    (deployment, signal): Promise<AnthropicServed> => {
      const target: AttemptTarget = { deployment, signal, timeoutOverrideMs: taken.overrides?.timeoutMs };
      const dialect = nativeDialectOf(deployment);
      if (dialect !== undefined) {
        const attempt = { ...target, dialect, body: sent, client, promptEstimate: metering.promptEstimate };
        return stream ? startNativeStream(gateway, request, attempt) : completeNative(gateway, request, attempt);
      }
      // Translated only when a deployment needs it: the translation refuses what it cannot carry (server tools, …).
      translated ??= validateChatRequest(anthropicToOpenAIRequest(sent) as JsonObject);
      return translatedAttempt(gateway, request, translated, target, metering.promptEstimate, model);
    },
  );
  Object.assign(headers, servedHeaders(request), routed.value.headers);

  if (routed.value.kind === 'stream') {
    request.served.streamUsage = routed.value.usage;
    return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: withKeepAlive(routed.value.body, gateway.settings.streamKeepAliveMs, SSE_KEEP_ALIVE) };
  }
  request.served.usage = routed.value.usage;
  headers[COST_HEADER] = costUsdHeader(routed.value.usage, pricingFor(routed.deployment));
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: routed.value.text };
}

/** An attempt at a deployment that does not speak Anthropic Messages: the chat pipeline's attempt, its answer written in Anthropic's format. */
async function translatedAttempt(
  gateway: GatewayContext,
  request: RequestContext,
  chat: ChatCompletionRequest,
  target: AttemptTarget,
  promptEstimate: () => number,
  requestedModel: string,
): Promise<AnthropicServed> {
  if (chat.stream === true) {
    const served = await startStream(gateway, request, chat, target, promptEstimate);
    if (served.kind !== 'stream') throw new Error('a streaming attempt answered whole');
    const writer = createAnthropicStreamWriter(requestedModel, `msg_${request.requestId.replaceAll('-', '')}`);
    return { kind: 'stream', headers: served.headers, usage: served.usage, body: toAnthropicEvents(served.body, writer) };
  }
  const served = await complete(gateway, request, chat, target);
  if (served.kind !== 'json') throw new Error('a whole attempt answered as a stream');
  // Read before translating: an unbelievable usage is replaced by the estimate the client is then shown.
  const usage = completionUsage(served.completion, promptEstimate, rejectedUsageLogger(gateway, request, target.deployment));
  return { kind: 'json', headers: served.headers, usage, text: JSON.stringify(openAIToAnthropicMessage(served.completion, requestedModel)) };
}

/** Claude's smallest thinking budget: a clamp that leaves less cannot be sent with thinking on. */
const MIN_THINKING_BUDGET_TOKENS = 1024;

/**
 * `max_tokens` lowered to what the budget buys. Anthropic requires `thinking.budget_tokens` below
 * `max_tokens` (Claude Code sends 31,999 with 32,000), so the thinking budget is lowered with it;
 * when that would leave less than Claude's minimum, the request cannot be served within the
 * budget at all and is refused as budget-exhausted rather than sent to a certain 400.
 */
function withClampedMaxTokens(body: JsonObject, maxTokens: number): JsonObject {
  const thinking = body['thinking'];
  if (!isObject(thinking) || thinking['type'] !== 'enabled' || typeof thinking['budget_tokens'] !== 'number' || thinking['budget_tokens'] < maxTokens) {
    return { ...body, max_tokens: maxTokens };
  }
  const budgetTokens = maxTokens - 1;
  if (budgetTokens < MIN_THINKING_BUDGET_TOKENS) {
    throw budgetExhaustedError(
      `The remaining budget buys only ${maxTokens} output tokens, too few for extended thinking (at least ${MIN_THINKING_BUDGET_TOKENS + 1}); send the request without thinking or raise the budget.`,
      undefined,
    );
  }
  return { ...body, max_tokens: maxTokens, thinking: { ...thinking, budget_tokens: budgetTokens } };
}

/**
 * What the passthrough itself relies on (admission needs `max_tokens`; routing needs `model`);
 * everything else is the provider's to judge, and its 400 reaches the client. The gateway's own
 * attribution fields are taken out, since Anthropic refuses unknown ones: OpenAI's `user`, and
 * every `metadata` key but Anthropic's `user_id` (`tags` and the rest are for the usage record).
 */
function validatePassthroughBody(body: JsonObject): JsonObject {
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined || maxTokens === null) throw new InvalidRequestError("Missing required parameter: 'max_tokens'.", 'max_tokens');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_OUTPUT_TOKENS) {
    throw new InvalidRequestError(`Invalid 'max_tokens': expected a positive integer of at most ${MAX_OUTPUT_TOKENS}.`, 'max_tokens');
  }
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidRequestError("Invalid 'messages': expected a non-empty array of messages.", 'messages');
  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw new InvalidRequestError("Invalid type for 'stream': expected a boolean.", 'stream');
  return withoutGatewayAttribution(body);
}

function withoutGatewayAttribution(body: JsonObject): JsonObject {
  const metadata = body['metadata'];
  const foreignMetadata = isObject(metadata) && Object.keys(metadata).some((key) => key !== 'user_id');
  if (body['user'] === undefined && !foreignMetadata) return body;
  const { user: _user, ...rest } = body;
  if (!foreignMetadata) return rest;
  const userId = (metadata as JsonObject)['user_id'];
  const { metadata: _metadata, ...withoutMetadata } = rest;
  return userId === undefined ? withoutMetadata : { ...withoutMetadata, metadata: { user_id: userId } };
}

/**
 * POST /v1/messages/count_tokens. For a model served by a deployment that speaks Anthropic
 * Messages, the provider counts: Anthropic's own `/v1/messages/count_tokens` (with the client's
 * `anthropic-version`, `anthropic-beta` and `?beta=true`), or Bedrock's CountTokens; its answer
 * goes back as given. Otherwise (or while every such deployment cools down) the gateway
 * estimates, and says so in `x-gateway-token-count: estimated`. One call, no retries or
 * fallbacks; nothing is charged to budgets and no usage record is written (counting is free).
 */
export async function handleAnthropicCountTokens(gateway: GatewayContext, request: RequestContext, body: unknown, http: AnthropicHttpRequest = { headers: {} }): Promise<GatewayHttpResponse> {
  if (!isObject(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw new InvalidRequestError("Invalid type for 'model': expected a non-empty string.", 'model');
  if (!gateway.router.has(model)) throw new ModelNotFoundError(model);
  checkModelAllowed(request.principal, model);
  const counted = (source: string, text: string): GatewayHttpResponse => ({
    status: 200,
    headers: { 'content-type': 'application/json', [TOKEN_COUNT_HEADER]: source },
    body: text,
  });
  const deployment = gateway.router.pick(model, (candidate) => nativeDialectOf(candidate) === undefined);
  const dialect = deployment && nativeDialectOf(deployment);
  if (deployment === undefined || dialect === undefined) return counted(ESTIMATED_TOKEN_COUNT, JSON.stringify(estimateAnthropicInputTokens(body)));

  const { body: countBody } = takeRoutingOverrides(body, request.principal);
  const client = readAnthropicClientRequest(http.headers, http.query);
  const provider = dialect === 'anthropic' ? anthropicProvider : bedrockProvider;
  const build = (keyed: ResolvedDeployment) =>
    dialect === 'anthropic' ? buildAnthropicNativeRequest(countBody, client, keyed, 'count_tokens') : buildBedrockCountTokensRequest(countBody, client, keyed);
  const upstream = await callProvider(gateway, provider, deployment, build, request.signal);
  const text = await readBodyText(upstream.body, gateway.settings.maxUpstreamResponseBytes);
  const answer = parseJsonObject(text, 'a token count');
  return counted('provider', dialect === 'anthropic' ? text : JSON.stringify(parseBedrockCountTokens(answer)));
}

/** Anthropic's error body, for failures on the Anthropic routes. */
export function renderAnthropicError(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(toAnthropicErrorBody(error)),
  };
}

/** The chat pipeline's stream written as Anthropic events (keep-alive comments pass through: SSE clients skip them). */
function toAnthropicEvents(openAIStream: AsyncIterable<string>, writer: AnthropicStreamWriter): AsyncIterable<string> {
  return rewriteChatStream(openAIStream, { push: (chunk) => writer.push(chunk as never), end: () => writer.end(), fail: (error) => writer.errorEvent(error) });
}
