import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LlmGateway } from '../../lib/index.js';
import { emptyStack } from './stack-test-helpers.js';

const CONFIG = [
  'model_list:',
  '  - model_name: claude',
  '    litellm_params:',
  '      model: anthropic/claude-sonnet-4-5-20250929',
  '  - model_name: claude',
  '    litellm_params:',
  '      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  '  - model_name: nano',
  '    litellm_params:',
  '      model: openai/gpt-4.1-nano',
  '  - model_name: mystery',
  '    litellm_params:',
  '      model: openai/gpt-no-such-model',
  '      input_cost_per_token: 0.000001',
  '      output_cost_per_token: 0.000002',
  'general_settings:',
  '  master_key: os.environ/GATEWAY_MASTER_KEY',
  '',
].join('\n');

describe('LlmGateway prices at synth', () => {
  it('names the price database and its version in a synth note', () => {
    const stack = emptyStack();

    new LlmGateway(stack, 'Gateway', { configYaml: CONFIG });

    Annotations.fromStack(stack).hasInfo(
      '/EmbeddingStack/Gateway',
      Match.stringLikeRegexp('^prices: @pydantic/genai-prices 0\\.1\\.\\d+ \\(as of \\d{4}-\\d{2}-\\d{2}\\), found for 3 of 4 billed deployments$'),
    );
  });

  it('notes why a deployment has no database price', () => {
    const stack = emptyStack();

    new LlmGateway(stack, 'Gateway', { configYaml: CONFIG });

    Annotations.fromStack(stack).hasInfo(
      '/EmbeddingStack/Gateway',
      Match.stringLikeRegexp('^price database: no price for openai/gpt-no-such-model: not in @pydantic/genai-prices'),
    );
  });

  it('warns about a deployment priced by neither the config nor the database', () => {
    const stack = emptyStack();
    const unpriced = CONFIG.replace(/ {6}(input|output)_cost_per_token: .*\n/g, '');

    new LlmGateway(stack, 'Gateway', { configYaml: unpriced });

    Annotations.fromStack(stack).hasWarning(
      '/EmbeddingStack/Gateway',
      Match.stringLikeRegexp('^model_list\\[3\\] \\(model "mystery", openai/gpt-no-such-model\\) has no price in the config or in @pydantic/genai-prices'),
    );
  });

  it('does not warn about a deployment whose config prices it', () => {
    const stack = emptyStack();

    new LlmGateway(stack, 'Gateway', { configYaml: CONFIG });

    Annotations.fromStack(stack).hasNoWarning('/EmbeddingStack/Gateway', Match.stringLikeRegexp('has no price'));
  });

  // Bundles for real (esbuild, as `cdk synth` does), so it takes a few seconds.
  it("inlines the configured deployments' prices only, and the gateway bundle stays under 1 MB", { timeout: 180_000 }, () => {
    const outdir = mkdtempSync(join(tmpdir(), 'gateway-prices-synth-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': ['PricesStack'] } });
    new LlmGateway(new Stack(app, 'PricesStack'), 'Gateway', { configYaml: CONFIG });

    const { code, bytes } = (() => {
      try {
        app.synth();
        const bundles = readdirSync(outdir)
          .filter((entry) => entry.startsWith('asset.'))
          .map((entry) => join(outdir, entry, 'index.mjs'))
          .filter((file) => statSync(file, { throwIfNoEntry: false }) !== undefined);
        const gatewayBundle = bundles.find((file) => readFileSync(file, 'utf8').includes('gateway_ready'));
        return gatewayBundle === undefined ? { code: '', bytes: 0 } : { code: readFileSync(gatewayBundle, 'utf8'), bytes: statSync(gatewayBundle).size };
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    })();

    expect(code).toContain('gateway_ready');
    expect(bytes).toBeLessThan(1_000_000);
    const inlined = JSON.parse(inlinedPricesText(code)) as { source: string; prices: Record<string, unknown> };
    expect(Object.keys(inlined.prices)).toEqual([
      'anthropic/claude-sonnet-4-5-20250929',
      'bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'openai/gpt-4.1-nano',
    ]);
    // Nothing else of the database: another model it prices, and one of its own price keys.
    expect(code).not.toContain('claude-opus-4-1');
    expect(code).not.toContain('web_searches_kcount');
  });
});

/**
 * The string literal esbuild put where `__GATEWAY_PRICES_JSON__` stood, decoded. esbuild picks the
 * quote needing fewest escapes: single quotes or backticks leave the JSON as it is (these model
 * names hold no quote or backslash), double quotes escape it.
 */
function inlinedPricesText(code: string): string {
  const found = /(['"`])\{\\?"source\\?":/.exec(code);
  expect(found).not.toBeNull();
  const quote = found![1]!;
  const start = found!.index;
  let end = start + 1;
  while (code[end] !== quote || code[end - 1] === '\\') end += 1;
  const literal = code.slice(start, end + 1);
  return quote === '"' ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}
