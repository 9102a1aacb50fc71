import type { JsonObject, Usage } from '../../openai/openai-types.js';
import { countOf, isObject } from '../json-values.js';

/**
 * Anthropic's usage as OpenAI's. Anthropic's `input_tokens` excludes cached tokens, OpenAI's
 * `prompt_tokens` includes them: prompt = input + cache reads + cache writes, and
 * `prompt_tokens_details.cached_tokens` = cache reads (what budgets and cost read).
 */
export function mapAnthropicUsage(usage: unknown): Usage {
  const fields = isObject(usage) ? usage : {};
  const cacheRead = countOf(fields['cache_read_input_tokens']);
  const cacheWrite = countOf(fields['cache_creation_input_tokens']);
  const promptTokens = countOf(fields['input_tokens']) + cacheRead + cacheWrite;
  const completionTokens = countOf(fields['output_tokens']);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  };
}

const COUNTERS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/**
 * A stream's usage: `message_start` carries the input (and a provisional output) count,
 * `message_delta` the final output count — and sometimes final input counts too
 * (anthropic-message-delta-input-tokens.chunks.txt: 43 at the start, 61 in the delta),
 * so a counter in the delta wins over the same counter at the start.
 */
export function mergeAnthropicStreamUsage(atStart: unknown, atDelta: unknown): JsonObject {
  const start = isObject(atStart) ? atStart : {};
  const delta = isObject(atDelta) ? atDelta : {};
  const merged: JsonObject = {};
  for (const counter of COUNTERS) {
    const value = typeof delta[counter] === 'number' ? delta[counter] : start[counter];
    if (typeof value === 'number') merged[counter] = value;
  }
  return merged;
}
