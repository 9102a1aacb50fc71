import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import type { ChatCompletionChunk, JsonObject } from '../../../functions/core/openai/openai-types.js';
import { normalizeChatCompletion } from '../../../functions/core/providers/openai-compatible/normalize-openai-response.js';
import { createOpenAIStreamTranslator } from '../../../functions/core/providers/openai-compatible/openai-stream-translator.js';
import type { ChatStreamTranslator } from '../../../functions/core/providers/provider.js';
import { assertChatCompletion, assertChatCompletionChunk } from '../../support/openai-schema.js';
import { captureError } from '../../support/capture-error.js';
import { openAIStreamFixtureNames, providerContext, readChunkLines, readJsonFixture, toolArgumentsByIndex } from './provider-test-support.js';

const STREAM_FIXTURES = [
  'deepseek-reasoning.chunks.txt',
  'deepseek-tool-call.chunks.txt',
  'groq-tool-call.chunks.txt',
  'mistral-incremental-tool-call.chunks.txt',
  'mistral-text.chunks.txt',
  'openai-text.chunks.txt',
  'xai-tool-call.chunks.txt',
];

const COMPLETION_FIXTURES = ['deepseek-tool-call.json', 'groq-tool-call.json', 'mistral-text.json', 'openai-text.json', 'xai-tool-call.json'];

interface Replay {
  chunks: ChatCompletionChunk[];
  /** Which fixture line each translated chunk came from. */
  sourceLine: number[];
  translator: ChatStreamTranslator;
}

/** Feeds each recorded line as one `data:` event, then `[DONE]`, then ends the stream. */
function replay(name: string): Replay {
  const translator = createOpenAIStreamTranslator(providerContext());
  const chunks: ChatCompletionChunk[] = [];
  const sourceLine: number[] = [];
  readChunkLines(name).forEach((line, index) => {
    for (const chunk of translator.push({ data: line })) {
      chunks.push(chunk);
      sourceLine.push(index);
    }
  });
  chunks.push(...translator.push({ data: '[DONE]' }));
  chunks.push(...translator.end());
  return { chunks, sourceLine, translator };
}

/** The tool-call deltas of the recording itself, so that a translator dropping them cannot pass on an empty list. */
function recordedToolCallDeltas(name: string): Array<{ index?: number }> {
  return readChunkLines(name).flatMap((line) => {
    const chunk = JSON.parse(line) as { choices?: Array<{ delta?: { tool_calls?: Array<{ index?: number }> } }> };
    return (chunk.choices ?? []).flatMap((choice) => choice.delta?.tool_calls ?? []);
  });
}

describe('recorded OpenAI-compatible fixtures', () => {
  it('include every recorded stream when the fixture folder is listed', () => {
    const names = openAIStreamFixtureNames();

    expect(names).toEqual(STREAM_FIXTURES);
  });
});

describe.each(STREAM_FIXTURES)('createOpenAIStreamTranslator replaying %s', (name) => {
  it('translates one chunk per recorded event when the stream ends with [DONE]', () => {
    const { chunks } = replay(name);

    expect(chunks).toHaveLength(readChunkLines(name).length);
  });

  it('marks the stream finished when [DONE] arrives', () => {
    const { translator } = replay(name);

    expect(translator.finished).toBe(true);
  });

  it('gives every chunk the object chat.completion.chunk', () => {
    const { chunks } = replay(name);

    expect(new Set(chunks.map((chunk) => chunk.object))).toEqual(new Set(['chat.completion.chunk']));
  });

  it('keeps one id across the whole stream', () => {
    const { chunks } = replay(name);

    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('keeps the provider id when the provider sends one', () => {
    const { chunks } = replay(name);
    const recordedId = (JSON.parse(readChunkLines(name)[0]!) as JsonObject)['id'];

    expect(chunks[0]?.id).toBe(recordedId);
  });

  it('gives every choice a finish_reason that is null or a string', () => {
    const { chunks } = replay(name);

    const reasons = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason));

    expect(reasons.every((reason) => reason === null || typeof reason === 'string')).toBe(true);
  });

  it('gives exactly one non-null finish_reason per choice index', () => {
    const { chunks } = replay(name);
    const finishes = new Map<number, number>();
    const indexes = new Set<number>();

    for (const choice of chunks.flatMap((chunk) => chunk.choices)) {
      indexes.add(choice.index);
      if (choice.finish_reason !== null) finishes.set(choice.index, (finishes.get(choice.index) ?? 0) + 1);
    }

    expect([...indexes].map((index) => finishes.get(index) ?? 0)).toEqual([...indexes].map(() => 1));
  });

  it('indexes every tool-call delta with a number', () => {
    const { chunks } = replay(name);

    const toolCalls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));

    expect(toolCalls).toHaveLength(recordedToolCallDeltas(name).length);
    expect(toolCalls.every((toolCall) => Number.isInteger(toolCall.index))).toBe(true);
  });

  it('concatenates the tool-call arguments of each index to valid JSON', () => {
    const { chunks } = replay(name);

    const byIndex = toolArgumentsByIndex(chunks);

    expect(byIndex.size).toBe(new Set(recordedToolCallDeltas(name).map((toolCall) => toolCall.index)).size);
    for (const argumentsText of byIndex.values()) expect(() => JSON.parse(argumentsText) as unknown).not.toThrow();
  });

  it('keeps the usage on the chunk where the provider sent its last usage', () => {
    const lines = readChunkLines(name).map((line) => JSON.parse(line) as JsonObject);
    const lastUsageLine = lines.findLastIndex((line) => line['usage'] !== undefined && line['usage'] !== null);
    const { chunks, sourceLine } = replay(name);

    const translated = chunks[sourceLine.indexOf(lastUsageLine)];

    expect(lastUsageLine).toBeGreaterThanOrEqual(0);
    expect(translated?.usage).toEqual(lines[lastUsageLine]?.['usage']);
  });

  it('matches the OpenAI chunk schema for every translated chunk', () => {
    const { chunks } = replay(name);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });
});

