import { describe, expect, it } from 'vitest';
import { readUpstreamUsage } from '../../../functions/core/gateway/usage-observer.js';
import { costUsdHeader } from '../../../functions/core/gateway/usage-observer.js';
import { costMicros, costPicos, formatPicosAsUsd, reservationMicros, type Pricing } from '../../../functions/core/pricing/cost.js';
import type { ModelPrice, PriceCatalog } from '../../../functions/core/pricing/price-catalog.js';
import { resolvePricing, type PricedDeployment } from '../../../functions/core/pricing/resolve-pricing.js';
import { mapAnthropicUsage } from '../../../functions/core/providers/anthropic/map-anthropic-usage.js';
import { mapBedrockUsage } from '../../../functions/core/providers/bedrock/map-bedrock-usage.js';
import { mapGeminiUsage } from '../../../functions/core/providers/gemini/map-gemini-usage.js';

/** Anthropic's published prices for Claude Sonnet 4.5 (platform.claude.com pricing page): per million tokens. */
const SONNET_4_5: ModelPrice = {
  inputPerToken: 3e-6,
  cacheWritePerToken: 3.75e-6,
  cacheWrite1hPerToken: 6e-6,
  cacheReadPerToken: 0.3e-6,
  outputPerToken: 15e-6,
  above200k: { inputPerToken: 6e-6, outputPerToken: 22.5e-6 },
};

function pricingOf(price: ModelPrice, provider = 'anthropic'): Pricing {
  const catalog: PriceCatalog = { source: 'test', lookUp: () => price };
  const deployment: PricedDeployment = { provider, upstreamModel: 'model', modelInfo: {} };
  return resolvePricing(deployment, catalog);
}

function usageOf(openAiUsage: unknown) {
  const read = readUpstreamUsage(openAiUsage);
  if (read.kind !== 'reported') throw new Error('usage not believable');
  return read.usage;
}

describe('costPicos', () => {
  it('bills the worked example as Anthropic does when a Claude Sonnet 4.5 turn reads and writes the prompt cache', () => {
    const anthropicUsage = {
      input_tokens: 12,
      cache_creation_input_tokens: 2048,
      cache_read_input_tokens: 98_304,
      cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
      output_tokens: 187,
    };

    const picos = costPicos(usageOf(mapAnthropicUsage(anthropicUsage)), pricingOf(SONNET_4_5));

    // 12 × $3 + 2,048 × $3.75 + 98,304 × $0.30 + 187 × $15, per million: $0.0400122 (the issue's $0.040012, to the micro-dollar).
    expect(picos).toBe(40_012_200_000n);
  });

  it('prices 1-hour cache writes at the 1-hour rate when Anthropic splits the writes by lifetime', () => {
    const anthropicUsage = {
      input_tokens: 12,
      cache_creation_input_tokens: 2048,
      cache_read_input_tokens: 98_304,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2048 },
      output_tokens: 187,
    };

    const picos = costPicos(usageOf(mapAnthropicUsage(anthropicUsage)), pricingOf(SONNET_4_5));

    expect(picos).toBe(44_620_200_000n);
  });

  it('bills Bedrock cache reads and writes at their own rates when Converse reports them', () => {
    const converseUsage = { inputTokens: 12, cacheWriteInputTokens: 2048, cacheReadInputTokens: 98_304, outputTokens: 187 };

    const picos = costPicos(usageOf(mapBedrockUsage(converseUsage)), pricingOf(SONNET_4_5, 'bedrock'));

    expect(picos).toBe(40_012_200_000n);
  });

  it('bills OpenAI cached tokens at the cached rate when prompt_tokens_details.cached_tokens is reported', () => {
    const gpt4oMini: ModelPrice = { inputPerToken: 0.15e-6, cacheReadPerToken: 0.075e-6, outputPerToken: 0.6e-6 };

    const picos = costPicos(usageOf({ prompt_tokens: 2006, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1920 } }), pricingOf(gpt4oMini, 'openai'));

    // 86 × $0.15 + 1,920 × $0.075 + 300 × $0.60, per million.
    expect(picos).toBe(336_900_000n);
  });

  it('bills Gemini cached content at the cache rate and thoughts as output when usageMetadata reports them', () => {
    const geminiPro: ModelPrice = { inputPerToken: 1.25e-6, cacheReadPerToken: 0.3125e-6, outputPerToken: 10e-6 };
    const usageMetadata = { promptTokenCount: 10_000, cachedContentTokenCount: 8000, candidatesTokenCount: 100, thoughtsTokenCount: 50, totalTokenCount: 10_150 };

    const picos = costPicos(usageOf(mapGeminiUsage(usageMetadata)), pricingOf(geminiPro, 'gemini'));

    // 2,000 × $1.25 + 8,000 × $0.3125 + 150 × $10, per million.
    expect(picos).toBe(6_500_000_000n);
  });

  it('costs a 10-token embedding exactly $0.0000002 when the price is $0.02 per million tokens', () => {
    const embedding = pricingOf({ inputPerToken: 0.02e-6, outputPerToken: 0 }, 'openai');
    const usage = { promptTokens: 10, completionTokens: 0 };

    expect(costPicos(usage, embedding)).toBe(200_000n);
    expect(costUsdHeader(usage, embedding)).toBe('0.0000002');
    expect(costMicros(usage, embedding)).toBe(1);
  });

  it('prices the whole request at the long-context tier when its prompt exceeds 200,000 tokens', () => {
    const usage = { promptTokens: 250_000, completionTokens: 1000 };

    // 250,000 × $6 + 1,000 × $22.50, per million.
    expect(costPicos(usage, pricingOf(SONNET_4_5))).toBe(1_522_500_000_000n);
  });

  it('keeps the base prices when the prompt is exactly 200,000 tokens', () => {
    expect(costPicos({ promptTokens: 200_000, completionTokens: 0 }, pricingOf(SONNET_4_5))).toBe(600_000_000_000n);
  });
});

describe('reservationMicros', () => {
  it('reserves every prompt token at the dearest prompt rate of either tier when the prompt size is an estimate', () => {
    // 1,000 prompt tokens at $6 (the long-context input and the 1-hour write) + 100 output at $22.50, per million.
    expect(reservationMicros(1000, 100, pricingOf(SONNET_4_5))).toBe(8250);
  });
});

describe('formatPicosAsUsd', () => {
  it.each([
    [0n, '0'],
    [200_000n, '0.0000002'],
    [40_012_200_000n, '0.0400122'],
    [12_345_678_901_234_567_890_123n, '12345678901.234567890123'],
  ])('writes %s pico-dollars as %s', (picos, text) => {
    expect(formatPicosAsUsd(picos)).toBe(text);
  });
});
