import { GatewayError } from '../../errors.js';
import type { JsonObject } from '../../openai/openai-types.js';

/** Reading untyped JSON from the client or from Bedrock without trusting its shape. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectOr(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** A token count: a finite number above zero, else 0. */
export function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Bedrock sent something that is not the JSON object its API promises. */
export function badUpstreamResponse(what: string): GatewayError {
  return new GatewayError({
    status: 502,
    message: `The upstream provider sent ${what} that is not a JSON object.`,
    type: 'api_error',
    code: 'bad_upstream_response',
  });
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw badUpstreamResponse(what);
  return value;
}

export function parseJsonObject(text: string, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return requireObject(parsed, what);
}
