import { InvalidRequestError } from '../errors.js';
import type { JsonObject } from '../openai/openai-types.js';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalidType(path: string, expected: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid type for '${path}': expected ${expected}.`, path, 'invalid_type');
}
