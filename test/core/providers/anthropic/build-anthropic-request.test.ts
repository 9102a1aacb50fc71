import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../functions/core/errors.js';
import type { ChatCompletionRequest, ChatMessage, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { anthropicProvider } from '../../../../functions/core/providers/anthropic/anthropic-provider.js';
import {
  anthropicMessagesUrl,
  DEFAULT_MAX_TOKENS,
  toAnthropicMessagesRequest,
} from '../../../../functions/core/providers/anthropic/build-anthropic-request.js';
import { JSON_RESPONSE_TOOL_NAME } from '../../../../functions/core/providers/anthropic/json-response-tool.js';
import { providerContext, resolvedDeployment } from '../provider-test-support.js';
import { captureError } from '../../../support/capture-error.js';

const MODEL = 'claude-sonnet-4-5';

function chat(extra: JsonObject = {}, messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }]): ChatCompletionRequest {
  return { model: 'public-name', messages, ...extra };
}

function body(extra: JsonObject = {}, messages?: ChatMessage[]): JsonObject {
  return toAnthropicMessagesRequest(chat(extra, messages), MODEL) as unknown as JsonObject;
}

const WEATHER_TOOL = {
  type: 'function',
  function: { name: 'weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const ANTHROPIC_WEATHER_TOOL = {
  name: 'weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('anthropicMessagesUrl', () => {
  it.each([
    [undefined, 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/v1', 'https://api.anthropic.com/v1/messages'],
    ['https://proxy.internal/anthropic/v1/', 'https://proxy.internal/anthropic/v1/messages'],
  ])('builds the messages URL when api_base is %s', (apiBase, expected) => {
    expect(anthropicMessagesUrl(apiBase)).toBe(expected);
  });
});

describe('anthropicProvider.buildChatRequest', () => {
  it('posts JSON with the key, the API version and the extra headers', () => {
    const deployment = resolvedDeployment({ provider: 'anthropic', upstreamModel: MODEL, apiBase: undefined, apiKey: 'sk-ant', extraHeaders: { 'anthropic-beta': 'x' } });

    const request = anthropicProvider.buildChatRequest(chat(), providerContext(deployment));

    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://api.anthropic.com/v1/messages',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'x' },
    });
  });

  it('keeps the deployment key when the extra headers name x-api-key too', () => {
    const deployment = resolvedDeployment({ provider: 'anthropic', apiKey: 'sk-ant', extraHeaders: { 'x-api-key': 'other' } });

    const request = anthropicProvider.buildChatRequest(chat(), providerContext(deployment));

    expect(request.headers['x-api-key']).toBe('sk-ant');
  });

  it('sends the upstream model in the body', () => {
    const deployment = resolvedDeployment({ provider: 'anthropic', upstreamModel: MODEL });

    const request = anthropicProvider.buildChatRequest(chat(), providerContext(deployment));

    expect(JSON.parse(request.body ?? '{}')).toMatchObject({ model: MODEL, max_tokens: DEFAULT_MAX_TOKENS });
  });
});

