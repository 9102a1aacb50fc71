import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { createAnthropicStreamTranslator } from '../../../../functions/core/providers/anthropic/anthropic-stream-translator.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../../functions/core/providers/anthropic/json-response-tool.js';
import type { SseEvent } from '../../../../functions/core/streaming/sse-decoder.js';
import { captureError } from '../../../support/capture-error.js';
import { deltaText, toolArgumentsByIndex } from '../provider-test-support.js';
import { anthropicContext, anthropicEvent, readAnthropicEvents, replayEvents } from './anthropic-test-support.js';

const MESSAGE_START = anthropicEvent({
  type: 'message_start',
  message: { id: 'msg_1', model: 'claude-x', role: 'assistant', content: [], usage: { input_tokens: 10, output_tokens: 1 } },
});
const MESSAGE_STOP = anthropicEvent({ type: 'message_stop' });

function messageDelta(stopReason: string, usage: JsonObject = { output_tokens: 5 }): SseEvent {
  return anthropicEvent({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage });
}

function blockStart(index: number, block: JsonObject): SseEvent {
  return anthropicEvent({ type: 'content_block_start', index, content_block: block });
}

function blockDelta(index: number, delta: JsonObject): SseEvent {
  return anthropicEvent({ type: 'content_block_delta', index, delta });
}

function blockStop(index: number): SseEvent {
  return anthropicEvent({ type: 'content_block_stop', index });
}

function toolUse(index: number, id: string, name: string, argumentPieces: string[]): SseEvent[] {
  return [
    blockStart(index, { type: 'tool_use', id, name, input: {} }),
    ...argumentPieces.map((piece) => blockDelta(index, { type: 'input_json_delta', partial_json: piece })),
    blockStop(index),
  ];
}

