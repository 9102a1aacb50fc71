import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, JsonObject } from '../../../functions/core/openai/openai-types.js';
import { chatCompletionToResponse } from '../../../functions/core/responses-api/chat-to-response.js';
import { createResponseStreamWriter } from '../../../functions/core/responses-api/response-stream-writer.js';
import { responsesRequestToChat } from '../../../functions/core/responses-api/responses-to-chat.js';
import { decodeThinkingBlocks } from '../../../functions/core/responses-api/thinking-blocks-carrier.js';
import { assertResponse } from '../../support/openai-schema.js';
import { responseContext } from './responses-test-helpers.js';

const SIGNED = [{ type: 'thinking', thinking: 'Use the tool.', signature: 'sig-1' }, { type: 'redacted_thinking', data: 'opaque' }];

function completion(message: JsonObject): ChatCompletion {
  return { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: 'tool_calls' }] } as ChatCompletion;
}

function chunk(delta: JsonObject): ChatCompletionChunk {
  return { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] } as ChatCompletionChunk;
}

function reasoningItem(response: JsonObject): JsonObject {
  return (response['output'] as JsonObject[]).find((item) => item['type'] === 'reasoning')!;
}

describe('Claude thinking blocks through the Responses API', () => {
  it('carries signed thinking blocks in the reasoning item when a chat completion has them', () => {
    const response = chatCompletionToResponse(completion({ reasoning_content: 'Use the tool.', thinking_blocks: SIGNED }), responseContext());

    expect(decodeThinkingBlocks(reasoningItem(response)['encrypted_content'])).toEqual(SIGNED);
    assertResponse(response);
  });

  it('carries no encrypted_content when the thinking is unsigned', () => {
    const response = chatCompletionToResponse(completion({ reasoning_content: 'Hmm', thinking_blocks: [{ type: 'thinking', thinking: 'Hmm' }] }), responseContext());

    expect(reasoningItem(response)).not.toHaveProperty('encrypted_content');
  });

  it('assembles the streamed pieces into whole blocks when a stream carries thinking', () => {
    const writer = createResponseStreamWriter(responseContext());
    writer.push(chunk({ reasoning_content: 'Use the ', thinking_blocks: [{ type: 'thinking', thinking: 'Use the ' }] }));
    writer.push(chunk({ reasoning_content: 'tool.', thinking_blocks: [{ type: 'thinking', thinking: 'tool.' }] }));
    writer.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig-1' }] }));
    writer.push(chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'opaque' }] }));
    writer.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }));
    writer.end();

    const item = reasoningItem(writer.response());

    expect([decodeThinkingBlocks(item['encrypted_content']), item['summary']]).toEqual([SIGNED, [{ type: 'summary_text', text: 'Use the tool.' }]]);
  });

  it('puts the carried blocks back on the assistant turn when the reasoning item is sent back', () => {
    const response = chatCompletionToResponse(
      completion({ reasoning_content: 'Use the tool.', thinking_blocks: SIGNED, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      responseContext(),
    );
    const input = [{ role: 'user', content: 'Go' }, ...(response['output'] as JsonObject[]), { type: 'function_call_output', call_id: 'call_1', output: 'done' }];

    const { chat } = responsesRequestToChat({ model: 'claude', input }, []);

    expect(chat.messages[1]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }], thinking_blocks: SIGNED });
  });

  it("drops OpenAI's own encrypted reasoning when it is sent to another model", () => {
    const input = [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAABo-openai-ciphertext' }, { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }];

    const { chat } = responsesRequestToChat({ model: 'claude', input }, []);

    expect(chat.messages[0]).not.toHaveProperty('thinking_blocks');
  });
});