describe('createOpenAIStreamTranslator tool calls', () => {
  it.each([
    ['deepseek-tool-call.chunks.txt', { location: 'San Francisco' }],
    ['groq-tool-call.chunks.txt', {}],
    ['mistral-incremental-tool-call.chunks.txt', { query: 'current Berlin weather' }],
    ['xai-tool-call.chunks.txt', { location: 'San Francisco' }],
  ])('streams the recorded arguments of tool call 0 when replaying %s', (name, expected) => {
    const { chunks } = replay(name);

    const argumentsText = toolArgumentsByIndex(chunks).get(0) ?? '';

    expect(JSON.parse(argumentsText)).toEqual(expected);
  });
});

describe('createOpenAIStreamTranslator first chunk', () => {
  it.each(STREAM_FIXTURES.filter((name) => name !== 'mistral-incremental-tool-call.chunks.txt'))(
    'carries role assistant in the first delta when replaying %s',
    (name) => {
      const { chunks } = replay(name);

      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    },
  );

  // Regression (was a bug): the recorded mistral-incremental-tool-call stream starts without `delta.role`, and
  // openai-stream-translator.ts passes that first chunk through unchanged, so the client's first chunk
  // lacks role "assistant" (the conformance rule in STYLE.md; OpenAI always sends it first).
  it('carries role assistant in the first delta when the provider omits it (mistral-incremental-tool-call)', () => {
    const { chunks } = replay('mistral-incremental-tool-call.chunks.txt');

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });
});

