import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { assertChatCompletion, assertChatCompletionChunk } from '../support/openai-schema.js';
import { fixtureChunks, fixtureText, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let client: OpenAI;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const origin = upstream.baseUrl.replace(/\/v1$/, '');
  const entry = (name: string, model: string, extra = '') => `
  - model_name: ${name}
    litellm_params:
      model: ${model}
      api_base: ${origin}
      api_key: sk-native-provider-key-000${extra}`;
  gateway = await startGateway(`
model_list:${[
    entry('claude-text', 'anthropic/fixture:anthropic-text'),
    entry('claude-tool', 'anthropic/fixture:anthropic-tool-no-args'),
    entry('gpt-text', 'openai/fixture:openai-text').replace(origin, upstream.baseUrl),
    entry('gemini-text', 'gemini/fixture:google-text'),
    entry('gemini-tool', 'gemini/fixture:google-tool-call'),
    entry('bedrock-text', 'bedrock/fixture:amazon-bedrock-text', '\n      aws_region_name: eu-west-1'),
    entry('bedrock-tool', 'bedrock/fixture:amazon-bedrock-tool-call.1', '\n      aws_region_name: eu-west-1'),
  ].join('')}
  - model_name: demo
    litellm_params:
      model: demo/echo
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const hello = [{ role: 'user' as const, content: 'hi' }];

/** Every chunk of a streamed completion (usage asked for), each checked against OpenAI's chunk schema. */
async function streamedChunks(model: string) {
  const stream = await client.chat.completions.create({ model, messages: hello, stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  chunks.forEach((chunk) => assertChatCompletionChunk(chunk));
  return chunks;
}

/** The text an Anthropic message (or stream) recorded. */
function anthropicText(name: string, stream: boolean): string {
  if (!stream) {
    const message = JSON.parse(fixtureText(`${name}.json`, 'anthropic')) as { content: Array<{ type: string; text?: string }> };
    return message.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
  }
  return fixtureChunks(name, 'anthropic')
    .map((event) => (event['delta'] as { type?: string; text?: string } | undefined))
    .filter((delta) => delta?.type === 'text_delta')
    .map((delta) => delta!.text)
    .join('');
}

describe('Anthropic through the OpenAI SDK', () => {
  it('assembles the recorded text from a non-streaming Anthropic answer', async () => {
    const completion = await client.chat.completions.create({ model: 'claude-text', messages: hello });

    assertChatCompletion(completion);
    expect(completion.choices[0]?.message.content).toBe(anthropicText('anthropic-text', false));
    expect(upstream.requests.at(-1)?.headers['x-api-key']).toBe('sk-native-provider-key-000');
  });

  it('assembles the recorded text from an Anthropic stream, chunk by chunk', async () => {
    const chunks = await streamedChunks('claude-text');

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(anthropicText('anthropic-text', true));
    expect(chunks.at(-1)?.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('assembles a streamed Anthropic tool call with no arguments into valid JSON', async () => {
    const completion = await client.chat.completions.stream({ model: 'claude-tool', messages: hello }).finalChatCompletion();

    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : 'x')).toEqual({});
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

/** The text a Gemini response (or stream) recorded. */
function geminiText(name: string, stream: boolean): string {
  const responses = stream ? fixtureChunks(name, 'gemini') : [JSON.parse(fixtureText(`${name}.json`, 'gemini')) as Record<string, unknown>];
  return responses
    .flatMap((response) => ((response['candidates'] as Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }> | undefined) ?? []))
    .flatMap((candidate) => candidate.content?.parts ?? [])
    .filter((part) => typeof part.text === 'string' && !part.thought)
    .map((part) => part.text)
    .join('');
}

describe('Gemini through the OpenAI SDK', () => {
  it('assembles the recorded text from a non-streaming Gemini answer, key in a header', async () => {
    const completion = await client.chat.completions.create({ model: 'gemini-text', messages: hello });

    assertChatCompletion(completion);
    expect(completion.choices[0]?.message.content).toBe(geminiText('google-text', false));
    expect(upstream.requests.at(-1)?.headers['x-goog-api-key']).toBe('sk-native-provider-key-000');
    expect(upstream.requests.at(-1)?.url).not.toContain('key=');
  });

  it('assembles the recorded text from a Gemini stream (alt=sse)', async () => {
    const chunks = await streamedChunks('gemini-text');

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(geminiText('google-text', true));
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('assembles streamed Gemini tool calls into valid JSON arguments', async () => {
    const completion = await client.chat.completions.stream({ model: 'gemini-tool', messages: hello }).finalChatCompletion();

    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(() => JSON.parse(call.type === 'function' ? call.function.arguments : 'x')).not.toThrow();
  });
});

/** The text a Bedrock Converse response (or stream) recorded. */
function bedrockText(name: string, stream: boolean): string {
  if (!stream) {
    const response = JSON.parse(fixtureText(`${name}.json`, 'bedrock')) as { output: { message: { content: Array<{ text?: string }> } } };
    return response.output.message.content.map((block) => block.text ?? '').join('');
  }
  return fixtureChunks(name, 'bedrock')
    .map((event) => (event['contentBlockDelta'] as { delta?: { text?: string } } | undefined)?.delta?.text ?? '')
    .join('');
}

describe('Bedrock through the OpenAI SDK', () => {
  it('assembles the recorded text from a Converse answer, signed with SigV4 for its region', async () => {
    const completion = await client.chat.completions.create({ model: 'bedrock-text', messages: hello });

    assertChatCompletion(completion);
    expect(completion.choices[0]?.message.content).toBe(bedrockText('amazon-bedrock-text', false));
    expect(String(upstream.requests.at(-1)?.headers['authorization'])).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
  });

  it('assembles the recorded text from binary ConverseStream frames, usage included', async () => {
    const chunks = await streamedChunks('bedrock-text');

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(bedrockText('amazon-bedrock-text', true));
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('assembles a streamed Bedrock tool call into valid JSON arguments', async () => {
    const completion = await client.chat.completions.stream({ model: 'bedrock-tool', messages: hello }).finalChatCompletion();

    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(() => JSON.parse(call?.type === 'function' ? call.function.arguments : 'x')).not.toThrow();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

describe('the Anthropic-compatible endpoint through the Anthropic SDK', () => {
  const anthropic = () => new Anthropic({ baseURL: gateway.url, apiKey: MASTER_KEY, maxRetries: 0 });

  it('answers a Messages request from an OpenAI model with the recorded text', async () => {
    const message = await anthropic().messages.create({ model: 'gpt-text', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });

    const recorded = JSON.parse(fixtureText('openai-text.json')) as { choices: Array<{ message: { content: string } }> };
    expect(message.type).toBe('message');
    expect(message.content[0]?.type === 'text' ? message.content[0].text : '').toBe(recorded.choices[0]?.message.content);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams a Messages request that the SDK assembles into the recorded text', async () => {
    const stream = anthropic().messages.stream({ model: 'gpt-text', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });
    const message = await stream.finalMessage();

    const recorded = fixtureChunks('openai-text') as Array<{ choices: Array<{ delta: { content?: string } }> }>;
    const text = recorded.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(message.content[0]?.type === 'text' ? message.content[0].text : '').toBe(text);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('passes an Anthropic model through and back with the recorded text', async () => {
    const message = await anthropic().messages.create({ model: 'claude-text', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });

    expect(message.content[0]?.type === 'text' ? message.content[0].text : '').toBe(anthropicText('anthropic-text', false));
  });

  it('answers a tool call from the demo model as a tool_use block', async () => {
    const message = await anthropic().messages.create({
      model: 'demo',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });

    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse?.type === 'tool_use' ? toolUse.name : '').toBe('get_weather');
    expect(message.stop_reason).toBe('tool_use');
  });

  it('answers errors in Anthropic\'s shape', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': MASTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('counts tokens for a Messages request', async () => {
    const count = await anthropic().messages.countTokens({ model: 'demo', messages: [{ role: 'user', content: 'hello there' }] });

    expect(count.input_tokens).toBeGreaterThan(0);
  });
});

describe('parameters a provider cannot honour', () => {
  it('drops them and names them in x-gateway-dropped-params', async () => {
    const { response } = await client.chat.completions.create({ model: 'claude-text', messages: hello, seed: 7, logprobs: true }).withResponse();

    expect(response.headers.get('x-gateway-dropped-params')).toBe('logprobs,seed');
    expect(upstream.requests.at(-1)?.body).not.toHaveProperty('seed');
  });

  it('refuses them with a 400 naming the parameter when drop_params is false', async () => {
    const strict = await startGateway(`
model_list:
  - model_name: claude-text
    litellm_params:
      model: anthropic/fixture:anthropic-text
      api_base: ${upstream.baseUrl.replace(/\/v1$/, '')}
      api_key: sk-native-provider-key-000
litellm_settings:
  drop_params: false
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
    const strictClient = new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });

    const request = strictClient.chat.completions.create({ model: 'claude-text', messages: hello, seed: 7 });

    await expect(request).rejects.toMatchObject({ status: 400, param: 'seed' });
    await strict.close();
  });
});
