import { GatewayError } from '../../errors.js';
import type { JsonObject } from '../../openai/openai-types.js';

/** Reading untyped JSON from the client or from Gemini without trusting its shape. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectOr(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function arrayOr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A token count: a finite non-negative number, else 0. */
export function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** JSON.parse without throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Gemini sent something that is not the JSON object its API promises. */
export function badUpstreamResponse(what: string): GatewayError {
  return new GatewayError({
    status: 502,
    message: `The upstream provider sent ${what} that is not a JSON object.`,
    type: 'api_error',
    code: 'bad_upstream_response',
  });
}
