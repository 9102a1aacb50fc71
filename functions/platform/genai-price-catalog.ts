/**
 * The prices resolved from `@pydantic/genai-prices` for the configured deployments, as plain JSON,
 * and a PriceCatalog over them. This module never imports the database itself: the Lambda bundle
 * carries only this JSON (inlined at `cdk synth`), not the ~800 KB of data behind it.
 */
import type { ModelPrice, PriceCatalog } from '../core/pricing/price-catalog.js';

/** What is inlined into the gateway bundle and what the local server resolves at start-up. */
export interface InlinedPrices {
  /** e.g. `@pydantic/genai-prices 0.1.8`. */
  readonly source: string;
  /** By {@link priceKey}: only the configured deployments that the database prices. */
  readonly prices: Readonly<Record<string, ModelPrice>>;
}

/** `provider/upstreamModel`, e.g. `bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0`. */
export function priceKey(provider: string, upstreamModel: string): string {
  return `${provider}/${upstreamModel}`;
}

/** A catalog answering from resolved prices only: anything not in them is unknown. */
export function createInlinedPriceCatalog(inlined: InlinedPrices): PriceCatalog {
  const prices = new Map(Object.entries(inlined.prices));
  return {
    source: inlined.source,
    lookUp: (provider, upstreamModel) => prices.get(priceKey(provider, upstreamModel)),
  };
}

/**
 * Reads the JSON text inlined at build time. It was written by the resolver at synth, so a shape
 * error means a broken build: it throws rather than serve with prices silently missing.
 */
export function parseInlinedPrices(text: string): InlinedPrices {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || typeof value['source'] !== 'string' || !isRecord(value['prices'])) {
    throw new Error('The inlined price data is not { source, prices }: rebuild the gateway bundle.');
  }
  return value as unknown as InlinedPrices;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