describe('createAnthropicStreamTranslator', () => {
  it('sends role assistant with empty content when message_start arrives', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());

    const chunks = translator.push(MESSAGE_START);

    expect(chunks).toEqual([
      {
        id: 'msg_1',
        object: 'chat.completion.chunk',
        created: anthropicContext().nowSeconds,
        model: 'claude-x',
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      },
    ]);
  });

  it('yields no chunk when a ping arrives', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    translator.push(MESSAGE_START);

    expect(translator.push(anthropicEvent({ type: 'ping' }))).toEqual([]);
  });

  it('yields no chunk when an event type it does not know arrives', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    translator.push(MESSAGE_START);

    expect(translator.push(anthropicEvent({ type: 'future_event', detail: 1 }))).toEqual([]);
  });

  it('takes the event name from the SSE event when the payload has no type', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());

    const chunks = translator.push({ event: 'message_start', data: JSON.stringify({ message: { id: 'msg_2', model: 'm' } }) });

    expect(chunks[0]?.id).toBe('msg_2');
  });

  it('indexes tool calls by their count among tool_use blocks when text blocks come first', () => {
    const events = [
      MESSAGE_START,
      blockStart(0, { type: 'text', text: '' }),
      blockDelta(0, { type: 'text_delta', text: 'Checking both.' }),
      blockStop(0),
      ...toolUse(1, 'toolu_a', 'weather', ['{"city":', '"Paris"}']),
      ...toolUse(2, 'toolu_b', 'weather', ['{"city":"Rome"}']),
      messageDelta('tool_use'),
      MESSAGE_STOP,
    ];

    const { chunks } = replayEvents(events);

    expect(Object.fromEntries(toolArgumentsByIndex(chunks))).toEqual({ 0: '{"city":"Paris"}', 1: '{"city":"Rome"}' });
  });

  it('sends id, type, name and empty arguments in the first delta of a tool call', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    translator.push(MESSAGE_START);

    const [chunk] = translator.push(blockStart(0, { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} }));

    expect(chunk?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } }]);
  });

  it('sends arguments {} when a tool call ends without argument deltas', () => {
    const { chunks } = replayEvents([MESSAGE_START, ...toolUse(0, 'toolu_a', 'list', []), messageDelta('tool_use'), MESSAGE_STOP]);

    expect(toolArgumentsByIndex(chunks).get(0)).toBe('{}');
  });

  it('streams thinking as reasoning_content when thinking deltas arrive', () => {
    const events = [
      MESSAGE_START,
      blockStart(0, { type: 'thinking', thinking: '' }),
      blockDelta(0, { type: 'thinking_delta', thinking: 'Let me think.' }),
      blockDelta(0, { type: 'signature_delta', signature: 'sig' }),
      blockStop(0),
      messageDelta('end_turn'),
      MESSAGE_STOP,
    ];

    const { chunks } = replayEvents(events);

    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta['reasoning_content'])).filter(Boolean)).toEqual(['Let me think.']);
  });

  it('yields the signature as a thinking_blocks piece when a signature delta arrives', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    translator.push(MESSAGE_START);
    translator.push(blockStart(0, { type: 'thinking', thinking: '' }));

    const chunks = translator.push(blockDelta(0, { type: 'signature_delta', signature: 'sig' }));

    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig' }] }]);
  });

  it('streams the JSON-response tool input as content when the model answers through it', () => {
    const events = [MESSAGE_START, ...toolUse(0, 'toolu_j', JSON_RESPONSE_TOOL_NAME, ['{"a":', '1}']), messageDelta('tool_use'), MESSAGE_STOP];

    const { chunks } = replayEvents(events);

    expect(deltaText(chunks, 'content')).toBe('{"a":1}');
    expect(toolArgumentsByIndex(chunks).size).toBe(0);
  });

  it('finishes with stop when the only tool call was the JSON-response tool', () => {
    const events = [MESSAGE_START, ...toolUse(0, 'toolu_j', JSON_RESPONSE_TOOL_NAME, ['{}']), messageDelta('tool_use'), MESSAGE_STOP];

    const { chunks } = replayEvents(events);

    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
  });

  it('takes counters from message_delta over message_start when both carry them', () => {
    const events = [MESSAGE_START, messageDelta('end_turn', { input_tokens: 12, cache_read_input_tokens: 100, output_tokens: 7 }), MESSAGE_STOP];

    const { chunks } = replayEvents(events);

    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 112,
      completion_tokens: 7,
      total_tokens: 119,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 },
    });
  });

  it('sends a stop finish_reason before the usage chunk when message_stop arrives without a stop reason', () => {
    const { chunks } = replayEvents([MESSAGE_START, MESSAGE_STOP]);

    expect(chunks.map((chunk) => (chunk.choices.length === 0 ? 'usage' : chunk.choices[0]?.finish_reason))).toEqual([null, 'stop', 'usage']);
  });

  it('puts role assistant on the first chunk when content arrives before message_start', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    translator.push(blockStart(0, { type: 'text', text: '' }));

    const [chunk] = translator.push(blockDelta(0, { type: 'text_delta', text: 'Hi' }));

    expect(chunk?.choices[0]?.delta).toEqual({ role: 'assistant', content: 'Hi' });
  });

  it.each([
    ['overloaded_error', 503, 'server_error'],
    ['rate_limit_error', 429, 'rate_limit_error'],
    ['api_error', 500, 'server_error'],
    ['invalid_request_error', 400, 'invalid_request_error'],
    ['some_new_error', 502, 'server_error'],
  ])('throws a GatewayError with status %s → %i when an error event arrives mid-stream', (anthropicType, status, type) => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    for (const event of readAnthropicEvents('anthropic-text.chunks.txt').slice(0, 4)) translator.push(event);

    const error = captureError(() => translator.push(anthropicEvent({ type: 'error', error: { type: anthropicType, message: 'Overloaded' } })));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status, type, code: anthropicType, message: 'Overloaded' });
  });

  it('is not finished before message_stop arrives', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    for (const event of readAnthropicEvents('anthropic-text.chunks.txt').slice(0, -1)) translator.push(event);

    expect(translator.finished).toBe(false);
  });

  it('throws a truncation GatewayError on end() when the stream ended before message_stop', () => {
    const translator = createAnthropicStreamTranslator(anthropicContext());
    for (const event of readAnthropicEvents('anthropic-text.chunks.txt').slice(0, -1)) translator.push(event);

    const error = captureError(() => translator.end());

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'upstream_stream_truncated' });
  });

  it.each(['not json', '[1]', 'null'])('throws a bad_upstream_response GatewayError when the event data is %s', (data) => {
    const translator = createAnthropicStreamTranslator(anthropicContext());

    const error = captureError(() => translator.push({ event: 'content_block_delta', data }));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
