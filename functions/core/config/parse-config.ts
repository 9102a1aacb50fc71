import { parseDocument } from 'yaml';
import { PLANNED_PROVIDERS, PROVIDERS } from '../providers/provider-catalog.js';
import type { DeploymentConfig, GatewayConfig, GeneralSettings } from './config-types.js';
import {
  isMapping,
  MAX_TIMEOUT_SECONDS,
  optionalBoolean,
  optionalConfigString,
  optionalMapping,
  optionalNumber,
  optionalStringMap,
  timeoutMs,
  warnUnknownKeys,
  type Mapping,
} from './config-values.js';
import { DEFAULT_ROUTER_SETTINGS, DEFAULT_TIMEOUT_MS, parseRouterSettings } from './parse-router-settings.js';

/** A config that cannot be served; `problems` lists each one by its path in the file. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid gateway config:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ParsedConfig {
  config: GatewayConfig;
  /** Fatal: the config must not be served. */
  problems: string[];
  /** Worth telling (unknown keys), not fatal. */
  warnings: string[];
}

const DEFAULT_MAX_REQUEST_SIZE_MB = 6; // a Lambda function URL's own request limit
// Far above any chat answer, yet a few of them fit a 1,024 MB Lambda (an endless body must not exhaust it).
const DEFAULT_MAX_UPSTREAM_RESPONSE_MB = 32;
const DEFAULT_KEEP_ALIVE_SECONDS = 15;

const TOP_LEVEL_KEYS = new Set(['model_list', 'router_settings', 'litellm_settings', 'general_settings', 'environment_variables']);
const DEPLOYMENT_KEYS = new Set(['model_name', 'litellm_params', 'model_info']);
/** LiteLLM's per-deployment price keys (USD per token) → the DeploymentConfig field each fills. */
const PRICE_KEYS = {
  input_cost_per_token: 'inputCostPerToken',
  output_cost_per_token: 'outputCostPerToken',
  cache_read_input_token_cost: 'cacheReadCostPerToken',
  cache_creation_input_token_cost: 'cacheWriteCostPerToken',
  cache_creation_input_token_cost_above_1hr: 'cacheWrite1hCostPerToken',
  input_cost_per_token_above_200k_tokens: 'inputCostPerTokenAbove200k',
  output_cost_per_token_above_200k_tokens: 'outputCostPerTokenAbove200k',
} as const satisfies Record<string, keyof DeploymentConfig>;
/** A dollar a token is a million times the dearest model's price; the cap keeps every price exact in pico-dollars. */
const MAX_PRICE_PER_TOKEN = 1;
const PARAM_KEYS = new Set([
  'model',
  'api_key',
  'api_base',
  'api_version',
  'timeout',
  'stream_timeout',
  'rpm',
  'tpm',
  ...Object.keys(PRICE_KEYS),
  'extra_headers',
  'stream_delay_ms',
  'aws_region_name',
  'weight',
]);
const GENERAL_KEYS = new Set([
  'master_key',
  'max_request_size_mb',
  'max_upstream_response_mb',
  'stream_keep_alive_seconds',
  'key_cache_ttl_seconds',
  'limits_fail_open',
  'budget_clamp_max_tokens',
  'reservation_ttl_seconds',
  'response_ttl_days',
]);
const DEFAULT_KEY_CACHE_TTL_SECONDS = 30;
// Lambda's longest invocation (15 min) plus a margin: only a dead invocation's reservation outlives it.
const DEFAULT_RESERVATION_TTL_SECONDS = 960;


