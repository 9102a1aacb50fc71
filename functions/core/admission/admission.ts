import type { Principal } from '../auth/key-store.js';
import { GatewayError, InternalGatewayError } from '../errors.js';
import type { Logger } from '../ports.js';
import { affordableOutputTokens, reservationMicros, type Pricing } from '../pricing/cost.js';
import type { Tenant, VirtualKey } from '../tenancy/tenancy-types.js';
import { budgetExhaustedError, limitsUnavailableError, modelNotAllowedError, modelNotPricedError, parallelLimitError, rateLimitError } from './admission-errors.js';
import { CounterStoreRejectedError, CounterStoreUnavailableError, type AdmitResult, type CounterStore, type ScopeAdmission, type ScopeCounts } from './counter-store.js';
import { budgetPeriod, formatResetDuration, minuteWindow } from './periods.js';

export interface AdmissionSettings {
  /** Clamp max_tokens to what the remaining budget can buy instead of refusing. */
  clampMaxTokens: boolean;
  /** How long a reservation holds budget before it may be released (longer than the longest request). */
  reservationTtlMs: number;
  /** Admit without limits when the counter store is unavailable (throttled, unreachable, 5xx); default: refuse with 503. Never for a store that rejects the request. */
  failOpen: boolean;
}

/** What settlement needs to know about one admitted request. */
export interface AdmissionTicket {
  requestId: string;
  pricing: Pricing;
  promptEstimate: number;
  /** Scopes with a TPM limit, a budget or a parallel limit; each gets its tokens (and cost) added, and its slot given back, at settlement. */
  scopes: Array<{ scope: string; countsTokens: boolean; budget?: { period: string; reservedMicros: number }; releasesSlot?: boolean }>;
}

export interface Admission {
  /** Absent when nothing needs settling (master key, no TPM, budget or parallel limit, or admitted open). */
  ticket?: AdmissionTicket;
  /** `x-ratelimit-*` for the response. */
  headers: Record<string, string>;
  /** Set when the budget could not buy the requested output: send this max_tokens instead. */
  clampedMaxTokens?: number;
}

export interface AdmissionRequest {
  principal: Principal;
  model: string;
  endUser?: string;
  /** The prompt's size in tokens, estimated from the request (see estimatePromptTokens). */
  promptEstimate: number;
  /** The client's `max_completion_tokens ?? max_tokens`. */
  requestedMaxTokens?: number;
  pricing: Pricing;
  /** A model that may serve (the requested one or a fallback) without a known price: no budget can bind on it. */
  unpricedModel?: string;
  requestId: string;
  nowMs: number;
}

const MAX_CLAMP_ATTEMPTS = 3;

/** Refuses models outside the key's or the tenant's allow-list (403). */
export function checkModelAllowed(principal: Principal, model: string): void {
  if (principal.kind === 'master') return;
  const { key, tenant } = principal;
  if (key.models && key.models.length > 0 && !key.models.includes(model)) throw modelNotAllowedError(`API key ${key.id}`, model, key.models);
  if (tenant.models && tenant.models.length > 0 && !tenant.models.includes(model)) {
    throw modelNotAllowedError(`Tenant ${tenant.id}`, model, tenant.models);
  }
}

/** Whether the principal may see/use a model at all (for GET /v1/models). */
export function isModelAllowed(principal: Principal, model: string): boolean {
  try {
    checkModelAllowed(principal, model);
    return true;
  } catch {
    return false;
  }
}

/**
 * Admission: RPM, TPM, parallel requests (`max_parallel_requests`) and budget reservations
 * for the key, its tenant and the end user, checked and counted in one atomic store call. The reservation is the worst case
 * (prompt estimate × the dearest prompt price + max output × output price, see worstCasePrices); when the budget cannot
 * buy that, max_tokens is clamped to what it can buy (if enabled) rather than refused. A request that a budget
 * applies to is refused (403 `model_not_priced`) when a model that may serve it has no known price.
 */
