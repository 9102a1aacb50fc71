import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import { geminiInBandError, mapGeminiError, retryDelaySeconds } from '../../../../functions/core/providers/gemini/map-gemini-error.js';
import { assertErrorResponse } from '../../../support/openai-schema.js';
import { readGeminiText } from './gemini-test-support.js';

function googleError(code: number, status: string, message = `${status} happened`, details: unknown[] = []): string {
  return JSON.stringify({ error: { code, message, status, details } });
}

describe('mapGeminiError with the recorded 429 (google-429-retry-info.json)', () => {
  it('answers 429 rate_limit_error keeping Google message', () => {
    const error = mapGeminiError(429, readGeminiText('google-429-retry-info.json'), {});

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      code: 'RESOURCE_EXHAUSTED',
      message: 'You exceeded your current quota, please check your plan.',
    });
  });

  it('takes retry-after from RetryInfo, rounding 34.4s up', () => {
    const error = mapGeminiError(429, readGeminiText('google-429-retry-info.json'), {});

    expect(error.headers).toEqual({ 'retry-after': '35' });
  });

  it('renders an OpenAI error body', () => {
    const error = mapGeminiError(429, readGeminiText('google-429-retry-info.json'), {});

    expect(() => assertErrorResponse(error.toBody())).not.toThrow();
  });
});

describe('mapGeminiError statuses', () => {
  it.each<[number, string, number, string]>([
    [400, 'INVALID_ARGUMENT', 400, 'invalid_request_error'],
    [400, 'FAILED_PRECONDITION', 400, 'invalid_request_error'],
    [401, 'UNAUTHENTICATED', 401, 'authentication_error'],
    [403, 'PERMISSION_DENIED', 403, 'permission_error'],
    [404, 'NOT_FOUND', 404, 'not_found_error'],
    [429, 'RESOURCE_EXHAUSTED', 429, 'rate_limit_error'],
    [500, 'INTERNAL', 500, 'server_error'],
    [503, 'UNAVAILABLE', 503, 'server_error'],
    [504, 'DEADLINE_EXCEEDED', 504, 'server_error'],
    [500, 'RESOURCE_EXHAUSTED', 429, 'rate_limit_error'],
    [418, 'A_STATUS_ADDED_LATER', 418, 'invalid_request_error'],
    [502, 'A_STATUS_ADDED_LATER', 502, 'server_error'],
  ])('maps HTTP %i with status %s to %i %s', (httpStatus, googleStatus, expectedStatus, expectedType) => {
    const error = mapGeminiError(httpStatus, googleError(httpStatus, googleStatus), {});

    expect(error).toMatchObject({ status: expectedStatus, type: expectedType, code: googleStatus, message: `${googleStatus} happened` });
  });

  it('keeps the HTTP status and the text when the body is not Google JSON', () => {
    const error = mapGeminiError(503, 'upstream connect error', {});

    expect(error).toMatchObject({ status: 503, message: 'upstream connect error', code: null });
  });

  it('reads the error of a one-element array body', () => {
    const error = mapGeminiError(400, `[${googleError(400, 'INVALID_ARGUMENT', 'Bad field')}]`, {});

    expect(error).toMatchObject({ status: 400, message: 'Bad field' });
  });

  it('names the HTTP status when the body is empty', () => {
    const error = mapGeminiError(500, '', {});

    expect(error.message).toBe('The upstream provider answered with HTTP 500.');
  });

  it('keeps the upstream retry-after header when there is no RetryInfo', () => {
    const error = mapGeminiError(503, googleError(503, 'UNAVAILABLE', 'The model is overloaded.'), { 'retry-after': '7' });

    expect(error.headers).toEqual({ 'retry-after': '7' });
  });

  it('shortens a very long message', () => {
    const error = mapGeminiError(400, googleError(400, 'INVALID_ARGUMENT', 'x'.repeat(5000)), {});

    expect(error.message).toHaveLength(1001);
  });
});

describe('retryDelaySeconds', () => {
  it.each<[unknown, string | undefined]>([
    [[{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' }], '17'],
    [[{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.2s' }], '1'],
    [[{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '5s' }], '5'],
    [[{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: 'soon' }], undefined],
    [[{ '@type': 'type.googleapis.com/google.rpc.Help', retryDelay: '5s' }], undefined],
    [undefined, undefined],
  ])('reads %j as %s', (details, expected) => {
    expect(retryDelaySeconds(details)).toBe(expected);
  });
});

describe('geminiInBandError', () => {
  it('takes the status from Google status when a stream carries an error object', () => {
    const error = geminiInBandError({ code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' });

    expect(error).toMatchObject({ status: 503, type: 'server_error', message: 'The model is overloaded.', code: 'UNAVAILABLE' });
  });

  it('takes the status from the numeric code when there is no Google status', () => {
    const error = geminiInBandError({ code: 429, message: 'Slow down' });

    expect(error).toMatchObject({ status: 429, code: '429' });
  });

  it('answers 502 keeping the text when the error is a plain string', () => {
    const error = geminiInBandError('backend crashed');

    expect(error).toMatchObject({ status: 502, message: 'backend crashed' });
  });
});
