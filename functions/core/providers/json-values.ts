import { GatewayError } from '../errors.js';
import type { JsonObject } from '../openai/openai-types.js';

/**
 * Reading untyped JSON from the client or from an upstream provider without trusting its shape.
 * Shared by the Anthropic, Bedrock and Gemini providers.
 */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectOr(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function arrayOr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, else the fallback. */
export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** A non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A token count: a finite number above zero, else 0. */
export function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** JSON.parse without throwing: undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The upstream provider sent something that is not the JSON object its API promises.
 * The client-visible message deliberately does not name the provider.
 */
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

/** Parses text that must be a JSON object, else throws badUpstreamResponse(what). */
export function parseJsonObject(text: string, what: string): JsonObject {
  return requireObject(parseJson(text), what);
}
