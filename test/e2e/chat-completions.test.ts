import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChatCompletion } from '../support/openai-schema.js';
import { fixtureText } from '../support/fake-upstream.js';
import { MASTER_KEY } from '../support/start-gateway.js';
import { PROVIDER_KEY, startE2eEnvironment, stopE2eEnvironment, type E2eEnvironment } from './e2e-setup.js';

let environment: E2eEnvironment;
beforeAll(async () => {
  environment = await startE2eEnvironment();
});
afterAll(() => stopE2eEnvironment(environment));

const hello = [{ role: 'user' as const, content: 'Invent a holiday.' }];

describe('POST /v1/chat/completions (non-streaming)', () => {
  it('returns the recorded OpenAI completion, valid against the OpenAI schema', async () => {
    const completion = await environment.client.chat.completions.create({ model: 'gpt-text', messages: hello });

    assertChatCompletion(completion);
    const recorded = JSON.parse(fixtureText('openai-text.json')) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toBe(recorded.choices[0]?.message.content);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('names the model and provider that served it in response headers', async () => {
    const { response } = await environment.client.chat.completions.create({ model: 'gpt-text', messages: hello }).withResponse();

    expect(response.headers.get('x-gateway-model')).toBe('gpt-text');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
  });

  it('echoes the client x-request-id', async () => {
    const { response } = await environment.client.chat.completions
      .create({ model: 'gpt-text', messages: hello }, { headers: { 'x-request-id': 'req-client-42' } })
      .withResponse();

    expect(response.headers.get('x-request-id')).toBe('req-client-42');
  });

  it('generates an x-request-id when the client sends none', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });

    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes every client field through unchanged except the model name', async () => {
    const body = {
      model: 'echo',
      messages: hello,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      max_tokens: 50,
      max_completion_tokens: 60,
      stop: ['END'],
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      user: 'end-user-1',
      some_future_field: { nested: [1, 2, 3] },
    };

    await fetch(`${environment.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

    const forwarded = environment.upstream.requests.at(-1)!;
    expect(forwarded.body).toEqual({ ...body, model: 'echo' });
    expect(forwarded.url).toBe('/v1/chat/completions');
    expect(forwarded.headers['authorization']).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it('calls Azure OpenAI at the deployment URL with api-version and an api-key header', async () => {
    const completion = await environment.client.chat.completions.create({ model: 'azure-gpt', messages: hello });

    const forwarded = environment.upstream.requests.at(-1)!;
    expect(forwarded.url).toBe('/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    expect(forwarded.headers['api-key']).toBe(PROVIDER_KEY);
    expect(forwarded.headers['authorization']).toBeUndefined();
    assertChatCompletion(completion);
  });

  it('serves a named OpenAI-compatible provider (groq) through the shared implementation', async () => {
    const completion = await environment.client.chat.completions.create({ model: 'groq-tools', messages: hello });

    assertChatCompletion(completion);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]?.type).toBe('function');
  });

  it('answers without the /v1 prefix for clients configured with a bare base URL', async () => {
    const response = await fetch(`${environment.gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}` },
      body: JSON.stringify({ model: 'gpt-text', messages: hello }),
    });

    expect(response.status).toBe(200);
    assertChatCompletion(await response.json());
  });

  it('answers tool calls from the built-in demo model', async () => {
    const completion = await environment.client.chat.completions.create({
      model: 'demo',
      messages: hello,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });

    assertChatCompletion(completion);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toHaveProperty('city');
  });
});
