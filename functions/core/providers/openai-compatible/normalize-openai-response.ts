import { GatewayError } from '../../errors.js';
import type { ChatCompletion, ChatCompletionChunk, EmbeddingResponse, JsonObject } from '../../openai/openai-types.js';
import type { ProviderContext } from '../provider.js';

/**
 * OpenAI-compatible servers mostly send OpenAI's shape but skip fields now and then
 * (no `created`, no `finish_reason: null`, no `object`). These fill in only what is
 * missing and leave everything else — including provider extras such as DeepSeek's
 * `reasoning_content` — as sent.
 */

export function normalizeChatCompletion(body: unknown, context: ProviderContext): ChatCompletion {
  const completion = requireObject(body, 'chat completion');
  const choices = Array.isArray(completion['choices']) ? (completion['choices'] as JsonObject[]) : [];
  return {
    ...completion,
    id: stringOr(completion['id'], `chatcmpl-${context.requestId}`),
    object: 'chat.completion',
    created: numberOr(completion['created'], context.nowSeconds),
    model: stringOr(completion['model'], context.deployment.upstreamModel),
    ...serviceTierOf(completion),
    choices: choices.map((choice, position) => ({
      ...choice,
      index: numberOr(choice['index'], position),
      message: normalizeMessage(choice['message']),
      logprobs: choice['logprobs'] ?? null,
      finish_reason: (choice['finish_reason'] as string | null | undefined) ?? null,
    })),
  } as ChatCompletion;
}

export function normalizeChatChunk(payload: JsonObject, context: ProviderContext): ChatCompletionChunk {
  const choices = Array.isArray(payload['choices']) ? (payload['choices'] as JsonObject[]) : [];
  return {
    ...payload,
    id: stringOr(payload['id'], `chatcmpl-${context.requestId}`),
    object: 'chat.completion.chunk',
    created: numberOr(payload['created'], context.nowSeconds),
    model: stringOr(payload['model'], context.deployment.upstreamModel),
    ...serviceTierOf(payload),
    choices: choices.map((choice, position) => ({
      ...choice,
      index: numberOr(choice['index'], position),
      delta: normalizeDelta(choice['delta']),
      finish_reason: (choice['finish_reason'] as string | null | undefined) ?? null,
    })),
  } as ChatCompletionChunk;
}

export function normalizeEmbeddingResponse(body: unknown, context: ProviderContext): EmbeddingResponse {
  const response = requireObject(body, 'embedding response');
  const usage = (response['usage'] as JsonObject | undefined) ?? {};
  const promptTokens = numberOr(usage['prompt_tokens'], 0);
  return {
    ...response,
    object: 'list',
    data: Array.isArray(response['data']) ? (response['data'] as EmbeddingResponse['data']) : [],
    model: stringOr(response['model'], context.deployment.upstreamModel),
    usage: { ...usage, prompt_tokens: promptTokens, total_tokens: numberOr(usage['total_tokens'], promptTokens) },
  };
}

/** Ollama's and Gemini's OpenAI endpoints send tool-call deltas without `index`; OpenAI SDKs need it. */
function normalizeDelta(delta: unknown): JsonObject {
  const value = (delta ?? {}) as JsonObject;
  const toolCalls = value['tool_calls'];
  if (!Array.isArray(toolCalls) || toolCalls.every((call: JsonObject) => typeof call['index'] === 'number')) return value;
  return { ...value, tool_calls: toolCalls.map((call: JsonObject, position) => (typeof call['index'] === 'number' ? call : { ...call, index: position })) };
}

/** OpenAI requires `content` and `refusal` (null when absent); Mistral sends `tool_calls: null`, which OpenAI never does. */
function normalizeMessage(message: unknown): ChatCompletion['choices'][number]['message'] {
  const { tool_calls: toolCalls, ...rest } = (message ?? {}) as JsonObject;
  return {
    role: 'assistant',
    content: null,
    refusal: null,
    ...rest,
    ...(Array.isArray(toolCalls) ? { tool_calls: toolCalls } : {}),
  } as ChatCompletion['choices'][number]['message'];
}

const OPENAI_SERVICE_TIERS = new Set(['auto', 'default', 'flex', 'scale', 'priority']);

/** Groq answers `service_tier: "on_demand"`, which OpenAI clients do not know: keep only OpenAI's values. */
function serviceTierOf(payload: JsonObject): JsonObject {
  const tier = payload['service_tier'];
  if (tier === undefined) return {};
  return { service_tier: tier === null || (typeof tier === 'string' && OPENAI_SERVICE_TIERS.has(tier)) ? tier : undefined };
}

function requireObject(body: unknown, what: string): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError({
      status: 502,
      message: `The upstream provider sent a ${what} that is not a JSON object.`,
      type: 'api_error',
      code: 'bad_upstream_response',
    });
  }
  return body as JsonObject;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
