/**
 * One usage record per request that reached admission (served, refused by a limit, or
 * failed upstream). Sent to SQS when the response is complete; the aggregator turns
 * records into roll-ups, idempotently per `request_id`.
 */
export interface UsageRecord {
  /**
   * Schema version, for evolving the record without breaking the aggregator. 2 since issue 12
   * (cache tokens, exact cost); a version-1 record (`cached_prompt_tokens`, `cost_micros`) is
   * migrated by parseUsageRecord (see upgradeUsageRecord), so queued and stored ones stay readable.
   */
  v: 2;
  /** The gateway's own id for the request: reservations, settlements and this record are keyed by it. */
  request_id: string;
  /** The client's `x-request-id`, when it sent a well-formed one: for correlation only, never a key. */
  client_request_id?: string;
  /** ISO-8601, UTC, when the request arrived. */
  timestamp: string;
  /** `master` for the master key. */
  tenant_id: string;
  /** `master` for the master key. */
  key_id: string;
  end_user?: string;
  /** The public model name that served (or was last attempted): the client's, or a fallback. */
  model: string;
  /** The public model name the client sent, when a fallback served instead. */
  requested_model?: string;
  provider: string;
  upstream_model: string;
  /** The deployment's place in the config, e.g. `model_list[2]`. */
  deployment: string;
  /** 'chat' | 'embeddings' | 'responses' */
  operation: 'chat' | 'embeddings' | 'responses';
  /** HTTP status the client got. */
  status: number;
  /** OpenAI error code for failures (`insufficient_quota`, `upstream_timeout`, …). */
  error_code?: string;
  stream: boolean;
  /** Every prompt token, as OpenAI counts them: uncached input, cache reads and cache writes. */
  prompt_tokens: number;
  completion_tokens: number;
  /** Of the prompt tokens, those read from the provider's prompt cache (was `cached_prompt_tokens`). */
  cache_read_tokens: number;
  /** Of the prompt tokens, those written to the cache (every lifetime). */
  cache_write_tokens: number;
  /** Of the cache writes, those with a 1-hour lifetime (Anthropic); the rest are 5-minute writes. */
  cache_write_1h_tokens: number;
  /** Of the completion tokens, those spent reasoning (already counted in completion_tokens). */
  reasoning_tokens: number;
  /**
   * The exact cost in integer pico-USD (1e-12): the unit every sum is made in. Exact up to
   * Number.MAX_SAFE_INTEGER (about $9,007 for one request).
   */
  cost_picos: number;
  /** `cost_picos` in USD, for reading; sums are made from cost_picos. */
  cost_usd: number;
  /** The deployment had no known price (see resolve-pricing.ts): the cost is what its known prices make, likely too low. */
  unpriced?: boolean;
  /** True when the provider gave no usage and the tokens are the gateway's estimate. */
  estimated: boolean;
  /** The provider reported usage the gateway could not trust (negative, fractional, absurdly large): the tokens are estimated instead. */
  upstream_usage_rejected?: boolean;
  latency_ms: number;
  /** Streams only: from arrival to the first byte sent to the client. */
  ttft_ms?: number;
  /** Attempts at deployments: 1 without retries or fallbacks (0 if none was made). */
  attempts: number;
  /** True when a fallback model served (or was last attempted). */
  fallback: boolean;
  /** Each attempt, in order: which deployment, how it ended, how long it took. */
  attempt_log?: UsageAttempt[];
  /** From `x-gateway-tags: a,b` and the body's `metadata.tags`. */
  tags: string[];
  /** The body's `metadata` (when the provider does not need it), minus `tags`. */
  metadata?: Record<string, unknown>;
  traceparent?: string;
  trace_id?: string;
  /** An agent run spanning many calls (`x-run-id`); its roll-up belongs to the record's tenant. */
  run_id?: string;
  /**
   * Fields the aggregator had to change to store the record (a value over 256 bytes kept as a
   * prefix and a hash, unstorable metadata removed): see sanitize-usage-record.ts.
   */
  sanitized_fields?: string[];
}

export interface UsageAttempt {
  model: string;
  /** The deployment's id (`model_info.id`, else its place in the config). */
  deployment: string;
  provider: string;
  /** 200 when it served, else the status of its error. */
  status: number;
  latency_ms: number;
  error_code?: string;
}

export const MASTER_SCOPE = 'master';

/** Where records go. On Lambda: SQS (with a direct-write fallback); locally: an in-process queue. */
export interface UsageSink {
  /** Resolves once the record is safely handed over (or written by the fallback). Never throws. */
  record(record: UsageRecord): Promise<void>;
}
