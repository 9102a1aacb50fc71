import type { JsonObject, Usage } from '../openai/openai-types.js';
import type { AnthropicUsage } from './anthropic-types.js';

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` includes cached tokens;
 * Anthropic's `input_tokens` does not (they are `cache_read_input_tokens`). OpenAI
 * does not report cache writes, so `cache_creation_input_tokens` is 0.
 */
export function anthropicUsageOf(usage: Usage | null | undefined): AnthropicUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const promptTokens = countOf(usage.prompt_tokens);
  const cached = Math.min(promptTokens, countOf((usage['prompt_tokens_details'] as JsonObject | null | undefined)?.['cached_tokens']));
  return {
    input_tokens: promptTokens - cached,
    output_tokens: countOf(usage.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
