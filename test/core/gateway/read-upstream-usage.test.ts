import { describe, expect, it } from 'vitest';
import { MAX_TOKENS_PER_REQUEST, readUpstreamUsage } from '../../../functions/core/gateway/usage-observer.js';

describe('readUpstreamUsage', () => {
  it('reads believable counts, with cached and reasoning details', () => {
    const read = readUpstreamUsage({ prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 8 } });

    expect(read).toEqual({ kind: 'reported', usage: { promptTokens: 100, completionTokens: 20, cachedPromptTokens: 64, reasoningTokens: 8, estimated: false } });
  });

  it('says absent when the provider sent no usage', () => {
    expect(readUpstreamUsage(undefined)).toEqual({ kind: 'absent' });
    expect(readUpstreamUsage(null)).toEqual({ kind: 'absent' });
    expect(readUpstreamUsage({})).toEqual({ kind: 'absent' });
  });

  it.each([
    ['negative prompt tokens', { prompt_tokens: -1e8, completion_tokens: 5 }, 'prompt_tokens'],
    ['1e300 prompt tokens', { prompt_tokens: 1e300, completion_tokens: 5 }, 'prompt_tokens'],
    ['fractional completion tokens', { prompt_tokens: 5, completion_tokens: 2.5 }, 'completion_tokens'],
    ['completion tokens as a string', { prompt_tokens: 5, completion_tokens: '7' }, 'completion_tokens'],
    ['a missing completion count', { prompt_tokens: 5 }, 'completion_tokens'],
    ['more than the per-request ceiling', { prompt_tokens: MAX_TOKENS_PER_REQUEST + 1, completion_tokens: 0 }, 'prompt_tokens'],
    ['negative cached tokens', { prompt_tokens: 5, completion_tokens: 5, prompt_tokens_details: { cached_tokens: -1 } }, 'prompt_tokens_details.cached_tokens'],
    ['NaN-like reasoning tokens', { prompt_tokens: 5, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 1e309 } }, 'completion_tokens_details.reasoning_tokens'],
  ])('rejects %s, naming the field', (_case, usage, field) => {
    expect(readUpstreamUsage(usage)).toEqual({ kind: 'rejected', field });
  });

  it('caps cached tokens at the prompt tokens', () => {
    const read = readUpstreamUsage({ prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 50 } });

    expect(read.kind === 'reported' && read.usage.cachedPromptTokens).toBe(10);
  });
});

describe('readUpstreamUsage: cache writes', () => {
  it('reads cache writes and their 1-hour share when prompt_tokens_details carries them', () => {
    const read = readUpstreamUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 30, cache_write_1h_tokens: 10 } });

    expect(read).toMatchObject({ kind: 'reported', usage: { cachedPromptTokens: 60, cacheWriteTokens: 30, cacheWrite1hTokens: 10 } });
  });

  it('bounds the writes by the prompt tokens the cache reads leave when a provider reports more', () => {
    const read = readUpstreamUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 90, cache_write_tokens: 50, cache_write_1h_tokens: 50 } });

    expect(read).toMatchObject({ kind: 'reported', usage: { cachedPromptTokens: 90, cacheWriteTokens: 10, cacheWrite1hTokens: 10 } });
  });

  it.each(['cache_write_tokens', 'cache_write_1h_tokens'])('rejects the usage when %s is negative', (field) => {
    const read = readUpstreamUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { [field]: -5 } });

    expect(read).toEqual({ kind: 'rejected', field: `prompt_tokens_details.${field}` });
  });
});