export async function admitRequest(store: CounterStore, settings: AdmissionSettings, logger: Logger, request: AdmissionRequest): Promise<Admission> {
  if (request.principal.kind === 'master') return { headers: {} };
  const { key, tenant } = request.principal;
  const minute = minuteWindow(request.nowMs);
  const { promptEstimate } = request;
  const pricing = request.pricing;
  let outputTokens = request.requestedMaxTokens ?? pricing.maxOutputTokens;
  let clamped = false;

  for (let attempt = 0; ; attempt++) {
    const reserveMicros = reservationMicros(promptEstimate, outputTokens, pricing);
    const scopes = planScopes(key, tenant, request.endUser, reserveMicros, request.nowMs);
    if (scopes.length === 0) return { headers: {} };
    // A budget that cannot count what a model costs does not bind: refused before anything is counted.
    const budgeted = scopes.find((scope) => scope.budget !== undefined);
    if (budgeted !== undefined && request.unpricedModel !== undefined) {
      throw modelNotPricedError(request.unpricedModel, describeScope(budgeted.scope, key, tenant, request.endUser));
    }

    // A reservation larger than a whole budget can never fit: clamp (or refuse) before asking the store.
    const tightest = Math.min(...scopes.map((scope) => scope.budget?.limitMicros ?? Number.MAX_SAFE_INTEGER));
    if (reserveMicros > tightest && settings.clampMaxTokens && attempt < MAX_CLAMP_ATTEMPTS) {
      const affordable = affordableOutputTokens(tightest, promptEstimate, pricing);
      if (affordable >= 1 && affordable < outputTokens) {
        outputTokens = affordable;
        clamped = true;
        continue;
      }
    }

    let result: AdmitResult;
    try {
      result = await store.admit({
        requestId: request.requestId,
        nowMs: request.nowMs,
        minute: minute.index,
        reservationExpiresAtMs: request.nowMs + settings.reservationTtlMs,
        scopes,
      });
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (!(error instanceof CounterStoreUnavailableError)) {
        // The store answered and refused the request itself (or failed in a way that is not an outage): skipping limits
        // would let whoever caused it bypass them, and the alarm is for outages. The reason is an error name, never a value.
        const reason = error instanceof CounterStoreRejectedError ? error.reason : error instanceof Error ? error.name : 'unknown';
        logger.error('admission.store_rejected', { requestId: request.requestId, keyId: key.id, error: reason });
        throw new InternalGatewayError();
      }
      if (settings.failOpen) {
        logger.error('admission.store_unavailable', { requestId: request.requestId, keyId: key.id, decision: 'fail_open' });
        return { headers: {} };
      }
      logger.error('admission.store_unavailable', { requestId: request.requestId, keyId: key.id, decision: 'fail_closed' });
      throw limitsUnavailableError();
    }

    if (result.admitted) {
      return {
        ticket: {
          requestId: request.requestId,
          pricing,
          promptEstimate,
          scopes: scopes
            .filter((scope) => scope.settles)
            .map((scope) => ({
              scope: scope.scope,
              countsTokens: scope.tpmLimit !== undefined || scope.budget !== undefined,
              budget: scope.budget ? { period: scope.budget.period, reservedMicros: scope.budget.reserveMicros } : undefined,
              releasesSlot: scope.parallelLimit !== undefined,
            })),
        },
        headers: rateLimitHeaders(key, tenant, result.counts, minute.endsAtMs - request.nowMs),
        clampedMaxTokens: clamped ? outputTokens : undefined,
      };
    }

    if (result.limit === 'budget' && settings.clampMaxTokens && result.remainingMicros !== undefined && attempt < MAX_CLAMP_ATTEMPTS) {
      const affordable = affordableOutputTokens(result.remainingMicros, promptEstimate, pricing);
      if (affordable >= 1 && affordable < outputTokens) {
        outputTokens = affordable;
        clamped = true;
        continue;
      }
    }
    const refused = refusal(result, key, tenant, request.endUser, request.nowMs, minute.endsAtMs);
    // Refusals carry the x-ratelimit-* headers too (a refused request counts nothing).
    const limits = rateLimitHeaders(key, tenant, {}, minute.endsAtMs - request.nowMs);
    if (result.limit === 'rpm' && limits['x-ratelimit-remaining-requests'] !== undefined) limits['x-ratelimit-remaining-requests'] = '0';
    if (result.limit === 'tpm' && limits['x-ratelimit-remaining-tokens'] !== undefined) limits['x-ratelimit-remaining-tokens'] = '0';
    Object.assign(refused.headers, limits);
    throw refused;
  }
}

function planScopes(key: VirtualKey, tenant: Tenant, endUser: string | undefined, reserveMicros: number, nowMs: number): ScopeAdmission[] {
  const scopes: ScopeAdmission[] = [];
  const add = (scope: string, rpm?: number, tpm?: number, maxBudget?: number, duration?: VirtualKey['budget_duration'], parallel?: number) => {
    const budget =
      maxBudget === undefined
        ? undefined
        : { period: budgetPeriod(duration, nowMs).key, limitMicros: Math.round(maxBudget * 1e6), reserveMicros };
    if (rpm === undefined && tpm === undefined && budget === undefined && parallel === undefined) return;
    scopes.push({ scope, rpmLimit: rpm, tpmLimit: tpm, budget, parallelLimit: parallel, settles: tpm !== undefined || budget !== undefined || parallel !== undefined });
  };
  add(`key:${key.id}`, key.rpm_limit, key.tpm_limit, key.max_budget, key.budget_duration, key.max_parallel_requests);
  add(`tenant:${tenant.id}`, tenant.rpm_limit, tenant.tpm_limit, tenant.max_budget, tenant.budget_duration, tenant.max_parallel_requests);
  if (endUser !== undefined && tenant.end_user_max_budget !== undefined) {
    add(`enduser:${tenant.id}:${endUser}`, undefined, undefined, tenant.end_user_max_budget, tenant.budget_duration);
  }
  return scopes;
}

