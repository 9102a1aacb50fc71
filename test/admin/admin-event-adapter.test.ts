import { describe, expect, it } from 'vitest';
import { toAdminRequest, toAdminResult } from '../../functions/admin/admin-event-adapter.js';

function functionUrlEvent(overrides: Record<string, unknown> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/admin/keys',
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'Content-Type': 'application/json' },
    requestContext: { http: { method: 'get', path: '/admin/keys' } },
    isBase64Encoded: false,
    ...overrides,
  };
}

const signal = new AbortController().signal;

describe('toAdminRequest', () => {
  it('keeps the query string when the event has one', () => {
    const request = toAdminRequest(functionUrlEvent({ rawQueryString: 'tenant_id=acme' }), signal);

    expect(request.query).toBe('tenant_id=acme');
  });

  it('leaves the query out when the event has an empty one', () => {
    const request = toAdminRequest(functionUrlEvent(), signal);

    expect(request.query).toBeUndefined();
  });

  it('upper-cases the method and lower-cases header names when converting an event', () => {
    const request = toAdminRequest(functionUrlEvent(), signal);

    expect(request.method).toBe('GET');
    expect(request.path).toBe('/admin/keys');
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('decodes the body when it is base64-encoded', () => {
    const body = JSON.stringify({ tenant_id: 'acme' });
    const event = functionUrlEvent({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true });

    const request = toAdminRequest(event, signal);

    expect(new TextDecoder().decode(request.body)).toBe(body);
  });

  it('keeps the body as it is when it is plain text', () => {
    const request = toAdminRequest(functionUrlEvent({ body: '{"name":"Acme"}' }), signal);

    expect(new TextDecoder().decode(request.body)).toBe('{"name":"Acme"}');
  });
});

describe('toAdminResult', () => {
  it('returns statusCode, headers and the string body when the response is a string', async () => {
    const result = await toAdminResult({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"acme"}' });

    expect(result).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"acme"}' });
  });

  it('joins the pieces when the response body is an iterable', async () => {
    async function* pieces() {
      yield '{"a":';
      yield '1}';
    }

    const result = await toAdminResult({ status: 200, headers: {}, body: pieces() });

    expect(result.body).toBe('{"a":1}');
  });
});
