/**
 * The Responses API translated onto the chat path for Gemini, Bedrock (Converse) and an
 * OpenAI-compatible chat model: the official `openai` client against the real gateway, served by
 * the fake upstream replaying test/fixtures/providers/<format>/ (Apache-2.0, see
 * LICENSE-vercel-ai.txt there). The fake answers every request for a `fixture:<name>` model with
 * that recording, whatever it is asked, so a continued conversation is judged by what the upstream
 * received, not by what it answered.
 */
import OpenAI from 'openai';
import type { Response as OpenAiResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureChunks, fixtureText, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { assertResponse, assertResponseStreamEvent } from '../support/openai-schema.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let openai: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const origin = upstream.baseUrl.replace(/\/v1$/, '');
  const entry = (name: string, model: string, apiBase: string, extra = '') => `
  - model_name: ${name}
    litellm_params:
      model: ${model}
      api_base: ${apiBase}
      api_key: sk-translated-provider-key-000${extra}`;
  const region = '\n      aws_region_name: eu-west-1';
  gateway = await startGateway(`
model_list:${[
    entry('gemini-text', 'gemini/fixture:google-text', origin),
    entry('gemini-tool', 'gemini/fixture:google-tool-call', origin),
    entry('bedrock-text', 'bedrock/fixture:amazon-bedrock-text', origin, region),
    entry('bedrock-tool', 'bedrock/fixture:amazon-bedrock-tool-call.1', origin, region),
    entry('vllm-text', 'hosted_vllm/fixture:openai-text', upstream.baseUrl),
    entry('groq-tool', 'groq/fixture:groq-tool-call', upstream.baseUrl),
  ].join('')}
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

type JsonRecord = Record<string, unknown>;

/** The text a recording answers with, whole (`.json`) or streamed (`.chunks.txt`). */
function geminiText(name: string, stream: boolean): string {
  const responses = stream ? fixtureChunks(name, 'gemini') : [JSON.parse(fixtureText(`${name}.json`, 'gemini')) as JsonRecord];
  return responses
    .flatMap((response) => (response['candidates'] as Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }> | undefined) ?? [])
    .flatMap((candidate) => candidate.content?.parts ?? [])
    .filter((part) => typeof part.text === 'string' && !part.thought)
    .map((part) => part.text)
    .join('');
}

function bedrockText(name: string, stream: boolean): string {
  if (!stream) {
    const response = JSON.parse(fixtureText(`${name}.json`, 'bedrock')) as { output: { message: { content: Array<{ text?: string }> } } };
    return response.output.message.content.map((block) => block.text ?? '').join('');
  }
  return fixtureChunks(name, 'bedrock')
    .map((event) => (event['contentBlockDelta'] as { delta?: { text?: string } } | undefined)?.delta?.text ?? '')
    .join('');
}

function openAiText(name: string, stream: boolean): string {
  if (!stream) return (JSON.parse(fixtureText(`${name}.json`)) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
  return (fixtureChunks(name) as Array<{ choices: Array<{ delta: { content?: string } }> }>)
    .map((chunk) => chunk.choices[0]?.delta.content ?? '')
    .join('');
}

/**
 * The turns of an upstream request body in its own wire format, as `role:kind+kind` strings
 * (Gemini `contents[].parts[]`, Converse `messages[].content[]`, chat `messages[]`), so the three
 * formats can be compared against the same conversation.
 */
function geminiTurns(body: JsonRecord): string[] {
  return (body['contents'] as Array<{ role: string; parts: JsonRecord[] }>).map(
    (content) => `${content.role}:${content.parts.map((part) => Object.keys(part).find((key) => key !== 'thoughtSignature')).join('+')}`,
  );
}

function bedrockTurns(body: JsonRecord): string[] {
  return (body['messages'] as Array<{ role: string; content: JsonRecord[] }>).map((message) => `${message.role}:${message.content.map((block) => Object.keys(block)[0]).join('+')}`);
}

function chatTurns(body: JsonRecord): string[] {
  return (body['messages'] as Array<{ role: string; content?: unknown; tool_calls?: unknown[] }>).map(
    (message) => `${message.role}:${message.tool_calls ? 'tool_calls' : 'text'}`,
  );
}

interface Provider {
  name: string;
  textModel: string;
  /** The upstream model name of the text deployment, as the fake records it. */
  textUpstreamModel: string;
  toolModel: string;
  toolUpstreamModel: string;
  /** A function tool named as the recorded tool call names it. */
  tool: { type: 'function'; name: string; description: string; strict: boolean; parameters: JsonRecord };
  text(stream: boolean): string;
  turns(body: JsonRecord): string[];
  /** The turns the upstream should receive when a tool output continues the recorded call. */
  continuedTurns: string[];
}

const objectParameters = (property: string) => ({ type: 'object', properties: { [property]: { type: 'string' } }, required: [] });

const PROVIDERS: Provider[] = [
  {
    name: 'Gemini',
    textModel: 'gemini-text',
    textUpstreamModel: 'fixture:google-text',
    toolModel: 'gemini-tool',
    toolUpstreamModel: 'fixture:google-tool-call',
    tool: { type: 'function', name: 'weather', description: 'The weather in a place', strict: false, parameters: objectParameters('location') },
    text: (stream) => geminiText('google-text', stream),
    turns: geminiTurns,
    continuedTurns: ['user:text', 'model:functionCall', 'user:functionResponse'],
  },
  {
    name: 'Bedrock',
    textModel: 'bedrock-text',
    textUpstreamModel: 'fixture:amazon-bedrock-text',
    toolModel: 'bedrock-tool',
    toolUpstreamModel: 'fixture:amazon-bedrock-tool-call.1',
    tool: { type: 'function', name: 'bash', description: 'Run a shell command', strict: false, parameters: objectParameters('command') },
    text: (stream) => bedrockText('amazon-bedrock-text', stream),
    turns: bedrockTurns,
    continuedTurns: ['user:text', 'assistant:toolUse', 'user:toolResult'],
  },
  {
    // Text from a hosted_vllm deployment; the tool call from groq (the OpenAI-compatible fixtures
    // with a text answer and with a tool call are different recordings).
    name: 'an OpenAI-compatible chat model',
    textModel: 'vllm-text',
    textUpstreamModel: 'fixture:openai-text',
    toolModel: 'groq-tool',
    toolUpstreamModel: 'fixture:groq-tool-call',
    tool: { type: 'function', name: 'weather', description: 'The weather in a place', strict: false, parameters: objectParameters('location') },
    text: (stream) => openAiText('openai-text', stream),
    turns: chatTurns,
    continuedTurns: ['user:text', 'assistant:tool_calls', 'tool:text'],
  },
];

/** A non-streamed Response as the gateway sent it, checked against the spec's `Response` schema. */
async function createResponse(body: OpenAI.Responses.ResponseCreateParamsNonStreaming): Promise<OpenAiResponse> {
  const raw = await openai.responses.create(body).asResponse();
  const json = (await raw.json()) as unknown;
  assertResponse(json);
  return json as OpenAiResponse;
}

/** Every event of a streamed Response, each checked against the spec's `ResponseStreamEvent` schemas. */
async function streamEvents(body: OpenAI.Responses.ResponseCreateParamsNonStreaming): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of await openai.responses.create({ ...body, stream: true })) events.push(event);
  events.forEach((event) => assertResponseStreamEvent(event));
  return events;
}

function outputText(response: OpenAiResponse): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

describe.each(PROVIDERS)('POST /v1/responses translated for $name', (provider) => {
  it('answers a Response with the recorded text as an output_text message item', async () => {
    const response = await createResponse({ model: provider.textModel, input: 'hello' });

    const message = response.output.find((item) => item.type === 'message');
    expect(response.status).toBe('completed');
    expect(message?.type === 'message' ? message.content.map((part) => part.type) : []).toContain('output_text');
    expect(outputText(response)).toBe(provider.text(false));
  });

  it('streams the semantic events in order, ending in response.completed with usage', async () => {
    const events = await streamEvents({ model: provider.textModel, input: 'hello' });

    const types = events.map((event) => event.type);
    const completed = events.at(-1);
    const deltas = events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.content_part.added');
    expect(deltas).toBe(provider.text(true));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(completed?.type).toBe('response.completed');
    expect(completed?.type === 'response.completed' ? completed.response.usage?.total_tokens : 0).toBeGreaterThan(0);
  });

  it('answers a function call as a function_call item when the upstream calls a tool', async () => {
    const response = await createResponse({ model: provider.toolModel, input: 'weather in Paris?', tools: [provider.tool] });

    const call = response.output.find((item) => item.type === 'function_call');
    expect(call?.type === 'function_call' ? call.name : '').toBe(provider.tool.name);
    expect(() => JSON.parse(call?.type === 'function_call' ? call.arguments : 'x')).not.toThrow();
    expect(call?.type === 'function_call' ? call.call_id : '').not.toBe('');
  });

  it('sends the earlier turns upstream when a function_call_output names previous_response_id', async () => {
    const first = await createResponse({ model: provider.toolModel, input: 'weather in Paris?', tools: [provider.tool] });
    const call = first.output.find((item) => item.type === 'function_call');

    const second = await createResponse({
      model: provider.toolModel,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call?.type === 'function_call' ? call.call_id : '', output: 'sunny' }],
      tools: [provider.tool],
    });

    const sent = upstream.requestsFor(provider.toolUpstreamModel).at(-1)!.body;
    expect(second.status).toBe('completed');
    expect(provider.turns(sent)).toEqual(provider.continuedTurns);
    expect(JSON.stringify(sent)).toContain('weather in Paris?');
    expect(JSON.stringify(sent)).toContain('sunny');
  });
});

describe('POST /v1/responses with a built-in tool for Gemini', () => {
  it('refuses web_search with a 400 naming tools[0].type', async () => {
    const failure = await openai.responses
      .create({ model: 'gemini-text', input: 'search the web', tools: [{ type: 'web_search' }] })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((failure as InstanceType<typeof OpenAI.APIError>).param).toBe('tools[0].type');
    expect(upstream.requestsFor('fixture:google-text').some((request) => JSON.stringify(request.body).includes('search the web'))).toBe(false);
  });
});

describe('POST /v1/responses continuing a Gemini function call', () => {
  // Known product bug: chat-to-response.ts builds the function_call item from the chat tool call
  // without its extra_content.google.thought_signature, so the stored conversation has lost it and
  // to-gemini-contents.ts signs the replayed call with THOUGHT_SIGNATURE_PLACEHOLDER instead of the
  // recorded signature. `it.fails` until the signature is carried; then make this a plain `it`.
  it.fails('sends the recorded thought signature back with the replayed functionCall', async () => {
    const recorded = (JSON.parse(fixtureText('google-tool-call.json', 'gemini')) as { candidates: Array<{ content: { parts: Array<{ thoughtSignature?: string }> } }> })
      .candidates[0]!.content.parts[0]!.thoughtSignature;
    const gemini = PROVIDERS[0]!;
    const first = await createResponse({ model: gemini.toolModel, input: 'weather in Paris?', tools: [gemini.tool] });
    const call = first.output.find((item) => item.type === 'function_call');

    await createResponse({
      model: gemini.toolModel,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call?.type === 'function_call' ? call.call_id : '', output: 'sunny' }],
      tools: [gemini.tool],
    });

    const contents = upstream.requestsFor(gemini.toolUpstreamModel).at(-1)!.body['contents'] as Array<{ role: string; parts: JsonRecord[] }>;
    const replayed = contents.find((content) => content.role === 'model')?.parts.find((part) => 'functionCall' in part);
    expect(replayed?.['thoughtSignature']).toBe(recorded);
  });
});
