import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertErrorResponse } from '../support/openai-schema.js';
import { MASTER_KEY } from '../support/start-gateway.js';
import { PROVIDER_KEY, startE2eEnvironment, stopE2eEnvironment, type E2eEnvironment } from './e2e-setup.js';

let environment: E2eEnvironment;
beforeAll(async () => {
  environment = await startE2eEnvironment();
});
afterAll(() => stopE2eEnvironment(environment));

const hello = [{ role: 'user', content: 'hi' }];

async function call(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${environment.gateway.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  assertErrorResponse(body);
  return { status: response.status, error: body.error, headers: response.headers };
}

describe('request errors', () => {
  it('answers 400 for a body that is not JSON', async () => {
    const { status, error } = await call('/v1/chat/completions', { body: '{"model": "demo",' });

    expect(status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toMatch(/not valid JSON/);
  });

  it.each([
    ['a missing model', { messages: hello }, 'model'],
    ['missing messages', { model: 'demo' }, 'messages'],
    ['messages that are not an array', { model: 'demo', messages: 'hi' }, 'messages'],
    ['empty messages', { model: 'demo', messages: [] }, 'messages'],
    ['a message without a role', { model: 'demo', messages: [{ content: 'hi' }] }, 'messages[0].role'],
    ['a stream flag that is not a boolean', { model: 'demo', messages: hello, stream: 'yes' }, 'stream'],
    ['a max_tokens that is not an integer', { model: 'demo', messages: hello, max_tokens: 'ten' }, 'max_tokens'],
  ])('answers 400 naming the field for %s', async (_case, body, param) => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify(body) });

    expect(status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('answers 404 model_not_found for a model that is not configured', async () => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-99', messages: hello }) });

    expect(status).toBe(404);
    expect(error.code).toBe('model_not_found');
    expect(error.param).toBe('model');
  });

  it('answers 413 for a body over the configured limit', async () => {
    const { status, error } = await call('/v1/chat/completions', {
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }),
    });

    expect(status).toBe(413);
    expect(error.code).toBe('request_too_large');
  });

  it('answers 405 with an Allow header for the wrong method', async () => {
    const { status, headers } = await call('/v1/chat/completions', { method: 'GET' });

    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('POST');
  });

  it('answers 404 for an unknown route', async () => {
    const { status, error } = await call('/v1/completions-of-the-future', { body: '{}' });

    expect(status).toBe(404);
    expect(error.code).toBe('unknown_url');
  });
});

describe('upstream errors', () => {
  it.each([400, 404, 429, 500, 503])('keeps the status class and the provider message of an upstream %i', async (upstreamStatus) => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify({ model: `status-${upstreamStatus}`, messages: hello }) });

    expect(status).toBe(upstreamStatus);
    expect(error.message).toBe(`Upstream refused with ${upstreamStatus}.`);
    expect(error.code).toBe(`upstream_${upstreamStatus}`);
  });

  it('passes Retry-After through on an upstream 429', async () => {
    const { headers } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'status-429', messages: hello }) });

    expect(headers.get('retry-after')).toBe('7');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'hang', messages: hello }) });

    expect(status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'unreachable', messages: hello }) });

    expect(status).toBe(502);
    expect(error.code).toBe('upstream_unreachable');
  });

  it('answers a streaming request whose upstream fails before streaming with a plain error status', async () => {
    const { status } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'status-503', messages: hello, stream: true }) });

    expect(status).toBe(503);
  });

  it('never shows the provider key, even when the provider quotes it', async () => {
    const { status, error } = await call('/v1/chat/completions', { body: JSON.stringify({ model: 'leak-key', messages: hello }) });

    expect(status).toBe(401);
    expect(error.message).not.toContain(PROVIDER_KEY);
    expect(error.message).toContain("rejected the gateway's credentials");
  });

  it('raises the OpenAI SDK error class that matches the status', async () => {
    const request = environment.client.chat.completions.create({ model: 'status-429', messages: [{ role: 'user', content: 'hi' }] });

    await expect(request).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});
