import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import { createConverseStreamTranslator } from '../../../../functions/core/providers/bedrock/converse-stream-translator.js';
import { assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { toolArgumentsByIndex } from '../provider-test-support.js';
import { bedrockContext, event, replayEvents } from './bedrock-test-support.js';

const USAGE = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
const TEXT_TURN = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
  event('contentBlockStop', { contentBlockIndex: 0 }),
];

describe('createConverseStreamTranslator event order', () => {
  it('emits the finish chunk at messageStop and the usage chunk when metadata follows (real Bedrock order)', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);

    const atStop = translator.push(event('messageStop', { stopReason: 'end_turn' }));
    const atMetadata = translator.push(event('metadata', { usage: USAGE, metrics: { latencyMs: 1 } }));

    expect(atStop.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['stop']);
    expect(atMetadata).toHaveLength(1);
    expect(atMetadata[0]).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  });

  it('holds the usage of an early metadata until messageStop, then sends finish and usage in that order', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);

    const atMetadata = translator.push(event('metadata', { usage: USAGE }));
    const atStop = translator.push(event('messageStop', { stopReason: 'max_tokens' }));

    expect(atMetadata).toEqual([]);
    expect(atStop.map((chunk) => [chunk.choices[0]?.finish_reason ?? null, chunk.usage?.total_tokens ?? null])).toEqual([
      ['length', null],
      [null, 15],
    ]);
  });

  it('is not finished after messageStop while metadata is still to come', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);

    translator.push(event('messageStop', { stopReason: 'end_turn' }));

    expect(translator.finished).toBe(false);
  });

  it('is finished once metadata came after messageStop', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);
    translator.push(event('messageStop', { stopReason: 'end_turn' }));

    translator.push(event('metadata', { usage: USAGE }));

    expect(translator.finished).toBe(true);
  });

  it('ends without error and without usage when metadata never came after messageStop', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);
    translator.push(event('messageStop', { stopReason: 'end_turn' }));

    const tail = translator.end();

    expect(tail).toEqual([]);
  });

  it('throws a truncation GatewayError on end() when messageStop never came', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    for (const recorded of TEXT_TURN) translator.push(recorded);
    translator.push(event('metadata', { usage: USAGE }));

    const error = captureError(() => translator.end());

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });

  it('sends one finish_reason when messageStop arrives twice', () => {
    const { chunks } = replayEvents([...TEXT_TURN, event('messageStop', { stopReason: 'end_turn' }), event('messageStop', { stopReason: 'end_turn' })]);

    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason)).toHaveLength(1);
  });

  it('gives the finish chunk the role when the message had no content', () => {
    const { chunks } = replayEvents([event('messageStop', { stopReason: 'end_turn' })]);

    expect(chunks[0]?.choices[0]).toMatchObject({ delta: { role: 'assistant' }, finish_reason: 'stop' });
  });
});

describe('createConverseStreamTranslator content', () => {
  it('streams reasoning text as reasoning_content and thinking_blocks pieces, then its signature', () => {
    const { chunks } = replayEvents([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig' } } }),
      event('messageStop', { stopReason: 'end_turn' }),
    ]);

    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Think', thinking_blocks: [{ type: 'thinking', thinking: 'Think' }] },
      { thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig' }] },
      {},
    ]);
  });

  it('indexes two tool calls after a text block 0 and 1', () => {
    const { chunks } = replayEvents([
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking.' } }),
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'a', name: 'weather' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Paris"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'b', name: 'time' } } }),
      event('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"zone":' } } }),
      event('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '"CET"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 2 }),
      event('messageStop', { stopReason: 'tool_use' }),
    ]);

    expect(Object.fromEntries(toolArgumentsByIndex(chunks))).toEqual({ 0: '{"city":"Paris"}', 1: '{"zone":"CET"}' });
  });

  it('starts a tool call with its id and name when contentBlockStart announces it', () => {
    const { chunks } = replayEvents([
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_1', name: 'weather' } } }),
      event('messageStop', { stopReason: 'tool_use' }),
    ]);

    expect(chunks[0]?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, id: 'tooluse_1', type: 'function', function: { name: 'weather', arguments: '' } }]);
  });

  it('skips empty text deltas', () => {
    const translator = createConverseStreamTranslator(bedrockContext());
    translator.push(event('messageStart', { role: 'assistant' }));

    const chunks = translator.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: '' } }));

    expect(chunks).toEqual([]);
  });

  it('counts cache reads and writes into prompt_tokens and reports reads as cached_tokens, writes as cache_write_tokens', () => {
    const { chunks } = replayEvents([
      event('messageStop', { stopReason: 'end_turn' }),
      event('metadata', { usage: { inputTokens: 3, outputTokens: 7, cacheReadInputTokens: 100, cacheWriteInputTokens: 20, totalTokens: 130 } }),
    ]);

    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 123, completion_tokens: 7, total_tokens: 130, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 } });
  });

  it('ignores an event type it does not know', () => {
    const translator = createConverseStreamTranslator(bedrockContext());

    const chunks = translator.push(event('somethingNew', { value: 1 }));

    expect(chunks).toEqual([]);
  });

  it('matches the OpenAI chunk schema for reasoning, tool and usage chunks', () => {
    const { chunks } = replayEvents([
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think' } } }),
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'a', name: 'weather' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('messageStop', { stopReason: 'tool_use' }),
      event('metadata', { usage: USAGE }),
    ]);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });
});

describe('createConverseStreamTranslator failures', () => {
  it.each([
    ['throttlingException', 429, 'rate_limit_error'],
    ['validationException', 400, 'invalid_request_error'],
    ['serviceUnavailableException', 503, 'server_error'],
    ['internalServerException', 500, 'server_error'],
    ['modelStreamErrorException', 502, 'api_error'],
    ['someFutureException', 502, 'server_error'],
  ])('throws a GatewayError with Bedrock\'s message when a %s frame arrives', (exceptionType, status, type) => {
    const translator = createConverseStreamTranslator(bedrockContext());
    translator.push(event('messageStart', { role: 'assistant' }));

    const error = captureError(() => translator.push({ event: exceptionType, data: '{"message":"Too many tokens, please wait."}' }));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status, type, message: 'Too many tokens, please wait.' });
  });

  it('names the exception in the error code', () => {
    const translator = createConverseStreamTranslator(bedrockContext());

    const error = captureError(() => translator.push({ event: 'throttlingException', data: '{"message":"slow down"}' }));

    expect(error).toMatchObject({ code: 'ThrottlingException' });
  });

  it.each(['not json', '[1]', 'null'])('throws a bad_upstream_response GatewayError when event data is %s', (data) => {
    const translator = createConverseStreamTranslator(bedrockContext());

    const error = captureError(() => translator.push({ event: 'contentBlockDelta', data }));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe('createConverseStreamTranslator metadata without usage', () => {
  it('sends no usage chunk when metadata carries no usage', () => {
    const { chunks, translator } = replayEvents([event('messageStop', { stopReason: 'end_turn' }), event('metadata', { metrics: { latencyMs: 5 } })]);

    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
    expect(translator.finished).toBe(true);
  });
});
