/**
 * What `cdk synth` and `npm start` say about the resolved prices: one line naming the source and
 * its version, and notes on what the database could not give (why a deployment has no database
 * price; prices ModelPrice cannot hold). Same words in both places. The warning that a deployment
 * is unpriced is the core's (unpricedDeploymentWarnings), since only it knows the config's prices.
 */
import type { ResolvedPrices } from './genai-price-resolver.js';

export interface PriceReport {
  /** e.g. `prices: @pydantic/genai-prices 0.1.8 (as of 2026-12-05), found for 2 of 3 billed deployments`. */
  readonly summary: string;
  readonly notes: readonly string[];
}

export function describePrices(resolved: ResolvedPrices): PriceReport {
  const count = Object.keys(resolved.prices).length;
  const total = count + resolved.unpriced.length;
  return {
    summary: `prices: ${resolved.source} (as of ${resolved.resolvedOn}), found for ${count} of ${total} billed deployment${total === 1 ? '' : 's'}`,
    notes: [
      ...resolved.unpriced.map((entry) => `price database: no price for ${entry.key}: ${entry.reason}`),
      ...resolved.notes.map((note) => `price database: ${note}`),
    ],
  };
}
