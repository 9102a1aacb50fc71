import { GatewayError, ServiceUnavailableError } from '../errors.js';

export function rateLimitError(message: string, retryAfterSeconds: number, code: 'rate_limit_exceeded' | 'tokens_rate_limit_exceeded'): GatewayError {
  return new GatewayError({
    status: 429,
    message,
    type: 'rate_limit_error',
    code,
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
}

/**
 * `max_parallel_requests` reached: a slot frees as soon as one of the scope's requests ends, so
 * the client is told to retry after a second rather than at the end of a window.
 */
export function parallelLimitError(who: string, limit: number): GatewayError {
  return new GatewayError({
    status: 429,
    message: `Parallel request limit reached for ${who}: at most ${limit} ${limit === 1 ? 'request' : 'requests'} in flight at once. Retry after 1s.`,
    type: 'rate_limit_error',
    code: 'parallel_request_limit_reached',
    headers: { 'retry-after': '1' },
  });
}

/** OpenAI's own code for an exhausted quota, so clients that special-case it keep working. */
export function budgetExhaustedError(message: string, retryAfterSeconds: number | undefined): GatewayError {
  return new GatewayError({
    status: 429,
    message,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
}

export function modelNotAllowedError(who: string, model: string, allowed: readonly string[]): GatewayError {
  return new GatewayError({
    status: 403,
    message: `${who} may not use model "${model}". Allowed: ${allowed.join(', ')}.`,
    type: 'permission_error',
    param: 'model',
    code: 'model_not_allowed',
  });
}

/**
 * A budget applies but the model has no price, so its cost could not be counted against it. Refused
 * rather than served free: a budget that silently does not bind is the failure budgets exist to prevent.
 */
export function modelNotPricedError(model: string, budgetOf: string): GatewayError {
  return new GatewayError({
    status: 403,
    message:
      `Model ${model} has no price, so the budget of ${budgetOf} cannot bind on it; ` +
      'set input_cost_per_token/output_cost_per_token in the config.',
    type: 'permission_error',
    param: 'model',
    code: 'model_not_priced',
  });
}

export function limitsUnavailableError(): GatewayError {
  return new ServiceUnavailableError('Rate limits and budgets cannot be checked right now, so the request was not admitted. Retry shortly.', 'limits_unavailable');
}