describe('toAnthropicMessagesRequest parameters', () => {
  it.each<[string, JsonObject, JsonObject]>([
    ['max_tokens defaults when the client sets none', {}, { max_tokens: DEFAULT_MAX_TOKENS }],
    ['max_tokens is passed', { max_tokens: 300 }, { max_tokens: 300 }],
    ['max_completion_tokens wins over max_tokens', { max_tokens: 300, max_completion_tokens: 500 }, { max_tokens: 500 }],
    ['temperature and top_p are passed', { temperature: 0.3, top_p: 0.9 }, { temperature: 0.3, top_p: 0.9 }],
    ['temperature above 1 is clamped', { temperature: 1.7 }, { temperature: 1 }],
    ['a stop string becomes stop_sequences', { stop: 'END' }, { stop_sequences: ['END'] }],
    ['a stop array becomes stop_sequences', { stop: ['END', 'STOP'] }, { stop_sequences: ['END', 'STOP'] }],
    ['user becomes metadata.user_id', { user: 'user-42' }, { metadata: { user_id: 'user-42' } }],
    ['stream is passed', { stream: true, stream_options: { include_usage: true } }, { stream: true }],
    ['reasoning_effort low enables thinking', { reasoning_effort: 'low' }, { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: DEFAULT_MAX_TOKENS }],
    ['reasoning_effort medium enables thinking', { reasoning_effort: 'medium' }, { thinking: { type: 'enabled', budget_tokens: 4096 }, max_tokens: 4096 + DEFAULT_MAX_TOKENS }],
    ['reasoning_effort high leaves room beyond the budget', { reasoning_effort: 'high', max_tokens: 2000 }, { thinking: { type: 'enabled', budget_tokens: 16384 }, max_tokens: 18384 }],
    ['reasoning_effort keeps a max_tokens above the budget', { reasoning_effort: 'low', max_completion_tokens: 8000 }, { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 8000 }],
  ])('maps %s', (_name, request, expected) => {
    expect(body(request)).toMatchObject(expected);
  });

  it.each<[string, JsonObject, string]>([
    ['seed', { seed: 7 }, 'seed'],
    ['logprobs', { logprobs: true, top_logprobs: 2 }, 'logprobs'],
    ['frequency_penalty', { frequency_penalty: 0.5 }, 'frequency_penalty'],
    ['presence_penalty', { presence_penalty: 0.5 }, 'presence_penalty'],
    ['stream_options', { stream: true, stream_options: { include_usage: true } }, 'stream_options'],
    ['an unknown field', { surprise: 1 }, 'surprise'],
  ])('drops %s when the client sends it', (_name, request, field) => {
    expect(body(request)).not.toHaveProperty(field);
  });

  it.each<[string, JsonObject, string]>([
    ['reasoning_effort minimal', { reasoning_effort: 'minimal' }, 'thinking'],
    ['an unknown reasoning_effort', { reasoning_effort: 'extreme' }, 'thinking'],
    ['temperature with thinking on', { reasoning_effort: 'low', temperature: 0.2 }, 'temperature'],
    ['top_p with thinking on', { reasoning_effort: 'low', top_p: 0.5 }, 'top_p'],
    ['thinking with a forced tool', { reasoning_effort: 'low', tools: [WEATHER_TOOL], tool_choice: 'required' }, 'thinking'],
    ['an empty stop list', { stop: [] }, 'stop_sequences'],
  ])('leaves out the field for %s', (_name, request, field) => {
    expect(body(request)).not.toHaveProperty(field);
  });

  it('refuses n greater than 1 naming the parameter', () => {
    const error = captureError(() => body({ n: 2 }));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param: 'n' });
  });

  it('accepts n equal to 1', () => {
    expect(body({ n: 1 })).not.toHaveProperty('n');
  });
});

describe('toAnthropicMessagesRequest messages', () => {
  it.each<[string, ChatMessage[], JsonObject]>([
    [
      'a system message is lifted into system',
      [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      { system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
    [
      'system and developer messages are joined into system',
      [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] }],
      { system: 'Be brief.\n\nUse French.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
    [
      'a cache_control mark on a system part keeps system as blocks',
      [{ role: 'system', content: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral' } }] }, { role: 'user', content: 'Hi' }],
      { system: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral' } }] },
    ],
    [
      'consecutive user messages are merged into one turn',
      [{ role: 'user', content: 'One' }, { role: 'user', content: [{ type: 'text', text: 'Two' }] }],
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two' }] }] },
    ],
    [
      'consecutive assistant messages are merged into one turn',
      [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'A' }, { role: 'assistant', content: 'B' }],
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }] },
    ],
    [
      'a data: URL image becomes a base64 image',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }] },
    ],
    [
      'an https image becomes a url image',
      [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } }] }],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] },
        ],
      },
    ],
    [
      'an inline PDF file becomes a document',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }] }],
      { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' }] }] },
    ],
    [
      'empty text is left out',
      [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] }],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } }] },
        ],
      },
    ],
  ])('maps %s', (_name, messages, expected) => {
    expect(body({}, messages)).toMatchObject(expected);
  });

  it('leaves system out when there is no system message', () => {
    expect(body()).not.toHaveProperty('system');
  });

  it.each([
    ['invalid JSON', '{"city":'],
    ['a JSON array', '[1,2]'],
    ['an empty string', ''],
  ])('sends tool_use input {} when the arguments are %s', (_name, argumentsText) => {
    const request = body({}, [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: argumentsText } }] },
    ]);

    expect(request['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'weather', input: {} }] },
    ]);
  });

  it('groups consecutive tool messages into one user turn of tool results', () => {
    const request = body({}, [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Rainy' }] },
    ]);

    expect(request['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'Rainy' }] },
        ],
      },
    ]);
  });

  it('puts tool results before text when a user message follows tool messages', () => {
    const request = body({}, [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'user', content: 'And tomorrow?' },
    ]);

    expect((request['messages'] as JsonObject[])[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
        { type: 'text', text: 'And tomorrow?' },
      ],
    });
  });

  it.each<[string, ChatMessage[], string]>([
    ['an image URL that is neither data: nor http(s)', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }], 'messages[0].content[0].image_url.url'],
    ['an audio part', [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }], 'messages[0].content[0]'],
    ['a non-PDF file', [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:text/csv;base64,YQ==' } }] }], 'messages[0].content[0].file'],
    ['a tool message without tool_call_id', [{ role: 'tool', content: 'x' }], 'messages[0].tool_call_id'],
    ['a function message', [{ role: 'function', name: 'f', content: 'x' }], 'messages[0].role'],
  ])('refuses %s naming the parameter', (_name, messages, param) => {
    const error = captureError(() => body({}, messages));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param });
  });
});

