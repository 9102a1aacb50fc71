import type { TokenUsage } from '../pricing/cost.js';
import type { ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';

/** The provider's usage object → the gateway's token counts (cached prompt tokens from OpenAI's details). */
export function tokenUsageOf(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const fields = usage as JsonObject;
  const prompt = fields['prompt_tokens'];
  const completion = fields['completion_tokens'];
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  const details = fields['prompt_tokens_details'] as JsonObject | undefined;
  const cached = details?.['cached_tokens'];
  return { promptTokens: prompt, completionTokens: completion, cachedPromptTokens: typeof cached === 'number' ? cached : undefined };
}

/**
 * Watches a stream's chunks for the provider's usage; when the stream gives none (or
 * the client left before it came), estimates from what was generated (4 characters a
 * token), so a stream is never settled as free.
 */
export function createStreamUsageObserver(promptEstimate: number) {
  let reported: TokenUsage | undefined;
  let generatedCharacters = 0;
  return {
    observe(chunk: ChatCompletionChunk): void {
      const usage = tokenUsageOf(chunk.usage);
      if (usage) reported = usage;
      for (const choice of chunk.choices) {
        const delta = choice.delta as JsonObject;
        for (const field of ['content', 'reasoning_content', 'refusal']) {
          const text = delta[field];
          if (typeof text === 'string') generatedCharacters += text.length;
        }
        for (const call of choice.delta.tool_calls ?? []) generatedCharacters += call.function?.arguments?.length ?? 0;
      }
    },
    usage(): TokenUsage {
      return reported ?? { promptTokens: promptEstimate, completionTokens: Math.ceil(generatedCharacters / 4) };
    },
  };
}
