import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import { responsesRequestToChat } from '../../../functions/core/responses-api/responses-to-chat.js';

function chatOf(request: JsonObject, history: JsonObject[] = []): JsonObject {
  return responsesRequestToChat({ model: 'm', ...request }, history).chat;
}

function refusal(request: JsonObject, history: JsonObject[] = []): InvalidRequestError {
  try {
    responsesRequestToChat({ model: 'm', ...request }, history);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('responsesRequestToChat', () => {
  it.each<[string, JsonObject, JsonObject]>([
    ['a string input becomes one user message', { input: 'Hi' }, { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }],
    [
      'instructions become a system message first',
      { instructions: 'Be brief.', input: 'Hi' },
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
    [
      'a developer message becomes a system message with its text',
      { input: [{ role: 'developer', content: [{ type: 'input_text', text: 'Rules' }] }] },
      { messages: [{ role: 'system', content: 'Rules' }] },
    ],
    [
      'an assistant message keeps its output_text as text',
      { input: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure.', annotations: [] }] }] },
      { messages: [{ role: 'assistant', content: 'Sure.' }] },
    ],
    [
      'an input_image becomes an image_url part with its detail',
      { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x.test/a.png', detail: 'low' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] }] },
    ],
    [
      'an inline input_file becomes a file part',
      { input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA', filename: 'a.pdf' } }] }] },
    ],
    [
      'consecutive function_call items join one assistant message',
      {
        input: [
          { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
          { type: 'function_call', call_id: 'c2', name: 'b', arguments: '{"x":1}' },
          { type: 'function_call_output', call_id: 'c1', output: 'one' },
          { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        ],
      },
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } },
              { id: 'c2', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'one' },
          { role: 'tool', tool_call_id: 'c2', content: 'two' },
        ],
      },
    ],
    [
      'a function_call after assistant text joins that message',
      {
        input: [
          { type: 'message', role: 'assistant', content: 'Looking.' },
          { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
        ],
      },
      { messages: [{ role: 'assistant', content: 'Looking.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }] }] },
    ],
    [
      'reasoning items are dropped, encrypted or not',
      {
        input: [
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'hmm' }], encrypted_content: 'gAAAA…' },
          { role: 'user', content: 'Go' },
        ],
      },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Go' }] }] },
    ],
    [
      'function tools become chat function tools',
      { input: 'Hi', tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }] },
      { tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }] },
    ],
    ['a named function tool_choice becomes chat shape', { input: 'Hi', tool_choice: { type: 'function', name: 'f' } }, { tool_choice: { type: 'function', function: { name: 'f' } } }],
    ['a string tool_choice is kept', { input: 'Hi', tool_choice: 'required' }, { tool_choice: 'required' }],
    [
      'text.format json_schema becomes response_format',
      { input: 'Hi', text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } } },
      { response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } } },
    ],
    ['text.format json_object becomes response_format', { input: 'Hi', text: { format: { type: 'json_object' } } }, { response_format: { type: 'json_object' } }],
    ['max_output_tokens becomes max_completion_tokens', { input: 'Hi', max_output_tokens: 50 }, { max_completion_tokens: 50 }],
    ['reasoning.effort becomes reasoning_effort', { input: 'Hi', reasoning: { effort: 'high', summary: 'auto' } }, { reasoning_effort: 'high' }],
    ['sampling, parallel_tool_calls and stream are kept', { input: 'Hi', temperature: 0.2, top_p: 0.9, parallel_tool_calls: false, stream: true }, { temperature: 0.2, top_p: 0.9, parallel_tool_calls: false, stream: true }],
    ['safety_identifier becomes user', { input: 'Hi', safety_identifier: 'u-1' }, { user: 'u-1' }],
  ])('maps the request when %s', (_name, request, expected) => {
    const chat = chatOf(request);

    expect(chat).toMatchObject(expected);
  });

  it('keeps the route-only fields and metadata out of the chat request when they are sent', () => {
    const chat = chatOf({ input: 'Hi', store: false, previous_response_id: 'resp_1', include: ['reasoning.encrypted_content'], truncation: 'auto', metadata: { a: 'b' } });

    expect(Object.keys(chat).sort()).toEqual(['messages', 'model']);
  });

  it('puts the stored conversation between the instructions and the new input when there is history', () => {
    const history = [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
      { id: 'item_1', type: 'function_call', status: 'completed', call_id: 'c1', name: 'weather', arguments: '{}' },
    ];

    const chat = chatOf({ instructions: 'Sys', input: [{ type: 'function_call_output', call_id: 'c1', output: 'sunny' }] }, history);

    expect(chat['messages']).toEqual([
      { role: 'system', content: 'Sys' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ]);
  });

  it('returns the input items normalised when messages come as strings or without a type', () => {
    const { inputItems } = responsesRequestToChat(
      { model: 'm', input: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { type: 'reasoning', id: 'rs', summary: [] }] },
      [],
    );

    expect(inputItems).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] },
      { type: 'reasoning', id: 'rs', summary: [] },
    ]);
  });

  it('returns a string input as one user message item when input is a string', () => {
    const { inputItems } = responsesRequestToChat({ model: 'm', instructions: 'Sys', input: 'Hi' }, []);

    expect(inputItems).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }]);
  });

  it.each<[string, JsonObject, string]>([
    ['a built-in web_search tool', { input: 'Hi', tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }] }, 'tools[1].type'],
    ['a custom tool', { input: 'Hi', tools: [{ type: 'custom', name: 'apply_patch' }] }, 'tools[0].type'],
    ['a file_search tool', { input: 'Hi', tools: [{ type: 'file_search', vector_store_ids: ['vs'] }] }, 'tools[0].type'],
    ['a hosted tool_choice', { input: 'Hi', tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type'],
    ['an item_reference', { input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type'],
    ['a custom_tool_call item', { input: [{ role: 'user', content: 'x' }, { type: 'custom_tool_call', call_id: 'c', name: 'n', input: '' }] }, 'input[1].type'],
    ['an OpenAI file id', { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }, 'input[0].content[0].file_id'],
    ['an unknown role', { input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['a function_call without arguments', { input: [{ type: 'function_call', call_id: 'c', name: 'n' }] }, 'input[0].arguments'],
    ['an unknown text.format', { input: 'Hi', text: { format: { type: 'xml' } } }, 'text.format.type'],
    ['a background request', { input: 'Hi', background: true }, 'background'],
    ['no input at all (nothing to send)', {}, 'input'],
    ['a non-numeric max_output_tokens', { input: 'Hi', max_output_tokens: '5' }, 'max_output_tokens'],
  ])('refuses with a 400 naming the field when the request has %s', (_name, request, param) => {
    const error = refusal(request);

    expect({ status: error.status, param: error.param }).toEqual({ status: 400, param });
  });

  it('refuses an untranslatable stored item naming previous_response_id when the history holds one', () => {
    const error = refusal({ input: 'Hi' }, [{ type: 'web_search_call', id: 'ws', status: 'completed' }]);

    expect(error.param).toBe('previous_response_id[0].type');
  });
});
