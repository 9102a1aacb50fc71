import { InvalidRequestError } from '../errors.js';
import type { ChatCompletionRequest, EmbeddingRequest, JsonObject } from './openai-types.js';

/**
 * Checks what the gateway itself relies on, or what is cheap to catch before paying
 * for an upstream round trip; everything else is left for the provider to judge, and
 * unknown fields pass through untouched. Each failure names the field in `param`.
 */

const MESSAGE_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * Levels of nesting a request body may have. Real requests (tool schemas included) stay
 * far below it; deeper ones are refused here, because serialising them again (for the
 * upstream, a usage record or a log) would overflow the stack mid-request.
 */
export const MAX_JSON_DEPTH = 64;

/** Output tokens are counted in int32 by every provider API; a larger max_tokens can only be a mistake or an attack on the reservation arithmetic. */
export const MAX_OUTPUT_TOKENS = 2_147_483_647;

/** OpenAI's documented ceiling for `n`. */
export const MAX_CHOICES = 128;

/** Parses a JSON object body; a body that is not one, or nests deeper than MAX_JSON_DEPTH, is a 400. */
export function parseJsonBody(body: Uint8Array): JsonObject {
  if (body.byteLength === 0) throw new InvalidRequestError('The request body is empty; send a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    const detail = error instanceof SyntaxError ? ` (${error.message})` : '';
    throw new InvalidRequestError(`The request body is not valid JSON${detail}.`);
  }
  if (!isObject(parsed)) throw new InvalidRequestError('The request body must be a JSON object.');
  const tooDeep = fieldNestedTooDeeply(parsed, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    throw new InvalidRequestError(`Invalid '${tooDeep}': the request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, tooDeep, 'invalid_value');
  }
  return parsed;
}

/** The top-level field under which the body nests deeper than `maxDepth`, if any; iterative, so no depth can overflow the stack. */
function fieldNestedTooDeeply(body: JsonObject, maxDepth: number): string | undefined {
  for (const [field, value] of Object.entries(body)) {
    if (typeof value !== 'object' || value === null) continue;
    const pending: Array<{ value: object; depth: number }> = [{ value, depth: 2 }];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (next.depth > maxDepth) return field;
      for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) {
        if (typeof child === 'object' && child !== null) pending.push({ value: child as object, depth: next.depth + 1 });
      }
    }
  }
  return undefined;
}

export function validateChatRequest(body: JsonObject): ChatCompletionRequest {
  requireModel(body);
  const messages = body['messages'];
  if (messages === undefined) throw new InvalidRequestError("Missing required parameter: 'messages'.", 'messages');
  if (!Array.isArray(messages)) throw new InvalidRequestError("Invalid type for 'messages': expected an array.", 'messages');
  if (messages.length === 0) throw new InvalidRequestError("Invalid 'messages': empty array. Expected an array with at least one message.", 'messages');
  messages.forEach((message: unknown, index) => {
    const path = `messages[${index}]`;
    if (!isObject(message)) throw new InvalidRequestError(`Invalid type for '${path}': expected an object.`, path);
    const role = message['role'];
    if (role === undefined) throw new InvalidRequestError(`Missing required parameter: '${path}.role'.`, `${path}.role`);
    if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) {
      throw new InvalidRequestError(`Invalid value for '${path}.role': expected one of ${[...MESSAGE_ROLES].join(', ')}.`, `${path}.role`);
    }
    const content = message['content'];
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      throw new InvalidRequestError(`Invalid type for '${path}.content': expected a string or an array of content parts.`, `${path}.content`);
    }
  });
  optionalType(body, 'stream', 'boolean');
  optionalType(body, 'stream_options', 'object');
  optionalInteger(body, 'max_tokens', 1, MAX_OUTPUT_TOKENS);
  optionalInteger(body, 'max_completion_tokens', 1, MAX_OUTPUT_TOKENS);
  optionalInteger(body, 'n', 1, MAX_CHOICES);
  optionalInteger(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  optionalType(body, 'logprobs', 'boolean');
  optionalType(body, 'user', 'string');
  optionalType(body, 'response_format', 'object');
  optionalType(body, 'parallel_tool_calls', 'boolean');
  const stop = body['stop'];
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((item) => typeof item === 'string'))) {
    throw new InvalidRequestError("Invalid type for 'stop': expected a string or an array of strings.", 'stop');
  }
  const tools = body['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new InvalidRequestError("Invalid type for 'tools': expected an array.", 'tools');
    tools.forEach((tool: unknown, index) => {
      const fn = isObject(tool) ? tool['function'] : undefined;
      if (!isObject(fn) || typeof fn['name'] !== 'string') {
        throw new InvalidRequestError(`Missing required parameter: 'tools[${index}].function.name'.`, `tools[${index}].function.name`);
      }
    });
  }
  return body as ChatCompletionRequest;
}

export function validateEmbeddingRequest(body: JsonObject): EmbeddingRequest {
  requireModel(body);
  const input = body['input'];
  if (input === undefined) throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
  const validInput =
    (typeof input === 'string' && input !== '') ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === 'string') ||
        input.every((item) => typeof item === 'number') ||
        input.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number'))));
  if (!validInput) {
    throw new InvalidRequestError("Invalid 'input': expected a non-empty string, an array of strings, or token arrays.", 'input');
  }
  const format = body['encoding_format'];
  if (format !== undefined && format !== 'float' && format !== 'base64') {
    throw new InvalidRequestError("Invalid value for 'encoding_format': expected 'float' or 'base64'.", 'encoding_format');
  }
  optionalInteger(body, 'dimensions', 1, MAX_OUTPUT_TOKENS);
  return body as EmbeddingRequest;
}

function requireModel(body: JsonObject): void {
  const model = body['model'];
  if (model === undefined) throw new InvalidRequestError("Missing required parameter: 'model'.", 'model');
  if (typeof model !== 'string' || model === '') throw new InvalidRequestError("Invalid type for 'model': expected a non-empty string.", 'model');
}

function optionalType(body: JsonObject, field: string, type: 'boolean' | 'string' | 'object'): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  const ok = type === 'object' ? isObject(value) : typeof value === type;
  if (!ok) throw new InvalidRequestError(`Invalid type for '${field}': expected ${type === 'object' ? 'an object' : `a ${type}`}.`, field);
}

/** An integer within [minimum, maximum]: a value past them (1e300, 2^64) is refused rather than forwarded as `1e+300`. */
function optionalInteger(body: JsonObject, field: string, minimum: number, maximum: number): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidRequestError(`Invalid type for '${field}': expected an integer.`, field);
  if (value < minimum) throw new InvalidRequestError(`Invalid '${field}': must be at least ${minimum}.`, field);
  if (value > maximum) throw new InvalidRequestError(`Invalid '${field}': must be at most ${maximum}.`, field);
}

function optionalNumber(body: JsonObject, field: string, minimum: number, maximum: number): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidRequestError(`Invalid type for '${field}': expected a number.`, field);
  if (value < minimum || value > maximum) throw new InvalidRequestError(`Invalid '${field}': must be between ${minimum} and ${maximum}.`, field);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
