import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import { parseJsonBody, validateChatRequest, validateEmbeddingRequest } from '../../../functions/core/openai/validate-request.js';
import { captureError } from '../../support/capture-error.js';

const USER_MESSAGE = { role: 'user', content: 'Hello' };

function chatBody(overrides: JsonObject = {}): JsonObject {
  return { model: 'demo', messages: [USER_MESSAGE], ...overrides };
}

function embeddingBody(overrides: JsonObject = {}): JsonObject {
  return { model: 'demo', input: 'Hello', ...overrides };
}

function without(body: JsonObject, field: string): JsonObject {
  const { [field]: _removed, ...rest } = body;
  return rest;
}

describe('validateChatRequest', () => {
  it.each<[string, JsonObject, string]>([
    ['model is missing', without(chatBody(), 'model'), 'model'],
    ['model is not a string', chatBody({ model: 42 }), 'model'],
    ['model is empty', chatBody({ model: '' }), 'model'],
    ['messages is missing', without(chatBody(), 'messages'), 'messages'],
    ['messages is not an array', chatBody({ messages: { role: 'user', content: 'Hi' } }), 'messages'],
    ['messages is empty', chatBody({ messages: [] }), 'messages'],
    ['a message is not an object', chatBody({ messages: [USER_MESSAGE, 'Hi'] }), 'messages[1]'],
    ['a message has no role', chatBody({ messages: [{ content: 'Hi' }] }), 'messages[0].role'],
    ['a message has an unknown role', chatBody({ messages: [USER_MESSAGE, { role: 'robot', content: 'Hi' }] }), 'messages[1].role'],
    ['a message role is not a string', chatBody({ messages: [{ role: 1, content: 'Hi' }] }), 'messages[0].role'],
    ['a message content is a number', chatBody({ messages: [{ role: 'user', content: 42 }] }), 'messages[0].content'],
    ['a message content is an object', chatBody({ messages: [{ role: 'user', content: { text: 'Hi' } }] }), 'messages[0].content'],
    ['stream is not a boolean', chatBody({ stream: 'true' }), 'stream'],
    ['stream_options is not an object', chatBody({ stream_options: true }), 'stream_options'],
    ['max_tokens is 0', chatBody({ max_tokens: 0 }), 'max_tokens'],
    ['max_tokens is 1.5', chatBody({ max_tokens: 1.5 }), 'max_tokens'],
    ['max_tokens is a string', chatBody({ max_tokens: '100' }), 'max_tokens'],
    ['max_completion_tokens is negative', chatBody({ max_completion_tokens: -5 }), 'max_completion_tokens'],
    ['n is 0', chatBody({ n: 0 }), 'n'],
    ['seed is 1.5', chatBody({ seed: 1.5 }), 'seed'],
    ['temperature is 3', chatBody({ temperature: 3 }), 'temperature'],
    ['temperature is negative', chatBody({ temperature: -0.1 }), 'temperature'],
    ['temperature is a string', chatBody({ temperature: 'hot' }), 'temperature'],
    ['top_p is above 1', chatBody({ top_p: 1.5 }), 'top_p'],
    ['logprobs is not a boolean', chatBody({ logprobs: 1 }), 'logprobs'],
    ['user is not a string', chatBody({ user: 7 }), 'user'],
    ['response_format is a string', chatBody({ response_format: 'json' }), 'response_format'],
    ['parallel_tool_calls is not a boolean', chatBody({ parallel_tool_calls: 'no' }), 'parallel_tool_calls'],
    ['stop is a number', chatBody({ stop: 5 }), 'stop'],
    ['stop mixes strings and numbers', chatBody({ stop: ['END', 5] }), 'stop'],
    ['tools is not an array', chatBody({ tools: { type: 'function' } }), 'tools'],
    ['a tool has no function', chatBody({ tools: [{ type: 'function' }] }), 'tools[0].function.name'],
    ['a tool function has no name', chatBody({ tools: [{ type: 'function', function: { name: 'ok' } }, { type: 'function', function: { parameters: {} } }] }), 'tools[1].function.name'],
    ['a tool function name is not a string', chatBody({ tools: [{ type: 'function', function: { name: 3 } }] }), 'tools[0].function.name'],
  ])('rejects the body naming the param when %s', (_case, body, param) => {
    const error = captureError(() => validateChatRequest(body));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });

  it('accepts the body and keeps unknown fields when they are present', () => {
    const body = chatBody({ some_future_field: { nested: true }, metadata: { team: 'a' }, reasoning_effort: 'low' });

    const request = validateChatRequest(body);

    expect(request).toEqual(body);
  });

  it.each<[string, JsonObject]>([
    ['content is null (an assistant turn with tool calls)', chatBody({ messages: [USER_MESSAGE, { role: 'assistant', content: null, tool_calls: [] }] })],
    ['content is an array of parts', chatBody({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] })],
    ['every role is used', chatBody({ messages: ['system', 'developer', 'user', 'assistant', 'tool', 'function'].map((role) => ({ role, content: 'x' })) })],
    ['stop is a string', chatBody({ stop: 'END' })],
    ['stop is an array of strings', chatBody({ stop: ['END', '\n'] })],
    ['optional fields are null', chatBody({ max_tokens: null, temperature: null, stop: null, stream: null })],
    ['temperature is at its bounds', chatBody({ temperature: 2, top_p: 0 })],
    ['tools are complete', chatBody({ tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }] })],
    ['max_tokens is 1', chatBody({ max_tokens: 1, stream: true, stream_options: { include_usage: true } })],
  ])('accepts the body when %s', (_case, body) => {
    const validate = (): unknown => validateChatRequest(body);

    expect(validate).not.toThrow();
  });
});

