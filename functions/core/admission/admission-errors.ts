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

export function limitsUnavailableError(): GatewayError {
  return new ServiceUnavailableError('Rate limits and budgets cannot be checked right now, so the request was not admitted. Retry shortly.', 'limits_unavailable');
}
