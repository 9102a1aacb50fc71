/**
 * The Responses API for models that do not speak it: the official `openai` client against the real
 * gateway, served by the demo model and by Claude (a fake Anthropic replaying
 * test/fixtures/providers/anthropic/, Apache-2.0, see LICENSE-vercel-ai.txt) through the chat pipeline.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { assertResponse, assertResponseStreamEvent } from '../support/openai-schema.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let openai: OpenAI;
const records: UsageRecord[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const origin = upstream.baseUrl.replace(/\/v1$/, '');
  gateway = await startGateway(
    `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
  - model_name: claude
    litellm_params:
      model: anthropic/fixture:anthropic-text
      api_base: ${origin}
      api_key: sk-ant-translated-provider-key-0000
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`,
    { usageSink: { record: async (record) => void records.push(record) } },
  );
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  records.length = 0;
});

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/responses at a deployment without the Responses API', () => {
  it('answers a Response with output_text when the demo model answers', async () => {
    const response = await openai.responses.create({ model: 'demo', input: 'hello there' });

    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).not.toBe('');
  });

  it('answers a Response with the Anthropic text when Claude serves it', async () => {
    const response = await openai.responses.create({ model: 'claude', instructions: 'Be brief.', input: 'hello' });

    expect(response.output.map((item) => item.type)).toContain('message');
    expect(response.output_text).not.toBe('');
    expect(JSON.stringify(upstream.requests.at(-1)!.body['system'])).toContain('Be brief.');
  });

  it('streams the semantic events ending in response.completed when streaming', async () => {
    const stream = openai.responses.stream({ model: 'demo', input: 'hello there' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);

    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('continues a function call round trip when the tool output names previous_response_id', async () => {
    const first = await openai.responses.create({ model: 'demo', input: 'weather in Paris?', tools: [WEATHER_TOOL] });
    const call = first.output.find((item) => item.type === 'function_call');

    const second = await openai.responses.create({
      model: 'demo',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: 'sunny' }],
      tools: [WEATHER_TOOL],
    });

    expect(call).toBeDefined();
    expect(second.output_text).toContain('sunny');
  });

  it('prepends the stored conversation when previous_response_id names a translated response', async () => {
    const first = await openai.responses.create({ model: 'claude', input: 'first question' });

    await openai.responses.create({ model: 'claude', previous_response_id: first.id, input: 'second question' });

    const messages = upstream.requests.at(-1)!.body['messages'] as Array<{ role: string; content: unknown }>;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[0]!.content)).toContain('first question');
    expect(JSON.stringify(messages[2]!.content)).toContain('second question');
  });

  it('serves retrieve and input_items from the store, and delete removes it', async () => {
    const created = await openai.responses.create({ model: 'demo', input: 'remember me' });

    const retrieved = await openai.responses.retrieve(created.id);
    const items = await openai.responses.inputItems.list(created.id);
    await openai.responses.delete(created.id);
    const gone = await openai.responses.retrieve(created.id).catch((error: unknown) => error);

    expect(retrieved).toMatchObject({ id: created.id, status: 'completed' });
    expect(items.data).toHaveLength(1);
    expect((gone as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });

  it('gives every stored input item an id, so input_items pages with after', async () => {
    const created = await openai.responses.create({ model: 'demo', input: [
      { role: 'user', content: 'one' },
      { role: 'user', content: 'two' },
    ] });

    const firstPage = await openai.responses.inputItems.list(created.id, { limit: 1, order: 'asc' });
    const secondPage = await openai.responses.inputItems.list(created.id, { limit: 1, order: 'asc', after: firstPage.data[0]!.id });

    expect(firstPage.data[0]!.id).toMatch(/^item_/);
    expect(secondPage.data).toHaveLength(1);
    expect(secondPage.data[0]!.id).not.toBe(firstPage.data[0]!.id);
  });

  it('lets a follow-up sent the moment a stream completes continue it', async () => {
    const stream = await openai.responses.create({ model: 'demo', input: 'first', stream: true });
    let completedId: string | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completedId = event.response.id;

    const followUp = await openai.responses.create({ model: 'demo', input: 'second', previous_response_id: completedId! });

    expect(followUp.status).toBe('completed');
  });

  it('answers but stores nothing, saying so in a header, when the conversation is too large for the store', async () => {
    const { data, response } = await openai.responses.create({ model: 'demo', input: 'x'.repeat(400 * 1024) }).withResponse();

    const failure = await openai.responses.retrieve(data.id).catch((error: unknown) => error);

    expect(data.status).toBe('completed');
    expect(response.headers.get('x-gateway-response-stored')).toBe('false');
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect(gateway.logLines.some((line) => line.event === 'responses.not_stored')).toBe(true);
  });

  it('stores nothing when store is false', async () => {
    const created = await openai.responses.create({ model: 'demo', input: 'forget me', store: false });

    const failure = await openai.responses.retrieve(created.id).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });

  it('refuses a built-in tool with 400 naming it', async () => {
    const failure = await openai.responses.create({ model: 'claude', input: 'search', tools: [{ type: 'web_search' }] } as never).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toContain('web_search');
  });

  it.each(['claude', 'demo'])('answers a Response and events the spec schemas accept when %s serves with a tool', async (model) => {
    const body = { model, input: 'weather in Paris?', tools: [WEATHER_TOOL] };
    const whole = await openai.responses.create(body).asResponse();
    const events: unknown[] = [];
    for await (const event of await openai.responses.create({ ...body, stream: true })) events.push(event);

    assertResponse(await whole.json());
    for (const event of events) assertResponseStreamEvent(event);
    expect(events.length).toBeGreaterThan(3);
  });

  it('refuses Codex-shaped traffic with a custom tool with 400 naming it when Claude would serve it', async () => {
    const failure = await openai.responses
      .create({
        model: 'claude',
        input: 'patch it',
        store: false,
        include: ['reasoning.encrypted_content'],
        parallel_tool_calls: true,
        tools: [WEATHER_TOOL, { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } }],
      } as never)
      .catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toContain('custom');
  });

  it('records usage once with operation responses', async () => {
    await openai.responses.create({ model: 'demo', input: 'count me' });
    await gateway.drained();

    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'responses', model: 'demo', status: 200 });
  });
});