function describeScope(scope: string, key: VirtualKey, tenant: Tenant, endUser: string | undefined): string {
  if (scope.startsWith('key:')) return `API key ${key.id}`;
  if (scope.startsWith('tenant:')) return `tenant ${tenant.id}`;
  return `end user "${endUser ?? ''}" of tenant ${tenant.id}`;
}

function refusal(
  result: Extract<AdmitResult, { admitted: false }>,
  key: VirtualKey,
  tenant: Tenant,
  endUser: string | undefined,
  nowMs: number,
  minuteEndsAtMs: number,
): GatewayError {
  const who = describeScope(result.scope, key, tenant, endUser);
  const isKey = result.scope.startsWith('key:');
  const isTenant = result.scope.startsWith('tenant:');
  const secondsToMinuteEnd = Math.ceil((minuteEndsAtMs - nowMs) / 1000);
  if (result.limit === 'rpm') {
    const limit = isKey ? key.rpm_limit : tenant.rpm_limit;
    return rateLimitError(`Rate limit reached for ${who}: ${limit} requests per minute. Retry after ${secondsToMinuteEnd}s.`, secondsToMinuteEnd, 'rate_limit_exceeded');
  }
  if (result.limit === 'tpm') {
    const limit = isKey ? key.tpm_limit : tenant.tpm_limit;
    return rateLimitError(`Token rate limit reached for ${who}: ${limit} tokens per minute. Retry after ${secondsToMinuteEnd}s.`, secondsToMinuteEnd, 'tokens_rate_limit_exceeded');
  }
  if (result.limit === 'parallel') return parallelLimitError(who, (isKey ? key.max_parallel_requests : tenant.max_parallel_requests) ?? 0);
  const budget = isKey ? key.max_budget : isTenant ? tenant.max_budget : tenant.end_user_max_budget;
  const duration = isKey ? key.budget_duration : tenant.budget_duration;
  const period = budgetPeriod(duration, nowMs);
  const per = duration === undefined ? 'in total' : `per ${duration}`;
  const retryAfter = duration === undefined ? undefined : Math.ceil((period.endsAtMs - nowMs) / 1000);
  return budgetExhaustedError(
    `Budget exhausted for ${who}: $${budget?.toFixed(2)} ${per}${retryAfter === undefined ? '' : `; it renews in ${formatResetDuration(period.endsAtMs - nowMs)}`}.`,
    retryAfter,
  );
}

/**
 * OpenAI-style `x-ratelimit-*` for the tightest RPM/TPM that applies (the key's, else the tenant's).
 * Remaining counts are exact when the store saw the count (one scope); otherwise they are omitted from the estimate and shown as the limit less this request.
 */
function rateLimitHeaders(key: VirtualKey, tenant: Tenant, counts: Record<string, ScopeCounts>, msToMinuteEnd: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = formatResetDuration(msToMinuteEnd);
  const tightest = (field: 'rpm_limit' | 'tpm_limit') => {
    const keyLimit = key[field];
    if (keyLimit !== undefined) return { limit: keyLimit, scope: `key:${key.id}` };
    const tenantLimit = tenant[field];
    return tenantLimit === undefined ? undefined : { limit: tenantLimit, scope: `tenant:${tenant.id}` };
  };
  // This request counts itself toward requests; its tokens are only known at settlement.
  const windows = [
    { field: 'rpm_limit', unit: 'requests', used: (scope: string) => counts[scope]?.requestsThisMinute ?? 1 },
    { field: 'tpm_limit', unit: 'tokens', used: (scope: string) => counts[scope]?.tokensThisMinute ?? 0 },
  ] as const;
  for (const { field, unit, used } of windows) {
    const applying = tightest(field);
    if (!applying) continue;
    headers[`x-ratelimit-limit-${unit}`] = String(applying.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(Math.max(0, applying.limit - used(applying.scope)));
    headers[`x-ratelimit-reset-${unit}`] = reset;
  }
  return headers;
}
