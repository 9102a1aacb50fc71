import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import { createAnthropicStreamWriter } from '../../../functions/core/anthropic-api/openai-stream-to-anthropic.js';
import type { ChatCompletionChunk, JsonObject } from '../../../functions/core/openai/openai-types.js';
import {
  accumulateAnthropicStream,
  anthropicStreamFixtureNames,
  anthropicStreamViolations,
  openAIChunk,
  openAIUsageChunk,
  parseAnthropicSse,
  readAnthropicStreamFixture,
  type AnthropicEvent,
} from './anthropic-stream-support.js';

/**
 * Round trip: each recorded Anthropic stream is turned into the OpenAI chunks a model
 * behind the gateway would send for the same answer (same text pieces, same tool calls,
 * same argument pieces, same stop, same usage); the writer must turn those back into an
 * Anthropic stream that a client accumulates to the recorded answer.
 */

const STREAM_FIXTURES = [
  'anthropic-clear-tool-uses.1.chunks.txt',
  'anthropic-json-tool.1.chunks.txt',
  'anthropic-message-delta-input-tokens.chunks.txt',
  'anthropic-refusal.chunks.txt',
  'anthropic-text.chunks.txt',
  'anthropic-tool-no-args.chunks.txt',
];

/**
 * Streams the OpenAI format cannot carry (signed thinking blocks, server tools): served only by the
 * native passthrough, and replayed through it in test/e2e/anthropic-passthrough.test.ts.
 */
const PASSTHROUGH_ONLY_STREAM_FIXTURES = ['anthropic-clear-thinking.1.chunks.txt', 'anthropic-code-execution-20260120-prompt-cache.1.chunks.txt'];

const FINISH_REASON_FOR: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** The OpenAI chunk sequence carrying what the recorded Anthropic stream carries. */
function openAIChunksCarrying(events: readonly AnthropicEvent[]): ChatCompletionChunk[] {
  const chunks: ChatCompletionChunk[] = [openAIChunk({ role: 'assistant', content: '' })];
  const toolCallIndexByBlock = new Map<number, number>();
  for (const event of events) {
    if (event.type === 'content_block_start') {
      const block = event['content_block'] as JsonObject;
      if (block['type'] !== 'tool_use') continue;
      const index = toolCallIndexByBlock.size;
      toolCallIndexByBlock.set(event['index'] as number, index);
      chunks.push(openAIChunk({ tool_calls: [{ index, id: block['id'] as string, type: 'function', function: { name: block['name'] as string, arguments: '' } }] }));
    } else if (event.type === 'content_block_delta') {
      const delta = event['delta'] as JsonObject;
      if (delta['type'] === 'text_delta') chunks.push(openAIChunk({ content: delta['text'] as string }));
      if (delta['type'] === 'thinking_delta') chunks.push(openAIChunk({ reasoning_content: delta['thinking'] as string }));
      if (delta['type'] === 'input_json_delta') {
        const index = toolCallIndexByBlock.get(event['index'] as number)!;
        chunks.push(openAIChunk({ tool_calls: [{ index, function: { arguments: delta['partial_json'] as string } }] }));
      }
    } else if (event.type === 'message_delta') {
      const stopReason = (event['delta'] as JsonObject)['stop_reason'] as string;
      const usage = event['usage'] as JsonObject;
      const cached = (usage['cache_read_input_tokens'] as number | undefined) ?? 0;
      chunks.push(openAIChunk({}, FINISH_REASON_FOR[stopReason] ?? 'stop'));
      chunks.push(openAIUsageChunk((usage['input_tokens'] as number) + cached, usage['output_tokens'] as number, cached));
    }
  }
  return chunks;
}

function messageStartOf(events: readonly AnthropicEvent[]): JsonObject {
  return events.find((event) => event.type === 'message_start')!['message'] as JsonObject;
}

function writeStream(recorded: readonly AnthropicEvent[]): string {
  const start = messageStartOf(recorded);
  const writer = createAnthropicStreamWriter(start['model'] as string, start['id'] as string);
  return openAIChunksCarrying(recorded).map((chunk) => writer.push(chunk)).join('') + writer.end();
}

