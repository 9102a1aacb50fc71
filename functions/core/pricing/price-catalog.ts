/**
 * Where a deployment's prices come from when its config does not set them: a price
 * database resolved for the configured deployments (at `cdk synth` for Lambda, at start-up
 * locally), behind this port so the core never loads the database itself.
 */

/** One model's list prices, in USD per token, with LiteLLM's meanings. Absent = the model has no such price. */
export interface ModelPrice {
  /** Uncached input tokens. */
  inputPerToken: number;
  outputPerToken: number;
  /** Input tokens read from the provider's prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  cacheReadPerToken?: number;
  /** Input tokens written to the cache with the default (5-minute) lifetime. */
  cacheWritePerToken?: number;
  /** Input tokens written to the cache with a 1-hour lifetime (Anthropic). */
  cacheWrite1hPerToken?: number;
  /** Long-context tier: the prices that apply to the whole request when its input exceeds 200,000 tokens. */
  above200k?: {
    inputPerToken: number;
    outputPerToken: number;
    cacheReadPerToken?: number;
    cacheWritePerToken?: number;
    cacheWrite1hPerToken?: number;
  };
  /** The model's own cap on output tokens: the worst case when a request sets no max_tokens. */
  maxOutputTokens?: number;
}

/** Prices by provider and upstream model (`anthropic`, `claude-sonnet-4-5-20250929`). */
export interface PriceCatalog {
  lookUp(provider: string, upstreamModel: string): ModelPrice | undefined;
  /** Where the prices come from, for start-up lines and docs (e.g. `@pydantic/genai-prices 0.1.8`). */
  readonly source: string;
}
