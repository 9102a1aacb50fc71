import { describe, expect, it } from 'vitest';
import { mapBedrockError } from '../../../../functions/core/providers/bedrock/map-bedrock-error.js';
import { assertErrorResponse } from '../../../support/openai-schema.js';

const errorType = (name: string) => ({ 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });

describe('mapBedrockError', () => {
  it.each([
    ['ThrottlingException', 429, 429, 'rate_limit_error'],
    ['ServiceQuotaExceededException', 400, 429, 'rate_limit_error'],
    ['ValidationException', 400, 400, 'invalid_request_error'],
    ['AccessDeniedException', 403, 403, 'permission_error'],
    ['ResourceNotFoundException', 404, 404, 'not_found_error'],
    ['ServiceUnavailableException', 503, 503, 'server_error'],
    ['ModelNotReadyException', 429, 503, 'server_error'],
    ['ModelTimeoutException', 408, 504, 'timeout_error'],
    ['InternalServerException', 500, 500, 'server_error'],
    ['ModelErrorException', 424, 502, 'api_error'],
    ['UnrecognizedClientException', 403, 500, 'server_error'],
    ['ExpiredTokenException', 403, 500, 'server_error'],
  ])('maps %s (HTTP %i) to %i %s', (name, upstreamStatus, status, type) => {
    const error = mapBedrockError(upstreamStatus, '{"message":"Bedrock says no."}', errorType(name));

    expect(error).toMatchObject({ status, type, code: name, message: 'Bedrock says no.' });
  });

  it('reads the exception name from __type when the header is absent', () => {
    const error = mapBedrockError(400, '{"__type":"com.amazon.coral.validate#ValidationException","message":"bad input"}', {});

    expect(error).toMatchObject({ status: 400, code: 'ValidationException', message: 'bad input' });
  });

  it('keeps the upstream status for an exception it does not know', () => {
    const error = mapBedrockError(409, '{"message":"conflict"}', errorType('ConflictException'));

    expect(error).toMatchObject({ status: 409, type: 'invalid_request_error', code: 'ConflictException', message: 'conflict' });
  });

  it('reads Message with a capital M', () => {
    const error = mapBedrockError(403, '{"Message":"User is not authorized"}', errorType('AccessDeniedException'));

    expect(error.message).toBe('User is not authorized');
  });

  it('keeps a plain-text body as the message', () => {
    const error = mapBedrockError(502, 'Bad Gateway', {});

    expect(error).toMatchObject({ status: 502, message: 'Bad Gateway', code: null });
  });

  it('passes retry-after on when Bedrock sends it', () => {
    const error = mapBedrockError(429, '{"message":"slow down"}', { ...errorType('ThrottlingException'), 'retry-after': '3' });

    expect(error.headers).toEqual({ 'retry-after': '3' });
  });

  it('renders an OpenAI error body', () => {
    const error = mapBedrockError(429, '{"message":"slow down"}', errorType('ThrottlingException'));

    expect(() => assertErrorResponse(error.toBody())).not.toThrow();
  });
});
