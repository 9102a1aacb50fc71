import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../../functions/core/config/default-config.js';
import { ConfigError, parseConfigOrThrow, parseConfigText, validateConfigText } from '../../../functions/core/config/parse-config.js';
import { captureError } from '../../support/capture-error.js';

const VALID_CONFIG = `
model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/OPENAI_API_KEY
      timeout: 30
      rpm: 100
      tpm: 20000
      input_cost_per_token: 0.00000015
      output_cost_per_token: 0.0000006
      extra_headers:
        X-Team: research
    model_info:
      description: small and cheap
  - model_name: azure-gpt
    litellm_params:
      model: azure/my-deployment
      api_base: https://example.openai.azure.com/
      api_key: os.environ/AZURE_API_KEY
      api_version: "2024-10-21"
  - model_name: llama
    litellm_params:
      model: groq/llama-3.3-70b-versatile
  - model_name: demo
    litellm_params:
      model: demo/echo
      stream_delay_ms: 5

router_settings:
  routing_strategy: simple-shuffle

general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  max_request_size_mb: 2
  max_upstream_response_mb: 8
  stream_keep_alive_seconds: 5
`;

function configWithParams(params: string): string {
  return `model_list:\n  - model_name: m\n    litellm_params:\n${params
    .trim()
    .split('\n')
    .map((line) => `      ${line.trim()}`)
    .join('\n')}\n`;
}

