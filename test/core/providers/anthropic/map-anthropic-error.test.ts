import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import { mapAnthropicError } from '../../../../functions/core/providers/anthropic/map-anthropic-error.js';

interface ExpectedError {
  status: number;
  type: string;
  code: string | null;
  message: string;
}

const anthropicBody = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

describe('mapAnthropicError', () => {
  it.each<[string, number, string, ExpectedError]>([
    ['invalid_request_error', 400, anthropicBody('invalid_request_error', 'max_tokens: Field required'), { status: 400, type: 'invalid_request_error', code: 'invalid_request_error', message: 'max_tokens: Field required' }],
    ['authentication_error', 401, anthropicBody('authentication_error', 'invalid x-api-key'), { status: 401, type: 'authentication_error', code: 'authentication_error', message: 'invalid x-api-key' }],
    ['billing_error', 402, anthropicBody('billing_error', 'Your credit balance is too low'), { status: 402, type: 'invalid_request_error', code: 'billing_error', message: 'Your credit balance is too low' }],
    ['permission_error', 403, anthropicBody('permission_error', 'No access'), { status: 403, type: 'permission_error', code: 'permission_error', message: 'No access' }],
    ['not_found_error', 404, anthropicBody('not_found_error', 'model: claude-nope'), { status: 404, type: 'not_found_error', code: 'not_found_error', message: 'model: claude-nope' }],
    ['request_too_large', 413, anthropicBody('request_too_large', 'Request exceeds the maximum size'), { status: 413, type: 'invalid_request_error', code: 'request_too_large', message: 'Request exceeds the maximum size' }],
    ['rate_limit_error', 429, anthropicBody('rate_limit_error', 'Number of requests has exceeded your rate limit'), { status: 429, type: 'rate_limit_error', code: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' }],
    ['api_error', 500, anthropicBody('api_error', 'Internal server error'), { status: 500, type: 'server_error', code: 'api_error', message: 'Internal server error' }],
    ['overloaded_error at 529', 529, anthropicBody('overloaded_error', 'Overloaded'), { status: 503, type: 'server_error', code: 'overloaded_error', message: 'Overloaded' }],
    ['plain text', 502, 'Bad Gateway\n', { status: 502, type: 'server_error', code: null, message: 'Bad Gateway' }],
    ['an empty body', 500, '', { status: 500, type: 'server_error', code: null, message: 'The upstream provider answered with HTTP 500.' }],
    ['an unknown type', 409, anthropicBody('conflict_error', 'Conflict'), { status: 409, type: 'invalid_request_error', code: 'conflict_error', message: 'Conflict' }],
  ])('maps %s', (_name, status, body, expected) => {
    const error = mapAnthropicError(status, body, {});

    expect(error).toBeInstanceOf(GatewayError);
    expect({ status: error.status, type: error.type, code: error.code, message: error.message }).toEqual(expected);
  });

  it('keeps retry-after when Anthropic sends it', () => {
    const error = mapAnthropicError(429, anthropicBody('rate_limit_error', 'Slow down'), { 'retry-after': '17' });

    expect(error.headers).toEqual({ 'retry-after': '17' });
  });

  it('shortens the message when Anthropic sends a very long one', () => {
    const error = mapAnthropicError(400, anthropicBody('invalid_request_error', 'x'.repeat(5000)), {});

    expect(error.message).toHaveLength(1001);
  });
});
