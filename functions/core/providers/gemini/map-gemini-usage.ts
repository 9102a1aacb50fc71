import type { Usage } from '../../openai/openai-types.js';
import { countOf, isObject } from '../json-values.js';

/**
 * Gemini's `usageMetadata` as OpenAI's usage, or undefined when it carries no counts (stream
 * chunks before the last may send only `trafficType`: google-stream-no-args-tool-call.chunks.txt).
 * - prompt_tokens = promptTokenCount, which already includes cachedContentTokenCount ("When
 *   cached_content is set, this is still the total effective prompt size meaning this includes the
 *   number of tokens in the cached content": GenerateContentResponse.UsageMetadata in Google's API
 *   reference), as OpenAI's prompt_tokens includes cached_tokens;
 * - completion_tokens = candidatesTokenCount + thoughtsTokenCount: thoughts are billed as output
 *   and are not in candidatesTokenCount (google-text.json: 9 + 28 + 244 = totalTokenCount 281);
 * - cached_tokens = cachedContentTokenCount, reasoning_tokens = thoughtsTokenCount.
 */
export function mapGeminiUsage(usageMetadata: unknown): Usage | undefined {
  if (!isObject(usageMetadata)) return undefined;
  const hasCounts = ['promptTokenCount', 'candidatesTokenCount', 'totalTokenCount'].some((field) => typeof usageMetadata[field] === 'number');
  if (!hasCounts) return undefined;
  const promptTokens = countOf(usageMetadata['promptTokenCount']);
  const thoughtsTokens = countOf(usageMetadata['thoughtsTokenCount']);
  const completionTokens = countOf(usageMetadata['candidatesTokenCount']) + thoughtsTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: countOf(usageMetadata['cachedContentTokenCount']) },
    completion_tokens_details: { reasoning_tokens: thoughtsTokens },
  };
}