/** Parses LiteLLM-style YAML into a GatewayConfig, collecting every problem rather than stopping at the first. */
export function parseConfigText(text: string): ParsedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) {
    const position = error.linePos?.[0];
    problems.push(`${position ? `line ${position.line}, column ${position.col}` : 'yaml'}: ${error.message.split('\n')[0]}`);
  }
  if (problems.length > 0) {
    // Nothing below the syntax error can be trusted: report it alone.
    return { config: emptyConfig(), problems, warnings };
  }
  const root: unknown = document.toJS();
  const top: Mapping = isMapping(root) ? root : {};
  if (!isMapping(root) && root !== null && root !== undefined) {
    problems.push('(root): must be a mapping with model_list, router_settings, general_settings');
  }
  warnUnknownKeys(top, TOP_LEVEL_KEYS, '', warnings);

  const parsedDeployments = parseModelList(top['model_list'], problems, warnings);
  const generalSettings = parseGeneralSettings(top['general_settings'], problems, warnings);
  const litellmSettings = optionalMapping(top['litellm_settings'], 'litellm_settings', problems);
  // Names from every entry, valid or not: a broken deployment is reported once, not again by each fallback naming it.
  const modelNames = new Set(declaredModelNames(top['model_list']));
  const router = parseRouterSettings(top['router_settings'], modelNames, problems, warnings);
  const deployments = parsedDeployments.map((deployment) => withTimeouts(deployment, router.timeoutMs, router.streamTimeoutMs));
  requireUniqueIds(deployments, problems);

  return { config: { deployments, routerSettings: router.settings, litellmSettings, generalSettings }, problems, warnings };
}

function emptyConfig(): GatewayConfig {
  return {
    deployments: [],
    routerSettings: DEFAULT_ROUTER_SETTINGS,
    litellmSettings: {},
    generalSettings: {
      maxRequestBytes: DEFAULT_MAX_REQUEST_SIZE_MB * 1024 * 1024,
      maxUpstreamResponseBytes: DEFAULT_MAX_UPSTREAM_RESPONSE_MB * 1024 * 1024,
      streamKeepAliveMs: DEFAULT_KEEP_ALIVE_SECONDS * 1000,
      keyCacheTtlMs: DEFAULT_KEY_CACHE_TTL_SECONDS * 1000,
      limitsFailOpen: false,
      budgetClampMaxTokens: true,
      reservationTtlMs: DEFAULT_RESERVATION_TTL_SECONDS * 1000,
    },
  };
}

/** The config's problems, each prefixed by its path; empty when it can be served. */
export function validateConfigText(text: string): string[] {
  return parseConfigText(text).problems;
}

