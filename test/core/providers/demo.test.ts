import { describe, expect, it } from 'vitest';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../../../functions/core/openai/openai-types.js';
import { createDemoUpstream } from '../../../functions/core/providers/demo/demo-upstream.js';
import { providerFor } from '../../../functions/core/providers/provider-registry.js';
import { decodeSseStream } from '../../../functions/core/streaming/sse-decoder.js';
import { assertChatCompletion, assertChatCompletionChunk, assertEmbeddingResponse } from '../../support/openai-schema.js';
import { finishReasons, providerContext, resolvedDeployment } from './provider-test-support.js';

const NOW_SECONDS = 1_700_000_000;
const provider = providerFor('demo');
const context = providerContext(resolvedDeployment({ provider: 'demo', upstreamModel: 'echo', apiBase: undefined, apiKey: undefined, streamDelayMs: 0 }));

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        detailed: { type: 'boolean' },
      },
      required: ['city'],
    },
  },
};

function chatRequest(overrides: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'demo', messages: [{ role: 'user', content: 'Hello there, gateway' }], ...overrides };
}

async function readBody(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of body) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}

/** The whole real path for a non-streamed answer: build request → demo upstream → parse response. */
async function complete(request: ChatCompletionRequest): Promise<ChatCompletion> {
  const upstream = createDemoUpstream({ nowSeconds: () => NOW_SECONDS });
  const response = await upstream.send({ ...provider.buildChatRequest(request, context), timeoutMs: 1_000 });
  return provider.parseChatResponse(JSON.parse(await readBody(response.body)) as unknown, context);
}

/** The whole real path for a streamed answer: build request → demo upstream → SSE decoder → translator. */
async function stream(request: ChatCompletionRequest): Promise<ChatCompletionChunk[]> {
  const upstream = createDemoUpstream({ nowSeconds: () => NOW_SECONDS });
  const response = await upstream.send({ ...provider.buildChatRequest({ ...request, stream: true }, context), timeoutMs: 1_000 });
  const translator = provider.createChatStreamTranslator(context);
  const chunks: ChatCompletionChunk[] = [];
  for await (const event of decodeSseStream(response.body)) chunks.push(...translator.push(event));
  chunks.push(...translator.end());
  return chunks;
}

async function embed(request: EmbeddingRequest): Promise<EmbeddingResponse> {
  const upstream = createDemoUpstream({ nowSeconds: () => NOW_SECONDS });
  const built = provider.buildEmbeddingRequest?.(request, context);
  if (!built || !provider.parseEmbeddingResponse) throw new Error('the demo provider has no embeddings');
  const response = await upstream.send({ ...built, timeoutMs: 1_000 });
  return provider.parseEmbeddingResponse(JSON.parse(await readBody(response.body)) as unknown, context);
}

function contentDeltas(chunks: readonly ChatCompletionChunk[]): string[] {
  return chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content)).filter((content): content is string => typeof content === 'string' && content !== '');
}

function streamedArguments(chunks: readonly ChatCompletionChunk[]): string {
  return chunks
    .flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))
    .map((toolCall) => toolCall.function?.arguments ?? '')
    .join('');
}

function decodeFloat32(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}

describe('demo provider, non-streamed', () => {
  it('answers the same text when asked the same thing twice', async () => {
    const first = await complete(chatRequest());

    const second = await complete(chatRequest());

    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
  });

  it('echoes the last user message when it answers with text', async () => {
    const completion = await complete(chatRequest());

    expect(completion.choices[0]?.message.content).toContain('You said: "Hello there, gateway"');
  });

  it('matches the OpenAI chat completion schema', async () => {
    const completion = await complete(chatRequest());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('counts completion tokens as the words it answered', async () => {
    const completion = await complete(chatRequest());

    const words = (completion.choices[0]?.message.content ?? '').split(' ').length;

    expect(completion.usage).toMatchObject({ completion_tokens: words });
  });

  it('answers JSON when response_format asks for a JSON schema', async () => {
    const completion = await complete(chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }));

    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ model: 'demo', echo: 'Hello there, gateway' });
  });

  it('answers 3 words with finish_reason length when max_tokens is 3', async () => {
    const completion = await complete(chatRequest({ max_tokens: 3 }));

    expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(3);
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('calls the tool with arguments fitting its schema when tools are given', async () => {
    const completion = await complete(chatRequest({ tools: [WEATHER_TOOL] }));

    const [toolCall] = completion.choices[0]?.message.tool_calls ?? [];

    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(toolCall?.function.name).toBe('get_weather');
    expect(JSON.parse(toolCall?.function.arguments ?? '')).toEqual({ city: 'Hello there, gateway', days: 1, unit: 'celsius', detailed: true });
  });

  it('answers text when tool_choice is none', async () => {
    const completion = await complete(chatRequest({ tools: [WEATHER_TOOL], tool_choice: 'none' }));

    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers with the tool result when the last message is a tool message', async () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 C' },
    ];

    const completion = await complete(chatRequest({ messages, tools: [WEATHER_TOOL] }));

    expect(completion.choices[0]?.message.content).toBe('The tool answered: Sunny, 21 C');
  });
});

