import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import { errorTypeForStatus, mapOpenAICompatibleError } from '../../../functions/core/providers/openai-compatible/map-openai-error.js';

interface Expected {
  status: number;
  type: string;
  code: string | null;
  message: string;
  param?: string | null;
}

describe('mapOpenAICompatibleError', () => {
  it.each<[string, number, string, Expected]>([
    [
      "OpenAI's error object",
      401,
      '{"error":{"message":"Incorrect API key provided: sk-****.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}',
      { status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: sk-****.', param: null },
    ],
    [
      'an error object naming a param',
      400,
      '{"error":{"message":"Invalid value for temperature.","type":"invalid_request_error","param":"temperature","code":null}}',
      { status: 400, type: 'invalid_request_error', code: null, message: 'Invalid value for temperature.', param: 'temperature' },
    ],
    [
      'an error object without a type',
      404,
      '{"error":{"message":"The model `nope` does not exist"}}',
      { status: 404, type: 'not_found_error', code: null, message: 'The model `nope` does not exist' },
    ],
    [
      'an error object with a numeric code',
      429,
      '{"error":{"message":"Rate limit reached","type":"tokens","code":429}}',
      { status: 429, type: 'tokens', code: '429', message: 'Rate limit reached' },
    ],
    [
      'an error that is a string',
      500,
      '{"error":"Internal server error"}',
      { status: 500, type: 'server_error', code: null, message: 'Internal server error' },
    ],
    [
      'a top-level message',
      422,
      '{"object":"error","message":"Prompt must not be empty","type":"invalid_request_message_error","param":null,"code":"3000"}',
      { status: 422, type: 'invalid_request_message_error', code: '3000', message: 'Prompt must not be empty' },
    ],
    [
      'a top-level message with a numeric code',
      400,
      '{"message":"Bad prompt","code":1234}',
      { status: 400, type: 'invalid_request_error', code: '1234', message: 'Bad prompt' },
    ],
    ['a FastAPI detail', 403, '{"detail":"Not authenticated"}', { status: 403, type: 'permission_error', code: null, message: 'Not authenticated' }],
    ['plain text', 502, 'Bad Gateway\n', { status: 502, type: 'server_error', code: null, message: 'Bad Gateway' }],
    ['an HTML page', 503, '<html><body>Service Unavailable</body></html>', { status: 503, type: 'server_error', code: null, message: '<html><body>Service Unavailable</body></html>' }],
    ['an empty body', 500, '', { status: 500, type: 'server_error', code: null, message: 'The upstream provider answered with HTTP 500.' }],
    ['a blank body', 429, '  \n', { status: 429, type: 'rate_limit_error', code: null, message: 'The upstream provider answered with HTTP 429.' }],
    ['an empty message', 400, '{"error":{"message":""}}', { status: 400, type: 'invalid_request_error', code: null, message: '{"error":{"message":""}}' }],
  ])('maps %s (HTTP %i) to the client error', (_case, status, body, expected) => {
    const error = mapOpenAICompatibleError(status, body, {});

    expect(error).toBeInstanceOf(GatewayError);
    expect({ status: error.status, type: error.type, code: error.code, message: error.message, ...(expected.param === undefined ? {} : { param: error.param }) }).toEqual(expected);
  });

  it('keeps the retry-after header when the provider answers 429', () => {
    const body = '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}';

    const error = mapOpenAICompatibleError(429, body, { 'retry-after': '7' });

    expect(error.headers).toEqual({ 'retry-after': '7' });
  });

  it('sends no extra headers when the provider sends no retry-after', () => {
    const error = mapOpenAICompatibleError(429, '', { 'content-type': 'application/json' });

    expect(error.headers).toEqual({});
  });

  it('shortens the message to 1000 characters and an ellipsis when the provider message is longer', () => {
    const body = JSON.stringify({ error: { message: 'x'.repeat(5000) } });

    const error = mapOpenAICompatibleError(400, body, {});

    expect(error.message).toBe(`${'x'.repeat(1000)}…`);
  });

  it.each([200, 302, 600])('answers 502 when the provider status %i is not an error status', (status) => {
    const error = mapOpenAICompatibleError(status, 'odd', {});

    expect(error.status).toBe(502);
  });

  // Regression (was a bug): map-openai-error.ts picks the status (502) and the type (errorTypeForStatus of the provider's
  // status) separately, so a provider answering 302 becomes HTTP 502 with type "invalid_request_error",
  // blaming the client for a gateway-side failure; the type should follow the 502 ("server_error").
  it('gives the type of the status the client sees when the provider status is not an error status', () => {
    const error = mapOpenAICompatibleError(302, 'Found', {});

    expect(error.type).toBe('server_error');
  });
});

describe('errorTypeForStatus', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [409, 'invalid_request_error'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'server_error'],
    [503, 'server_error'],
  ])('maps HTTP %i to %s', (status, type) => {
    const mapped = errorTypeForStatus(status);

    expect(mapped).toBe(type);
  });
});
