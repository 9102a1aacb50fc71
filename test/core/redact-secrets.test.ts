import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../functions/core/errors.js';
import { createSecretRedactor } from '../../functions/core/redact-secrets.js';

const KEY = 'sk-proj-Secret/Key+0123456789abcdef';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

describe('createSecretRedactor', () => {
  it.each([
    ['as is', KEY],
    ['upper-cased', KEY.toUpperCase()],
    ['lower-cased', KEY.toLowerCase()],
    ['URL-encoded', encodeURIComponent(KEY)],
    ['URL-encoded with lower-case hex', encodeURIComponent(KEY).toLowerCase()],
    ['JSON-escaped with an escaped solidus', JSON.stringify(KEY).slice(1, -1).replaceAll('/', '\\/')],
    ['base64-encoded', base64(KEY)],
    ['base64url-encoded', base64url(KEY)],
  ])('removes the key when it is quoted %s', (_encoding, quoted) => {
    const redactor = createSecretRedactor([KEY]);

    const text = redactor.redactText(`Incorrect API key provided: ${quoted}. Check it.`);

    expect(text).toContain('[REDACTED]');
    expect(text.toLowerCase()).not.toContain(KEY.toLowerCase().slice(0, 12));
  });

  it.each([0, 1, 2])('removes the key from a longer base64 string when %i bytes come before it', (prefixLength) => {
    const redactor = createSecretRedactor([KEY]);
    const prefix = 'Bearer '.slice(0, prefixLength);
    const blob = base64(`${prefix}${KEY}; scope=all`);
    const core = blob.slice(Math.ceil((8 * prefixLength) / 6), Math.floor((8 * (prefixLength + KEY.length)) / 6));

    const text = redactor.redactText(`token=${blob}`);

    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(core.slice(0, 8));
  });

  it.each([
    ['Basic credential user:key', base64(`user:${KEY}`)],
    ['Bearer header', base64(`Authorization: Bearer ${KEY}`)],
    ['base64url Bearer header', base64url(`Authorization: Bearer ${KEY}`)],
  ])('removes the key from a %s encoded whole', (_form, blob) => {
    const redactor = createSecretRedactor([KEY]);

    const text = redactor.redactText(blob);

    // What is left on either side must not decode to any 6 characters of the key.
    const decoded = text.split('[REDACTED]').map((part) => Buffer.from(part, 'base64').toString('latin1') + Buffer.from(part, 'base64url').toString('latin1'));
    const windows = Array.from({ length: KEY.length - 5 }, (_, index) => KEY.slice(index, index + 6));
    expect(text).toContain('[REDACTED]');
    expect(windows.filter((window) => decoded.some((part) => part.includes(window)))).toEqual([]);
  });

  it('removes a key added after creation when a provider key is resolved at run time', () => {
    const redactor = createSecretRedactor(['sk-master-0123456789']);

    redactor.add(KEY);

    expect(redactor.redactText(`bad key ${KEY.toUpperCase()}`)).toBe('bad key [REDACTED]');
  });

  it('leaves the text unchanged when it quotes no secret', () => {
    const redactor = createSecretRedactor([KEY]);

    expect(redactor.redactText('Rate limit reached for gpt-4o.')).toBe('Rate limit reached for gpt-4o.');
  });

  it('ignores values too short to be a key when they would blank ordinary words', () => {
    const redactor = createSecretRedactor(['user', '']);

    expect(redactor.redactText('The user is unknown.')).toBe('The user is unknown.');
  });

  it('returns the same error when its message quotes no secret', () => {
    const redactor = createSecretRedactor([KEY]);
    const error = new GatewayError({ status: 400, message: 'Bad request.', type: 'invalid_request_error', code: 'bad' });

    expect(redactor.redactError(error)).toBe(error);
  });

  it('scrubs message, code and param and keeps status, type and headers when the error quotes the key', () => {
    const redactor = createSecretRedactor([KEY]);
    const error = new GatewayError({
      status: 429,
      message: `Key ${base64(KEY)} is rate limited.`,
      type: 'rate_limit_error',
      code: `key_${KEY}`,
      param: encodeURIComponent(KEY),
      headers: { 'retry-after': '7' },
    });

    const redacted = redactor.redactError(error);

    expect(redacted).toMatchObject({
      status: 429,
      message: 'Key [REDACTED] is rate limited.',
      type: 'rate_limit_error',
      code: 'key_[REDACTED]',
      param: '[REDACTED]',
      headers: { 'retry-after': '7' },
    });
  });
});
