import type { JsonObject, Usage } from '../../openai/openai-types.js';
import { countOf, isObject } from '../json-values.js';

/**
 * Anthropic's usage as OpenAI's. Anthropic's `input_tokens` excludes cached tokens, OpenAI's
 * `prompt_tokens` includes them: prompt = input + cache reads + cache writes, and in
 * `prompt_tokens_details`: `cached_tokens` = cache reads, `cache_write_tokens` = every cache write
 * (`cache_creation_input_tokens`), `cache_write_1h_tokens` = the writes with a 1-hour lifetime
 * (`cache_creation.ephemeral_1h_input_tokens`, present only when Anthropic gives the split), each
 * priced at its own rate.
 */
export function mapAnthropicUsage(usage: unknown): Usage {
  const fields = isObject(usage) ? usage : {};
  const cacheRead = countOf(fields['cache_read_input_tokens']);
  const split = isObject(fields['cache_creation']) ? fields['cache_creation'] : undefined;
  const writes5m = countOf(split?.['ephemeral_5m_input_tokens']);
  const writes1h = countOf(split?.['ephemeral_1h_input_tokens']);
  // The total is Anthropic's own; only a usage that gives the split alone has it summed here.
  const cacheWrite = typeof fields['cache_creation_input_tokens'] === 'number' ? countOf(fields['cache_creation_input_tokens']) : writes5m + writes1h;
  const promptTokens = countOf(fields['input_tokens']) + cacheRead + cacheWrite;
  const completionTokens = countOf(fields['output_tokens']);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: {
      cached_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
      ...(split === undefined ? {} : { cache_write_1h_tokens: Math.min(writes1h, cacheWrite) }),
    },
  };
}

const COUNTERS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/**
 * A stream's usage: `message_start` carries the input (and a provisional output) count,
 * `message_delta` the final output count — and sometimes final input counts too
 * (anthropic-message-delta-input-tokens.chunks.txt: 43 at the start, 61 in the delta),
 * so a counter in the delta wins over the same counter at the start. The `cache_creation`
 * split (5-minute and 1-hour writes) is kept the same way, whole: the delta's if it has one.
 */
export function mergeAnthropicStreamUsage(atStart: unknown, atDelta: unknown): JsonObject {
  const start = isObject(atStart) ? atStart : {};
  const delta = isObject(atDelta) ? atDelta : {};
  const merged: JsonObject = {};
  for (const counter of COUNTERS) {
    const value = typeof delta[counter] === 'number' ? delta[counter] : start[counter];
    if (typeof value === 'number') merged[counter] = value;
  }
  const split = isObject(delta['cache_creation']) ? delta['cache_creation'] : start['cache_creation'];
  if (isObject(split)) merged['cache_creation'] = split;
  return merged;
}
