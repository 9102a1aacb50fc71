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
