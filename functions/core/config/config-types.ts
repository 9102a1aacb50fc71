/** The parsed config: LiteLLM proxy's `config.yaml` shape, narrowed to what the gateway uses. */

/** A `os.environ/NAME` reference, resolved through the SecretSource at start-up. */
export interface SecretReference {
  readonly secretName: string;
}

export type ConfigString = string | SecretReference;

export interface DeploymentConfig {
  /** Where it sits in the file, e.g. `model_list[2]`, for messages. */
  readonly path: string;
  /**
   * Names the deployment in cooldowns, usage records and headers: `model_info.id` when given
   * (stable across config edits), else the path.
   */
  readonly id: string;
  /** The name clients send as `model`. */
  readonly modelName: string;
  /** The provider prefix of `litellm_params.model` (`openai`, `azure`, `groq`, `demo`…). */
  readonly provider: string;
  /** The rest of `litellm_params.model`: the upstream model, or the Azure deployment. */
  readonly upstreamModel: string;
  readonly apiKey?: ConfigString;
  readonly apiBase?: ConfigString;
  readonly apiVersion?: ConfigString;
  /** Bedrock: the AWS region of the deployment (`aws_region_name`). */
  readonly awsRegion?: string;
  /**
   * `timeout`: the whole attempt for a non-streaming request, and the longest silence between
   * bytes of any response; past it the next deployment or fallback is tried.
   * Defaults to `router_settings.timeout`, else 600 s.
   */
  readonly timeoutMs: number;
  /** `stream_timeout`: how long a stream may take to its first token before the next deployment is tried. Defaults to `router_settings.stream_timeout`, else `timeout`. */
  readonly streamTimeoutMs: number;
  /** simple-shuffle's share of traffic (`weight`); absent = by `rpm`, else equal. */
  readonly weight?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  /** LiteLLM's price keys, USD per token; absent = from the price catalog (see pricing/resolve-pricing.ts). */
  readonly inputCostPerToken?: number;
  readonly outputCostPerToken?: number;
  /** `cache_read_input_token_cost`: prompt tokens read from the provider's cache. */
  readonly cacheReadCostPerToken?: number;
  /** `cache_creation_input_token_cost`: prompt tokens written to the cache (the default, 5-minute lifetime). */
  readonly cacheWriteCostPerToken?: number;
  /** `cache_creation_input_token_cost_above_1hr`: prompt tokens written to the cache with a 1-hour lifetime. */
  readonly cacheWrite1hCostPerToken?: number;
  /** `input_cost_per_token_above_200k_tokens`: the input price of a whole request whose prompt exceeds 200,000 tokens. */
  readonly inputCostPerTokenAbove200k?: number;
  /** `output_cost_per_token_above_200k_tokens`: the output price of such a request. */
  readonly outputCostPerTokenAbove200k?: number;
  /** Extra headers sent upstream (`extra_headers`). */
  readonly extraHeaders: Readonly<Record<string, string>>;
  /** Demo provider only: milliseconds between streamed words. */
  readonly streamDelayMs: number;
  /** `model_info`, kept as given. */
  readonly modelInfo: Readonly<Record<string, unknown>>;
}

export interface GeneralSettings {
  readonly masterKey?: ConfigString;
  readonly maxRequestBytes: number;
  /**
   * The largest upstream answer read whole (a non-streamed completion, embeddings), and the largest
   * single event of a stream; past it the attempt fails with 502 `upstream_response_too_large`.
   */
  readonly maxUpstreamResponseBytes: number;
  /** Interval of `: keep-alive` comments during upstream silences in a stream. */
  readonly streamKeepAliveMs: number;
  /** How long a virtual key lookup is trusted: revocations and edits take effect within it. */
  readonly keyCacheTtlMs: number;
  /** Admit without limits when the counter store is unreachable (default false: refuse with 503). */
  readonly limitsFailOpen: boolean;
  /** Clamp max_tokens to what the remaining budget buys instead of refusing (default true). */
  readonly budgetClampMaxTokens: boolean;
  /** A reservation older than this is released (its invocation died); longer than the longest request. */
  readonly reservationTtlMs: number;
  /** How long a stored Responses API response can be read and continued; absent = 30 days. */
  readonly responseTtlDays?: number;
}

export interface GatewayConfig {
  readonly deployments: readonly DeploymentConfig[];
  readonly routerSettings: RouterSettings;
  readonly litellmSettings: Readonly<Record<string, unknown>>;
  readonly generalSettings: GeneralSettings;
}

export type RoutingStrategy = 'simple-shuffle' | 'latency-based-routing' | 'cost-based-routing' | 'usage-based-routing';

/** Public model name → the models to try next, in order. */
export type FallbackMap = Readonly<Record<string, readonly string[]>>;

/** `router_settings`, with LiteLLM's names: how deployments are chosen, retried, cooled down and fallen back from. */
export interface RouterSettings {
  readonly routingStrategy: RoutingStrategy;
  /** Further attempts within one model (other deployments first, then the same one after a backoff). */
  readonly numRetries: number;
  /** `retry_after`: the least time to wait before attempting the same deployment again. */
  readonly retryAfterMs: number;
  /** The longest backoff, and the longest upstream `Retry-After` honoured (a longer one moves on instead of waiting). */
  readonly maxRetryWaitMs: number;
  readonly fallbacks: FallbackMap;
  /** Tried when a model refuses a prompt as too long for its context window. */
  readonly contextWindowFallbacks: FallbackMap;
  /** Tried when a model refuses on content policy grounds. */
  readonly contentPolicyFallbacks: FallbackMap;
  /** Tried for any model without its own `fallbacks` entry. */
  readonly defaultFallbacks: readonly string[];
  /** Failures of one deployment within a minute that start its cooldown; 0 = never cool down. */
  readonly allowedFails: number;
  readonly cooldownMs: number;
  /** How stale this instance's view of other instances' cooldowns may be. */
  readonly cooldownCacheMs: number;
}

export function isSecretReference(value: unknown): value is SecretReference {
  return typeof value === 'object' && value !== null && 'secretName' in value;
}
