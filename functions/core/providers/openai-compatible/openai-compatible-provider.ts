import type { ChatCompletionRequest, EmbeddingRequest } from '../../openai/openai-types.js';
import type { Provider, ProviderHttpRequest, ResolvedDeployment } from '../provider.js';
import { PROVIDERS } from '../provider-catalog.js';
import { mapOpenAICompatibleError } from './map-openai-error.js';
import { normalizeChatCompletion, normalizeEmbeddingResponse } from './normalize-openai-response.js';
import { createOpenAIStreamTranslator } from './openai-stream-translator.js';

export type OpenAIOperation = 'chat/completions' | 'embeddings';

/** The only things OpenAI-compatible servers differ in. */
export interface OpenAICompatibleDialect {
  /** The full URL of an operation for this deployment. */
  url(deployment: ResolvedDeployment, operation: OpenAIOperation): string;
  /** Authentication headers (`Authorization: Bearer`, or Azure's `api-key`). */
  authHeaders(deployment: ResolvedDeployment): Record<string, string>;
}

/**
 * One implementation for every OpenAI-compatible server (OpenAI, vLLM, Ollama, Groq,
 * Together, Mistral, DeepSeek, Fireworks, OpenRouter, Azure…). The client's body is
 * forwarded unchanged except for `model`, so tools, response_format, seed, logprobs
 * and fields the gateway has never heard of all reach the provider.
 */
export function createOpenAICompatibleProvider(dialect: OpenAICompatibleDialect): Provider {
  const post = (deployment: ResolvedDeployment, operation: OpenAIOperation, body: object): ProviderHttpRequest => ({
    method: 'POST',
    url: dialect.url(deployment, operation),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...deployment.extraHeaders,
      ...dialect.authHeaders(deployment),
    },
    body: JSON.stringify(body),
  });
  return {
    streamFraming: 'sse',
    buildChatRequest: (request: ChatCompletionRequest, context) =>
      post(context.deployment, 'chat/completions', {
        ...withoutClaudeThinking(request, context.deployment.provider),
        model: context.deployment.upstreamModel,
        // Usage is what budgets and TPM count: ask for it even when the client did not (the gateway strips it again).
        ...(request.stream === true && PROVIDERS[context.deployment.provider]?.acceptsStreamOptions !== false
          ? { stream_options: { ...request.stream_options, include_usage: true } }
          : {}),
      }),
    parseChatResponse: normalizeChatCompletion,
    createChatStreamTranslator: createOpenAIStreamTranslator,
    buildEmbeddingRequest: (request: EmbeddingRequest, context) =>
      post(context.deployment, 'embeddings', { ...request, model: context.deployment.upstreamModel }),
    parseEmbeddingResponse: normalizeEmbeddingResponse,
    mapError: mapOpenAICompatibleError,
  };
}

/** Providers that refuse fields they do not know (OpenAI: "Unrecognized request argument supplied"). */
const STRICT_OPENAI_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'azure']);

/**
 * Claude's `thinking` parameter and the `thinking_blocks` the gateway returns on Claude's
 * answers (LiteLLM's field, sent back on assistant messages in thinking + tool loops) mean
 * nothing to OpenAI, which refuses them: a fallback from Claude to GPT, or a conversation moved
 * to GPT, would fail with a 400. They are dropped for OpenAI and Azure, as LiteLLM drops them;
 * other OpenAI-compatible servers get the body as sent.
 */
function withoutClaudeThinking(request: ChatCompletionRequest, provider: string): ChatCompletionRequest {
  if (!STRICT_OPENAI_PROVIDERS.has(provider)) return request;
  const carriesBlocks = request.messages.some((message) => (message as { thinking_blocks?: unknown }).thinking_blocks !== undefined);
  if (request['thinking'] === undefined && !carriesBlocks) return request;
  const { thinking: _thinking, ...rest } = request;
  if (!carriesBlocks) return rest as ChatCompletionRequest;
  return {
    ...rest,
    messages: request.messages.map((message) => {
      if ((message as { thinking_blocks?: unknown }).thinking_blocks === undefined) return message;
      const { thinking_blocks: _blocks, ...kept } = message as typeof message & { thinking_blocks?: unknown };
      return kept;
    }),
  } as ChatCompletionRequest;
}

/** `api_base` without a trailing slash, so `${base}/${operation}` is always one slash. */
export function trimTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}

/** Plain OpenAI-compatible servers: `${api_base}/chat/completions`, bearer token when there is a key. */
export const bearerDialect: OpenAICompatibleDialect = {
  url: (deployment, operation) => `${trimTrailingSlash(deployment.apiBase ?? '')}/${operation}`,
  authHeaders: (deployment): Record<string, string> =>
    deployment.apiKey ? { authorization: `Bearer ${deployment.apiKey}` } : {},
};
