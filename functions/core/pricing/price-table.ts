import type { ModelPrice, PriceCatalog } from './price-catalog.js';

/**
 * Built-in prices for common models: the catalog a gateway uses when it is given none (tests,
 * embedders of buildGateway). Data, not code: USD per token, from the providers' public price
 * pages as of the date below. Matched on the upstream model name, longest prefix first, so dated
 * snapshots (`gpt-4.1-nano-2025-04-14`) match too. OpenAI bills no cache writes, so none are listed.
 */
export const PRICE_TABLE_AS_OF = '2025-06-01';
export const PRICE_TABLE_SOURCE = 'https://openai.com/api/pricing (standard tier)';

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inputPerToken: 2.5e-6, outputPerToken: 1e-5, cacheReadPerToken: 1.25e-6, maxOutputTokens: 16_384 },
  'gpt-4o-mini': { inputPerToken: 1.5e-7, outputPerToken: 6e-7, cacheReadPerToken: 7.5e-8, maxOutputTokens: 16_384 },
  'gpt-4.1': { inputPerToken: 2e-6, outputPerToken: 8e-6, cacheReadPerToken: 5e-7, maxOutputTokens: 32_768 },
  'gpt-4.1-mini': { inputPerToken: 4e-7, outputPerToken: 1.6e-6, cacheReadPerToken: 1e-7, maxOutputTokens: 32_768 },
  'gpt-4.1-nano': { inputPerToken: 1e-7, outputPerToken: 4e-7, cacheReadPerToken: 2.5e-8, maxOutputTokens: 32_768 },
  'o3-mini': { inputPerToken: 1.1e-6, outputPerToken: 4.4e-6, cacheReadPerToken: 5.5e-7, maxOutputTokens: 100_000 },
  'o4-mini': { inputPerToken: 1.1e-6, outputPerToken: 4.4e-6, cacheReadPerToken: 2.75e-7, maxOutputTokens: 100_000 },
  'text-embedding-3-small': { inputPerToken: 2e-8, outputPerToken: 0 },
  'text-embedding-3-large': { inputPerToken: 1.3e-7, outputPerToken: 0 },
};

/** The built-in price of an upstream model, by longest matching prefix. */
export function lookUpPrice(upstreamModel: string): ModelPrice | undefined {
  let best: string | undefined;
  for (const name of Object.keys(PRICE_TABLE)) {
    if ((upstreamModel === name || upstreamModel.startsWith(`${name}-`)) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? undefined : PRICE_TABLE[best];
}

/**
 * The built-in table as a PriceCatalog: buildGateway's default when it is given no `prices`. It
 * knows OpenAI's models only (by upstream name, whatever the provider, as before issue 12); any
 * other model is unpriced unless the config prices it.
 */
export const BUILT_IN_PRICE_CATALOG: PriceCatalog = {
  source: `built-in table (${PRICE_TABLE_SOURCE}, as of ${PRICE_TABLE_AS_OF})`,
  lookUp: (_provider, upstreamModel) => lookUpPrice(upstreamModel),
};
