import type { JsonObject, Usage } from '../openai/openai-types.js';
import type { AnthropicUsage } from './anthropic-types.js';

/** Anthropic's usage with the split of cache writes by lifetime, which Anthropic adds when it knows it. */
export type AnthropicUsageWithCacheSplit = AnthropicUsage & {
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
};

/**
 * OpenAI usage → Anthropic usage, as Anthropic reports it: OpenAI's `prompt_tokens` counts every
 * prompt token, Anthropic's `input_tokens` only those neither read from nor written to the cache.
 * Cache reads (`prompt_tokens_details.cached_tokens`) are `cache_read_input_tokens`, cache writes
 * (`cache_write_tokens`, filled by the Anthropic and Bedrock mappers; OpenAI reports none) are
 * `cache_creation_input_tokens`, and `cache_creation` splits them into 5-minute and 1-hour writes
 * when the 1-hour count is known (`cache_write_1h_tokens`).
 */
export function anthropicUsageOf(usage: Usage | null | undefined): AnthropicUsageWithCacheSplit {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const promptTokens = countOf(usage.prompt_tokens);
  const details = usage['prompt_tokens_details'] as JsonObject | null | undefined;
  const cacheRead = Math.min(promptTokens, countOf(details?.['cached_tokens']));
  const cacheWrite = Math.min(promptTokens - cacheRead, countOf(details?.['cache_write_tokens']));
  const mapped: AnthropicUsageWithCacheSplit = {
    input_tokens: promptTokens - cacheRead - cacheWrite,
    output_tokens: countOf(usage.completion_tokens),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
  if (typeof details?.['cache_write_1h_tokens'] === 'number') {
    const oneHour = Math.min(cacheWrite, countOf(details['cache_write_1h_tokens']));
    mapped.cache_creation = { ephemeral_5m_input_tokens: cacheWrite - oneHour, ephemeral_1h_input_tokens: oneHour };
  }
  return mapped;
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
