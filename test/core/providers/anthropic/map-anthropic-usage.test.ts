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

describe('mapAnthropicUsage: cache writes by lifetime', () => {
  it('reports every cache write and the 1-hour ones apart when Anthropic gives cache_creation', () => {
    const usage = mapAnthropicUsage({
      input_tokens: 12,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 50,
      cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 },
      output_tokens: 5,
    });

    expect(usage.prompt_tokens_details).toEqual({ cached_tokens: 100, cache_write_tokens: 50, cache_write_1h_tokens: 30 });
  });

  it('sums the split when cache_creation comes without cache_creation_input_tokens', () => {
    const usage = mapAnthropicUsage({ input_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 }, output_tokens: 0 });

    expect(usage).toMatchObject({ prompt_tokens: 51, prompt_tokens_details: { cache_write_tokens: 50, cache_write_1h_tokens: 30 } });
  });
});

describe('mergeAnthropicStreamUsage: cache_creation', () => {
  it('keeps message_start\'s cache_creation when message_delta has none', () => {
    const split = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2048 };

    const merged = mergeAnthropicStreamUsage({ input_tokens: 3, cache_creation_input_tokens: 2048, cache_creation: split }, { output_tokens: 9 });

    expect(merged).toEqual({ input_tokens: 3, cache_creation_input_tokens: 2048, cache_creation: split, output_tokens: 9 });
  });
});
