import { describe, expect, it } from 'vitest';
import {
  databaseSource,
  resolveConfigPrices,
  resolveDeploymentPrices,
  type PricedDeployment,
} from '../../functions/platform/genai-price-resolver.js';

// After every dated price change the database holds for these models except those named in a test.
const AT = new Date('2026-12-01T12:00:00Z');

function resolveOne(deployment: PricedDeployment, at = AT) {
  const resolved = resolveDeploymentPrices([deployment], { at });
  return { price: resolved.prices[`${deployment.provider}/${deployment.upstreamModel}`], resolved };
}

describe('resolveDeploymentPrices', () => {
  it('prices Claude Sonnet 4.5 on Anthropic with cache reads, 5-minute and 1-hour cache writes in USD per token', () => {
    const { price } = resolveOne({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5-20250929' });

    expect(price).toMatchObject({
      inputPerToken: 3e-6,
      outputPerToken: 15e-6,
      cacheReadPerToken: 0.3e-6,
      cacheWritePerToken: 3.75e-6,
      cacheWrite1hPerToken: 6e-6,
    });
  });

  it('prices Claude Sonnet 4.5 on Bedrock at the list price when the deployment uses the global inference profile', () => {
    const { price } = resolveOne({ provider: 'bedrock', upstreamModel: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' });

    expect(price).toEqual({ inputPerToken: 3e-6, outputPerToken: 15e-6, cacheReadPerToken: 0.3e-6, cacheWritePerToken: 3.75e-6 });
  });

  it("prices Claude Sonnet 4.5 on Bedrock with AWS's 10% regional premium when the deployment uses the us. inference profile", () => {
    const { price } = resolveOne({ provider: 'bedrock', upstreamModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });

    expect(price).toEqual({ inputPerToken: 3.3e-6, outputPerToken: 16.5e-6, cacheReadPerToken: 0.33e-6, cacheWritePerToken: 4.125e-6 });
  });

  it('finds the Bedrock model behind a converse/ prefix and an inference-profile ARN', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';

    const resolved = resolveDeploymentPrices(
      [
        { provider: 'bedrock', upstreamModel: 'converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
        { provider: 'bedrock_converse', upstreamModel: arn },
      ],
      { at: AT },
    );

    expect(resolved.prices['bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0']?.inputPerToken).toBe(3.3e-6);
    expect(resolved.prices[`bedrock_converse/${arn}`]?.inputPerToken).toBe(3.3e-6);
  });

  it('prices gpt-4.1-nano with its cached-input price', () => {
    const { price } = resolveOne({ provider: 'openai', upstreamModel: 'gpt-4.1-nano' });

    expect(price).toEqual({ inputPerToken: 0.1e-6, outputPerToken: 0.4e-6, cacheReadPerToken: 0.025e-6 });
  });

  it('takes the tier above 200,000 input tokens into above200k when the model has one (gemini-2.5-pro)', () => {
    const { price } = resolveOne({ provider: 'gemini', upstreamModel: 'gemini-2.5-pro' });

    expect(price).toEqual({
      inputPerToken: 1.25e-6,
      outputPerToken: 10e-6,
      cacheReadPerToken: 0.125e-6,
      above200k: { inputPerToken: 2.5e-6, outputPerToken: 15e-6, cacheReadPerToken: 0.25e-6 },
    });
  });

  it('prices an embedding model by its input only', () => {
    const { price } = resolveOne({ provider: 'openai', upstreamModel: 'text-embedding-3-small' });

    expect(price).toEqual({ inputPerToken: 0.02e-6, outputPerToken: 0 });
  });

  it('converts per-million prices in decimal, so 0.025 per million is exactly 2.5e-8 (0.025 / 1e6 is not)', () => {
    const { price } = resolveOne({ provider: 'openai', upstreamModel: 'gpt-4.1-nano' });

    expect(price?.cacheReadPerToken).toBe(2.5e-8);
    expect(0.025 / 1e6).not.toBe(2.5e-8);
  });

  it('resolves nothing and names the deployment as unpriced when the model is not in the database', () => {
    const { price, resolved } = resolveOne({ provider: 'openai', upstreamModel: 'gpt-no-such-model' });

    expect(price).toBeUndefined();
    expect(resolved.unpriced).toEqual([{ key: 'openai/gpt-no-such-model', reason: expect.stringContaining('not in @pydantic/genai-prices') }]);
  });

  it('names a self-hosted deployment as unpriced when the database has no such provider', () => {
    const { resolved } = resolveOne({ provider: 'ollama', upstreamModel: 'llama3.1' });

    expect(resolved.prices).toEqual({});
    expect(resolved.unpriced.map((entry) => entry.key)).toEqual(['ollama/llama3.1']);
  });

  it('neither prices nor reports the built-in demo model', () => {
    const { resolved } = resolveOne({ provider: 'demo', upstreamModel: 'echo' });

    expect(resolved).toMatchObject({ prices: {}, unpriced: [] });
  });

  it("prices an Azure deployment by its model_info.base_model when the deployment's own name is not a model", () => {
    const { price } = resolveOne({ provider: 'azure', upstreamModel: 'prod-east-chat', modelInfo: { base_model: 'azure/gpt-4o' } });

    expect(price).toMatchObject({ inputPerToken: 2.5e-6, outputPerToken: 10e-6 });
  });

  it('uses the prices in force at the given moment and notes a later price change', () => {
    const before = resolveOne({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-6' }, new Date('2026-01-15T00:00:00Z'));
    const after = resolveOne({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-6' });

    expect(before.price?.above200k?.inputPerToken).toBe(6e-6);
    expect(before.resolved.notes).toContainEqual(expect.stringContaining('its prices change on 2026-03-13'));
    expect(after.price?.above200k).toBeUndefined();
  });

  it('takes the highest of the day and says so when the database prices by time of day (DeepSeek peak hours)', () => {
    const { price, resolved } = resolveOne({ provider: 'deepseek', upstreamModel: 'deepseek-chat' }, new Date('2026-12-01T20:00:00Z'));

    expect(price).toEqual({ inputPerToken: 0.27e-6, outputPerToken: 1.1e-6, cacheReadPerToken: 0.07e-6 });
    expect(resolved.notes).toContainEqual(expect.stringContaining('time-of-day prices'));
  });

  it('keeps base prices and notes the tier when a long-context tier starts elsewhere than 200k (gpt-5.4 at 272k)', () => {
    const { price, resolved } = resolveOne({ provider: 'openai', upstreamModel: 'gpt-5.4' });

    expect(price?.above200k).toBeUndefined();
    expect(resolved.notes).toContainEqual(expect.stringContaining('above 271,999 input tokens'));
  });

  it('names its source with the installed version', () => {
    expect(databaseSource()).toMatch(/^@pydantic\/genai-prices 0\.1\.\d+$/);
  });
});

describe('resolveConfigPrices', () => {
  it("holds the configured deployments' prices only", () => {
    const config = [
      'model_list:',
      '  - model_name: claude',
      '    litellm_params:',
      '      model: anthropic/claude-sonnet-4-5-20250929',
      '  - model_name: nano',
      '    litellm_params:',
      '      model: openai/gpt-4.1-nano',
      '  - model_name: demo',
      '    litellm_params:',
      '      model: demo/echo',
      '',
    ].join('\n');

    const resolved = resolveConfigPrices(config, { at: AT });

    expect(Object.keys(resolved.prices)).toEqual(['anthropic/claude-sonnet-4-5-20250929', 'openai/gpt-4.1-nano']);
    expect(resolved.resolvedOn).toBe('2026-12-01');
  });
});
