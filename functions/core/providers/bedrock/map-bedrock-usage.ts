import type { Usage } from '../../openai/openai-types.js';
import { countOf, objectOr } from '../json-values.js';

/**
 * Converse's `usage` → OpenAI's. Bedrock's `inputTokens` leaves out the prompt tokens read from
 * or written to the prompt cache, while OpenAI's `prompt_tokens` counts every prompt token:
 * prompt_tokens = inputTokens + cacheReadInputTokens + cacheWriteInputTokens, of which
 * `cached_tokens` = cacheReadInputTokens and `cache_write_tokens` = cacheWriteInputTokens (each priced
 * at its own rate). The total is recomputed from those two, so it always adds up.
 */
export function mapBedrockUsage(usage: unknown): Usage {
  const fields = objectOr(usage);
  const cacheRead = countOf(fields['cacheReadInputTokens']);
  const cacheWrite = countOf(fields['cacheWriteInputTokens']);
  const promptTokens = countOf(fields['inputTokens']) + cacheRead + cacheWrite;
  const completionTokens = countOf(fields['outputTokens']);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
}
