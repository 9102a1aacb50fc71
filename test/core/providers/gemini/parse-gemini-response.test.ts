import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { parseGeminiChatResponse } from '../../../../functions/core/providers/gemini/parse-gemini-response.js';
import { assertChatCompletion } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { geminiContext } from './gemini-test-support.js';

function candidate(parts: JsonObject[], index: number, finishReason = 'STOP'): JsonObject {
  return { content: { role: 'model', parts }, index, finishReason };
}

describe('parseGeminiChatResponse', () => {
  it('joins text parts and gives thought parts as reasoning_content', () => {
    const completion = parseGeminiChatResponse(
      { candidates: [candidate([{ text: 'Let me think.', thought: true }, { text: 'The answer ' }, { text: 'is 4.' }], 0)] },
      geminiContext(),
    );

    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: 'The answer is 4.', refusal: null, reasoning_content: 'Let me think.' });
  });

  it('gives one choice per candidate in index order when n > 1', () => {
    const completion = parseGeminiChatResponse(
      { candidates: [candidate([{ text: 'Second' }], 1, 'MAX_TOKENS'), candidate([{ text: 'First' }], 0)] },
      geminiContext(),
    );

    expect(completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason])).toEqual([
      [0, 'First', 'stop'],
      [1, 'Second', 'length'],
    ]);
  });

  it('numbers the calls of each choice from 0 with stable ids', () => {
    const completion = parseGeminiChatResponse(
      {
        candidates: [
          candidate([{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: { x: 1 } } }], 0),
          candidate([{ functionCall: { name: 'c' } }], 1),
        ],
      },
      geminiContext(),
    );

    expect(completion.choices.map((choice) => choice.message.tool_calls?.map((call) => [call.id, call.function.arguments]))).toEqual([
      [
        ['call_req-test-1_0', '{}'],
        ['call_req-test-1_1', '{"x":1}'],
      ],
      [['call_req-test-1_1_0', '{}']],
    ]);
  });

  it('answers one empty content_filter choice when the prompt was blocked', () => {
    const completion = parseGeminiChatResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 } }, geminiContext());

    expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' }]);
    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('gives content null and content_filter when a candidate stopped for safety without parts', () => {
    const completion = parseGeminiChatResponse({ candidates: [{ finishReason: 'SAFETY', index: 0 }] }, geminiContext());

    expect(completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: 'content_filter' });
  });

  it('leaves usage out when Gemini reports none, so the gateway estimates', () => {
    const completion = parseGeminiChatResponse({ candidates: [candidate([{ text: 'Hi' }], 0)] }, geminiContext());

    expect(completion).not.toHaveProperty('usage');
  });

  it('takes the model from the deployment when Gemini names no modelVersion', () => {
    const completion = parseGeminiChatResponse({ candidates: [candidate([{ text: 'Hi' }], 0)] }, geminiContext());

    expect(completion.model).toBe('gemini-2.5-flash');
  });

  it('throws the GatewayError of an error body', () => {
    const error = captureError(() => parseGeminiChatResponse({ error: { code: 500, message: 'Internal error', status: 'INTERNAL' } }, geminiContext()));

    expect(error).toMatchObject({ status: 500, message: 'Internal error' });
  });

  it.each([null, 'text', [1]])('throws a bad_upstream_response GatewayError when the body is %j', (body) => {
    const error = captureError(() => parseGeminiChatResponse(body, geminiContext()));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
