/**
 * Codex CLI and the Agents SDK through the gateway: `/v1/responses` to OpenAI deployments is a
 * passthrough. The official `openai` client against the real gateway, and a capturing fake of
 * OpenAI's Responses API replaying test/fixtures/providers/openai-responses/ (Apache-2.0, see
 * LICENSE-vercel-ai.txt): the upstream gets the client's body unchanged except `model`, and the
 * client gets the events the upstream sent.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { responsesFixture, responsesFixtureEvents, startFakeResponsesUpstream, type FakeResponsesUpstream } from '../support/fake-responses-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';
import { assertResponseStreamEvent } from '../support/openai-schema.js';

const PROVIDER_KEY = 'sk-openai-responses-provider-key-0000';

let first: FakeResponsesUpstream;
let second: FakeResponsesUpstream;
let gateway: RunningGateway;
let openai: OpenAI;
const records: UsageRecord[] = [];

beforeAll(async () => {
  first = await startFakeResponsesUpstream();
  second = await startFakeResponsesUpstream();
  const deployment = (name: string, model: string, base: string, id: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${base}
      api_key: ${PROVIDER_KEY}
    model_info:
      id: ${id}`;
  gateway = await startGateway(
    `
model_list:${deployment('codex', 'gpt-5.1-codex-max', first.baseUrl, 'codex-first')}${deployment('codex', 'gpt-5.1-codex-max', second.baseUrl, 'codex-second')}${deployment('replay', 'fixture:openai-phase.1', first.baseUrl, 'replay')}${deployment('custom', 'fixture:openai-custom-tool.1', first.baseUrl, 'custom')}${deployment('quota', 'fixture:openai-error.1', first.baseUrl, 'quota')}${deployment('cached', 'cached:64', first.baseUrl, 'cached')}${deployment('truncated', 'truncated:6', first.baseUrl, 'truncated')}
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`,
    { usageSink: { record: async (record) => void records.push(record) } },
  );
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await first?.close();
  await second?.close();
});
beforeEach(() => {
  first.requests.length = 0;
  second.requests.length = 0;
  records.length = 0;
});

const received = () => [...first.requests, ...second.requests];

/** What Codex CLI sends: store false, encrypted reasoning back, function and custom tools, parallel tool calls. */
const CODEX_BODY = {
  model: 'codex',
  instructions: 'You are a coding agent.',
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files.' }] },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAABencrypted==' },
    { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'README.md' },
  ],
  tools: [
    { type: 'function', name: 'shell', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } },
    { type: 'custom', name: 'apply_patch', description: 'Applies a patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { effort: 'high', summary: 'auto' },
  store: false,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'session-1',
};

