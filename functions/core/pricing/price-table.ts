/**
 * Built-in prices for common models, used when a deployment sets no
 * `input_cost_per_token`/`output_cost_per_token`. Data, not code: USD per token, from
 * the providers' public price pages as of the date below. Matched on the upstream model
 * name, longest prefix first, so dated snapshots (`gpt-4.1-nano-2025-04-14`) match too.
 */
export const PRICE_TABLE_AS_OF = '2025-06-01';
export const PRICE_TABLE_SOURCE = 'https://openai.com/api/pricing (standard tier)';

export interface ModelPrice {
  inputPerToken: number;
  outputPerToken: number;
  /** Price of prompt tokens served from the provider's cache. */
  cachedInputPerToken?: number;
  /** The model's own cap on output tokens: the worst case when a request sets no max_tokens. */
  maxOutputTokens?: number;
}

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inputPerToken: 2.5e-6, outputPerToken: 1e-5, cachedInputPerToken: 1.25e-6, maxOutputTokens: 16_384 },
  'gpt-4o-mini': { inputPerToken: 1.5e-7, outputPerToken: 6e-7, cachedInputPerToken: 7.5e-8, maxOutputTokens: 16_384 },
  'gpt-4.1': { inputPerToken: 2e-6, outputPerToken: 8e-6, cachedInputPerToken: 5e-7, maxOutputTokens: 32_768 },
  'gpt-4.1-mini': { inputPerToken: 4e-7, outputPerToken: 1.6e-6, cachedInputPerToken: 1e-7, maxOutputTokens: 32_768 },
  'gpt-4.1-nano': { inputPerToken: 1e-7, outputPerToken: 4e-7, cachedInputPerToken: 2.5e-8, maxOutputTokens: 32_768 },
  'o3-mini': { inputPerToken: 1.1e-6, outputPerToken: 4.4e-6, cachedInputPerToken: 5.5e-7, maxOutputTokens: 100_000 },
  'o4-mini': { inputPerToken: 1.1e-6, outputPerToken: 4.4e-6, cachedInputPerToken: 2.75e-7, maxOutputTokens: 100_000 },
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
