import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../functions/core/config/parse-config.js';
import { DEFAULT_ROUTER_SETTINGS, DEFAULT_TIMEOUT_MS, parseRouterSettings } from '../../../functions/core/config/parse-router-settings.js';

/** Three models (gpt-4o, claude-sonnet, gemini-pro), one deployment each, then `router_settings` as given. */
function configWithRouterSettings(routerSettings: string, deploymentParams = ''): string {
  const model = (name: string, upstream: string) =>
    `  - model_name: ${name}\n    litellm_params:\n      model: ${upstream}\n${deploymentParams
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => `      ${line.trim()}\n`)
      .join('')}`;
  const indented = routerSettings
    .replace(/^\n+/, '')
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `model_list:\n${model('gpt-4o', 'openai/gpt-4o')}${model('claude-sonnet', 'anthropic/claude-sonnet-4-5')}${model('gemini-pro', 'gemini/gemini-2.5-pro')}router_settings:\n${indented}\n`;
}

const MODEL_NAMES = new Set(['gpt-4o', 'claude-sonnet', 'gemini-pro']);

/** parseRouterSettings on a YAML-less value, with its problems and warnings. */
function parse(value: unknown) {
  const problems: string[] = [];
  const warnings: string[] = [];
  const parsed = parseRouterSettings(value, MODEL_NAMES, problems, warnings);
  return { ...parsed, problems, warnings };
}