/** Event types with pings dropped and each run of deltas counted once: how a stream is shaped, not how finely it was cut. */
function shapeOf(events: readonly AnthropicEvent[]): string[] {
  const shape: string[] = [];
  for (const event of events) {
    if (event.type === 'ping') continue;
    const delta = event['delta'] as { type?: string } | undefined;
    const name = event.type === 'content_block_delta' ? `${event.type}:${String(delta?.type)}:${String(event['index'])}` : event.type;
    if (shape.at(-1) !== name) shape.push(name);
  }
  return shape;
}

/** Drops the empty `input_json_delta` Anthropic sends first for a tool: OpenAI has no such piece to carry. */
function withoutEmptyDeltas(events: readonly AnthropicEvent[]): AnthropicEvent[] {
  return events.filter((event) => !(event.type === 'content_block_delta' && (event['delta'] as JsonObject)['partial_json'] === ''));
}

function toSse(events: readonly AnthropicEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/** The Anthropic SDK's own SSE parser and message accumulator, over the given stream text (no network: the fetch is local). */
async function sdkFinalMessage(sse: string): Promise<Anthropic.Message> {
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://127.0.0.1:9',
    maxRetries: 0,
    fetch: async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages.stream({ model: 'any', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
}

function comparable(message: Anthropic.Message): JsonObject {
  return JSON.parse(
    JSON.stringify({
      id: message.id,
      model: message.model,
      content: message.content,
      stop_reason: message.stop_reason,
      input_tokens: message.usage.input_tokens,
      output_tokens: message.usage.output_tokens,
    }),
  ) as JsonObject;
}

describe('recorded Anthropic stream fixtures', () => {
  it('include every recorded stream when the fixture folder is listed', () => {
    const names = anthropicStreamFixtureNames();

    expect(names).toEqual([...STREAM_FIXTURES, ...PASSTHROUGH_ONLY_STREAM_FIXTURES].sort());
  });
});

describe.each(STREAM_FIXTURES)('round trip of %s through createAnthropicStreamWriter', (name) => {
  const recorded = readAnthropicStreamFixture(name);

  it('passes the sequence checker when the recorded stream itself is checked', () => {
    const violations = anthropicStreamViolations(recorded);

    expect(violations).toEqual([]);
  });

  it("follows Anthropic's sequence rules when the same answer comes as OpenAI chunks", () => {
    const events = parseAnthropicSse(writeStream(recorded));

    expect(anthropicStreamViolations(events)).toEqual([]);
  });

  it('accumulates to the recorded text and tool inputs when the same answer comes as OpenAI chunks', () => {
    const expected = accumulateAnthropicStream(recorded);

    const actual = accumulateAnthropicStream(parseAnthropicSse(writeStream(recorded)));

    expect(actual.content).toEqual(expected.content);
  });

  it('ends with the recorded stop reason and token counts when the same answer comes as OpenAI chunks', () => {
    const expected = accumulateAnthropicStream(recorded);

    const actual = accumulateAnthropicStream(parseAnthropicSse(writeStream(recorded)));

    expect([actual.id, actual.model, actual.stopReason, actual.usage['input_tokens'], actual.usage['output_tokens']]).toEqual([
      expected.id,
      expected.model,
      expected.stopReason,
      expected.usage['input_tokens'],
      expected.usage['output_tokens'],
    ]);
  });

  it('has the shape of the recorded stream when the same answer comes as OpenAI chunks', () => {
    const events = parseAnthropicSse(writeStream(recorded));

    expect(shapeOf(events)).toEqual(shapeOf(withoutEmptyDeltas(recorded)));
  });

  it("gives the Anthropic SDK's stream parser the recorded message when it reads the written stream", async () => {
    const expected = comparable(await sdkFinalMessage(toSse(recorded)));

    const actual = comparable(await sdkFinalMessage(writeStream(recorded)));

    expect(actual).toEqual(expected);
  });
});

describe('the Anthropic SDK reading an error event', () => {
  it('rejects with the Anthropic error type when the writer reports a failure mid-stream', async () => {
    const writer = createAnthropicStreamWriter('any', 'msg_1');
    const sse = writer.push(openAIChunk({ content: 'partial' })) + writer.errorEvent(new GatewayError({ status: 529, message: 'Overloaded.', type: 'api_error' }));

    const failure = await sdkFinalMessage(sse).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(APIError);
    expect([(failure as APIError).type, (failure as APIError).apiMessage]).toEqual(['overloaded_error', 'Overloaded.']);
  });
});