describe('toAnthropicMessagesRequest tools', () => {
  it('maps function tools to name, description and input_schema', () => {
    expect(body({ tools: [WEATHER_TOOL] })['tools']).toEqual([ANTHROPIC_WEATHER_TOOL]);
  });

  it('gives a tool without parameters an empty object schema', () => {
    const request = body({ tools: [{ type: 'function', function: { name: 'ping' } }] });

    expect(request['tools']).toEqual([{ name: 'ping', input_schema: { type: 'object', properties: {} } }]);
  });

  it.each<[string, JsonObject, JsonObject | undefined]>([
    ['no tool_choice', {}, undefined],
    ['auto', { tool_choice: 'auto' }, { type: 'auto' }],
    ['none', { tool_choice: 'none' }, { type: 'none' }],
    ['required', { tool_choice: 'required' }, { type: 'any' }],
    ['a named function', { tool_choice: { type: 'function', function: { name: 'weather' } } }, { type: 'tool', name: 'weather' }],
    ['parallel_tool_calls false', { parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['required and parallel_tool_calls false', { tool_choice: 'required', parallel_tool_calls: false }, { type: 'any', disable_parallel_tool_use: true }],
    ['none and parallel_tool_calls false', { tool_choice: 'none', parallel_tool_calls: false }, { type: 'none' }],
  ])('maps tool_choice for %s', (_name, request, expected) => {
    expect(body({ tools: [WEATHER_TOOL], ...request })['tool_choice']).toEqual(expected);
  });

  it('sends neither tools nor tool_choice when the client has no tools', () => {
    const request = body({ tool_choice: 'auto' });

    expect(request).not.toHaveProperty('tools');
    expect(request).not.toHaveProperty('tool_choice');
  });

  it.each<[string, JsonObject, string]>([
    ['a tool that is not a function', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    ['a tool named like the JSON-response tool', { tools: [{ type: 'function', function: { name: JSON_RESPONSE_TOOL_NAME } }] }, 'tools[0].function.name'],
    ['an unknown tool_choice', { tools: [WEATHER_TOOL], tool_choice: 'sometimes' }, 'tool_choice'],
    ['an unknown response_format', { response_format: { type: 'xml' } }, 'response_format'],
  ])('refuses %s naming the parameter', (_name, request, param) => {
    const error = captureError(() => body(request));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param });
  });
});

describe('toAnthropicMessagesRequest response_format', () => {
  const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
  const jsonSchemaFormat = { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } };

  it('offers the JSON-response tool with the schema as input_schema when json_schema is asked for', () => {
    const request = body({ response_format: jsonSchemaFormat });

    expect(request['tools']).toEqual([expect.objectContaining({ name: JSON_RESPONSE_TOOL_NAME, input_schema: schema })]);
  });

  it('offers the JSON-response tool with an open object schema when json_object is asked for', () => {
    const request = body({ response_format: { type: 'json_object' } });

    expect(request['tools']).toEqual([expect.objectContaining({ name: JSON_RESPONSE_TOOL_NAME, input_schema: { type: 'object' } })]);
  });

  it.each<[string, JsonObject, JsonObject]>([
    ['no client tools', {}, { type: 'tool', name: JSON_RESPONSE_TOOL_NAME, disable_parallel_tool_use: true }],
    ['client tools', { tools: [WEATHER_TOOL] }, { type: 'any' }],
    ['client tools and tool_choice none', { tools: [WEATHER_TOOL], tool_choice: 'none' }, { type: 'tool', name: JSON_RESPONSE_TOOL_NAME, disable_parallel_tool_use: true }],
    ['a named client tool', { tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'weather' } } }, { type: 'tool', name: 'weather' }],
  ])('forces a tool when json_schema is asked for with %s', (_name, request, expected) => {
    expect(body({ response_format: jsonSchemaFormat, ...request })['tool_choice']).toEqual(expected);
  });

  it('sends no tools when response_format is text', () => {
    expect(body({ response_format: { type: 'text' } })).not.toHaveProperty('tools');
  });

  it('leaves thinking off when json_schema forces the JSON-response tool', () => {
    expect(body({ response_format: jsonSchemaFormat, reasoning_effort: 'high' })).not.toHaveProperty('thinking');
  });
});
