import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../../functions/core/providers/anthropic/json-response-tool.js';
import { parseAnthropicChatResponse } from '../../../../functions/core/providers/anthropic/parse-anthropic-response.js';
import { assertChatCompletion } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { anthropicContext } from './anthropic-test-support.js';

function message(content: JsonObject[], extra: JsonObject = {}): JsonObject {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content,
    stop_reason: 'end_turn',
    usage: { input_tokens: 3, output_tokens: 4 },
    ...extra,
  };
}

describe('parseAnthropicChatResponse', () => {
  it('concatenates text blocks into content when several arrive', () => {
    const completion = parseAnthropicChatResponse(
      message([
        { type: 'text', text: 'Hello ' },
        { type: 'text', text: 'there.' },
      ]),
      anthropicContext(),
    );

    expect(completion.choices[0]?.message.content).toBe('Hello there.');
  });

  it('puts thinking blocks in reasoning_content when the model thought', () => {
    const completion = parseAnthropicChatResponse(
      message([
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xyz' },
        { type: 'text', text: 'Answer.' },
      ]),
      anthropicContext(),
    );

    expect(completion.choices[0]?.message).toMatchObject({ content: 'Answer.', reasoning_content: 'Hmm.' });
  });

  it('passes the OpenAI schema when the message has thinking', () => {
    const completion = parseAnthropicChatResponse(message([{ type: 'thinking', thinking: 'Hmm.', signature: 'sig' }, { type: 'text', text: 'A' }]), anthropicContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('lists tool_use blocks as tool calls with their input as JSON arguments', () => {
    const completion = parseAnthropicChatResponse(
      message([{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }], { stop_reason: 'tool_use' }),
      anthropicContext(),
    );

    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);
  });

  it('turns the JSON-response tool into content finished by stop when the model answers through it', () => {
    const completion = parseAnthropicChatResponse(
      message([{ type: 'tool_use', id: 'toolu_1', name: JSON_RESPONSE_TOOL_NAME, input: { answer: 42 } }], { stop_reason: 'tool_use' }),
      anthropicContext(),
    );

    expect(completion.choices[0]).toMatchObject({ message: { content: '{"answer":42}' }, finish_reason: 'stop' });
    expect(completion.choices[0]?.message).not.toHaveProperty('tool_calls');
  });

  it('counts cache reads and writes into prompt_tokens when the prompt was cached', () => {
    const completion = parseAnthropicChatResponse(
      message([{ type: 'text', text: 'A' }], { usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 7 } }),
      anthropicContext(),
    );

    expect(completion.usage).toEqual({
      prompt_tokens: 125,
      completion_tokens: 7,
      total_tokens: 132,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
    });
  });

  it('fills id and model from the context when the message lacks them', () => {
    const completion = parseAnthropicChatResponse({ content: [{ type: 'text', text: 'A' }] }, anthropicContext());

    expect(completion).toMatchObject({ id: 'chatcmpl-req-test-1', model: anthropicContext().deployment.upstreamModel });
  });

  it('throws the mapped error when the body is an Anthropic error', () => {
    const error = captureError(() =>
      parseAnthropicChatResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, anthropicContext()),
    );

    expect(error).toMatchObject({ status: 503, code: 'overloaded_error', message: 'Overloaded' });
  });

  it.each([null, 'text', [1]])('throws a bad_upstream_response GatewayError when the body is %j', (body) => {
    const error = captureError(() => parseAnthropicChatResponse(body, anthropicContext()));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
