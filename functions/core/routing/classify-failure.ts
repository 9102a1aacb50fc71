import { UpstreamResponseTooLargeError, type GatewayError } from '../errors.js';

/**
 * What a failed attempt means for the next one:
 * - `retryable`: the deployment is struggling (connection error, timeout before the first
 *   byte, 429, 5xx, overloaded): try another deployment, or the same one after a backoff.
 * - `deployment`: this deployment cannot serve it (the provider refused our key, or does not
 *   know the model): try other deployments and fallbacks, never the same one again.
 * - `context_window` / `content_policy`: the prompt is too long for this model, or the model
 *   refused its content: only the matching fallbacks can help.
 * - `fatal`: the request itself is wrong (400): every model would refuse it; answer now.
 *   Also an answer larger than `max_upstream_response_mb`: its size follows from the request
 *   (n, max_tokens, a large embeddings batch) far more often than from a passing fault, and each
 *   further attempt would read up to the limit again; so no retry, no fallback, no cooldown.
 */
export type FailureKind = 'retryable' | 'deployment' | 'context_window' | 'content_policy' | 'fatal';

const CONTEXT_WINDOW = /context.length|context.window|maximum context|prompt is too long|too many (input )?tokens|input is too long|exceeds the maximum number of tokens|maximum number of tokens|reduce the length/i;
const CONTENT_POLICY = /content.policy|content.filter|content management policy|safety (system|filter)|responsibleaipolicy|flagged/i;

export function classifyFailure(error: GatewayError): FailureKind {
  const code = error.code ?? '';
  if (code === 'context_length_exceeded' || code === 'string_above_max_length') return 'context_window';
  if (code === 'content_policy_violation' || code === 'content_filter') return 'content_policy';
  // The deployment cannot sign or has no key: its configuration, not a passing fault.
  if (code === 'provider_key_missing' || code === 'signing_unavailable') return 'deployment';
  // By class, not code: an upstream's own error body naming that code proves nothing.
  if (error instanceof UpstreamResponseTooLargeError) return 'fatal';
  if (isCapabilityRefusal(error)) return 'deployment';
  const { status } = error;
  if (status === 429) return code === 'insufficient_quota' ? 'deployment' : 'retryable';
  // Out of credit (Anthropic billing_error, DeepSeek, OpenRouter): another deployment may still have some.
  if (status === 402) return 'deployment';
  // Groq answers some rate limits with 413.
  if (code === 'rate_limit_exceeded') return 'retryable';
  if (status >= 500 || status === 408 || status === 409) return 'retryable';
  if (status === 401 || status === 403 || status === 404) return 'deployment';
  if (status === 400 || status === 413 || status === 422) {
    if (CONTEXT_WINDOW.test(error.message)) return 'context_window';
    if (CONTENT_POLICY.test(error.message)) return 'content_policy';
  }
  return 'fatal';
}

/**
 * The gateway's own refusal for one deployment's provider (a parameter it cannot take, embeddings on a
 * chat-only provider): another deployment or fallback may well do it, and it says nothing of the
 * deployment's health (no cooldown, no latency penalty).
 */
export function isCapabilityRefusal(error: GatewayError): boolean {
  return error.code === 'unsupported_parameter' || error.code === 'unsupported_operation';
}

/** The upstream's `Retry-After` in milliseconds (seconds, or an HTTP date), when it sent one. */
export function retryAfterMs(error: GatewayError, nowMs: number): number | undefined {
  const value = error.headers['retry-after'];
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