describe('validateEmbeddingRequest', () => {
  it.each<[string, JsonObject, string]>([
    ['model is missing', without(embeddingBody(), 'model'), 'model'],
    ['input is missing', without(embeddingBody(), 'input'), 'input'],
    ['input is an empty string', embeddingBody({ input: '' }), 'input'],
    ['input is an empty array', embeddingBody({ input: [] }), 'input'],
    ['input is a number', embeddingBody({ input: 42 }), 'input'],
    ['input mixes strings and numbers', embeddingBody({ input: ['a', 1] }), 'input'],
    ['encoding_format is unknown', embeddingBody({ encoding_format: 'hex' }), 'encoding_format'],
    ['dimensions is 0', embeddingBody({ dimensions: 0 }), 'dimensions'],
  ])('rejects the body naming the param when %s', (_case, body, param) => {
    const error = captureError(() => validateEmbeddingRequest(body));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });

  it.each<[string, unknown]>([
    ['a string', 'Hello'],
    ['an array of strings', ['a', 'b']],
    ['an array of tokens', [1, 2, 3]],
    ['an array of token arrays', [[1, 2], [3]]],
  ])('accepts input when it is %s', (_case, input) => {
    const validate = (): unknown => validateEmbeddingRequest(embeddingBody({ input }));

    expect(validate).not.toThrow();
  });

  it('accepts the body and keeps unknown fields when they are present', () => {
    const body = embeddingBody({ encoding_format: 'base64', dimensions: 256, user: 'u', provider_extra: [1] });

    const request = validateEmbeddingRequest(body);

    expect(request).toEqual(body);
  });
});

describe('parseJsonBody', () => {
  it('returns the object when the body is a JSON object', () => {
    const body = new TextEncoder().encode('{"model":"demo"}');

    const parsed = parseJsonBody(body);

    expect(parsed).toEqual({ model: 'demo' });
  });

  it.each([
    ['empty', ''],
    ['not JSON', '{"model":'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
  ])('rejects the body with an invalid_request_error when it is %s', (_case, text) => {
    const error = captureError(() => parseJsonBody(new TextEncoder().encode(text)));

    expect(error).toBeInstanceOf(InvalidRequestError);
  });
});
