/** The parsed config: LiteLLM proxy's `config.yaml` shape, narrowed to what the gateway uses. */

/** A `os.environ/NAME` reference, resolved through the SecretSource at start-up. */
export interface SecretReference {
  readonly secretName: string;
}

export type ConfigString = string | SecretReference;

export interface DeploymentConfig {
  /** Where it sits in the file, e.g. `model_list[2]`, for messages. */
  readonly path: string;
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
  /** Upper bound on waiting for the provider: for its response headers and between body bytes. */
  readonly timeoutMs: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly inputCostPerToken?: number;
  readonly outputCostPerToken?: number;
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
}

export interface GatewayConfig {
  readonly deployments: readonly DeploymentConfig[];
  /** Parsed and kept; routing comes later. */
  readonly routerSettings: Readonly<Record<string, unknown>>;
  readonly litellmSettings: Readonly<Record<string, unknown>>;
  readonly generalSettings: GeneralSettings;
}

export function isSecretReference(value: unknown): value is SecretReference {
  return typeof value === 'object' && value !== null && 'secretName' in value;
}
