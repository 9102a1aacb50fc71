import { describe, expect, it } from 'vitest';
import { mapBedrockUsage } from '../../../../functions/core/providers/bedrock/map-bedrock-usage.js';
import { decodeAwsEventStreamBatches } from '../../../../functions/core/streaming/aws-event-stream-decoder.js';
import type { SseEvent } from '../../../../functions/core/streaming/sse-decoder.js';
import { assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { finishReasons, toolArgumentsByIndex } from '../provider-test-support.js';
import { bedrockFixtureNames, concatBytes, encodeFrame, readBedrockEvents, replayEvents } from './bedrock-test-support.js';

const STREAM_FIXTURES = ['amazon-bedrock-text.chunks.txt', 'amazon-bedrock-tool-call.1.chunks.txt', 'amazon-bedrock-tool-no-args.chunks.txt'];

const replay = (name: string) => replayEvents(readBedrockEvents(name));

/** How many toolUse blocks the recording starts, so that a translator dropping them cannot pass on an empty list. */
function recordedToolUseCount(name: string): number {
  return readBedrockEvents(name).filter((recorded) => recorded.event === 'contentBlockStart' && (JSON.parse(recorded.data) as { start?: { toolUse?: unknown } }).start?.toolUse !== undefined).length;
}

describe('recorded Bedrock stream fixtures', () => {
  it('include every recorded stream when the fixture folder is listed', () => {
    const names = bedrockFixtureNames('.chunks.txt');

    expect(names).toEqual(STREAM_FIXTURES);
  });
});

describe.each(STREAM_FIXTURES)('createConverseStreamTranslator replaying %s', (name) => {
  it('carries role assistant in the first delta', () => {
    const { chunks } = replay(name);

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('names the role in the first chunk only', () => {
    const { chunks } = replay(name);

    const roles = chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.delta.role !== undefined));

    expect(roles).toHaveLength(1);
  });

  it('keeps one id across the whole stream', () => {
    const { chunks } = replay(name);

    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-req-test-1']));
  });

  it('gives exactly one non-null finish_reason', () => {
    const { chunks } = replay(name);

    const reasons = finishReasons(chunks);

    expect(reasons).toHaveLength(1);
  });

  it('indexes tool calls 0, 1, … in the order they start', () => {
    const { chunks } = replay(name);

    const indexes = [...toolArgumentsByIndex(chunks).keys()];

    expect(indexes).toHaveLength(recordedToolUseCount(name));
    expect(indexes).toEqual(indexes.map((_index, position) => position));
  });

  it('concatenates the tool-call arguments of each index to valid JSON', () => {
    const { chunks } = replay(name);

    const byIndex = toolArgumentsByIndex(chunks);

    expect(byIndex.size).toBe(recordedToolUseCount(name));
    for (const argumentsText of byIndex.values()) expect(() => JSON.parse(argumentsText) as unknown).not.toThrow();
  });

  it('ends with a usage chunk without choices carrying the recorded metadata usage', () => {
    const metadata = readBedrockEvents(name).find((recorded) => recorded.event === 'metadata')!;
    const { chunks } = replay(name);

    const last = chunks.at(-1);

    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(mapBedrockUsage((JSON.parse(metadata.data) as { usage: unknown }).usage));
  });

  it('reports the stream finished once messageStop and metadata both came', () => {
    const { translator } = replay(name);

    expect(translator.finished).toBe(true);
  });

  it('matches the OpenAI chunk schema for every translated chunk', () => {
    const { chunks } = replay(name);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });

  it('translates the same chunks when the events arrive as binary frames split at every 7th byte', async () => {
    const events = readBedrockEvents(name);
    const bytes = concatBytes(events.map((recorded) => encodeFrame(recorded.event!, JSON.parse(recorded.data))));
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < bytes.byteLength; offset += 7) yield bytes.subarray(offset, offset + 7);
    }
    const decoded: SseEvent[] = [];

    for await (const batch of decodeAwsEventStreamBatches(pieces())) decoded.push(...batch);

    expect(replayEvents(decoded).chunks).toEqual(replay(name).chunks);
  });
});

describe('createConverseStreamTranslator recorded content', () => {
  it.each([
    ['amazon-bedrock-text.chunks.txt', 'stop'],
    ['amazon-bedrock-tool-call.1.chunks.txt', 'tool_calls'],
    ['amazon-bedrock-tool-no-args.chunks.txt', 'tool_calls'],
  ])('finishes %s with %s', (name, expected) => {
    const { chunks } = replay(name);

    const reason = finishReasons(chunks)[0];

    expect(reason).toBe(expected);
  });

  it('streams the recorded text when replaying amazon-bedrock-text', () => {
    const { chunks } = replay('amazon-bedrock-text.chunks.txt');

    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

    expect(text).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
  });

  it.each([
    ['amazon-bedrock-tool-call.1.chunks.txt', 'test-tool', { value: 'Sparkle Day' }],
    ['amazon-bedrock-tool-no-args.chunks.txt', 'updateIssueList', {}],
  ])('streams tool call 0 of %s as %s with its arguments', (name, toolName, expected) => {
    const { chunks } = replay(name);

    const first = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).find((call) => call.id !== undefined);

    expect(first).toMatchObject({ index: 0, id: 'tool-use-id', type: 'function', function: { name: toolName } });
    expect(JSON.parse(toolArgumentsByIndex(chunks).get(0) ?? '')).toEqual(expected);
  });

  // amazon-bedrock-tool-no-args: the call is content block 1 (after a text block) but the client's tool call 0.
  it('indexes the tool call 0 when a text block came before it', () => {
    const { chunks } = replay('amazon-bedrock-tool-no-args.chunks.txt');

    expect([...toolArgumentsByIndex(chunks).keys()]).toEqual([0]);
  });

  it('reports the recorded usage of amazon-bedrock-text as OpenAI usage', () => {
    const { chunks } = replay('amazon-bedrock-text.chunks.txt');

    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 22, completion_tokens: 55, total_tokens: 77, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } });
  });
});
