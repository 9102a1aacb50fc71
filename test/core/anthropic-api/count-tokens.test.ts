import { describe, expect, it } from 'vitest';
import { ATTACHMENT_TOKEN_ESTIMATE, estimateAnthropicInputTokens } from '../../../functions/core/anthropic-api/count-tokens.js';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import { captureError } from '../../support/capture-error.js';

function countBody(overrides: JsonObject = {}): JsonObject {
  return { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x'.repeat(40) }], ...overrides };
}

describe('estimateAnthropicInputTokens', () => {
  it('counts a token per four characters when the message is a string', () => {
    const estimate = estimateAnthropicInputTokens(countBody());

    expect(estimate).toEqual({ input_tokens: 10 });
  });

  it('rounds up when the characters do not divide by four', () => {
    const estimate = estimateAnthropicInputTokens(countBody({ messages: [{ role: 'user', content: 'Hello' }] }));

    expect(estimate).toEqual({ input_tokens: 2 });
  });

  it('counts at least one token when every text is empty', () => {
    const estimate = estimateAnthropicInputTokens(countBody({ messages: [{ role: 'user', content: '' }] }));

    expect(estimate).toEqual({ input_tokens: 1 });
  });

  it.each<[string, JsonObject, number]>([
    ['a string system prompt', { system: 'y'.repeat(20) }, 15],
    ['system text blocks', { system: [{ type: 'text', text: 'y'.repeat(12) }, { type: 'text', text: 'z'.repeat(8) }] }, 15],
    [
      'a tool definition',
      { tools: [{ name: 'abcd', description: 'efgh', input_schema: { type: 'object' } }] },
      10 + Math.ceil((4 + 4 + JSON.stringify({ type: 'object' }).length) / 4),
    ],
  ])('adds %s to the messages', (_case, overrides, expected) => {
    const estimate = estimateAnthropicInputTokens(countBody(overrides));

    expect(estimate.input_tokens).toBe(expected);
  });

  it('counts tool calls, tool results and text blocks when the conversation used tools', () => {
    const estimate = estimateAnthropicInputTokens(
      countBody({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a'.repeat(8) }] },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'ignored '.repeat(50), signature: 's' }, { type: 'tool_use', id: 't1', name: 'f', input: { k: 'v' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'b'.repeat(7) }] }] },
        ],
      }),
    );

    expect(estimate.input_tokens).toBe(Math.ceil((8 + 1 + JSON.stringify({ k: 'v' }).length + 7) / 4));
  });

  it('adds a flat estimate per image and PDF when the message has attachments', () => {
    const estimate = estimateAnthropicInputTokens(
      countBody({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(10_000) } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'B'.repeat(10_000) } },
              { type: 'text', text: 'abcd' },
            ],
          },
        ],
      }),
    );

    expect(estimate.input_tokens).toBe(1 + 2 * ATTACHMENT_TOKEN_ESTIMATE);
  });

  it('accepts the request when it has no max_tokens', () => {
    const estimate = estimateAnthropicInputTokens(countBody());

    expect(estimate.input_tokens).toBeGreaterThan(0);
  });

  it.each<[string, unknown, string | null]>([
    ['the body is not an object', 'hello', null],
    ['model is missing', { messages: [{ role: 'user', content: 'Hi' }] }, 'model'],
    ['messages is missing', { model: 'm' }, 'messages'],
    ['messages is empty', { model: 'm', messages: [] }, 'messages'],
    ['a block type is unknown', { model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages[0].content[0].type'],
  ])('throws InvalidRequestError naming the field when %s', (_case, body, param) => {
    const error = captureError(() => estimateAnthropicInputTokens(body));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe(param);
  });
});