describe('POST /v1/responses at an OpenAI deployment', () => {
  it('sends Codex-shaped traffic upstream unchanged except model when store is false', async () => {
    await openai.responses.create(CODEX_BODY as never);

    const [sent] = received();
    expect(sent!.url).toBe('/v1/responses');
    expect(sent!.headers['authorization']).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(sent!.body).toEqual({ ...CODEX_BODY, model: 'gpt-5.1-codex-max' });
  });

  it('answers the upstream Response byte for byte when not streaming', async () => {
    const response = await openai.responses.create({ ...CODEX_BODY, store: false } as never).asResponse();

    expect(await response.text()).toBe(responsesFixture('openai-reasoning-encrypted-content.1.json'));
  });

  it('relays every event as the upstream sent it when streaming', async () => {
    const stream = await openai.responses.create({ ...CODEX_BODY, model: 'replay', stream: true } as never);
    const events: unknown[] = [];
    for await (const event of stream as unknown as AsyncIterable<unknown>) events.push(event);

    expect(events).toEqual(responsesFixtureEvents('openai-phase.1').map((line) => JSON.parse(line)));
  });

  it('relays custom tool call events when the upstream streams them', async () => {
    const stream = openai.responses.stream({ model: 'custom', input: 'patch it', tools: [{ type: 'custom', name: 'apply_patch' }] } as never);
    const final = await stream.finalResponse();

    expect(final.output.map((item) => item.type)).toEqual(['custom_tool_call']);
  });

  it('records usage once with cached and reasoning tokens when the upstream reports them', async () => {
    await openai.responses.create({ model: 'cached', input: 'hi', store: false });
    await gateway.drained();

    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'responses', prompt_tokens: 865, completion_tokens: 163, cache_read_tokens: 64, reasoning_tokens: 128, estimated: false });
  });

  it('records usage from response.completed when streaming', async () => {
    const stream = await openai.responses.create({ model: 'replay', input: 'hi', stream: true, store: false });
    for await (const _event of stream) void _event;
    await gateway.drained();

    const completed = responsesFixtureEvents('openai-phase.1').map((line) => JSON.parse(line)).find((event) => event.type === 'response.completed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      operation: 'responses',
      stream: true,
      prompt_tokens: completed.response.usage.input_tokens,
      completion_tokens: completed.response.usage.output_tokens,
      cache_read_tokens: completed.response.usage.input_tokens_details.cached_tokens,
      reasoning_tokens: completed.response.usage.output_tokens_details.reasoning_tokens,
      estimated: false,
    });
  });

  it('ends a stream the upstream cut short with a valid error event numbered after the last one relayed', async () => {
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'truncated', input: 'hi', stream: true }),
    });
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => JSON.parse(block.split('\n').slice(1).map((line) => line.slice('data: '.length)).join('\n')) as { type: string; sequence_number: number });

    const last = events.at(-1)!;
    expect(last.type).toBe('error');
    expect(last.sequence_number).toBe(events.at(-2)!.sequence_number + 1);
    expect(() => assertResponseStreamEvent(last)).not.toThrow();
  });

  it('refuses background responses, whose output could not be metered, before calling the upstream', async () => {
    const error = await openai.responses.create({ model: 'codex', input: 'hi', background: true }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ status: 400, param: 'background' });
    expect(received()).toHaveLength(0);
  });

  it('answers the upstream error in OpenAI shape when the upstream refuses', async () => {
    const failure = await openai.responses.create({ model: 'quota', input: 'hi' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('insufficient_quota');
  });

  it("refuses OpenAI's conversation objects, which every tenant's key would share at the provider", async () => {
    const failure = await openai.responses.create({ model: 'codex', input: 'hi', conversation: 'conv_123' }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ status: 400, param: 'conversation' });
    expect(received()).toHaveLength(0);
  });

  it('refuses a non-boolean stream with 400 naming the field', async () => {
    const failure = await openai.responses.create({ model: 'codex', input: 'hi', stream: 'yes' } as never).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((failure as InstanceType<typeof OpenAI.APIError>).param).toBe('stream');
  });
});

describe('stored native responses', () => {
  it('proxies only the query parameters a retrieve may carry', async () => {
    const created = await openai.responses.create({ model: 'codex', input: 'hi' });

    await fetch(`${gateway.url}/v1/responses/${created.id}?stream=true&include[]=reasoning.encrypted_content`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });

    const proxied = received().find((request) => request.method === 'GET')!;
    expect(proxied.url).toContain('include');
    expect(proxied.url).not.toContain('stream');
  });

  it('sends every follow-up to the deployment holding previous_response_id', async () => {
    const created = await openai.responses.create({ model: 'codex', input: 'hi' });
    const holder = first.requests.length === 1 ? first : second;
    const other = holder === first ? second : first;

    for (let turn = 0; turn < 6; turn++) await openai.responses.create({ model: 'codex', input: 'again', previous_response_id: created.id });

    expect(holder.requests).toHaveLength(7);
    expect(other.requests).toHaveLength(0);
    expect(holder.requests[6]!.body['previous_response_id']).toBe(created.id);
  });

  it('proxies retrieve, input_items and delete to the deployment holding the response', async () => {
    const created = await openai.responses.create({ model: 'codex', input: 'hi' });
    const holder = first.requests.length === 1 ? first : second;

    const retrieved = await openai.responses.retrieve(created.id);
    const items = await openai.responses.inputItems.list(created.id, { limit: 5 });
    await openai.responses.delete(created.id);

    expect(retrieved.id).toBe(created.id);
    expect(items.data).toEqual([]);
    expect(holder.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /v1/responses',
      `GET /v1/responses/${created.id}`,
      `GET /v1/responses/${created.id}/input_items?limit=5`,
      `DELETE /v1/responses/${created.id}`,
    ]);
  });

  it('answers 404 for a response once deleted', async () => {
    const created = await openai.responses.create({ model: 'codex', input: 'hi' });
    await openai.responses.delete(created.id);

    const failure = await openai.responses.retrieve(created.id).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });

  it('stores nothing when store is false', async () => {
    const created = await openai.responses.create({ model: 'codex', input: 'hi', store: false });

    const failure = await openai.responses.create({ model: 'codex', input: 'again', previous_response_id: created.id }).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((failure as InstanceType<typeof OpenAI.APIError>).param).toBe('previous_response_id');
    expect(received()).toHaveLength(1);
  });

  it('answers 404 for a response id with characters no id has', async () => {
    const response = await fetch(`${gateway.url}/v1/responses/${'x'.repeat(129)}`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });

    expect(response.status).toBe(404);
  });
});