/** Parses or throws ConfigError. */
export function parseConfigOrThrow(text: string): { config: GatewayConfig; warnings: string[] } {
  const { config, problems, warnings } = parseConfigText(text);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

function declaredModelNames(modelList: unknown): string[] {
  if (!Array.isArray(modelList)) return [];
  return modelList.flatMap((entry: unknown) => (isMapping(entry) && typeof entry['model_name'] === 'string' ? [entry['model_name']] : []));
}

/** A deployment as read, before router-wide timeout defaults apply. */
type ParsedDeployment = Omit<DeploymentConfig, 'timeoutMs' | 'streamTimeoutMs'> & { timeoutMs?: number; streamTimeoutMs?: number };

/** A deployment's own timeouts, else the router's, else 600 s; `stream_timeout` defaults to `timeout`. */
function withTimeouts(deployment: ParsedDeployment, routerTimeoutMs?: number, routerStreamTimeoutMs?: number): DeploymentConfig {
  const timeoutMs = deployment.timeoutMs ?? routerTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  return { ...deployment, timeoutMs, streamTimeoutMs: deployment.streamTimeoutMs ?? routerStreamTimeoutMs ?? timeoutMs };
}

/** Cooldowns and records name deployments by id: two deployments must not share one. */
function requireUniqueIds(deployments: readonly DeploymentConfig[], problems: string[]): void {
  const seen = new Map<string, string>();
  for (const deployment of deployments) {
    const first = seen.get(deployment.id);
    if (first !== undefined) problems.push(`${deployment.path}.model_info.id: "${deployment.id}" is already the id of ${first}`);
    else seen.set(deployment.id, deployment.path);
  }
}

function parseModelList(value: unknown, problems: string[], warnings: string[]): ParsedDeployment[] {
  if (value === undefined || value === null) {
    problems.push('model_list: is required and must list at least one model');
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push('model_list: must be a list');
    return [];
  }
  if (value.length === 0) problems.push('model_list: must list at least one model');
  const deployments: ParsedDeployment[] = [];
  value.forEach((entry: unknown, index) => {
    const deployment = parseDeployment(entry, `model_list[${index}]`, problems, warnings);
    if (deployment) deployments.push(deployment);
  });
  return deployments;
}

function parseDeployment(entry: unknown, path: string, problems: string[], warnings: string[]): ParsedDeployment | undefined {
  if (!isMapping(entry)) {
    problems.push(`${path}: must be a mapping with model_name and litellm_params`);
    return undefined;
  }
  warnUnknownKeys(entry, DEPLOYMENT_KEYS, path, warnings);
  const before = problems.length;
  const modelName = entry['model_name'];
  if (typeof modelName !== 'string' || modelName.trim() === '') {
    problems.push(`${path}.model_name: is required and must be a non-empty string`);
  }
  const params = entry['litellm_params'];
  if (!isMapping(params)) {
    problems.push(`${path}.litellm_params: is required and must be a mapping`);
    return undefined;
  }
  const paramsPath = `${path}.litellm_params`;
  warnUnknownKeys(params, PARAM_KEYS, paramsPath, warnings);

  const { provider, upstreamModel } = parseModelReference(params['model'], `${paramsPath}.model`, problems);
  const entryOfProvider = provider === undefined ? undefined : PROVIDERS[provider];

  const apiKey = optionalConfigString(params['api_key'], `${paramsPath}.api_key`, problems);
  const apiBase = optionalConfigString(params['api_base'], `${paramsPath}.api_base`, problems);
  const apiVersion = optionalConfigString(params['api_version'], `${paramsPath}.api_version`, problems);
  if (typeof apiBase === 'string' && !/^https?:\/\//.test(apiBase)) {
    problems.push(`${paramsPath}.api_base: must be an http(s) URL, got "${apiBase}"`);
  }
  if (entryOfProvider?.requiresApiBase && apiBase === undefined) {
    problems.push(`${paramsPath}.api_base: is required for provider "${provider}"`);
  }
  const timeoutRules = { min: 0, exclusiveMin: true, max: MAX_TIMEOUT_SECONDS };
  const timeoutSeconds = optionalNumber(params['timeout'], `${paramsPath}.timeout`, problems, timeoutRules);
  const streamTimeoutSeconds = optionalNumber(params['stream_timeout'], `${paramsPath}.stream_timeout`, problems, timeoutRules);
  const extraHeaders = optionalStringMap(params['extra_headers'], `${paramsPath}.extra_headers`, problems);
  const modelInfo = optionalMapping(entry['model_info'], `${path}.model_info`, problems);

  const configuredId = modelInfo['id'];
  if (configuredId !== undefined && (typeof configuredId !== 'string' || configuredId.trim() === '')) {
    problems.push(`${path}.model_info.id: must be a non-empty string`);
  }

  const deployment: ParsedDeployment = {
    path,
    id: typeof configuredId === 'string' && configuredId.trim() !== '' ? configuredId : path,
    modelName: typeof modelName === 'string' ? modelName : '',
    provider: provider ?? '',
    upstreamModel: upstreamModel ?? '',
    apiKey,
    apiBase,
    apiVersion,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutMs(timeoutSeconds),
    streamTimeoutMs: streamTimeoutSeconds === undefined ? undefined : timeoutMs(streamTimeoutSeconds),
    weight: optionalNumber(params['weight'], `${paramsPath}.weight`, problems, { min: 0 }),
    rpm: optionalNumber(params['rpm'], `${paramsPath}.rpm`, problems, { min: 0, integer: true }),
    tpm: optionalNumber(params['tpm'], `${paramsPath}.tpm`, problems, { min: 0, integer: true }),
    ...parsePrices(params, paramsPath, problems),
    extraHeaders,
    awsRegion: typeof params['aws_region_name'] === 'string' ? params['aws_region_name'] : undefined,
    streamDelayMs: optionalNumber(params['stream_delay_ms'], `${paramsPath}.stream_delay_ms`, problems, { min: 0 }) ?? 0,
    modelInfo,
  };
  return problems.length === before ? deployment : undefined;
}

function parsePrices(params: Mapping, paramsPath: string, problems: string[]): Partial<Record<(typeof PRICE_KEYS)[keyof typeof PRICE_KEYS], number>> {
  const prices: Partial<Record<(typeof PRICE_KEYS)[keyof typeof PRICE_KEYS], number>> = {};
  for (const [key, field] of Object.entries(PRICE_KEYS)) {
    const price = optionalNumber(params[key], `${paramsPath}.${key}`, problems, { min: 0, max: MAX_PRICE_PER_TOKEN });
    if (price !== undefined) prices[field] = price;
  }
  return prices;
}

function parseModelReference(value: unknown, path: string, problems: string[]): { provider?: string; upstreamModel?: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${path}: is required, as "<provider>/<model>" (e.g. "openai/gpt-4o-mini")`);
    return {};
  }
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) {
    problems.push(`${path}: "${value}" must be "<provider>/<model>" (e.g. "openai/${value}")`);
    return {};
  }
  const provider = value.slice(0, slash);
  const upstreamModel = value.slice(slash + 1);
  if (!Object.hasOwn(PROVIDERS, provider)) {
    if (PLANNED_PROVIDERS.has(provider)) {
      problems.push(`${path}: provider "${provider}" is not supported by this version yet`);
    } else {
      const known = Object.keys(PROVIDERS).join(', ');
      problems.push(`${path}: unknown provider "${provider}" (known: ${known})`);
    }
    return {};
  }
  return { provider, upstreamModel };
}

function parseGeneralSettings(value: unknown, problems: string[], warnings: string[]): GeneralSettings {
  const settings = optionalMapping(value, 'general_settings', problems);
  warnUnknownKeys(settings, GENERAL_KEYS, 'general_settings', warnings);
  const maxRequestSizeMb =
    optionalNumber(settings['max_request_size_mb'], 'general_settings.max_request_size_mb', problems, { min: 0, exclusiveMin: true }) ??
    DEFAULT_MAX_REQUEST_SIZE_MB;
  const maxUpstreamResponseMb =
    optionalNumber(settings['max_upstream_response_mb'], 'general_settings.max_upstream_response_mb', problems, {
      min: 0,
      exclusiveMin: true,
      // V8's longest string is about 512 M characters: a larger answer could not be read whole anyway.
      max: 512,
    }) ??
    DEFAULT_MAX_UPSTREAM_RESPONSE_MB;
  const keepAliveSeconds =
    optionalNumber(settings['stream_keep_alive_seconds'], 'general_settings.stream_keep_alive_seconds', problems, { min: 0, exclusiveMin: true }) ??
    DEFAULT_KEEP_ALIVE_SECONDS;
  const keyCacheTtlSeconds =
    optionalNumber(settings['key_cache_ttl_seconds'], 'general_settings.key_cache_ttl_seconds', problems, { min: 0 }) ?? DEFAULT_KEY_CACHE_TTL_SECONDS;
  const reservationTtlSeconds =
    optionalNumber(settings['reservation_ttl_seconds'], 'general_settings.reservation_ttl_seconds', problems, { min: 0, exclusiveMin: true }) ??
    DEFAULT_RESERVATION_TTL_SECONDS;
  return {
    masterKey: optionalConfigString(settings['master_key'], 'general_settings.master_key', problems),
    maxRequestBytes: Math.round(maxRequestSizeMb * 1024 * 1024),
    maxUpstreamResponseBytes: Math.round(maxUpstreamResponseMb * 1024 * 1024),
    streamKeepAliveMs: Math.round(keepAliveSeconds * 1000),
    keyCacheTtlMs: Math.round(keyCacheTtlSeconds * 1000),
    limitsFailOpen: optionalBoolean(settings['limits_fail_open'], 'general_settings.limits_fail_open', problems) ?? false,
    budgetClampMaxTokens: optionalBoolean(settings['budget_clamp_max_tokens'], 'general_settings.budget_clamp_max_tokens', problems) ?? true,
    reservationTtlMs: Math.round(reservationTtlSeconds * 1000),
    responseTtlDays: optionalNumber(settings['response_ttl_days'], 'general_settings.response_ttl_days', problems, { min: 0, exclusiveMin: true, max: 3650 }),
  };
}

