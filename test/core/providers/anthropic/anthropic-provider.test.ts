import { describe, expect, it } from 'vitest';
import { anthropicProvider } from '../../../../functions/core/providers/anthropic/anthropic-provider.js';

describe('anthropicProvider', () => {
  it('frames its stream as SSE', () => {
    expect(anthropicProvider.streamFraming).toBe('sse');
  });

  it('has no embeddings when asked for them', () => {
    expect(anthropicProvider.buildEmbeddingRequest).toBeUndefined();
    expect(anthropicProvider.parseEmbeddingResponse).toBeUndefined();
  });
});
