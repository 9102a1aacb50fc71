/**
 * Tenants and their virtual keys, as stored and as the admin API shows them
 * (snake_case, as LiteLLM and OpenAI name things on the wire).
 */

/** `1d`, `7d`, `30d`: rolling-free fixed periods counted from the Unix epoch (UTC); `1mo`: the calendar month (UTC). */
export type BudgetDuration = '1d' | '7d' | '30d' | '1mo';

export const BUDGET_DURATIONS: readonly BudgetDuration[] = ['1d', '7d', '30d', '1mo'];

export interface Tenant {
  id: string;
  name: string;
  /** USD per `budget_duration` (or for the tenant's lifetime when no duration is set). */
  max_budget?: number;
  budget_duration?: BudgetDuration;
  rpm_limit?: number;
  tpm_limit?: number;
  /** Allowed public model names; absent or empty = all. */
  models?: string[];
  /** USD per `budget_duration` for each of the tenant's end users (the OpenAI `user` field). */
  end_user_max_budget?: number;
  /** Requests of this tenant in flight at once, across every gateway instance (LiteLLM's name); absent = unbounded. */
  max_parallel_requests?: number;
  metadata: Record<string, unknown>;
  /** ISO-8601. */
  created_at: string;
}

export type KeyStatus = 'active' | 'revoked';

/** A virtual key as stored: the secret itself is never kept, only its SHA-256. */
export interface VirtualKey {
  /** Public id, e.g. `key_3f9c…`; safe to log. */
  id: string;
  tenant_id: string;
  name?: string;
  /** Hex SHA-256 of the secret `sk-…`. Keys are 256-bit random, so an unsalted hash is enough. */
  key_hash: string;
  /** The first characters of the secret (`sk-gw-ab12`), to recognise a key in lists. */
  key_prefix: string;
  models?: string[];
  max_budget?: number;
  budget_duration?: BudgetDuration;
  rpm_limit?: number;
  tpm_limit?: number;
  /** ISO-8601; absent = never. */
  expires_at?: string;
  /** May send LiteLLM's per-request `fallbacks` / `num_retries` / `timeout` (ignored otherwise). */
  allow_routing_overrides?: boolean;
  /** Requests of this key in flight at once, across every gateway instance (LiteLLM's name); absent = unbounded. */
  max_parallel_requests?: number;
  status: KeyStatus;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** A key with its tenant, as authentication needs them together. */
export interface KeyWithTenant {
  key: VirtualKey;
  tenant: Tenant;
}
