import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import { MAX_JSON_DEPTH, parseJsonBody, validateChatRequest } from '../../../functions/core/openai/validate-request.js';
import { captureError } from '../../support/capture-error.js';

const encode = (text: string) => new TextEncoder().encode(text);
const chat = (fields: Record<string, unknown>) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...fields });

describe('parseJsonBody nesting', () => {
  it(`accepts a body nested ${MAX_JSON_DEPTH} levels deep`, () => {
    const body = `{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;

    expect(parseJsonBody(encode(body))).toHaveProperty('a');
  });

  it('refuses one level more, naming the top-level field', () => {
    const body = `{"model":"m","tools":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`;

    const error = captureError(() => parseJsonBody(encode(body)));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param: 'tools' });
  });

  it('refuses 100,000 levels without overflowing the stack', () => {
    const body = `{"metadata":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;

    expect(captureError(() => parseJsonBody(encode(body)))).toMatchObject({ status: 400, param: 'metadata' });
  });
});

describe('validateChatRequest numeric bounds', () => {
  it.each([
    ['max_tokens', 1e300],
    ['max_tokens', 2 ** 31],
    ['max_completion_tokens', 2 ** 64],
    ['n', 129],
    ['n', 2 ** 64],
    ['seed', 1e300],
    ['seed', -(2 ** 64)],
  ])('refuses %s = %d, naming the field', (field, value) => {
    expect(captureError(() => validateChatRequest(chat({ [field]: value })))).toMatchObject({ status: 400, param: field });
  });

  it.each([
    ['max_tokens', 2 ** 31 - 1],
    ['n', 128],
    ['seed', Number.MAX_SAFE_INTEGER],
    ['seed', -5],
  ])('accepts %s = %d', (field, value) => {
    expect(validateChatRequest(chat({ [field]: value }))[field]).toBe(value);
  });
});
