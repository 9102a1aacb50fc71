import { describe, expect, it } from 'vitest';
import { anthropicErrorType, toAnthropicErrorBody } from '../../../functions/core/anthropic-api/anthropic-error.js';
import {
  AuthenticationError,
  GatewayError,
  InternalGatewayError,
  InvalidRequestError,
  MethodNotAllowedError,
  ModelNotFoundError,
  PayloadTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from '../../../functions/core/errors.js';

describe('anthropicErrorType', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [405, 'invalid_request_error'],
    [409, 'invalid_request_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('names status %i %s', (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });
});

describe('toAnthropicErrorBody', () => {
  it.each<[string, GatewayError, string]>([
    ['an invalid request', new InvalidRequestError("Missing required parameter: 'max_tokens'.", 'max_tokens'), 'invalid_request_error'],
    ['a bad key', new AuthenticationError('Incorrect API key provided.'), 'authentication_error'],
    ['an unknown model', new ModelNotFoundError('claude-9'), 'not_found_error'],
    ['a wrong method', new MethodNotAllowedError('GET', '/v1/messages', ['POST']), 'invalid_request_error'],
    ['a body over the limit', new PayloadTooLargeError(1024), 'request_too_large'],
    ['a rate limit', new GatewayError({ status: 429, message: 'Rate limit reached.', type: 'rate_limit_error' }), 'rate_limit_error'],
    ['an internal failure', new InternalGatewayError(), 'api_error'],
    ['an unreachable upstream', new UpstreamUnreachableError(), 'api_error'],
    ['an upstream timeout', new UpstreamTimeoutError(), 'timeout_error'],
    ['an overloaded upstream', new GatewayError({ status: 529, message: 'Overloaded', type: 'api_error' }), 'overloaded_error'],
  ])("writes Anthropic's error shape with the message when the error is %s", (_case, error, type) => {
    const body = toAnthropicErrorBody(error);

    expect(body).toEqual({ type: 'error', error: { type, message: error.message } });
  });
});
