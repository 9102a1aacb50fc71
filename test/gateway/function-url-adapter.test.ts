import { describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import {
  toGatewayRequest,
  toStreamingResult,
  type FunctionUrlEvent,
} from '../../functions/gateway/function-url-adapter.js';

function functionUrlEvent(overrides: Partial<FunctionUrlEvent> = {}): FunctionUrlEvent {
  return {
    rawPath: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/v1/chat/completions' } },
    ...overrides,
  };
}

async function readChunks(body: Readable): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of body) chunks.push(String(chunk));
  return chunks;
}

async function* pieces(...texts: string[]): AsyncIterable<string> {
  for (const text of texts) yield text;
}

describe('toGatewayRequest', () => {
  it('takes the method from the request context when converting an event', () => {
    const event = functionUrlEvent({ requestContext: { http: { method: 'GET' } } });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(request.method).toBe('GET');
  });

  it('uses the raw path without the query string when converting an event', () => {
    const event = functionUrlEvent({ rawPath: '/v1/models' });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(request.path).toBe('/v1/models');
  });

  it('lower-cases header names when the event has mixed-case headers', () => {
    const event = functionUrlEvent({ headers: { Authorization: 'Bearer sk-test', 'X-Request-Id': 'abc' } });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(request.headers).toEqual({ authorization: 'Bearer sk-test', 'x-request-id': 'abc' });
  });

  it('joins the cookies into a cookie header when the event carries cookies', () => {
    const event = functionUrlEvent({ headers: {}, cookies: ['a=1', 'b=2'] });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(request.headers.cookie).toBe('a=1; b=2');
  });

  it('decodes the body when it is base64-encoded', () => {
    const json = '{"model":"demo","messages":[{"role":"user","content":"héllo"}]}';
    const event = functionUrlEvent({ body: Buffer.from(json).toString('base64'), isBase64Encoded: true });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(new TextDecoder().decode(request.body)).toBe(json);
  });

  it('encodes the body as UTF-8 bytes when it is plain text', () => {
    const event = functionUrlEvent({ body: '{"content":"héllo"}' });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(Buffer.from(request.body).equals(Buffer.from('{"content":"héllo"}', 'utf8'))).toBe(true);
  });

  it('gives an empty body when the event has none', () => {
    const event = functionUrlEvent({ body: undefined });

    const request = toGatewayRequest(event, new AbortController().signal);

    expect(request.body).toBeInstanceOf(Uint8Array);
    expect(request.body.byteLength).toBe(0);
  });

  it('passes the given signal through when converting an event', () => {
    const controller = new AbortController();

    const request = toGatewayRequest(functionUrlEvent(), controller.signal);

    expect(request.signal).toBe(controller.signal);
  });
});

describe('toStreamingResult', () => {
  it('carries the status and headers when converting a response', () => {
    const response = { status: 201, headers: { 'content-type': 'application/json' }, body: '{}' };

    const result = toStreamingResult(response);

    expect(result.statusCode).toBe(201);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('streams a string body as one chunk when the body is a string', async () => {
    const response = { status: 200, headers: {}, body: '{"ok":true}' };

    const result = toStreamingResult(response);

    expect(await readChunks(result.body)).toEqual(['{"ok":true}']);
  });

  it('streams no chunks when the body is an empty string', async () => {
    const response = { status: 204, headers: {}, body: '' };

    const result = toStreamingResult(response);

    expect(await readChunks(result.body)).toEqual([]);
  });

  it('streams the pieces in order when the body is an async iterable', async () => {
    const response = {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: pieces('data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n'),
    };

    const result = toStreamingResult(response);

    expect(await readChunks(result.body)).toEqual(['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n']);
  });

  it('calls onEarlyClose when the body is destroyed before it ends', async () => {
    let earlyCloses = 0;
    const result = toStreamingResult({ status: 200, headers: {}, body: pieces('a', 'b') }, () => earlyCloses++);

    result.body.destroy();
    await new Promise((resolve) => result.body.once('close', resolve));

    expect(earlyCloses).toBe(1);
  });

  it('does not call onEarlyClose when the body is read to the end', async () => {
    let earlyCloses = 0;
    const result = toStreamingResult({ status: 200, headers: {}, body: pieces('a', 'b') }, () => earlyCloses++);

    await readChunks(result.body);
    await new Promise((resolve) => setImmediate(resolve));

    expect(earlyCloses).toBe(0);
  });
});