describe('parseConfigText', () => {
  it('reports no problems and no warnings when the config is valid', () => {
    const { problems, warnings } = parseConfigText(VALID_CONFIG);

    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('lists every deployment in file order with its path when the config is valid', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments.map((deployment) => [deployment.path, deployment.modelName])).toEqual([
      ['model_list[0]', 'gpt-4o-mini'],
      ['model_list[1]', 'azure-gpt'],
      ['model_list[2]', 'llama'],
      ['model_list[3]', 'demo'],
    ]);
  });

  it.each([
    ['gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['azure-gpt', 'azure', 'my-deployment'],
    ['llama', 'groq', 'llama-3.3-70b-versatile'],
    ['demo', 'demo', 'echo'],
  ])('splits litellm_params.model into provider and upstream model when model_name is %s', (modelName, provider, upstreamModel) => {
    const { config } = parseConfigText(VALID_CONFIG);

    const deployment = config.deployments.find((candidate) => candidate.modelName === modelName);

    expect(deployment).toMatchObject({ provider, upstreamModel });
  });

  it('keeps everything after the first slash as the upstream model when the model itself contains slashes', () => {
    const { config, problems } = parseConfigText(configWithParams('model: openrouter/meta-llama/llama-3.1-8b-instruct'));

    expect(problems).toEqual([]);
    expect(config.deployments[0]).toMatchObject({ provider: 'openrouter', upstreamModel: 'meta-llama/llama-3.1-8b-instruct' });
  });

  it('turns os.environ/NAME into a secret reference when a value names a variable', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[0]?.apiKey).toEqual({ secretName: 'OPENAI_API_KEY' });
    expect(config.generalSettings.masterKey).toEqual({ secretName: 'GATEWAY_MASTER_KEY' });
  });

  it('keeps a literal string when a value is not an os.environ/ reference', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[1]).toMatchObject({ apiBase: 'https://example.openai.azure.com/', apiVersion: '2024-10-21' });
  });

  it('converts timeout seconds to milliseconds when timeout is set', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[0]?.timeoutMs).toBe(30_000);
  });

  it('keeps limits, costs, lower-cased extra headers and model_info when they are set', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[0]).toMatchObject({
      rpm: 100,
      tpm: 20000,
      inputCostPerToken: 0.00000015,
      outputCostPerToken: 0.0000006,
      extraHeaders: { 'x-team': 'research' },
      modelInfo: { description: 'small and cheap' },
    });
  });

  it('applies the defaults when a deployment sets only its model', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[2]).toEqual({
      path: 'model_list[2]',
      id: 'model_list[2]',
      modelName: 'llama',
      provider: 'groq',
      upstreamModel: 'llama-3.3-70b-versatile',
      apiKey: undefined,
      apiBase: undefined,
      apiVersion: undefined,
      timeoutMs: 600_000,
      streamTimeoutMs: 600_000,
      weight: undefined,
      rpm: undefined,
      tpm: undefined,
      inputCostPerToken: undefined,
      outputCostPerToken: undefined,
      extraHeaders: {},
      streamDelayMs: 0,
      modelInfo: {},
    });
  });

  it('reads the demo stream delay when stream_delay_ms is set', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.deployments[3]?.streamDelayMs).toBe(5);
  });

  it('converts general settings to bytes and milliseconds when they are set', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.generalSettings).toEqual({
      masterKey: { secretName: 'GATEWAY_MASTER_KEY' },
      maxRequestBytes: 2 * 1024 * 1024,
      maxUpstreamResponseBytes: 8 * 1024 * 1024,
      streamKeepAliveMs: 5_000,
      keyCacheTtlMs: 30_000,
      limitsFailOpen: false,
      budgetClampMaxTokens: true,
      reservationTtlMs: 960_000,
    });
  });

  it('applies the general defaults when general_settings is absent', () => {
    const { config } = parseConfigText(configWithParams('model: openai/gpt-4o-mini'));

    expect(config.generalSettings).toEqual({
      masterKey: undefined,
      maxRequestBytes: 6 * 1024 * 1024,
      maxUpstreamResponseBytes: 32 * 1024 * 1024,
      streamKeepAliveMs: 15_000,
      keyCacheTtlMs: 30_000,
      limitsFailOpen: false,
      budgetClampMaxTokens: true,
      reservationTtlMs: 960_000,
    });
  });

  it('keeps router_settings as given when it is set', () => {
    const { config } = parseConfigText(VALID_CONFIG);

    expect(config.routerSettings.routingStrategy).toBe('simple-shuffle');
  });

  it('lists every broken entry rather than stopping at the first when several entries are broken', () => {
    const text = `
model_list:
  - model_name: a
    litellm_params:
      model: no-slash
  - model_name: b
    litellm_params:
      model: openai/gpt-4o
      timeout: -1
  - litellm_params:
      model: openai/gpt-4o
      rpm: 1.5
`;

    const { problems } = parseConfigText(text);

    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.some((problem) => problem.startsWith('model_list[0].litellm_params.model:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('model_list[1].litellm_params.timeout:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('model_list[2].model_name:'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('model_list[2].litellm_params.rpm:'))).toBe(true);
  });

  it('leaves out the deployments that have problems when others are valid', () => {
    const text = `
model_list:
  - model_name: good
    litellm_params:
      model: openai/gpt-4o
  - model_name: bad
    litellm_params:
      model: nowhere/gpt-4o
`;

    const { config } = parseConfigText(text);

    expect(config.deployments.map((deployment) => deployment.modelName)).toEqual(['good']);
  });

  it('names the typo and its path when a provider is unknown', () => {
    const text = `
model_list:
  - model_name: a
    litellm_params:
      model: openai/gpt-4o
  - model_name: b
    litellm_params:
      model: groq/llama-3.3-70b-versatile
  - model_name: c
    litellm_params:
      model: antropic/claude-sonnet-4
`;

    const { problems } = parseConfigText(text);

    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith('model_list[2].litellm_params.model: unknown provider "antropic"')).toBe(true);
  });

  // Regression (was a bug): parse-config.ts checks `PROVIDERS[provider] === undefined` on a plain object literal, so names
  // inherited from Object.prototype (constructor, toString, hasOwnProperty, valueOf, __proto__) pass as
  // known providers; the config validates and every request to that model then fails with a 500
  // (chat-completions.ts calls providerFor(PROVIDERS[provider].wire) → providerFor(undefined) → undefined).
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'reports an unknown provider when the provider prefix is the Object.prototype name %s',
    (provider) => {
      const { problems } = parseConfigText(configWithParams(`model: ${provider}/gpt-4o`));

      expect(problems).toHaveLength(1);
      expect(problems[0]?.startsWith(`model_list[0].litellm_params.model: unknown provider "${provider}"`)).toBe(true);
    },
  );

  it('says the provider is not supported yet when the provider is a planned one', () => {
    const { problems } = parseConfigText(configWithParams('model: vertex_ai/gemini-2.5-pro'));

    expect(problems).toEqual(['model_list[0].litellm_params.model: provider "vertex_ai" is not supported by this version yet']);
  });

  it.each([
    ['no-slash', 'must be "<provider>/<model>"'],
    ['/gpt-4o', 'must be "<provider>/<model>"'],
    ['openai/', 'must be "<provider>/<model>"'],
    ['""', 'is required'],
  ])('reports the model reference when litellm_params.model is %s', (model, expected) => {
    const { problems } = parseConfigText(configWithParams(`model: ${model}`));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^model_list\[0\]\.litellm_params\.model: /);
    expect(problems[0]).toContain(expected);
  });

  it.each([
    ['api_base: ftp://example.com', 'model_list[0].litellm_params.api_base: must be an http(s) URL, got "ftp://example.com"'],
    ['api_key: os.environ/', 'model_list[0].litellm_params.api_key: "os.environ/" must name a variable, as os.environ/NAME'],
    ['api_key: [a, b]', 'model_list[0].litellm_params.api_key: must be a string'],
    ['timeout: 0', 'model_list[0].litellm_params.timeout: must be greater than 0'],
    ['timeout: soon', 'model_list[0].litellm_params.timeout: must be a number'],
    ['rpm: 1.5', 'model_list[0].litellm_params.rpm: must be a whole number'],
    ['tpm: -1', 'model_list[0].litellm_params.tpm: must be at least 0'],
    ['extra_headers: [a]', 'model_list[0].litellm_params.extra_headers: must be a mapping of header name to value'],
    ['extra_headers: {x-a: [1]}', 'model_list[0].litellm_params.extra_headers.x-a: must be a string'],
  ])('reports the field with its path when an openai deployment has %s', (line, expected) => {
    const { problems } = parseConfigText(configWithParams(`model: openai/gpt-4o\n${line}`));

    expect(problems).toEqual([expected]);
  });

  it('reports the missing api_base when an azure deployment has none', () => {
    const { problems } = parseConfigText(configWithParams('model: azure/my-deployment\napi_key: os.environ/AZURE_API_KEY'));

    expect(problems).toEqual(['model_list[0].litellm_params.api_base: is required for provider "azure"']);
  });

  it('accepts an os.environ/ reference as api_base when an azure deployment reads it from a variable', () => {
    const { config, problems } = parseConfigText(configWithParams('model: azure/my-deployment\napi_base: os.environ/AZURE_API_BASE'));

    expect(problems).toEqual([]);
    expect(config.deployments[0]?.apiBase).toEqual({ secretName: 'AZURE_API_BASE' });
  });

  it('reports the missing api_base when a hosted_vllm deployment has none', () => {
    const { problems } = parseConfigText(configWithParams('model: hosted_vllm/meta-llama/Llama-3.1-8B'));

    expect(problems).toEqual(['model_list[0].litellm_params.api_base: is required for provider "hosted_vllm"']);
  });

  it('warns rather than fails when keys are unknown at every level', () => {
    const text = `
model_list:
  - model_name: a
    colour: blue
    litellm_params:
      model: openai/gpt-4o
      temprature: 0.2
general_settings:
  database_url: postgres://x
surprise: true
`;

    const { problems, warnings } = parseConfigText(text);

    expect(problems).toEqual([]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'surprise: unknown key, ignored',
        'model_list[0].colour: unknown key, ignored',
        'model_list[0].litellm_params.temprature: unknown key, ignored',
        'general_settings.database_url: unknown key, ignored',
      ]),
    );
    expect(warnings).toHaveLength(4);
  });

  it('gives a yaml problem when the YAML is invalid', () => {
    const text = 'model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-4o\n';

    const { problems } = parseConfigText(text);

    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toMatch(/^(yaml|line \d+, column \d+): /);
  });

  // Regression (was a bug): parse-config.ts calls parseDocument(text, { prettyErrors: false }); with prettyErrors off the
  // `yaml` package never fills `error.linePos`, so every YAML problem reads "yaml: …" without a position.
  it('gives the line and column of a YAML syntax error when the YAML is invalid', () => {
    const text = 'model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-4o\n';

    const { problems } = parseConfigText(text);

    expect(problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  // Regression (was a bug): after a YAML syntax error the document is replaced by `{}`, so parse-config.ts also reports
  // "model_list: is required and must list at least one model" although the file has a model_list.
  it('reports only the syntax error when model_list is present but the YAML is invalid', () => {
    const text = 'model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-4o\n';

    const { problems } = parseConfigText(text);

    expect(problems).toHaveLength(1);
  });

  it('reports duplicate keys as a YAML problem when a mapping repeats a key', () => {
    const text = 'model_list:\n  - model_name: a\n    model_name: b\n    litellm_params:\n      model: openai/gpt-4o\n';

    const { problems } = parseConfigText(text);

    expect(problems.some((problem) => /unique/i.test(problem))).toBe(true);
  });

  it.each([
    ['an empty file', ''],
    ['no model_list', 'general_settings:\n  master_key: sk-1\n'],
    ['a null model_list', 'model_list:\n'],
  ])('reports model_list as required when the config has %s', (_case, text) => {
    const { problems } = parseConfigText(text);

    expect(problems).toEqual(['model_list: is required and must list at least one model']);
  });

  it('reports model_list when it is empty', () => {
    const { problems } = parseConfigText('model_list: []\n');

    expect(problems).toEqual(['model_list: must list at least one model']);
  });

  it('reports model_list when it is not a list', () => {
    const { problems } = parseConfigText('model_list:\n  model_name: a\n');

    expect(problems).toEqual(['model_list: must be a list']);
  });

  it('reports the root when the document is not a mapping', () => {
    const { problems } = parseConfigText('- model_name: a\n');

    expect(problems[0]).toBe('(root): must be a mapping with model_list, router_settings, general_settings');
  });

  it('reports an entry that is not a mapping by its index', () => {
    const { problems } = parseConfigText('model_list:\n  - just-a-string\n');

    expect(problems).toEqual(['model_list[0]: must be a mapping with model_name and litellm_params']);
  });

  it('reports missing litellm_params by its path', () => {
    const { problems } = parseConfigText('model_list:\n  - model_name: a\n');

    expect(problems).toEqual(['model_list[0].litellm_params: is required and must be a mapping']);
  });

  it.each([
    ['general_settings is a number', 'general_settings: 5', 'general_settings: must be a mapping'],
    ['max_request_size_mb is 0', 'general_settings:\n  max_request_size_mb: 0', 'general_settings.max_request_size_mb: must be greater than 0'],
    ['max_upstream_response_mb is 0', 'general_settings:\n  max_upstream_response_mb: 0', 'general_settings.max_upstream_response_mb: must be greater than 0'],
    ['max_upstream_response_mb is past a string', 'general_settings:\n  max_upstream_response_mb: 1024', 'general_settings.max_upstream_response_mb: must be at most 512'],
    ['stream_keep_alive_seconds is a word', 'general_settings:\n  stream_keep_alive_seconds: never', 'general_settings.stream_keep_alive_seconds: must be a number'],
    ['router_settings is a list', 'router_settings: [a]', 'router_settings: must be a mapping'],
  ])('reports the setting with its path when %s', (_case, settings, expected) => {
    const { problems } = parseConfigText(`${configWithParams('model: openai/gpt-4o')}${settings}\n`);

    expect(problems).toEqual([expected]);
  });
});

describe('validateConfigText', () => {
  it('returns no problems when given the embedded default config', () => {
    const problems = validateConfigText(DEFAULT_CONFIG_YAML);

    expect(problems).toEqual([]);
  });

  it('returns the problems when the config is broken', () => {
    const problems = validateConfigText(configWithParams('model: antropic/claude'));

    expect(problems).toHaveLength(1);
  });
});

describe('parseConfigOrThrow', () => {
  it('throws a ConfigError listing every problem when the config has problems', () => {
    const text = 'model_list:\n  - model_name: a\n    litellm_params:\n      model: x\n  - model_name: b\n';

    const error = captureError(() => parseConfigOrThrow(text));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
  });

  it('returns the config when the default config is given', () => {
    const { config } = parseConfigOrThrow(DEFAULT_CONFIG_YAML);

    expect(config.deployments).toHaveLength(1);
  });
});
