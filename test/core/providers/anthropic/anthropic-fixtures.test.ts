import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { parseAnthropicChatResponse } from '../../../../functions/core/providers/anthropic/parse-anthropic-response.js';
import { assertChatCompletion, assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { deltaText, finishReasons, toolArgumentsByIndex } from '../provider-test-support.js';
import {
  anthropicContext,
  anthropicFixtureNames,
  readAnthropicEvents,
  readAnthropicJson,
  replayFixture,
} from './anthropic-test-support.js';

const STREAM_FIXTURES = [
  'anthropic-clear-thinking.1.chunks.txt',
  'anthropic-clear-tool-uses.1.chunks.txt',
  'anthropic-code-execution-20260120-prompt-cache.1.chunks.txt',
  'anthropic-json-tool.1.chunks.txt',
  'anthropic-message-delta-input-tokens.chunks.txt',
  'anthropic-refusal.chunks.txt',
  'anthropic-text.chunks.txt',
  'anthropic-tool-no-args.chunks.txt',
];

const MESSAGE_FIXTURES = ['anthropic-clear-thinking.1.json', 'anthropic-json-tool.1.json', 'anthropic-refusal.json', 'anthropic-text.json', 'anthropic-tool-no-args.json'];

function recordedMessageStart(name: string): JsonObject {
  return JSON.parse(readAnthropicEvents(name)[0]!.data).message as JsonObject;
}

/** How many tool_use blocks the recording opens, so that a translator dropping them cannot pass on an empty list. */
function recordedToolUseCount(name: string): number {
  return readAnthropicEvents(name).filter((event) => {
    const payload = JSON.parse(event.data) as { type?: string; content_block?: { type?: string } };
    return payload.type === 'content_block_start' && payload.content_block?.type === 'tool_use';
  }).length;
}

describe('recorded Anthropic fixtures', () => {
  it('include every recorded stream when the fixture folder is listed', () => {
    expect(anthropicFixtureNames('.chunks.txt')).toEqual(STREAM_FIXTURES);
  });

  it('include every recorded message when the fixture folder is listed', () => {
    expect(anthropicFixtureNames('.json')).toEqual(MESSAGE_FIXTURES);
  });
});

describe.each(STREAM_FIXTURES)('createAnthropicStreamTranslator replaying %s', (name) => {
  it('carries role assistant in the first chunk', () => {
    const { chunks } = replayFixture(name);

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('names the role in no chunk but the first', () => {
    const { chunks } = replayFixture(name);

    const roles = chunks.slice(1).flatMap((chunk) => chunk.choices.filter((choice) => choice.delta.role !== undefined));

    expect(roles).toEqual([]);
  });

  it('gives exactly one non-null finish_reason', () => {
    const { chunks } = replayFixture(name);

    const reasons = finishReasons(chunks);

    expect(reasons).toHaveLength(1);
  });

  it('keeps the message id from message_start on every chunk', () => {
    const { chunks } = replayFixture(name);

    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([recordedMessageStart(name)['id']]));
  });

  it('keeps the model from message_start and the context time on every chunk', () => {
    const { chunks } = replayFixture(name);

    expect(new Set(chunks.map((chunk) => `${chunk.model}@${chunk.created}`))).toEqual(
      new Set([`${recordedMessageStart(name)['model'] as string}@${anthropicContext().nowSeconds}`]),
    );
  });

  it('indexes tool calls from 0 without gaps', () => {
    const { chunks } = replayFixture(name);

    const indexes = [...toolArgumentsByIndex(chunks).keys()].sort((a, b) => a - b);

    expect(indexes).toHaveLength(recordedToolUseCount(name));
    expect(indexes).toEqual(indexes.map((_, position) => position));
  });

  it('concatenates the tool-call arguments of each index to valid JSON', () => {
    const { chunks } = replayFixture(name);

    const byIndex = toolArgumentsByIndex(chunks);

    expect(byIndex.size).toBe(recordedToolUseCount(name));
    for (const argumentsText of byIndex.values()) expect(() => JSON.parse(argumentsText) as unknown).not.toThrow();
  });

  it('ends with a usage chunk that has no choices', () => {
    const { chunks } = replayFixture(name);

    const last = chunks.at(-1);

    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('marks the stream finished after message_stop', () => {
    const { translator } = replayFixture(name);

    expect(translator.finished).toBe(true);
  });

  it('matches the OpenAI chunk schema for every translated chunk', () => {
    const { chunks } = replayFixture(name);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });
});

describe('createAnthropicStreamTranslator recorded outcomes', () => {
  it.each([
    ['anthropic-clear-tool-uses.1.chunks.txt', 'stop'],
    ['anthropic-json-tool.1.chunks.txt', 'tool_calls'],
    ['anthropic-message-delta-input-tokens.chunks.txt', 'stop'],
    ['anthropic-refusal.chunks.txt', 'content_filter'],
    ['anthropic-text.chunks.txt', 'stop'],
    ['anthropic-tool-no-args.chunks.txt', 'tool_calls'],
  ])('finishes %s with %s', (name, expected) => {
    const { chunks } = replayFixture(name);

    const reason = finishReasons(chunks)[0];

    expect(reason).toBe(expected);
  });

  it.each([
    ['anthropic-clear-tool-uses.1.chunks.txt', { prompt_tokens: 859, completion_tokens: 122, total_tokens: 981 }],
    ['anthropic-json-tool.1.chunks.txt', { prompt_tokens: 849, completion_tokens: 47, total_tokens: 896 }],
    ['anthropic-message-delta-input-tokens.chunks.txt', { prompt_tokens: 61, completion_tokens: 2, total_tokens: 63 }],
    ['anthropic-refusal.chunks.txt', { prompt_tokens: 18, completion_tokens: 5, total_tokens: 23 }],
    ['anthropic-text.chunks.txt', { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 }],
    ['anthropic-tool-no-args.chunks.txt', { prompt_tokens: 565, completion_tokens: 48, total_tokens: 613 }],
  ])('reports the recorded usage of %s', (name, expected) => {
    const { chunks } = replayFixture(name);

    expect(chunks.at(-1)?.usage).toMatchObject(expected);
  });

  it('streams the recorded text when replaying anthropic-text', () => {
    const { chunks } = replayFixture('anthropic-text.chunks.txt');

    expect(deltaText(chunks, 'content')).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
  });

  it('streams the recorded arguments of tool call 0 when replaying anthropic-json-tool', () => {
    const { chunks } = replayFixture('anthropic-json-tool.1.chunks.txt');

    expect(JSON.parse(toolArgumentsByIndex(chunks).get(0) ?? '')).toEqual({
      elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }],
    });
  });

  it('gives tool call 0 the arguments {} when replaying anthropic-tool-no-args', () => {
    const { chunks } = replayFixture('anthropic-tool-no-args.chunks.txt');

    expect(toolArgumentsByIndex(chunks).get(0)).toBe('{}');
  });

  it('counts tool call indexes apart from text blocks when replaying anthropic-tool-no-args', () => {
    const { chunks } = replayFixture('anthropic-tool-no-args.chunks.txt');

    const toolCalls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));

    expect(toolCalls[0]).toEqual({
      index: 0,
      id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
      type: 'function',
      function: { name: 'updateIssueList', arguments: '' },
    });
  });
});

