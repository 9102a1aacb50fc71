import { describe, expect, it } from 'vitest';
import { mapAnthropicUsage, mergeAnthropicStreamUsage } from '../../../../functions/core/providers/anthropic/map-anthropic-usage.js';

describe('mapAnthropicUsage', () => {
  it.each([
    [{ input_tokens: 10, output_tokens: 5 }, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } }],
    [
      { input_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 20, output_tokens: 5 },
      { prompt_tokens: 60, completion_tokens: 5, total_tokens: 65, prompt_tokens_details: { cached_tokens: 30, cache_write_tokens: 20 } },
    ],
    [{ input_tokens: 10, cache_read_input_tokens: null, output_tokens: 1 }, { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } }],
    [undefined, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } }],
  ])('maps %j to %j', (usage, expected) => {
    expect(mapAnthropicUsage(usage)).toEqual(expected);
  });
});

describe('mergeAnthropicStreamUsage', () => {
  it('prefers the message_delta counter when both events carry it', () => {
    const merged = mergeAnthropicStreamUsage({ input_tokens: 43, output_tokens: 1 }, { input_tokens: 61, output_tokens: 2 });

    expect(merged).toEqual({ input_tokens: 61, output_tokens: 2 });
  });

  it('keeps the message_start counter when message_delta leaves it out', () => {
    const merged = mergeAnthropicStreamUsage({ input_tokens: 43, cache_read_input_tokens: 9, output_tokens: 1 }, { output_tokens: 20 });

    expect(merged).toEqual({ input_tokens: 43, cache_read_input_tokens: 9, output_tokens: 20 });
  });
});
