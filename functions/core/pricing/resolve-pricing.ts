import type { DeploymentConfig } from '../config/config-types.js';
import type { Pricing, TokenPrices } from './cost.js';
import type { ModelPrice, PriceCatalog } from './price-catalog.js';

export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** USD per token → pico-dollars per token, converted once so that every cost after it is integer arithmetic. */
export const toPicos = (usdPerToken: number): number => Math.round(usdPerToken * 1e12);

/** What pricing reads of a deployment: the same fields on a parsed config (synth) and a resolved deployment (start-up). */
export type PricedDeployment = Pick<
  DeploymentConfig,
  | 'provider'
  | 'upstreamModel'
  | 'modelInfo'
  | 'inputCostPerToken'
  | 'outputCostPerToken'
  | 'cacheReadCostPerToken'
  | 'cacheWriteCostPerToken'
  | 'cacheWrite1hCostPerToken'
  | 'inputCostPerTokenAbove200k'
  | 'outputCostPerTokenAbove200k'
>;

/**
 * A deployment's prices, each kind on its own: the config's LiteLLM key, else the catalog's price
 * for the provider and upstream model, else a stand-in —
 * - a cache read or a 5-minute write the config and the catalog leave unpriced costs the input
 *   price (LiteLLM prices them at 0, which would let cached traffic past a budget for free);
 * - a 1-hour write costs the 5-minute write price (as LiteLLM's `cache_creation_input_token_cost_above_1hr` falls back);
 * - the long-context tier exists when the config or the catalog has one; its missing prices are the base ones.
 * The deployment is priced (`known`) when both its input and output prices come from the config or
 * the catalog; the demo provider is free but for what its config prices. An unpriced deployment costs what its known prices make.
 */
export function resolvePricing(deployment: PricedDeployment, catalog: PriceCatalog): Pricing {
  const configuredCap = deployment.modelInfo['max_output_tokens'];
  const fromCatalog = deployment.provider === 'demo' ? undefined : catalog.lookUp(deployment.provider, deployment.upstreamModel);
  const maxOutputTokens =
    typeof configuredCap === 'number' && configuredCap > 0 ? configuredCap : (fromCatalog?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS);
  // The demo provider is free unless its config prices it (tests and demos of budgets do).
  const demo = deployment.provider === 'demo';
  const input = deployment.inputCostPerToken ?? fromCatalog?.inputPerToken ?? (demo ? 0 : undefined);
  const output = deployment.outputCostPerToken ?? fromCatalog?.outputPerToken ?? (demo ? 0 : undefined);
  const cacheWrite = deployment.cacheWriteCostPerToken ?? fromCatalog?.cacheWritePerToken ?? input ?? 0;
  const base = {
    input: input ?? 0,
    output: output ?? 0,
    cacheRead: deployment.cacheReadCostPerToken ?? fromCatalog?.cacheReadPerToken ?? input ?? 0,
    cacheWrite,
    cacheWrite1h: deployment.cacheWrite1hCostPerToken ?? fromCatalog?.cacheWrite1hPerToken ?? cacheWrite,
  };
  const above200k = longContextTier(deployment, fromCatalog, base);
  return {
    ...inPicos(base),
    ...(above200k === undefined ? {} : { above200k: inPicos(above200k) }),
    maxOutputTokens,
    known: input !== undefined && output !== undefined,
  };
}

type UsdPrices = { [kind in keyof TokenPrices]: number };

function longContextTier(deployment: PricedDeployment, fromCatalog: ModelPrice | undefined, base: UsdPrices): UsdPrices | undefined {
  const tier = fromCatalog?.above200k;
  if (tier === undefined && deployment.inputCostPerTokenAbove200k === undefined && deployment.outputCostPerTokenAbove200k === undefined) return undefined;
  return {
    input: deployment.inputCostPerTokenAbove200k ?? tier?.inputPerToken ?? base.input,
    output: deployment.outputCostPerTokenAbove200k ?? tier?.outputPerToken ?? base.output,
    cacheRead: tier?.cacheReadPerToken ?? base.cacheRead,
    cacheWrite: tier?.cacheWritePerToken ?? base.cacheWrite,
    cacheWrite1h: tier?.cacheWrite1hPerToken ?? base.cacheWrite1h,
  };
}

function inPicos(prices: UsdPrices): TokenPrices {
  return {
    input: toPicos(prices.input),
    output: toPicos(prices.output),
    cacheRead: toPicos(prices.cacheRead),
    cacheWrite: toPicos(prices.cacheWrite),
    cacheWrite1h: toPicos(prices.cacheWrite1h),
  };
}

/**
 * One line per deployment no price binds on, for start-up logs and `cdk synth`: a budget cannot
 * bind on it, so keys and tenants with a budget are refused on it.
 */
export function unpricedDeploymentWarnings(
  deployments: ReadonlyArray<PricedDeployment & Pick<DeploymentConfig, 'path' | 'modelName'>>,
  catalog: PriceCatalog,
): string[] {
  return deployments
    .filter((deployment) => !resolvePricing(deployment, catalog).known)
    .map((deployment) => unpricedDeploymentMessage(deployment, catalog));
}

export function unpricedDeploymentMessage(deployment: Pick<DeploymentConfig, 'path' | 'modelName' | 'provider' | 'upstreamModel'>, catalog: PriceCatalog): string {
  return (
    `${deployment.path} (model "${deployment.modelName}", ${deployment.provider}/${deployment.upstreamModel}) has no price ` +
    `in the config or in ${catalog.source}: its usage is recorded as unpriced and keys or tenants with a budget are refused on it; ` +
    'set litellm_params.input_cost_per_token and output_cost_per_token (USD per token) to price it.'
  );
}
