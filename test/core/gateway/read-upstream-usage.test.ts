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
