import type { Principal } from '../auth/key-store.js';
import { InvalidRequestError } from '../errors.js';
import type { JsonObject } from '../openai/openai-types.js';
import type { RoutingOverrides } from '../routing/model-router.js';
import { MAX_TIMEOUT_SECONDS, timeoutMs } from '../config/config-values.js';

/** LiteLLM's per-request routing fields in the body; never forwarded to a provider. */
export const ROUTING_OVERRIDE_FIELDS = ['fallbacks', 'num_retries', 'timeout'] as const;

/** Response header naming override fields the key may not use, which were ignored. */
export const IGNORED_OVERRIDES_HEADER = 'x-gateway-ignored-params';

const MAX_REQUEST_RETRIES = 10;

export interface TakenOverrides {
  /** The body without the override fields. */
  body: JsonObject;
  /** Honoured overrides (the master key, or a key with `allow_routing_overrides`). */
  overrides?: RoutingOverrides;
  /** Override fields present but not honoured. */
  ignored: string[];
}

/**
 * Takes `fallbacks` / `num_retries` / `timeout` (seconds) out of a request body, as LiteLLM
 * and Portkey clients send them. The master key may always use them; a virtual key only when
 * it was created with `allow_routing_overrides: true`. Others' overrides are ignored (and named
 * in a header), so that a tenant cannot lengthen its own retries past the operator's choice.
 */
export function takeRoutingOverrides(body: JsonObject, principal: Principal): TakenOverrides {
  if (!ROUTING_OVERRIDE_FIELDS.some((field) => field in body)) return { body, ignored: [] };
  const present = ROUTING_OVERRIDE_FIELDS.filter((field) => body[field] !== undefined && body[field] !== null);
  const rest: JsonObject = { ...body };
  for (const field of ROUTING_OVERRIDE_FIELDS) delete rest[field];
  if (present.length === 0) return { body: rest, ignored: [] };
  const allowed = principal.kind === 'master' || principal.key.allow_routing_overrides === true;
  if (!allowed) return { body: rest, ignored: present };

  const overrides: RoutingOverrides = {};
  const fallbacks = body['fallbacks'];
  if (fallbacks !== undefined && fallbacks !== null) {
    if (!Array.isArray(fallbacks) || !fallbacks.every((model) => typeof model === 'string' && model !== '')) {
      throw new InvalidRequestError("Invalid type for 'fallbacks': expected an array of model names.", 'fallbacks');
    }
    overrides.fallbacks = fallbacks as string[];
  }
  const retries = body['num_retries'];
  if (retries !== undefined && retries !== null) {
    if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_REQUEST_RETRIES) {
      throw new InvalidRequestError(`Invalid 'num_retries': expected a whole number from 0 to ${MAX_REQUEST_RETRIES}.`, 'num_retries');
    }
    overrides.numRetries = retries;
  }
  const timeout = body['timeout'];
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS) {
      throw new InvalidRequestError(`Invalid 'timeout': expected a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS}.`, 'timeout');
    }
    overrides.timeoutMs = timeoutMs(timeout);
  }
  return { body: rest, overrides, ignored: [] };
}
