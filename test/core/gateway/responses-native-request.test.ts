import { describe, expect, it } from 'vitest';
import type { ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import { buildResponsesRequest, chatUsageOfResponseUsage, speaksResponses } from '../../../functions/core/gateway/responses-native.js';
import { validateResponsesBody } from '../../../functions/core/gateway/responses.js';

const deployment = (provider: string, apiBase: string): ResolvedDeployment =>
  ({ id: 'd', modelName: 'gpt', provider, upstreamModel: 'gpt-5-deployment', apiBase, apiKey: 'sk-provider', timeoutMs: 1000, streamTimeoutMs: 1000, path: 'model_list[0]' }) as unknown as ResolvedDeployment;

describe('buildResponsesRequest', () => {
  it('posts to {api_base}/responses with a bearer key when the deployment is OpenAI', () => {
    const request = buildResponsesRequest(deployment('openai', 'https://api.openai.com/v1/'), 'POST', '', { model: 'gpt', input: 'hi', store: false });

    expect(request).toMatchObject({ method: 'POST', url: 'https://api.openai.com/v1/responses', headers: { authorization: 'Bearer sk-provider' } });
    expect(JSON.parse(request.body!)).toEqual({ model: 'gpt-5-deployment', input: 'hi', store: false });
  });

  it('addresses the v1 surface with an api-key header and the deployment as model when the deployment is Azure', () => {
    const request = buildResponsesRequest(deployment('azure', 'https://example.openai.azure.com'), 'GET', '/resp_1/input_items', undefined, 'limit=5');

    expect(request).toMatchObject({ method: 'GET', url: 'https://example.openai.azure.com/openai/v1/responses/resp_1/input_items?limit=5', headers: { 'api-key': 'sk-provider' } });
    expect(request.body).toBeUndefined();
  });
});

describe('speaksResponses', () => {
  it.each([
    ['openai', true],
    ['azure', true],
    ['groq', false],
    ['anthropic', false],
    ['demo', false],
  ])('says %s → %s', (provider, expected) => {
    expect(speaksResponses(deployment(provider, 'http://x'))).toBe(expected);
  });
});

describe('chatUsageOfResponseUsage', () => {
  it('maps input, cached, output and reasoning tokens to the chat usage shape when all are present', () => {
    const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 17 };

    expect(chatUsageOfResponseUsage(usage)).toEqual({
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });
});

describe('validateResponsesBody', () => {
  it.each([
    [{ input: 'hi' }, 'model'],
    [{ model: 'gpt' }, 'input'],
    [{ model: 'gpt', input: 'hi', max_output_tokens: 0 }, 'max_output_tokens'],
    [{ model: 'gpt', input: 'hi', max_output_tokens: 1.5 }, 'max_output_tokens'],
    [{ model: 'gpt', input: 'hi', store: 'no' }, 'store'],
    [{ model: 'gpt', input: 'hi', previous_response_id: 'resp/../x' }, 'previous_response_id'],
  ])('refuses %j naming %s', (body, param) => {
    expect(() => validateResponsesBody(body)).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it('accepts instructions alone when there is no input', () => {
    expect(validateResponsesBody({ model: 'gpt', instructions: 'Say hi.' })).toMatchObject({ model: 'gpt', stream: false, store: true });
  });
});
