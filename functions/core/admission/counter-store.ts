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
  /** A settlement will follow (TPM or a budget): the store keeps a per-request marker so that it counts once. */
  settles: boolean;
}

export interface AdmitInput {
  requestId: string;
  nowMs: number;
  /** The current one-minute window index. */
  minute: number;
  /** A reservation not settled by then may be released (its invocation died). */
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
      limit: 'rpm' | 'tpm' | 'budget';
      /** Budget refusals: what the budget can still buy, when known. */
      remainingMicros?: number;
    };

export interface ScopeSettlement {
  scope: string;
  /** Tokens to add to this minute's TPM count. */
  tokens?: number;
  budget?: { period: string; reservedMicros: number; actualMicros: number };
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
   * Replaces each reservation with the actual cost and adds the tokens. Idempotent per
   * request id: a retried settlement counts once; a settlement arriving after its
   * reservation expired still records the actual cost.
   */
  settle(input: SettleInput): Promise<void>;
}

/** The store could not be reached or was throttled (as opposed to a limit refusing). */
export class CounterStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The counter store is unavailable.', { cause });
    this.name = 'CounterStoreUnavailableError';
  }
}