describe('router_settings defaults', () => {
  it('uses LiteLLM defaults when router_settings is absent: allowed_fails 3, cooldown_time 5 s, num_retries 2, simple-shuffle', () => {
    const { config, problems } = parseConfigText('model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o\n');

    expect(problems).toEqual([]);
    expect(config.routerSettings).toMatchObject({ allowedFails: 3, cooldownMs: 5_000, numRetries: 2, routingStrategy: 'simple-shuffle' });
  });

  it('equals DEFAULT_ROUTER_SETTINGS for an empty mapping, with no router-wide timeouts', () => {
    const { settings, timeoutMs, streamTimeoutMs, problems, warnings } = parse({});

    expect(settings).toEqual(DEFAULT_ROUTER_SETTINGS);
    expect(timeoutMs).toBeUndefined();
    expect(streamTimeoutMs).toBeUndefined();
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('has no fallbacks of any kind by default', () => {
    const { settings } = parse(undefined);

    expect(settings.fallbacks).toEqual({});
    expect(settings.contextWindowFallbacks).toEqual({});
    expect(settings.contentPolicyFallbacks).toEqual({});
    expect(settings.defaultFallbacks).toEqual([]);
  });

  it('gives a deployment without any timeout 600 s for both timeout and stream_timeout', () => {
    const { config } = parseConfigText(configWithRouterSettings('num_retries: 1'));

    expect(config.deployments[0]).toMatchObject({ timeoutMs: DEFAULT_TIMEOUT_MS, streamTimeoutMs: DEFAULT_TIMEOUT_MS });
    expect(DEFAULT_TIMEOUT_MS).toBe(600_000);
  });
});

describe('router_settings keys', () => {
  it.each(['simple-shuffle', 'latency-based-routing', 'cost-based-routing', 'usage-based-routing'] as const)('reads routing_strategy %s', (strategy) => {
    const { settings, problems } = parse({ routing_strategy: strategy });

    expect(problems).toEqual([]);
    expect(settings.routingStrategy).toBe(strategy);
  });

  it('reads num_retries', () => {
    expect(parse({ num_retries: 5 }).settings.numRetries).toBe(5);
  });

  it('accepts num_retries 0 (a single attempt per model)', () => {
    const { settings, problems } = parse({ num_retries: 0 });

    expect(problems).toEqual([]);
    expect(settings.numRetries).toBe(0);
  });

  it('reads retry_after in seconds as milliseconds', () => {
    expect(parse({ retry_after: 1.5 }).settings.retryAfterMs).toBe(1_500);
  });

  it('reads max_retry_wait_seconds as milliseconds', () => {
    expect(parse({ max_retry_wait_seconds: 20 }).settings.maxRetryWaitMs).toBe(20_000);
  });

  it('reads allowed_fails and cooldown_time (seconds)', () => {
    const { settings } = parse({ allowed_fails: 5, cooldown_time: 30 });

    expect(settings.allowedFails).toBe(5);
    expect(settings.cooldownMs).toBe(30_000);
  });

  it('reads cooldown_cache_seconds as milliseconds', () => {
    expect(parse({ cooldown_cache_seconds: 0.5 }).settings.cooldownCacheMs).toBe(500);
  });

  it('turns cooldowns off with disable_cooldowns: true (allowed_fails becomes 0)', () => {
    const { settings, problems } = parse({ disable_cooldowns: true, allowed_fails: 4 });

    expect(problems).toEqual([]);
    expect(settings.allowedFails).toBe(0);
  });

  it('keeps cooldowns with disable_cooldowns: false', () => {
    expect(parse({ disable_cooldowns: false, allowed_fails: 4 }).settings.allowedFails).toBe(4);
  });

  it('reads timeout and stream_timeout in seconds as router-wide defaults', () => {
    const { timeoutMs, streamTimeoutMs } = parse({ timeout: 30, stream_timeout: 5 });

    expect(timeoutMs).toBe(30_000);
    expect(streamTimeoutMs).toBe(5_000);
  });

  it('gives a deployment without its own timeout the router timeout, and stream_timeout defaults to it', () => {
    const { config, problems } = parseConfigText(configWithRouterSettings('timeout: 30'));

    expect(problems).toEqual([]);
    expect(config.deployments.map((deployment) => [deployment.timeoutMs, deployment.streamTimeoutMs])).toEqual([
      [30_000, 30_000],
      [30_000, 30_000],
      [30_000, 30_000],
    ]);
  });

  it('gives a deployment without its own stream_timeout the router stream_timeout', () => {
    const { config } = parseConfigText(configWithRouterSettings('timeout: 30\nstream_timeout: 5'));

    expect(config.deployments[0]).toMatchObject({ timeoutMs: 30_000, streamTimeoutMs: 5_000 });
  });

  it("keeps a deployment's own timeout and stream_timeout over the router's", () => {
    const { config } = parseConfigText(configWithRouterSettings('timeout: 30\nstream_timeout: 5', 'timeout: 12\nstream_timeout: 3'));

    expect(config.deployments[0]).toMatchObject({ timeoutMs: 12_000, streamTimeoutMs: 3_000 });
  });

  it("defaults a deployment's stream_timeout to its own timeout when the router sets no stream_timeout", () => {
    const { config } = parseConfigText(configWithRouterSettings('timeout: 30', 'timeout: 12'));

    expect(config.deployments[0]).toMatchObject({ timeoutMs: 12_000, streamTimeoutMs: 12_000 });
  });

  it("reads fallbacks in LiteLLM's list-of-mappings form", () => {
    const { config, problems } = parseConfigText(
      configWithRouterSettings(`
fallbacks:
  - gpt-4o: [claude-sonnet, gemini-pro]
  - claude-sonnet: [gpt-4o]`),
    );

    expect(problems).toEqual([]);
    expect(config.routerSettings.fallbacks).toEqual({ 'gpt-4o': ['claude-sonnet', 'gemini-pro'], 'claude-sonnet': ['gpt-4o'] });
  });

  it('reads fallbacks written as one mapping', () => {
    const { config, problems } = parseConfigText(
      configWithRouterSettings(`
fallbacks:
  gpt-4o: [claude-sonnet, gemini-pro]`),
    );

    expect(problems).toEqual([]);
    expect(config.routerSettings.fallbacks).toEqual({ 'gpt-4o': ['claude-sonnet', 'gemini-pro'] });
  });

  it('keeps the order of fallbacks as written', () => {
    const { settings } = parse({ fallbacks: [{ 'gpt-4o': ['gemini-pro', 'claude-sonnet'] }] });

    expect(settings.fallbacks['gpt-4o']).toEqual(['gemini-pro', 'claude-sonnet']);
  });

  it('accepts a single model name as the fallback list', () => {
    const { settings, problems } = parse({ fallbacks: [{ 'gpt-4o': 'claude-sonnet' }] });

    expect(problems).toEqual([]);
    expect(settings.fallbacks['gpt-4o']).toEqual(['claude-sonnet']);
  });

  it('merges two entries for the same model, without duplicates, and drops the model itself', () => {
    const { settings } = parse({ fallbacks: [{ 'gpt-4o': ['claude-sonnet', 'gpt-4o'] }, { 'gpt-4o': ['claude-sonnet', 'gemini-pro'] }] });

    expect(settings.fallbacks['gpt-4o']).toEqual(['claude-sonnet', 'gemini-pro']);
  });

  it('reads context_window_fallbacks', () => {
    const { settings, problems } = parse({ context_window_fallbacks: [{ 'gpt-4o': ['gemini-pro'] }] });

    expect(problems).toEqual([]);
    expect(settings.contextWindowFallbacks).toEqual({ 'gpt-4o': ['gemini-pro'] });
    expect(settings.fallbacks).toEqual({});
  });

  it('reads content_policy_fallbacks', () => {
    const { settings, problems } = parse({ content_policy_fallbacks: [{ 'gpt-4o': ['claude-sonnet'] }] });

    expect(problems).toEqual([]);
    expect(settings.contentPolicyFallbacks).toEqual({ 'gpt-4o': ['claude-sonnet'] });
    expect(settings.fallbacks).toEqual({});
  });

  it('reads default_fallbacks as a list of model names', () => {
    const { settings, problems } = parse({ default_fallbacks: ['claude-sonnet', 'gemini-pro'] });

    expect(problems).toEqual([]);
    expect(settings.defaultFallbacks).toEqual(['claude-sonnet', 'gemini-pro']);
  });

  it('reads the whole of a LiteLLM router_settings block from YAML', () => {
    const { config, problems, warnings } = parseConfigText(
      configWithRouterSettings(`
routing_strategy: latency-based-routing
num_retries: 3
retry_after: 2
max_retry_wait_seconds: 10
allowed_fails: 1
cooldown_time: 60
cooldown_cache_seconds: 1
fallbacks: [{"gpt-4o": ["claude-sonnet"]}]
context_window_fallbacks: [{"gpt-4o": ["gemini-pro"]}]
content_policy_fallbacks: [{"gpt-4o": ["claude-sonnet"]}]
default_fallbacks: ["gemini-pro"]`),
    );

    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config.routerSettings).toEqual({
      routingStrategy: 'latency-based-routing',
      numRetries: 3,
      retryAfterMs: 2_000,
      maxRetryWaitMs: 10_000,
      fallbacks: { 'gpt-4o': ['claude-sonnet'] },
      contextWindowFallbacks: { 'gpt-4o': ['gemini-pro'] },
      contentPolicyFallbacks: { 'gpt-4o': ['claude-sonnet'] },
      defaultFallbacks: ['gemini-pro'],
      allowedFails: 1,
      cooldownMs: 60_000,
      cooldownCacheMs: 1_000,
    });
  });
});

describe('router_settings problems, by path', () => {
  it('names the allowed strategies for an unknown routing_strategy', () => {
    const { problems } = parse({ routing_strategy: 'least-busy' });

    expect(problems).toEqual([
      'router_settings.routing_strategy: must be one of simple-shuffle, latency-based-routing, cost-based-routing, usage-based-routing',
    ]);
  });

  it('names a fallback target that is not a model_name in model_list', () => {
    const { problems } = parseConfigText(configWithRouterSettings('fallbacks:\n  - gpt-4o: [claude-opus]'));

    expect(problems).toEqual(['router_settings.fallbacks[0].gpt-4o: "claude-opus" is not a model_name in model_list']);
  });

  it('names a fallback source that is not a model_name in model_list', () => {
    const { problems } = parse({ fallbacks: [{ 'gpt-5': ['claude-sonnet'] }] });

    expect(problems).toEqual(['router_settings.fallbacks[0].gpt-5: "gpt-5" is not a model_name in model_list']);
  });

  it('names an unknown model in the mapping form of fallbacks by its key', () => {
    const { problems } = parse({ fallbacks: { 'gpt-4o': ['claude-opus'] } });

    expect(problems).toEqual(['router_settings.fallbacks.gpt-4o: "claude-opus" is not a model_name in model_list']);
  });

  it.each([
    ['context_window_fallbacks', 'router_settings.context_window_fallbacks[0].gpt-4o: "gemini-ultra" is not a model_name in model_list'],
    ['content_policy_fallbacks', 'router_settings.content_policy_fallbacks[0].gpt-4o: "gemini-ultra" is not a model_name in model_list'],
  ])('names an unknown model in %s', (key, problem) => {
    expect(parse({ [key]: [{ 'gpt-4o': ['gemini-ultra'] }] }).problems).toEqual([problem]);
  });

  it('names an unknown model in default_fallbacks', () => {
    expect(parse({ default_fallbacks: ['gemini-ultra'] }).problems).toEqual(['router_settings.default_fallbacks: "gemini-ultra" is not a model_name in model_list']);
  });

  it('refuses fallbacks that are neither a list nor a mapping', () => {
    expect(parse({ fallbacks: 'claude-sonnet' }).problems).toEqual(['router_settings.fallbacks: must be a list such as [{"gpt-4o": ["claude-sonnet"]}]']);
  });

  it('refuses a fallbacks item that is not a mapping', () => {
    expect(parse({ fallbacks: ['claude-sonnet'] }).problems).toEqual([
      'router_settings.fallbacks[0]: must be a mapping of a model name to the list of models to try next',
    ]);
  });

  it('refuses a fallback list that is not a list of model names', () => {
    expect(parse({ fallbacks: [{ 'gpt-4o': [1, 2] }] }).problems).toEqual(['router_settings.fallbacks[0].gpt-4o: must be a list of model names']);
  });

  it('refuses default_fallbacks that is not a list of model names', () => {
    expect(parse({ default_fallbacks: { 'gpt-4o': 'claude-sonnet' } }).problems).toEqual(['router_settings.default_fallbacks: must be a list of model names']);
  });

  it('refuses router_settings that is not a mapping', () => {
    expect(parse(['num_retries', 2]).problems).toEqual(['router_settings: must be a mapping']);
  });

  it.each([
    ['num_retries', 'router_settings.num_retries: must be at least 0'],
    ['retry_after', 'router_settings.retry_after: must be at least 0'],
    ['max_retry_wait_seconds', 'router_settings.max_retry_wait_seconds: must be at least 0'],
    ['allowed_fails', 'router_settings.allowed_fails: must be at least 0'],
    ['cooldown_time', 'router_settings.cooldown_time: must be at least 0'],
    ['cooldown_cache_seconds', 'router_settings.cooldown_cache_seconds: must be at least 0'],
    ['timeout', 'router_settings.timeout: must be greater than 0'],
    ['stream_timeout', 'router_settings.stream_timeout: must be greater than 0'],
  ])('refuses a negative %s', (key, problem) => {
    expect(parse({ [key]: -1 }).problems).toEqual([problem]);
  });

  it.each(['timeout', 'stream_timeout'])('refuses a %s of 0', (key) => {
    expect(parse({ [key]: 0 }).problems).toEqual([`router_settings.${key}: must be greater than 0`]);
  });

  it.each(['num_retries', 'allowed_fails'])('refuses a fractional %s', (key) => {
    expect(parse({ [key]: 1.5 }).problems).toEqual([`router_settings.${key}: must be a whole number`]);
  });

  it('refuses a disable_cooldowns that is not a boolean', () => {
    expect(parse({ disable_cooldowns: 'yes' }).problems).toEqual(['router_settings.disable_cooldowns: must be true or false']);
  });

  it('keeps the default of a setting it refused', () => {
    expect(parse({ num_retries: -1 }).settings.numRetries).toBe(DEFAULT_ROUTER_SETTINGS.numRetries);
  });

  it('collects every problem rather than stopping at the first', () => {
    const { problems } = parse({ routing_strategy: 'round-robin', num_retries: -1, fallbacks: 3 });

    expect(problems).toHaveLength(3);
  });

  it('makes the whole config invalid through parseConfigText', () => {
    const { problems } = parseConfigText(configWithRouterSettings('routing_strategy: fastest'));

    expect(problems).toEqual([expect.stringMatching(/^router_settings\.routing_strategy: /)]);
  });
});

describe('timeouts bounded to a day', () => {
  it.each(['timeout', 'stream_timeout'])('refuses a router_settings %s above 86400 s, by path', (key) => {
    expect(parse({ [key]: 86_401 }).problems).toEqual([`router_settings.${key}: must be at most 86400`]);
  });

  it.each(['timeout', 'stream_timeout'])('accepts a router_settings %s of exactly 86400 s', (key) => {
    const parsed = parse({ [key]: 86_400 });

    expect(parsed.problems).toEqual([]);
    expect(key === 'timeout' ? parsed.timeoutMs : parsed.streamTimeoutMs).toBe(86_400_000);
  });

  it.each(['timeout', 'stream_timeout'])("refuses a deployment's own %s above 86400 s, by path", (key) => {
    const { problems } = parseConfigText(configWithRouterSettings('num_retries: 0', `${key}: 86401`));

    expect(problems).toEqual([0, 1, 2].map((index) => `model_list[${index}].litellm_params.${key}: must be at most 86400`));
  });

  it.each(['timeout', 'stream_timeout'])('reads a tiny router_settings %s (0.0001 s) as 1 ms, not 0', (key) => {
    const parsed = parse({ [key]: 0.0001 });

    expect(parsed.problems).toEqual([]);
    expect(key === 'timeout' ? parsed.timeoutMs : parsed.streamTimeoutMs).toBe(1);
  });

  it("reads a deployment's tiny timeout and stream_timeout (0.0001 s) as 1 ms, not 0", () => {
    const { config, problems } = parseConfigText(configWithRouterSettings('num_retries: 0', 'timeout: 0.0001\nstream_timeout: 0.0001'));

    expect(problems).toEqual([]);
    expect(config.deployments[0]).toMatchObject({ timeoutMs: 1, streamTimeoutMs: 1 });
  });
});

describe('router_settings warnings', () => {
  it('warns about an unknown key, by path, and otherwise ignores it', () => {
    const { warnings, problems, settings } = parse({ retry_policy: { RateLimitErrorRetries: 3 }, num_retries: 1 });

    expect(warnings).toEqual(['router_settings.retry_policy: unknown key, ignored']);
    expect(problems).toEqual([]);
    expect(settings.numRetries).toBe(1);
  });

  it('warns through parseConfigText without making the config invalid', () => {
    const { warnings, problems } = parseConfigText(configWithRouterSettings('enable_pre_call_checks: true'));

    expect(problems).toEqual([]);
    expect(warnings).toEqual(['router_settings.enable_pre_call_checks: unknown key, ignored']);
  });
});

describe('deployment id and weight', () => {
  it('names a deployment by model_info.id when given, else by its path', () => {
    const { config } = parseConfigText(`
model_list:
  - model_name: m
    litellm_params:
      model: openai/gpt-4o
    model_info:
      id: openai-east
  - model_name: m
    litellm_params:
      model: openai/gpt-4o
`);

    expect(config.deployments.map((deployment) => deployment.id)).toEqual(['openai-east', 'model_list[1]']);
  });

  it('is a problem when two deployments share a model_info.id', () => {
    const { problems } = parseConfigText(`
model_list:
  - model_name: m
    litellm_params:
      model: openai/gpt-4o
    model_info:
      id: primary
  - model_name: n
    litellm_params:
      model: openai/gpt-4o-mini
    model_info:
      id: primary
`);

    expect(problems).toEqual(['model_list[1].model_info.id: "primary" is already the id of model_list[0]']);
  });

  it('is a problem when model_info.id is empty', () => {
    const { problems } = parseConfigText('model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/gpt-4o\n    model_info:\n      id: ""\n');

    expect(problems).toEqual(['model_list[0].model_info.id: must be a non-empty string']);
  });

  it('reads weight', () => {
    const { config, problems } = parseConfigText(configWithRouterSettings('routing_strategy: simple-shuffle', 'weight: 3'));

    expect(problems).toEqual([]);
    expect(config.deployments[0]?.weight).toBe(3);
  });

  it('accepts a weight of 0', () => {
    const { config, problems } = parseConfigText(configWithRouterSettings('num_retries: 0', 'weight: 0'));

    expect(problems).toEqual([]);
    expect(config.deployments[0]?.weight).toBe(0);
  });

  it('leaves weight undefined when not set', () => {
    expect(parseConfigText(configWithRouterSettings('num_retries: 0')).config.deployments[0]?.weight).toBeUndefined();
  });

  it('refuses a negative weight, by path', () => {
    const { problems } = parseConfigText(configWithRouterSettings('num_retries: 0', 'weight: -2'));

    expect(problems).toContain('model_list[0].litellm_params.weight: must be at least 0');
  });
});

describe('fallbacks naming a deployment that is itself broken', () => {
  it('reports the broken deployment once, not again for each fallback that names its model', () => {
    const { problems } = parseConfigText(`
model_list:
  - model_name: x
    litellm_params:
      model: antropic/x
  - model_name: y
    litellm_params:
      model: openai/y
router_settings:
  fallbacks: [{"y": ["x"]}]
`);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^model_list\[0\]\.litellm_params\.model: unknown provider "antropic"/);
  });
});
