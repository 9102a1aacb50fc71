import { describe, expect, it } from 'vitest';
import { buildAnthropicNativeRequest, readAnthropicClientRequest } from '../../../../functions/core/providers/anthropic/anthropic-native.js';
import { resolvedDeployment } from '../provider-test-support.js';

const deployment = (extraHeaders: Record<string, string> = {}) =>
  resolvedDeployment({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', apiBase: 'https://anthropic.example/v1', apiKey: 'sk-ant-test-key', extraHeaders });
const body = { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

describe('readAnthropicClientRequest', () => {
  it('keeps only the beta query parameter when the client sends others', () => {
    const client = readAnthropicClientRequest({}, 'tenant=acme&beta=true&key=sk-secret');

    expect(client.query).toBe('beta=true');
  });

  it('splits the anthropic-beta header into betas when it lists several', () => {
    const client = readAnthropicClientRequest({ 'anthropic-beta': 'a-2025, b-2025,,' }, undefined);

    expect(client.betas).toEqual(['a-2025', 'b-2025']);
  });
});

describe('buildAnthropicNativeRequest', () => {
  it.each([
    ['the client version', { 'anthropic-version': '2023-06-01' }, {}, '2023-06-01'],
    ["the config's version when the client sends none", {}, { 'Anthropic-Version': '2099-01-01' }, '2099-01-01'],
    ['2023-06-01 when neither sends one', {}, {}, '2023-06-01'],
  ])('sends %s as anthropic-version', (_name, clientHeaders, configHeaders, expected) => {
    const request = buildAnthropicNativeRequest(body, readAnthropicClientRequest(clientHeaders, undefined), deployment(configHeaders));

    expect(request.headers['anthropic-version']).toBe(expected);
  });

  it('merges the config betas after the client betas, each once, when both send some', () => {
    const client = readAnthropicClientRequest({ 'anthropic-beta': 'a-2025,b-2025' }, undefined);

    const request = buildAnthropicNativeRequest(body, client, deployment({ 'anthropic-beta': 'b-2025,c-2025' }));

    expect(request.headers['anthropic-beta']).toBe('a-2025,b-2025,c-2025');
  });

  it('keeps the provider key when the config headers name x-api-key', () => {
    const request = buildAnthropicNativeRequest(body, readAnthropicClientRequest({}, undefined), deployment({ 'x-api-key': 'sk-from-config' }));

    expect(request.headers['x-api-key']).toBe('sk-ant-test-key');
  });

  it('posts to count_tokens with the query when asked to count', () => {
    const request = buildAnthropicNativeRequest(body, readAnthropicClientRequest({}, 'beta=true'), deployment(), 'count_tokens');

    expect(request.url).toBe('https://anthropic.example/v1/messages/count_tokens?beta=true');
  });

  it('replaces only the model in the body', () => {
    const request = buildAnthropicNativeRequest(body, readAnthropicClientRequest({}, undefined), deployment());

    expect(JSON.parse(request.body as string)).toEqual({ ...body, model: 'claude-sonnet-4-5' });
  });
});