describe('createOpenAIStreamTranslator gaps and failures', () => {
  it('fills id, created, model and finish_reason when the provider leaves them out', () => {
    const context = providerContext();
    const translator = createOpenAIStreamTranslator(context);

    const [chunk] = translator.push({ data: '{"choices":[{"delta":{"content":"hi"}}]}' });

    expect(chunk).toEqual({
      id: 'chatcmpl-req-test-1',
      object: 'chat.completion.chunk',
      created: context.nowSeconds,
      model: context.deployment.upstreamModel,
      choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }],
    });
  });

  // Regression (was a bug): normalize-openai-response.ts fills a missing choice `index` but not a missing `tool_calls[].index`,
  // so a tool-call delta from a server that omits it (Ollama's OpenAI endpoint, ollama/ollama#7881; Gemini's,
  // openai/openai-python#2806) reaches the client without `index`, which the ToolCallDelta type promises and
  // the OpenAI SDKs' stream helpers require. Expected: index 0 filled in; actual: no index.
  it('indexes a tool-call delta when the provider leaves its index out', () => {
    const translator = createOpenAIStreamTranslator(providerContext());
    const data = JSON.stringify({
      id: 'chatcmpl-1',
      choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] } }],
    });

    const [chunk] = translator.push({ data });

    expect(chunk?.choices[0]?.delta.tool_calls?.[0]?.index).toBe(0);
  });

  it('drops a service_tier OpenAI clients do not know when the provider sends one', () => {
    const translator = createOpenAIStreamTranslator(providerContext());

    const [chunk] = translator.push({ data: '{"id":"x","service_tier":"on_demand","choices":[]}' });

    expect(chunk?.['service_tier']).toBeUndefined();
  });

  it('yields no chunk when [DONE] arrives', () => {
    const translator = createOpenAIStreamTranslator(providerContext());

    const chunks = translator.push({ data: '[DONE]' });

    expect(chunks).toEqual([]);
  });

  it('throws a truncation GatewayError on end() when the stream had neither [DONE] nor a finish_reason', () => {
    const translator = createOpenAIStreamTranslator(providerContext());
    const lines = readChunkLines('mistral-text.chunks.txt').slice(0, 3);
    for (const line of lines) translator.push({ data: line });

    const error = captureError(() => translator.end());

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'upstream_stream_truncated' });
  });

  it('ends without error when the stream had a finish_reason but no [DONE]', () => {
    const translator = createOpenAIStreamTranslator(providerContext());
    for (const line of readChunkLines('mistral-text.chunks.txt')) translator.push({ data: line });

    const chunks = translator.end();

    expect(chunks).toEqual([]);
  });

  it('ends without error when [DONE] arrived without a finish_reason', () => {
    const translator = createOpenAIStreamTranslator(providerContext());
    translator.push({ data: readChunkLines('mistral-text.chunks.txt')[0]! });
    translator.push({ data: '[DONE]' });

    const chunks = translator.end();

    expect(chunks).toEqual([]);
  });

  it('throws a GatewayError keeping the provider message when an in-stream error event arrives', () => {
    const translator = createOpenAIStreamTranslator(providerContext());
    translator.push({ data: readChunkLines('openai-text.chunks.txt')[0]! });

    const error = captureError(() =>
      translator.push({ data: '{"error":{"message":"Model overloaded, try again.","type":"server_error","code":"overloaded"}}' }),
    );

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ message: 'Model overloaded, try again.', type: 'server_error', code: 'overloaded', status: 502 });
  });

  it('takes the status from a numeric error code when an in-stream error carries one', () => {
    const translator = createOpenAIStreamTranslator(providerContext());

    const error = captureError(() => translator.push({ data: '{"error":{"message":"Rate limited upstream","code":429}}' }));

    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', message: 'Rate limited upstream' });
  });

  it('keeps the text when an in-stream error is a plain string', () => {
    const translator = createOpenAIStreamTranslator(providerContext());

    const error = captureError(() => translator.push({ data: '{"error":"backend crashed"}' }));

    expect(error).toMatchObject({ status: 502, message: 'backend crashed' });
  });

  it.each(['not json', '[1,2]', 'null', '"text"'])('throws a bad_upstream_response GatewayError when the event data is %s', (data) => {
    const translator = createOpenAIStreamTranslator(providerContext());

    const error = captureError(() => translator.push({ data }));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe.each(COMPLETION_FIXTURES)('normalizeChatCompletion with %s', (name) => {
  it('matches the OpenAI chat completion schema', () => {
    const completion = normalizeChatCompletion(readJsonFixture(name), providerContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('keeps the provider id, model and finish_reason', () => {
    const recorded = readJsonFixture(name) as JsonObject & { choices: JsonObject[] };

    const completion = normalizeChatCompletion(recorded, providerContext());

    expect(completion).toMatchObject({ id: recorded['id'], model: recorded['model'], object: 'chat.completion' });
    expect(completion.choices[0]?.finish_reason).toBe(recorded.choices[0]?.['finish_reason']);
  });
});

describe('normalizeChatCompletion', () => {
  it('gives the message content and refusal null when the provider leaves them out (groq)', () => {
    const completion = normalizeChatCompletion(readJsonFixture('groq-tool-call.json'), providerContext());

    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: null, refusal: null });
  });

  it('drops tool_calls when the provider sends tool_calls null (mistral)', () => {
    const completion = normalizeChatCompletion(readJsonFixture('mistral-text.json'), providerContext());

    expect(completion.choices[0]?.message).not.toHaveProperty('tool_calls');
  });

  it('keeps provider extras when the provider sends reasoning_content (deepseek)', () => {
    const completion = normalizeChatCompletion(readJsonFixture('deepseek-tool-call.json'), providerContext());

    expect(typeof completion.choices[0]?.message['reasoning_content']).toBe('string');
  });

  it.each([null, 'text', [1]])('throws a bad_upstream_response GatewayError when the body is %j', (body) => {
    const error = captureError(() => normalizeChatCompletion(body, providerContext()));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
