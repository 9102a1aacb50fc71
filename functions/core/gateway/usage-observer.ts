import type { ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';
import { costMicros, type Pricing } from '../pricing/cost.js';
import type { RecordedUsage } from './gateway-context.js';

/** The provider's usage object → recorded token counts (cached prompt and reasoning tokens from OpenAI's details). */
export function recordedUsageOf(usage: unknown): RecordedUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const fields = usage as JsonObject;
  const prompt = fields['prompt_tokens'];
  const completion = fields['completion_tokens'];
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  const cached = (fields['prompt_tokens_details'] as JsonObject | undefined)?.['cached_tokens'];
  const reasoning = (fields['completion_tokens_details'] as JsonObject | undefined)?.['reasoning_tokens'];
  return {
    promptTokens: prompt,
    completionTokens: completion,
    cachedPromptTokens: typeof cached === 'number' ? cached : undefined,
    reasoningTokens: typeof reasoning === 'number' ? reasoning : undefined,
    estimated: false,
  };
}

/** Micro-dollars → the USD figure shown to clients (header, usage chunk). */
export function formatUsd(micros: number): number {
  return micros / 1e6;
}

/**
 * Watches a stream's chunks for the provider's usage, and adds the request's cost to
 * the usage chunk the client sees (`usage.cost_usd`). When the stream gives no usage
 * (or the client left before it came), estimates from what was generated (4 characters
 * a token), so a stream is never recorded as free.
 */
export function createStreamUsageObserver(promptEstimate: () => number, pricing: Pricing) {
  let reported: RecordedUsage | undefined;
  let generatedCharacters = 0;
  return {
    observe(chunk: ChatCompletionChunk): void {
      const usage = recordedUsageOf(chunk.usage);
      if (usage) {
        reported = usage;
        (chunk.usage as JsonObject)['cost_usd'] = formatUsd(costMicros(usage, pricing));
      }
      for (const choice of chunk.choices) {
        const delta = choice.delta as JsonObject;
        for (const field of ['content', 'reasoning_content', 'refusal']) {
          const text = delta[field];
          if (typeof text === 'string') generatedCharacters += text.length;
        }
        for (const call of choice.delta.tool_calls ?? []) generatedCharacters += call.function?.arguments?.length ?? 0;
      }
    },
    usage(): RecordedUsage {
      return reported ?? { promptTokens: promptEstimate(), completionTokens: Math.ceil(generatedCharacters / 4), estimated: true };
    },
  };
}
