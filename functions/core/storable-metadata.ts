/**
 * The `metadata` of tenants and keys: free-form JSON the operator attaches, stored as a
 * DynamoDB map inside the tenant's or key's item. What DynamoDB cannot hold (an item over
 * 400 KB, nesting beyond 32 levels, numbers outside its range) or what would be unsafe to
 * merge into objects later (`__proto__`) is refused here with a 400, not left to fail as a 500.
 */
import { InvalidRequestError } from './errors.js';

/** UTF-8 bytes of the serialised metadata: far below DynamoDB's 400 KB item, with room for every other field. */
export const MAX_METADATA_BYTES = 16_384;

/** Levels of nesting, the metadata object itself being level 1; DynamoDB's own limit is 32 for the whole item. */
export const MAX_METADATA_DEPTH = 16;

/** Keys that change an object's prototype when a careless consumer merges metadata into an object. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** DynamoDB numbers: 0, or a magnitude from 1e-130 to just under 1e126. */
const SMALLEST_STORABLE = 1e-130;
const LARGEST_STORABLE_EXCLUSIVE = 1e126;

/** A lone UTF-16 surrogate: JSON can carry it (`"\ud800"`), UTF-8 cannot (so neither can DynamoDB). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MAX_PATH_IN_MESSAGE = 80;

/** `value` when it is metadata the store can hold as given; otherwise a 400 naming `field`. */
export function parseMetadata(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InvalidRequestError(`'${field}' must be a JSON object.`, field);
  // Iterative, so that no nesting overflows the stack before it is refused.
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: field, depth: 1 }];
  while (pending.length > 0) {
    const next = pending.pop() as { value: unknown; path: string; depth: number };
    const refuse = (rule: string): never => {
      throw new InvalidRequestError(`Invalid '${shortPath(next.path)}': ${rule}`, field);
    };
    if (typeof next.value === 'string') {
      if (LONE_SURROGATE.test(next.value)) refuse('strings must be valid Unicode (no unpaired surrogate).');
    } else if (typeof next.value === 'number') {
      if (!isStorableNumber(next.value)) refuse('numbers must be 0 or between 1e-130 and 1e125 in magnitude.');
    } else if (typeof next.value === 'object' && next.value !== null) {
      if (next.depth > MAX_METADATA_DEPTH) refuse(`metadata may nest at most ${MAX_METADATA_DEPTH} levels deep.`);
      if (Array.isArray(next.value)) {
        next.value.forEach((element, index) => pending.push({ value: element, path: `${next.path}[${index}]`, depth: next.depth + 1 }));
      } else {
        for (const [key, element] of Object.entries(next.value)) {
          if (FORBIDDEN_KEYS.has(key)) refuse(`the keys __proto__, constructor and prototype are not allowed.`);
          if (key === '') refuse('keys must not be empty.');
          if (LONE_SURROGATE.test(key)) refuse('keys must be valid Unicode (no unpaired surrogate).');
          pending.push({ value: element, path: `${next.path}.${key}`, depth: next.depth + 1 });
        }
      }
    } else if (typeof next.value !== 'boolean' && next.value !== null) {
      refuse('only JSON values are allowed.');
    }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).byteLength;
  if (bytes > MAX_METADATA_BYTES) {
    throw new InvalidRequestError(`'${field}' is ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES} are allowed.`, field);
  }
  return value;
}

/** True when `text` holds no unpaired surrogate, so it encodes to UTF-8 (and into DynamoDB) as given. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function isStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return value === 0 || (magnitude >= SMALLEST_STORABLE && magnitude < LARGEST_STORABLE_EXCLUSIVE);
}

function shortPath(path: string): string {
  return path.length <= MAX_PATH_IN_MESSAGE ? path : `${path.slice(0, MAX_PATH_IN_MESSAGE)}…`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
