import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, JsonObject, ThinkingBlock } from '../../../../functions/core/openai/openai-types.js';
import { parseAnthropicChatResponse } from '../../../../functions/core/providers/anthropic/parse-anthropic-response.js';
import { assertChatCompletion, assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { deltaText } from '../provider-test-support.js';
import { anthropicContext, anthropicEvent, readAnthropicEvents, readAnthropicJson, replayEvents, replayFixture } from './anthropic-test-support.js';

const THINKING_STREAM = 'anthropic-clear-thinking.1.chunks.txt';
const THINKING_MESSAGE = 'anthropic-clear-thinking.1.json';

/** The stream's thinking_blocks pieces, in order. */
function thinkingPieces(chunks: readonly ChatCompletionChunk[]): ThinkingBlock[] {
  return chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.thinking_blocks ?? []));
}

/** What a client rebuilds from the pieces, as LiteLLM's stream builder does: text joined, a signature closing each block. */
function assembledBlocks(pieces: readonly ThinkingBlock[]): ThinkingBlock[] {
  const blocks: ThinkingBlock[] = [];
  let open: { type: 'thinking'; thinking: string; signature?: string } | undefined;
  for (const piece of pieces) {
    if (piece.type === 'redacted_thinking') {
      blocks.push(piece);
      continue;
    }
    open ??= { type: 'thinking', thinking: '' };
    open.thinking += piece.thinking;
    if (piece.signature !== undefined) {
      blocks.push({ ...open, signature: piece.signature });
      open = undefined;
    }
  }
  return blocks;
}

/** What the recording holds, block by block: the thinking text and its signature. */
function recordedThinking(): { thinking: string; signature: string } {
  const deltas = readAnthropicEvents(THINKING_STREAM)
    .map((event) => JSON.parse(event.data) as JsonObject)
    .filter((payload) => payload['type'] === 'content_block_delta')
    .map((payload) => payload['delta'] as JsonObject);
  return {
    thinking: deltas.map((delta) => (delta['type'] === 'thinking_delta' ? (delta['thinking'] as string) : '')).join(''),
    signature: deltas.find((delta) => delta['type'] === 'signature_delta')!['signature'] as string,
  };
}

describe('parseAnthropicChatResponse with anthropic-clear-thinking.1.json', () => {
  it('returns the thinking block with its exact signature as thinking_blocks', () => {
    const recorded = readAnthropicJson(THINKING_MESSAGE);

    const completion = parseAnthropicChatResponse(recorded, anthropicContext());

    const thinking = (recorded['content'] as JsonObject[])[0]!;
    expect(completion.choices[0]?.message.thinking_blocks).toEqual([{ type: 'thinking', thinking: thinking['thinking'], signature: thinking['signature'] }]);
  });

  it('keeps reasoning_content and the text beside the thinking blocks', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson(THINKING_MESSAGE), anthropicContext());

    expect(completion.choices[0]?.message).toMatchObject({ content: '925 ÷ 5 = 185', reasoning_content: '925 divided by 5 = 185' });
  });

  it('matches the OpenAI chat completion schema', () => {
    const completion = parseAnthropicChatResponse(readAnthropicJson(THINKING_MESSAGE), anthropicContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('returns redacted thinking as a redacted_thinking block with its data when Anthropic redacted a block', () => {
    const message = { ...readAnthropicJson(THINKING_MESSAGE), content: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }, { type: 'text', text: 'Done.' }] };

    const completion = parseAnthropicChatResponse(message, anthropicContext());

    expect(completion.choices[0]?.message.thinking_blocks).toEqual([{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }]);
    expect(completion.choices[0]?.message.reasoning_content).toBeUndefined();
  });
});

describe('createAnthropicStreamTranslator replaying anthropic-clear-thinking.1.chunks.txt', () => {
  it('streams thinking_blocks pieces that assemble into the recorded block with its exact signature', () => {
    const { chunks } = replayFixture(THINKING_STREAM);

    const blocks = assembledBlocks(thinkingPieces(chunks));

    expect(blocks).toEqual([{ type: 'thinking', ...recordedThinking() }]);
  });

  it('sends the signature once, in a piece with no thinking text', () => {
    const { chunks } = replayFixture(THINKING_STREAM);

    const signed = thinkingPieces(chunks).filter((piece) => piece.type === 'thinking' && piece.signature !== undefined);

    expect(signed).toEqual([{ type: 'thinking', thinking: '', signature: recordedThinking().signature }]);
  });

  it('streams the same thinking text as reasoning_content', () => {
    const { chunks } = replayFixture(THINKING_STREAM);

    expect(deltaText(chunks, 'reasoning_content')).toBe(recordedThinking().thinking);
  });

  it('matches the OpenAI chunk schema for every translated chunk', () => {
    const { chunks } = replayFixture(THINKING_STREAM);

    for (const chunk of chunks) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });

  it('streams a redacted_thinking block whole as one thinking_blocks piece when Anthropic redacted a block', () => {
    const events = readAnthropicEvents(THINKING_STREAM);
    const redacted = [
      anthropicEvent({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' } }),
      anthropicEvent({ type: 'content_block_stop', index: 0 }),
    ];

    const { chunks } = replayEvents([events[0]!, ...redacted, ...events.slice(15)]);

    expect(thinkingPieces(chunks)).toEqual([{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }]);
  });
});
