import { describe, expect, it } from 'vitest';
import { anthropicUsageOf } from '../../../functions/core/anthropic-api/map-usage.js';
import type { Usage } from '../../../functions/core/openai/openai-types.js';

describe('anthropicUsageOf', () => {
  it.each<[string, Usage | null | undefined, [number, number, number]]>([
    ['no usage', undefined, [0, 0, 0]],
    ['null usage', null, [0, 0, 0]],
    ['plain usage', { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 }, [12, 30, 0]],
    ['cached prompt tokens', { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 64 } }, [36, 5, 64]],
    ['null prompt details', { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: null }, [10, 1, 0]],
    ['more cached than prompt tokens', { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 50 } }, [0, 1, 10]],
  ])('splits input, output and cache-read tokens when the upstream sent %s', (_case, usage, [input, output, cacheRead]) => {
    expect(anthropicUsageOf(usage)).toEqual({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: cacheRead });
  });
});

describe('anthropicUsageOf: cache writes', () => {
  it('reports cache writes as cache_creation_input_tokens, outside input_tokens, when the usage has cache_write_tokens', () => {
    const usage = { prompt_tokens: 100_364, completion_tokens: 187, total_tokens: 100_551, prompt_tokens_details: { cached_tokens: 98_304, cache_write_tokens: 2048 } };

    expect(anthropicUsageOf(usage)).toEqual({ input_tokens: 12, output_tokens: 187, cache_creation_input_tokens: 2048, cache_read_input_tokens: 98_304 });
  });

  it('splits the writes into 5-minute and 1-hour ones when the 1-hour count is known', () => {
    const usage = { prompt_tokens: 60, completion_tokens: 1, total_tokens: 61, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 50, cache_write_1h_tokens: 30 } };

    expect(anthropicUsageOf(usage).cache_creation).toEqual({ ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 });
  });
});
