import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../functions/core/config/parse-config.js';

function configWith(params: string): string {
  return `model_list:\n  - model_name: claude\n    litellm_params:\n      model: anthropic/claude-sonnet-4-5\n${params}`;
}

describe('parseConfigText: LiteLLM price keys', () => {
  it('reads the cache and long-context price keys without an unknown-key warning', () => {
    const text = configWith(
      [
        '      cache_read_input_token_cost: 3.0e-7',
        '      cache_creation_input_token_cost: 3.75e-6',
        '      cache_creation_input_token_cost_above_1hr: 6.0e-6',
        '      input_cost_per_token_above_200k_tokens: 6.0e-6',
        '      output_cost_per_token_above_200k_tokens: 2.25e-5',
        '',
      ].join('\n'),
    );

    const { config, problems, warnings } = parseConfigText(text);

    expect([problems, warnings]).toEqual([[], []]);
    expect(config.deployments[0]).toMatchObject({
      cacheReadCostPerToken: 3e-7,
      cacheWriteCostPerToken: 3.75e-6,
      cacheWrite1hCostPerToken: 6e-6,
      inputCostPerTokenAbove200k: 6e-6,
      outputCostPerTokenAbove200k: 2.25e-5,
    });
  });

  it('refuses a negative cache price, naming its path', () => {
    const { problems } = parseConfigText(configWith('      cache_read_input_token_cost: -1\n'));

    expect(problems).toEqual(['model_list[0].litellm_params.cache_read_input_token_cost: must be at least 0']);
  });

  it('refuses a price above a dollar a token, which could not be exact in pico-dollars', () => {
    const { problems } = parseConfigText(configWith('      output_cost_per_token: 2\n'));

    expect(problems).toEqual(['model_list[0].litellm_params.output_cost_per_token: must be at most 1']);
  });
});
