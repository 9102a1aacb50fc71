import { describe, expect, it } from 'vitest';
import { createInlinedPriceCatalog, parseInlinedPrices, type InlinedPrices } from '../../functions/platform/genai-price-catalog.js';

const INLINED: InlinedPrices = {
  source: '@pydantic/genai-prices 0.1.8',
  prices: {
    'bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0': { inputPerToken: 3.3e-6, outputPerToken: 16.5e-6 },
  },
};

describe('createInlinedPriceCatalog', () => {
  it('finds a price by provider and upstream model', () => {
    const catalog = createInlinedPriceCatalog(INLINED);

    expect(catalog.lookUp('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({ inputPerToken: 3.3e-6, outputPerToken: 16.5e-6 });
  });

  it('finds nothing when the same model is asked for under another provider', () => {
    const catalog = createInlinedPriceCatalog(INLINED);

    expect(catalog.lookUp('anthropic', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBeUndefined();
  });

  it('names its source', () => {
    expect(createInlinedPriceCatalog(INLINED).source).toBe('@pydantic/genai-prices 0.1.8');
  });
});

describe('parseInlinedPrices', () => {
  it('reads back what was inlined', () => {
    expect(parseInlinedPrices(JSON.stringify(INLINED))).toEqual(INLINED);
  });

  it('throws when the inlined text is not { source, prices }', () => {
    expect(() => parseInlinedPrices('{"prices":[]}')).toThrow(/rebuild the gateway bundle/);
  });
});
