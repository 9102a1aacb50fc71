import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { mapGeminiUsage } from '../../../../functions/core/providers/gemini/map-gemini-usage.js';
import { parseGeminiChatResponse } from '../../../../functions/core/providers/gemini/parse-gemini-response.js';
import { assertChatCompletion, assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { deltaText, finishReasons, toolArgumentsByIndex } from '../provider-test-support.js';
import {
  geminiContext,
  geminiFixtureNames,
  readGeminiChunkLines,
  readGeminiJson,
  replayFixture,
  toolCallDeltas,
} from './gemini-test-support.js';

const STREAM_FIXTURES = [
  'google-stream-no-args-tool-call.chunks.txt',
  'google-stream-tool-call-arguments.chunks.txt',
  'google-text.chunks.txt',
  'google-tool-call.chunks.txt',
];

const RESPONSE_FIXTURES = ['google-text.json', 'google-tool-call.json'];

/** How many function calls the recording starts (a named functionCall part), so that a translator dropping them cannot pass on an empty list. */
function recordedFunctionCallCount(name: string): number {
  return readGeminiChunkLines(name)
    .flatMap((line) => (JSON.parse(line) as { candidates?: Array<{ content?: { parts?: Array<{ functionCall?: { name?: string } }> } }> }).candidates ?? [])
    .flatMap((candidate) => candidate.content?.parts ?? [])
    .filter((part) => typeof part.functionCall?.name === 'string').length;
}

describe('recorded Gemini fixtures', () => {
  it('include every recorded stream when the fixture folder is listed', () => {
    const names = geminiFixtureNames('.chunks.txt');

    expect(names).toEqual(STREAM_FIXTURES);
  });

  it('include every recorded response and the error body when the fixture folder is listed', () => {
    const names = geminiFixtureNames('.json');

    expect(names).toEqual(['google-429-retry-info.json', ...RESPONSE_FIXTURES]);
  });
});

describe.each(STREAM_FIXTURES)('createGeminiStreamTranslator replaying %s', (name) => {
  it('carries role assistant in the first chunk', () => {
    const { chunks } = replayFixture(name);

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('names the role in no chunk but the first', () => {
    const { chunks } = replayFixture(name);

    const later = chunks.slice(1).flatMap((chunk) => chunk.choices.filter((choice) => choice.delta.role !== undefined));

    expect(later).toEqual([]);
  });

  it('gives exactly one non-null finish_reason', () => {
    const { chunks } = replayFixture(name);

    expect(finishReasons(chunks)).toHaveLength(1);
  });

  it('keeps one id, chatcmpl-<requestId>, across the whole stream', () => {
    const { chunks } = replayFixture(name);

    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-req-test-1']));
  });

  it('names the recorded modelVersion as the model of every chunk', () => {
    const recorded = (JSON.parse(readGeminiChunkLines(name)[0]!) as JsonObject)['modelVersion'];

    const { chunks } = replayFixture(name);

    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set([recorded]));
  });

  it('indexes tool calls from 0 without gaps, one delta each', () => {
    const { chunks } = replayFixture(name);

    const indexes = toolCallDeltas(chunks).map((toolCall) => toolCall.index);

    expect(indexes).toHaveLength(recordedFunctionCallCount(name));
    expect(indexes).toEqual(indexes.map((_, position) => position));
  });

  it('gives each tool call the stable id call_<requestId>_<index>', () => {
    const { chunks } = replayFixture(name);

    const toolCalls = toolCallDeltas(chunks);

    expect(toolCalls).toHaveLength(recordedFunctionCallCount(name));
    for (const toolCall of toolCalls) expect(toolCall.id).toBe(`call_req-test-1_${toolCall.index}`);
  });

  it('concatenates the tool-call arguments of each index to valid JSON', () => {
    const { chunks } = replayFixture(name);

    const byIndex = toolArgumentsByIndex(chunks);

    expect(byIndex.size).toBe(recordedFunctionCallCount(name));
    for (const argumentsText of byIndex.values()) expect(() => JSON.parse(argumentsText) as unknown).not.toThrow();
  });

  it('ends with a usage chunk that has no choices, from the last recorded usageMetadata', () => {
    const lines = readGeminiChunkLines(name).map((line) => JSON.parse(line) as JsonObject);
    const lastUsage = lines.map((line) => mapGeminiUsage(line['usageMetadata'])).findLast((usage) => usage !== undefined);

    const { chunks } = replayFixture(name);

    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: lastUsage });
    expect(lastUsage).toBeDefined();
  });

  it('is finished before end() when the last event has a finishReason and usage', () => {
    const { translator, endChunks } = replayFixture(name);

    expect(translator.finished).toBe(true);
    expect(endChunks).toEqual([]);
  });

  it('matches the OpenAI chunk schema for every translated chunk', () => {
    const { chunks } = replayFixture(name);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });
});

