import { describe, expect, it } from 'vitest';
import { mapGeminiUsage } from '../../../../functions/core/providers/gemini/map-gemini-usage.js';

describe('mapGeminiUsage', () => {
  it('keeps cached tokens inside prompt_tokens, as promptTokenCount already includes them', () => {
    const usage = mapGeminiUsage({ promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 50, totalTokenCount: 1050 });

    expect(usage).toMatchObject({ prompt_tokens: 1000, prompt_tokens_details: { cached_tokens: 800 } });
  });

  it('counts thoughts as completion and reasoning tokens', () => {
    const usage = mapGeminiUsage({ promptTokenCount: 9, candidatesTokenCount: 23, thoughtsTokenCount: 185, totalTokenCount: 217 });

    expect(usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 208,
      total_tokens: 217,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 185 },
    });
  });

  it('counts a missing candidatesTokenCount as 0 when the prompt was blocked', () => {
    const usage = mapGeminiUsage({ promptTokenCount: 12, totalTokenCount: 12 });

    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 });
  });

  it.each([
    ['only a traffic type', { trafficType: 'PROVISIONED_THROUGHPUT' }],
    ['nothing', undefined],
    ['not an object', 'usage'],
  ])('gives no usage when usageMetadata holds %s', (_, usageMetadata) => {
    expect(mapGeminiUsage(usageMetadata)).toBeUndefined();
  });
});