describe.each(MESSAGE_FIXTURES)('parseAnthropicChatResponse with %s', (name) => {
  it('matches the OpenAI chat completion schema', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson(name), anthropicContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('keeps the message id and model and takes created from the context', () => {
    const recorded = readAnthropicJson(name);

    const completion = parseAnthropicChatResponse(recorded, anthropicContext());

    expect(completion).toMatchObject({ id: recorded['id'], model: recorded['model'], created: anthropicContext().nowSeconds, object: 'chat.completion' });
  });
});

describe('parseAnthropicChatResponse recorded outcomes', () => {
  it.each([
    ['anthropic-json-tool.1.json', 'tool_calls'],
    ['anthropic-refusal.json', 'content_filter'],
    ['anthropic-text.json', 'stop'],
    ['anthropic-tool-no-args.json', 'tool_calls'],
  ])('finishes %s with %s', (name, expected) => {
    const completion = parseAnthropicChatResponse(readAnthropicJson(name), anthropicContext());

    expect(completion.choices[0]?.finish_reason).toBe(expected);
  });

  it('joins text and lists the tool call when replaying anthropic-tool-no-args', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson('anthropic-tool-no-args.json'), anthropicContext());

    expect(completion.choices[0]?.message.content).toMatch(/^<thinking>[\s\S]*Okay, I will update the current issue list:$/);
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', type: 'function', function: { name: 'updateIssueList', arguments: '{}' } },
    ]);
  });

  it('gives content null when the refusal has no blocks', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson('anthropic-refusal.json'), anthropicContext());

    expect(completion.choices[0]?.message).toMatchObject({ content: null, refusal: null });
  });

  it('reports the recorded usage when replaying anthropic-text', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson('anthropic-text.json'), anthropicContext());

    expect(completion.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 29,
      total_tokens: 41,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0 },
    });
  });
});
