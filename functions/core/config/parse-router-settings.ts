import type { FallbackMap, RouterSettings, RoutingStrategy } from './config-types.js';
import { isMapping, MAX_TIMEOUT_SECONDS, optionalBoolean, optionalMapping, optionalNumber, timeoutMs, warnUnknownKeys, type Mapping } from './config-values.js';

const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['simple-shuffle', 'latency-based-routing', 'cost-based-routing', 'usage-based-routing'];

/** LiteLLM's defaults where it has one (allowed_fails 3, cooldown_time 5 s); ours are named in the README. */
export const DEFAULT_ROUTER_SETTINGS: RouterSettings = {
  routingStrategy: 'simple-shuffle',
  numRetries: 2,
  retryAfterMs: 0,
  maxRetryWaitMs: 8_000,
  fallbacks: {},
  contextWindowFallbacks: {},
  contentPolicyFallbacks: {},
  defaultFallbacks: [],
  allowedFails: 3,
  cooldownMs: 5_000,
  cooldownCacheMs: 2_000,
};

export const DEFAULT_TIMEOUT_MS = 600_000;

const ROUTER_KEYS = new Set([
  'routing_strategy',
  'num_retries',
  'retry_after',
  'max_retry_wait_seconds',
  'timeout',
  'stream_timeout',
  'fallbacks',
  'context_window_fallbacks',
  'content_policy_fallbacks',
  'default_fallbacks',
  'allowed_fails',
  'cooldown_time',
  'disable_cooldowns',
  'cooldown_cache_seconds',
]);

export interface ParsedRouterSettings {
  settings: RouterSettings;
  /** Router-wide defaults for deployments that set no `timeout` / `stream_timeout` of their own. */
  timeoutMs?: number;
  streamTimeoutMs?: number;
}

/**
 * `router_settings` with LiteLLM's names, so a LiteLLM proxy config carries over. Fallback
 * lists must name models of `model_list`: a typo would otherwise surface only during an outage.
 */
export function parseRouterSettings(value: unknown, modelNames: ReadonlySet<string>, problems: string[], warnings: string[]): ParsedRouterSettings {
  const raw = optionalMapping(value, 'router_settings', problems);
  warnUnknownKeys(raw, ROUTER_KEYS, 'router_settings', warnings);
  const defaults = DEFAULT_ROUTER_SETTINGS;
  const seconds = (key: string, rules: { min: number; exclusiveMin?: boolean }): number | undefined => {
    const number = optionalNumber(raw[key], `router_settings.${key}`, problems, rules);
    return number === undefined ? undefined : Math.round(number * 1000);
  };

  const timeoutSeconds = (key: string): number | undefined => {
    const number = optionalNumber(raw[key], `router_settings.${key}`, problems, { min: 0, exclusiveMin: true, max: MAX_TIMEOUT_SECONDS });
    return number === undefined ? undefined : timeoutMs(number);
  };

  const strategy = raw['routing_strategy'];
  let routingStrategy = defaults.routingStrategy;
  if (strategy !== undefined && strategy !== null) {
    if (typeof strategy === 'string' && (ROUTING_STRATEGIES as readonly string[]).includes(strategy)) routingStrategy = strategy as RoutingStrategy;
    else problems.push(`router_settings.routing_strategy: must be one of ${ROUTING_STRATEGIES.join(', ')}`);
  }
  const cooldownsDisabled = optionalBoolean(raw['disable_cooldowns'], 'router_settings.disable_cooldowns', problems) === true;
  const allowedFails = optionalNumber(raw['allowed_fails'], 'router_settings.allowed_fails', problems, { min: 0, integer: true }) ?? defaults.allowedFails;

  const settings: RouterSettings = {
    routingStrategy,
    numRetries: optionalNumber(raw['num_retries'], 'router_settings.num_retries', problems, { min: 0, integer: true }) ?? defaults.numRetries,
    retryAfterMs: seconds('retry_after', { min: 0 }) ?? defaults.retryAfterMs,
    maxRetryWaitMs: seconds('max_retry_wait_seconds', { min: 0 }) ?? defaults.maxRetryWaitMs,
    fallbacks: parseFallbackMap(raw['fallbacks'], 'router_settings.fallbacks', modelNames, problems),
    contextWindowFallbacks: parseFallbackMap(raw['context_window_fallbacks'], 'router_settings.context_window_fallbacks', modelNames, problems),
    contentPolicyFallbacks: parseFallbackMap(raw['content_policy_fallbacks'], 'router_settings.content_policy_fallbacks', modelNames, problems),
    defaultFallbacks: parseModelNameList(raw['default_fallbacks'], 'router_settings.default_fallbacks', modelNames, problems),
    allowedFails: cooldownsDisabled ? 0 : allowedFails,
    cooldownMs: seconds('cooldown_time', { min: 0 }) ?? defaults.cooldownMs,
    cooldownCacheMs: seconds('cooldown_cache_seconds', { min: 0 }) ?? defaults.cooldownCacheMs,
  };
  return {
    settings,
    timeoutMs: timeoutSeconds('timeout'),
    streamTimeoutMs: timeoutSeconds('stream_timeout'),
  };
}

/** `[{"gpt-4o": ["claude-sonnet", "gemini-pro"]}]` as LiteLLM writes it, or one mapping `{gpt-4o: [...]}`. */
function parseFallbackMap(value: unknown, path: string, modelNames: ReadonlySet<string>, problems: string[]): FallbackMap {
  if (value === undefined || value === null) return {};
  const entries: Array<[string, unknown, string]> = [];
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (!isMapping(item)) {
        problems.push(`${path}[${index}]: must be a mapping of a model name to the list of models to try next`);
        return;
      }
      for (const [model, list] of Object.entries(item)) entries.push([model, list, `${path}[${index}].${model}`]);
    });
  } else if (isMapping(value)) {
    for (const [model, list] of Object.entries(value as Mapping)) entries.push([model, list, `${path}.${model}`]);
  } else {
    problems.push(`${path}: must be a list such as [{"gpt-4o": ["claude-sonnet"]}]`);
    return {};
  }
  const map: Record<string, string[]> = {};
  for (const [model, list, entryPath] of entries) {
    if (!modelNames.has(model)) problems.push(`${entryPath}: "${model}" is not a model_name in model_list`);
    const targets = parseModelNameList(list, entryPath, modelNames, problems).filter((target) => target !== model);
    map[model] = [...new Set([...(map[model] ?? []), ...targets])];
  }
  return map;
}

function parseModelNameList(value: unknown, path: string, modelNames: ReadonlySet<string>, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    problems.push(`${path}: must be a list of model names`);
    return [];
  }
  for (const name of list) {
    if (!modelNames.has(name)) problems.push(`${path}: "${name}" is not a model_name in model_list`);
  }
  return [...new Set(list as string[])];
}
