/**
 * Rate-limit windows, budgets and reservations, counted where every gateway instance
 * sees the same numbers (DynamoDB, with conditional writes). The core decides what to
 * check and what to say; the store makes each check-and-count atomic.
 */

/** One scope's limits for one request: a key, its tenant, or one of the tenant's end users. */
export interface ScopeAdmission {
  /** e.g. `key:key_ab12`, `tenant:acme`, `enduser:acme:alice`. */
  scope: string;
  /** Admit only while this minute's request count is below it (the request counts itself). */
  rpmLimit?: number;
  /** Admit only while this minute's token count is below it (tokens are added at settlement). */
  tpmLimit?: number;
  /** Reserve `reserveMicros` only if spent + outstanding reservations + it stay within `limitMicros`. */
  budget?: { period: string; limitMicros: number; reserveMicros: number };
  /**
   * Admit only while fewer than this many of the scope's requests are in flight; the request then
   * holds one slot until its settlement (or its marker's expiry) gives it back. Needs `settles`.
   */
  parallelLimit?: number;
  /** A settlement will follow (TPM, a budget or a parallel slot): the store keeps a per-request marker so that it counts once. */
  settles: boolean;
}

export interface AdmitInput {
  requestId: string;
  nowMs: number;
  /** The current one-minute window index. */
  minute: number;
  /** A reservation (and parallel slot) not settled by then may be released (its invocation died). */
  reservationExpiresAtMs: number;
  scopes: ScopeAdmission[];
}

/** Counts seen after admitting, where the store can tell them cheaply (for x-ratelimit-* headers). */
export interface ScopeCounts {
  requestsThisMinute?: number;
  tokensThisMinute?: number;
  committedMicros?: number;
}

export type AdmitResult =
  | { admitted: true; counts: Record<string, ScopeCounts> }
  | {
      admitted: false;
      scope: string;
      limit: 'rpm' | 'tpm' | 'parallel' | 'budget';
      /** Budget refusals: what the budget can still buy, when known. */
      remainingMicros?: number;
    };

export interface ScopeSettlement {
  scope: string;
  /** Tokens to add to this minute's TPM count. */
  tokens?: number;
  budget?: { period: string; reservedMicros: number; actualMicros: number };
  /** The request holds a parallel slot here (it was admitted with a `parallelLimit`): give it back. */
  releasesSlot?: boolean;
}

export interface SettleInput {
  requestId: string;
  nowMs: number;
  minute: number;
  scopes: ScopeSettlement[];
}

export interface CounterStore {
  /** Checks and counts every scope atomically: either all are counted, or none. */
  admit(input: AdmitInput): Promise<AdmitResult>;
  /**
   * Replaces each reservation with the actual cost, adds the tokens and gives back the parallel
   * slot. Idempotent per request id: a retried settlement counts once; a settlement arriving
   * after its reservation expired still records the actual cost (its slot was given back then).
   */
  settle(input: SettleInput): Promise<void>;
}

/**
 * The store could not be reached, timed out, was throttled or failed on its side (as opposed to a
 * limit refusing): the only error `limits_fail_open` may admit without limits for.
 */
export class CounterStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The counter store is unavailable.', { cause });
    this.name = 'CounterStoreUnavailableError';
  }
}

/**
 * The store answered, and refused the request itself (a validation error such as an oversized
 * key or number, a missing table, denied access). Not unavailability: retrying or admitting
 * without limits would let whoever caused it skip limits, so the request fails instead.
 */
export class CounterStoreRejectedError extends Error {
  /** The store's own error name (e.g. `ValidationException`): safe to log, unlike its message. */
  readonly reason: string;

  constructor(reason: string, cause: unknown) {
    super(`The counter store rejected the request (${reason}).`, { cause });
    this.name = 'CounterStoreRejectedError';
    this.reason = reason;
  }
}