describe('demo provider, streamed', () => {
  it('streams the same text as the non-streamed answer', async () => {
    const completion = await complete(chatRequest());

    const chunks = await stream(chatRequest());

    expect(contentDeltas(chunks).join('')).toBe(completion.choices[0]?.message.content);
  });

  it('streams the same chunks when asked the same thing twice', async () => {
    const first = await stream(chatRequest());

    const second = await stream(chatRequest());

    expect(contentDeltas(second)).toEqual(contentDeltas(first));
  });

  it('streams one word per chunk', async () => {
    const completion = await complete(chatRequest());

    const deltas = contentDeltas(await stream(chatRequest()));

    expect(deltas).toHaveLength((completion.choices[0]?.message.content ?? '').split(' ').length);
    for (const delta of deltas) expect(delta).toMatch(/^ ?\S+$/);
  });

  it('gives role assistant in the first chunk', async () => {
    const chunks = await stream(chatRequest());

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('ends with exactly one finish_reason stop', async () => {
    const chunks = await stream(chatRequest());

    expect(finishReasons(chunks)).toEqual(['stop']);
  });

  it('keeps one chunk id across the stream', async () => {
    const chunks = await stream(chatRequest());

    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('matches the OpenAI chunk schema for every chunk', async () => {
    const chunks = await stream(chatRequest({ tools: [WEATHER_TOOL], stream_options: { include_usage: true } }));

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });

  it('sends a final chunk with empty choices and usage when include_usage is set', async () => {
    const chunks = await stream(chatRequest({ stream_options: { include_usage: true } }));

    const last = chunks.at(-1);

    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ completion_tokens: contentDeltas(chunks).length });
    expect(last?.usage?.total_tokens).toBe((last?.usage?.prompt_tokens ?? 0) + (last?.usage?.completion_tokens ?? 0));
  });

  it('reports usage even when the client did not set include_usage, because the provider asks for it (the gateway strips it)', async () => {
    const chunks = await stream(chatRequest());

    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams a tool call whose arguments concatenate to JSON with the schema properties when tools are given', async () => {
    const chunks = await stream(chatRequest({ tools: [WEATHER_TOOL] }));

    const argumentsJson = JSON.parse(streamedArguments(chunks)) as Record<string, unknown>;

    expect(Object.keys(argumentsJson).sort()).toEqual(Object.keys(WEATHER_TOOL.function.parameters.properties).sort());
    expect(argumentsJson).toMatchObject({ city: expect.any(String), days: expect.any(Number), unit: 'celsius', detailed: expect.any(Boolean) });
  });

  it('streams the tool call in several argument pieces, each with index 0', async () => {
    const chunks = await stream(chatRequest({ tools: [WEATHER_TOOL] }));

    const toolCalls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));

    expect(toolCalls.length).toBeGreaterThan(2);
    expect(toolCalls.every((toolCall) => toolCall.index === 0)).toBe(true);
    expect(toolCalls[0]).toMatchObject({ id: 'call_demo_get_weather', type: 'function', function: { name: 'get_weather' } });
  });

  it('ends the tool call with finish_reason tool_calls', async () => {
    const chunks = await stream(chatRequest({ tools: [WEATHER_TOOL] }));

    expect(finishReasons(chunks)).toEqual(['tool_calls']);
  });

  it('picks the named tool when tool_choice names one', async () => {
    const otherTool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { term: { type: 'string' } } } } };

    const chunks = await stream(chatRequest({ tools: [WEATHER_TOOL, otherTool], tool_choice: { type: 'function', function: { name: 'lookup' } } }));

    expect(JSON.parse(streamedArguments(chunks))).toEqual({ term: 'Hello there, gateway' });
  });

  it('streams 3 words and finish_reason length when max_tokens is 3', async () => {
    const chunks = await stream(chatRequest({ max_tokens: 3 }));

    expect(contentDeltas(chunks)).toHaveLength(3);
    expect(finishReasons(chunks)).toEqual(['length']);
  });

  it('prefers max_completion_tokens to max_tokens when both are set', async () => {
    const chunks = await stream(chatRequest({ max_tokens: 3, max_completion_tokens: 2 }));

    expect(contentDeltas(chunks)).toHaveLength(2);
  });
});

describe('demo provider, embeddings', () => {
  it('embeds equal inputs equally', async () => {
    const first = await embed({ model: 'demo', input: 'the same text' });

    const second = await embed({ model: 'demo', input: 'the same text' });

    expect(second.data[0]?.embedding).toEqual(first.data[0]?.embedding);
  });

  it('embeds different inputs differently', async () => {
    const response = await embed({ model: 'demo', input: ['one text', 'another text'] });

    expect(response.data[0]?.embedding).not.toEqual(response.data[1]?.embedding);
  });

  it('gives one indexed embedding per input when input is a list', async () => {
    const response = await embed({ model: 'demo', input: ['a', 'b', 'c'] });

    expect(response.data.map((item) => item.index)).toEqual([0, 1, 2]);
  });

  it('honours dimensions when they are requested', async () => {
    const response = await embed({ model: 'demo', input: 'text', dimensions: 8 });

    expect(response.data[0]?.embedding).toHaveLength(8);
  });

  it('gives unit-length vectors', async () => {
    const response = await embed({ model: 'demo', input: 'text', dimensions: 32 });

    const vector = response.data[0]?.embedding as number[];

    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
  });

  it('encodes the same floats as float32 base64 when encoding_format is base64', async () => {
    const floats = await embed({ model: 'demo', input: 'text', dimensions: 12 });

    const base64 = await embed({ model: 'demo', input: 'text', dimensions: 12, encoding_format: 'base64' });

    expect(typeof base64.data[0]?.embedding).toBe('string');
    expect(decodeFloat32(base64.data[0]?.embedding as string)).toEqual((floats.data[0]?.embedding as number[]).map((value) => Math.fround(value)));
  });

  it('matches the OpenAI embedding schema', async () => {
    const response = await embed({ model: 'demo', input: ['a', 'b'] });

    expect(() => assertEmbeddingResponse(response)).not.toThrow();
  });
});
