import { describe, expect, it } from 'vitest';
import { parseConfigOrThrow } from '../../../functions/core/config/parse-config.js';
import type { ModelPrice, PriceCatalog } from '../../../functions/core/pricing/price-catalog.js';
import { resolvePricing, unpricedDeploymentWarnings } from '../../../functions/core/pricing/resolve-pricing.js';

const CATALOG_PRICE: ModelPrice = {
  inputPerToken: 3e-6,
  outputPerToken: 15e-6,
  cacheReadPerToken: 0.3e-6,
  cacheWritePerToken: 3.75e-6,
  cacheWrite1hPerToken: 6e-6,
  above200k: { inputPerToken: 6e-6, outputPerToken: 22.5e-6 },
  maxOutputTokens: 64_000,
};

function catalogOf(prices: Record<string, ModelPrice>): PriceCatalog {
  return { source: 'test catalog', lookUp: (_provider, upstreamModel) => prices[upstreamModel] };
}

function deploymentOf(params: string) {
  const yaml = `model_list:\n  - model_name: m\n    litellm_params:\n      model: anthropic/claude-x\n${params}`;
  return parseConfigOrThrow(yaml).config.deployments[0]!;
}

describe('resolvePricing', () => {
  it('reads the LiteLLM cache price keys from the config when they are set', () => {
    const deployment = deploymentOf(
      [
        '      input_cost_per_token: 0.000001',
        '      output_cost_per_token: 0.000002',
        '      cache_read_input_token_cost: 0.0000001',
        '      cache_creation_input_token_cost: 0.00000125',
        '      cache_creation_input_token_cost_above_1hr: 0.000002',
        '      input_cost_per_token_above_200k_tokens: 0.000003',
        '      output_cost_per_token_above_200k_tokens: 0.000004',
        '',
      ].join('\n'),
    );

    const pricing = resolvePricing(deployment, catalogOf({}));

    expect(pricing).toMatchObject({
      input: 1_000_000, output: 2_000_000, cacheRead: 100_000, cacheWrite: 1_250_000, cacheWrite1h: 2_000_000, known: true,
      above200k: { input: 3_000_000, output: 4_000_000, cacheRead: 100_000, cacheWrite: 1_250_000, cacheWrite1h: 2_000_000 },
    });
  });

  it('fills the kinds the config leaves out from the catalog when the catalog knows the model', () => {
    const deployment = deploymentOf('      input_cost_per_token: 0.000002\n      output_cost_per_token: 0.00001\n');

    const pricing = resolvePricing(deployment, catalogOf({ 'claude-x': CATALOG_PRICE }));

    expect(pricing).toMatchObject({ input: 2_000_000, output: 10_000_000, cacheRead: 300_000, cacheWrite: 3_750_000, cacheWrite1h: 6_000_000, maxOutputTokens: 64_000 });
  });

  it('prices cache reads and writes at the input price when neither the config nor the catalog prices them', () => {
    const deployment = deploymentOf('      input_cost_per_token: 0.000002\n      output_cost_per_token: 0.00001\n');

    const pricing = resolvePricing(deployment, catalogOf({}));

    expect(pricing).toMatchObject({ cacheRead: 2_000_000, cacheWrite: 2_000_000, cacheWrite1h: 2_000_000, known: true });
    expect(pricing.above200k).toBeUndefined();
  });

  it('takes every price from the catalog when the config sets none', () => {
    const pricing = resolvePricing(deploymentOf(''), catalogOf({ 'claude-x': CATALOG_PRICE }));

    expect(pricing).toMatchObject({ input: 3_000_000, output: 15_000_000, known: true, above200k: { input: 6_000_000, output: 22_500_000, cacheRead: 300_000 } });
  });

  it('is unknown when the config sets only an input price and the catalog does not know the model', () => {
    expect(resolvePricing(deploymentOf('      input_cost_per_token: 0.000002\n'), catalogOf({})).known).toBe(false);
  });
});

describe('unpricedDeploymentWarnings', () => {
  it('names the deployment and the keys that would price it when no price is known', () => {
    const warnings = unpricedDeploymentWarnings([deploymentOf('')], catalogOf({}));

    expect(warnings).toEqual([expect.stringMatching(/^model_list\[0\] \(model "m", anthropic\/claude-x\) has no price .*input_cost_per_token and output_cost_per_token/)]);
  });
});

describe('resolvePricing: the demo provider', () => {
  it('is priced and free when the config sets no price', () => {
    const deployment = { provider: 'demo', upstreamModel: 'echo', modelInfo: {} };

    expect(resolvePricing(deployment, catalogOf({ echo: CATALOG_PRICE }))).toMatchObject({ input: 0, output: 0, cacheRead: 0, known: true });
  });

  it('takes the config\'s prices when it sets them', () => {
    const deployment = { provider: 'demo', upstreamModel: 'echo', modelInfo: {}, outputCostPerToken: 0.001 };

    expect(resolvePricing(deployment, catalogOf({}))).toMatchObject({ input: 0, output: 1_000_000_000, known: true });
  });
});