describe('createGeminiStreamTranslator recorded outcomes', () => {
  it('streams the recorded text and finishes with stop when replaying google-text', () => {
    const { chunks } = replayFixture('google-text.chunks.txt');

    expect(deltaText(chunks, 'content')).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(finishReasons(chunks)).toEqual(['stop']);
  });

  it('reports thoughts as completion and reasoning tokens when replaying google-text', () => {
    const { chunks } = replayFixture('google-text.chunks.txt');

    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 208,
      total_tokens: 217,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 185 },
    });
  });

  it.each([
    ['google-tool-call.chunks.txt', [{ name: 'weather', arguments: { location: 'San Francisco' } }]],
    [
      'google-stream-tool-call-arguments.chunks.txt',
      [
        { name: 'getWeather', arguments: { location: 'Boston' } },
        { name: 'getWeather', arguments: { location: 'San Francisco' } },
      ],
    ],
    [
      'google-stream-no-args-tool-call.chunks.txt',
      [
        { name: 'read_theme', arguments: {} },
        { name: 'read_screen', arguments: { id: 'A' } },
        { name: 'read_screen', arguments: { id: 'B' } },
        { name: 'read_screen', arguments: { id: 'C' } },
      ],
    ],
  ])('streams each recorded call whole, in order, when replaying %s', (name, expected) => {
    const { chunks } = replayFixture(name);

    const calls = toolCallDeltas(chunks).map((toolCall) => ({
      name: toolCall.function?.name,
      arguments: JSON.parse(toolCall.function?.arguments ?? '') as unknown,
    }));

    expect(calls).toEqual(expected);
  });

  it.each(['google-tool-call.chunks.txt', 'google-stream-tool-call-arguments.chunks.txt', 'google-stream-no-args-tool-call.chunks.txt'])(
    'finishes with tool_calls although Gemini says STOP when replaying %s',
    (name) => {
      const { chunks } = replayFixture(name);

      expect(finishReasons(chunks)).toEqual(['tool_calls']);
    },
  );

  it('passes the thought signature back in extra_content when replaying google-tool-call', () => {
    const recorded = JSON.parse(readGeminiChunkLines('google-tool-call.chunks.txt')[0]!) as {
      candidates: Array<{ content: { parts: Array<{ thoughtSignature: string }> } }>;
    };

    const { chunks } = replayFixture('google-tool-call.chunks.txt');

    expect(toolCallDeltas(chunks)[0]?.['extra_content']).toEqual({
      google: { thought_signature: recorded.candidates[0]!.content.parts[0]!.thoughtSignature },
    });
  });

  it('streams the thought summary as reasoning_content when replaying google-stream-no-args-tool-call', () => {
    const { chunks } = replayFixture('google-stream-no-args-tool-call.chunks.txt');

    expect(deltaText(chunks, 'reasoning_content')).toMatch(/^\*\*Processing User Requests\*\*/);
    expect(deltaText(chunks, 'content')).toBe('');
  });
});

describe.each(RESPONSE_FIXTURES)('parseGeminiChatResponse with %s', (name) => {
  it('matches the OpenAI chat completion schema', () => {
    const completion = parseGeminiChatResponse(readGeminiJson(name), geminiContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('takes the id from the request id, the model from modelVersion and created from the context', () => {
    const recorded = readGeminiJson(name);
    const context = geminiContext();

    const completion = parseGeminiChatResponse(recorded, context);

    expect(completion).toMatchObject({ id: 'chatcmpl-req-test-1', object: 'chat.completion', model: recorded['modelVersion'], created: context.nowSeconds });
  });
});

describe('parseGeminiChatResponse recorded outcomes', () => {
  it('gives the recorded text and stop when replaying google-text', () => {
    const completion = parseGeminiChatResponse(readGeminiJson('google-text.json'), geminiContext());

    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.", refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
  });

  it('reports the recorded usage with thoughts as reasoning tokens when replaying google-text', () => {
    const completion = parseGeminiChatResponse(readGeminiJson('google-text.json'), geminiContext());

    expect(completion.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 272,
      total_tokens: 281,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 244 },
    });
  });

  it('lists the call with a stable id and finishes with tool_calls when replaying google-tool-call', () => {
    const completion = parseGeminiChatResponse(readGeminiJson('google-tool-call.json'), geminiContext());

    expect(completion.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [{ id: 'call_req-test-1_0', type: 'function', function: { name: 'weather', arguments: '{"location":"San Francisco"}' } }],
      },
      finish_reason: 'tool_calls',
    });
  });
});
