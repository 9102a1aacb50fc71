import { describe, expect, it } from 'vitest';
import type { ChatCompletion, JsonObject } from '../../../functions/core/openai/openai-types.js';
import { chatCompletionToResponse } from '../../../functions/core/responses-api/chat-to-response.js';
import { fixtureJson, fixtureNames } from '../../support/recorded-fixtures.js';
import { assertResponse } from '../../support/openai-schema.js';
import { responseContext } from './responses-test-helpers.js';

const CHAT_FIXTURES = fixtureNames('openai', '.json').filter((name) => name !== 'openai-embedding.json');

function completion(message: JsonObject, finishReason = 'stop', usage?: JsonObject): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finishReason }],
    ...(usage === undefined ? {} : { usage }),
  } as ChatCompletion;
}

describe('chatCompletionToResponse', () => {
  it.each(CHAT_FIXTURES)('produces a Response valid against the spec when translating %s', (name) => {
    const response = chatCompletionToResponse(fixtureJson(name) as ChatCompletion, responseContext());

    assertResponse(response);
  });

  it.each(CHAT_FIXTURES)('carries the text and tool calls of %s', (name) => {
    const chat = fixtureJson(name) as ChatCompletion;
    const message = chat.choices[0]!.message;

    const output = chatCompletionToResponse(chat, responseContext())['output'] as JsonObject[];

    const text = output.filter((item) => item['type'] === 'message').flatMap((item) => (item['content'] as JsonObject[]).map((part) => part['text']));
    expect(text.join('')).toBe(message.content ?? '');
    const calls = output.filter((item) => item['type'] === 'function_call').map((item) => [item['call_id'], item['name'], item['arguments']]);
    expect(calls).toEqual((message.tool_calls ?? []).map((call) => [call.id, call.function.name, call.function.arguments]));
  });

  it('lists reasoning, then the message, then the function calls when the message has all three', () => {
    const chat = completion({
      reasoning_content: 'Think.',
      content: 'Calling.',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    }, 'tool_calls');

    const response = chatCompletionToResponse(chat, responseContext());

    expect(response['output']).toEqual([
      { id: 'item_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think.' }] },
      { id: 'item_2', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Calling.', annotations: [], logprobs: [] }] },
      { id: 'item_3', type: 'function_call', status: 'completed', call_id: 'c1', name: 'f', arguments: '{}' },
    ]);
    assertResponse(response);
  });

  it('takes the reasoning from thinking_blocks when there is no reasoning_content', () => {
    const chat = completion({ content: 'Hi', thinking_blocks: [{ type: 'thinking', thinking: 'Claude thinks.', signature: 'sig' }] });

    const output = chatCompletionToResponse(chat, responseContext())['output'] as JsonObject[];

    expect(output[0]).toMatchObject({ id: 'item_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Claude thinks.' }] });
  });

  it.each([
    ['length', 'max_output_tokens'],
    ['content_filter', 'content_filter'],
  ])('is incomplete with its reason when finish_reason is %s', (finishReason, reason) => {
    const response = chatCompletionToResponse(completion({ content: 'Cut' }, finishReason), responseContext());

    expect([response['status'], response['incomplete_details'], (response['output'] as JsonObject[])[0]!['status']]).toEqual(['incomplete', { reason }, 'incomplete']);
    assertResponse(response);
  });

  it('maps usage with cached, cache-write and reasoning token details when the chat usage has them', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 }, completion_tokens_details: { reasoning_tokens: 30 } };

    const response = chatCompletionToResponse(completion({ content: 'Hi' }, 'stop', usage), responseContext());

    expect(response['usage']).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 30 },
      total_tokens: 140,
    });
  });

  it('echoes the request settings with defaults when the request leaves them out', () => {
    const response = chatCompletionToResponse(completion({ content: 'Hi' }), responseContext());

    expect(response).toMatchObject({
      id: 'resp_test',
      object: 'response',
      created_at: 1_700_000_000,
      model: 'test-model',
      instructions: null,
      tools: [],
      tool_choice: 'auto',
      temperature: 1,
      top_p: 1,
      parallel_tool_calls: true,
      max_output_tokens: null,
      previous_response_id: null,
      store: true,
      metadata: {},
      text: { format: { type: 'text' } },
      truncation: 'disabled',
      error: null,
      incomplete_details: null,
    });
  });

  it('echoes the request settings when the request sets them', () => {
    const request = {
      instructions: 'Sys',
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} } }],
      tool_choice: 'required',
      temperature: 0.5,
      max_output_tokens: 10,
      previous_response_id: 'resp_0',
      store: false,
      metadata: { run: '7' },
      text: { format: { type: 'json_object' } },
    };

    const response = chatCompletionToResponse(completion({ content: '{}' }), responseContext(request));

    expect(response).toMatchObject({ ...request, tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: null }] });
    assertResponse(response);
  });
});
