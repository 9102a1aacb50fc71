import { describe, expect, it } from 'vitest';
import { anthropicToOpenAIRequest, reasoningEffortForBudget } from '../../../functions/core/anthropic-api/anthropic-request-to-openai.js';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import { validateChatRequest } from '../../../functions/core/openai/validate-request.js';
import { captureError } from '../../support/capture-error.js';

const USER = { role: 'user', content: 'Hello' };

function body(overrides: JsonObject = {}): JsonObject {
  return { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [USER], ...overrides };
}

function without(value: JsonObject, field: string): JsonObject {
  const { [field]: _removed, ...rest } = value;
  return rest;
}

function userBlocks(...blocks: unknown[]): JsonObject {
  return body({ messages: [{ role: 'user', content: blocks }] });
}

function assistantBlocks(...blocks: unknown[]): JsonObject {
  return body({ messages: [USER, { role: 'assistant', content: blocks }] });
}

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('anthropicToOpenAIRequest validation', () => {
  it.each<[string, unknown, string | null]>([
    ['the body is an array', [], null],
    ['the body is a string', 'hello', null],
    ['model is missing', without(body(), 'model'), 'model'],
    ['model is not a string', body({ model: 7 }), 'model'],
    ['model is empty', body({ model: '' }), 'model'],
    ['max_tokens is missing', without(body(), 'max_tokens'), 'max_tokens'],
    ['max_tokens is 0', body({ max_tokens: 0 }), 'max_tokens'],
    ['max_tokens is negative', body({ max_tokens: -1 }), 'max_tokens'],
    ['max_tokens is 1.5', body({ max_tokens: 1.5 }), 'max_tokens'],
    ['max_tokens is a string', body({ max_tokens: '1024' }), 'max_tokens'],
    ['messages is missing', without(body(), 'messages'), 'messages'],
    ['messages is not an array', body({ messages: USER }), 'messages'],
    ['messages is empty', body({ messages: [] }), 'messages'],
    ['a message is not an object', body({ messages: [USER, 'Hi'] }), 'messages[1]'],
    ['a message has no role', body({ messages: [{ content: 'Hi' }] }), 'messages[0].role'],
    ['a message has the system role', body({ messages: [{ role: 'system', content: 'Hi' }] }), 'messages[0].role'],
    ['a message has the tool role', body({ messages: [{ role: 'tool', content: 'Hi' }] }), 'messages[0].role'],
    ['a message has no content', body({ messages: [{ role: 'user' }] }), 'messages[0].content'],
    ['a message content is a number', body({ messages: [{ role: 'user', content: 3 }] }), 'messages[0].content'],
    ['a user message content is an empty array', body({ messages: [{ role: 'user', content: [] }] }), 'messages[0].content'],
    ['a block is not an object', userBlocks('Hi'), 'messages[0].content[0]'],
    ['a block has no type', userBlocks({ text: 'Hi' }), 'messages[0].content[0].type'],
    ['a block type is not a string', userBlocks({ type: 1 }), 'messages[0].content[0].type'],
    ['a block type is unknown', userBlocks({ type: 'video' }), 'messages[0].content[0].type'],
    ['a text block has no text', userBlocks({ type: 'text' }), 'messages[0].content[0].text'],
    ['a text block text is a number', userBlocks({ type: 'text', text: 1 }), 'messages[0].content[0].text'],
    ['an image has no source', userBlocks({ type: 'image' }), 'messages[0].content[0].source'],
    ['an image source is a string', userBlocks({ type: 'image', source: 'x' }), 'messages[0].content[0].source'],
    ['an image source type is file', userBlocks({ type: 'image', source: { type: 'file', file_id: 'f1' } }), 'messages[0].content[0].source.type'],
    ['a base64 image has no media_type', userBlocks({ type: 'image', source: { type: 'base64', data: 'AAAA' } }), 'messages[0].content[0].source.media_type'],
    ['a base64 image has no data', userBlocks({ type: 'image', source: { type: 'base64', media_type: 'image/png' } }), 'messages[0].content[0].source.data'],
    ['a url image has no url', userBlocks({ type: 'image', source: { type: 'url' } }), 'messages[0].content[0].source.url'],
    ['a document has a url source', userBlocks({ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }), 'messages[0].content[0].source.type'],
    ['a user message has a tool_use block', userBlocks({ type: 'tool_use', id: 't', name: 'f', input: {} }), 'messages[0].content[0].type'],
    ['an assistant message has a tool_result block', assistantBlocks({ type: 'tool_result', tool_use_id: 't', content: 'x' }), 'messages[1].content[0].type'],
    ['an assistant message has an image block', assistantBlocks({ type: 'image', source: { type: 'url', url: 'https://x/a.png' } }), 'messages[1].content[0].type'],
    ['an assistant message has a server_tool_use block', assistantBlocks({ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }), 'messages[1].content[0].type'],
    ['a tool_use block has no id', assistantBlocks({ type: 'tool_use', name: 'f', input: {} }), 'messages[1].content[0].id'],
    ['a tool_use block has no name', assistantBlocks({ type: 'tool_use', id: 't', input: {} }), 'messages[1].content[0].name'],
    ['a tool_use input is a string', assistantBlocks({ type: 'tool_use', id: 't', name: 'f', input: '{}' }), 'messages[1].content[0].input'],
    ['a tool_result has no tool_use_id', userBlocks({ type: 'tool_result', content: 'x' }), 'messages[0].content[0].tool_use_id'],
    ['a tool_result is_error is a string', userBlocks({ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }), 'messages[0].content[0].is_error'],
    ['a tool_result content is a number', userBlocks({ type: 'tool_result', tool_use_id: 't', content: 5 }), 'messages[0].content[0].content'],
    ['a tool_result holds a tool_use block', userBlocks({ type: 'tool_result', tool_use_id: 't', content: [{ type: 'tool_use' }] }), 'messages[0].content[0].content[0].type'],
    ['system is a number', body({ system: 5 }), 'system'],
    ['a system block is an image', body({ system: [{ type: 'image', source: {} }] }), 'system[0].type'],
    ['a system text block has no text', body({ system: [{ type: 'text' }] }), 'system[0].text'],
    ['temperature is above 1', body({ temperature: 1.5 }), 'temperature'],
    ['temperature is a string', body({ temperature: 'warm' }), 'temperature'],
    ['top_p is negative', body({ top_p: -0.5 }), 'top_p'],
    ['stop_sequences is a string', body({ stop_sequences: 'END' }), 'stop_sequences'],
    ['stop_sequences holds a number', body({ stop_sequences: ['END', 1] }), 'stop_sequences'],
    ['metadata is a string', body({ metadata: 'user-1' }), 'metadata'],
    ['metadata.user_id is a number', body({ metadata: { user_id: 1 } }), 'metadata.user_id'],
    ['stream is a string', body({ stream: 'true' }), 'stream'],
    ['tools is an object', body({ tools: WEATHER_TOOL }), 'tools'],
    ['a tool is a string', body({ tools: ['get_weather'] }), 'tools[0]'],
    ['a tool has no name', body({ tools: [without(WEATHER_TOOL, 'name')] }), 'tools[0].name'],
    ['a tool has no input_schema', body({ tools: [without(WEATHER_TOOL, 'input_schema')] }), 'tools[0].input_schema'],
    ['a tool input_schema is a string', body({ tools: [{ ...WEATHER_TOOL, input_schema: 'object' }] }), 'tools[0].input_schema'],
    ['a tool description is a number', body({ tools: [{ ...WEATHER_TOOL, description: 1 }] }), 'tools[0].description'],
    ['a tool is an Anthropic server tool', body({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), 'tools[0].type'],
    ['tool_choice is a string', body({ tools: [WEATHER_TOOL], tool_choice: 'auto' }), 'tool_choice'],
    ['tool_choice type is unknown', body({ tools: [WEATHER_TOOL], tool_choice: { type: 'required' } }), 'tool_choice.type'],
    ['tool_choice tool has no name', body({ tools: [WEATHER_TOOL], tool_choice: { type: 'tool' } }), 'tool_choice.name'],
    ['tool_choice disable_parallel_tool_use is a string', body({ tools: [WEATHER_TOOL], tool_choice: { type: 'auto', disable_parallel_tool_use: 'yes' } }), 'tool_choice.disable_parallel_tool_use'],
    ['thinking is a string', body({ thinking: 'enabled' }), 'thinking'],
    ['thinking type is unknown', body({ thinking: { type: 'deep' } }), 'thinking.type'],
    ['enabled thinking has no budget_tokens', body({ thinking: { type: 'enabled' } }), 'thinking.budget_tokens'],
    ['thinking budget_tokens is 0', body({ thinking: { type: 'enabled', budget_tokens: 0 } }), 'thinking.budget_tokens'],
    ['output_config is a string', body({ output_config: 'high' }), 'output_config'],
    ['output_config.effort is unknown', body({ output_config: { effort: 'extreme' } }), 'output_config.effort'],
    ['output_config.format type is not json_schema', body({ output_config: { format: { type: 'text' } } }), 'output_config.format.type'],
    ['output_config.format has no schema', body({ output_config: { format: { type: 'json_schema' } } }), 'output_config.format.schema'],
  ])('throws InvalidRequestError naming the field when %s', (_case, request, param) => {
    const error = captureError(() => anthropicToOpenAIRequest(request));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe(param);
  });
});

describe('anthropicToOpenAIRequest mapping', () => {
  it('maps model, max_tokens and a string message when the request is minimal', () => {
    const request = anthropicToOpenAIRequest(body());

    expect(request).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });
  });

  it.each<[string, unknown, unknown]>([
    ['a string', 'Be brief.', [{ role: 'system', content: 'Be brief.' }]],
    [
      'text blocks',
      [
        { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be kind.' },
      ],
      [{ role: 'system', content: 'Be brief.\nBe kind.' }],
    ],
    ['an empty string', '', []],
    ['an empty array', [], []],
  ])('puts the system prompt first when system is %s', (_case, system, expected) => {
    const request = anthropicToOpenAIRequest(body({ system }));

    expect(request.messages.slice(0, -1)).toEqual(expected);
  });

  it.each<[string, unknown[], unknown]>([
    ['one text block', [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }], 'Hi'],
    [
      'two text blocks',
      [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B' },
      ],
      [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B' },
      ],
    ],
    [
      'a base64 image and text',
      [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'text', text: 'What is this?' },
      ],
      [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'text', text: 'What is this?' },
      ],
    ],
    [
      'a url image',
      [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }],
      [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }],
    ],
    [
      'a base64 PDF document',
      [{ type: 'document', title: 'report.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }],
      [{ type: 'file', file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }],
    ],
    ['a plain-text document', [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Notes' } }], 'Notes'],
  ])('maps user content blocks to OpenAI content when the message holds %s', (_case, blocks, expected) => {
    const request = anthropicToOpenAIRequest(userBlocks(...blocks));

    expect(request.messages).toEqual([{ role: 'user', content: expected }]);
  });

  it('maps assistant tool_use blocks to tool_calls with JSON arguments when the assistant called tools', () => {
    const request = anthropicToOpenAIRequest(
      assistantBlocks(
        { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
      ),
    );

    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ],
    });
  });

  it('sets assistant content to null when the assistant only called a tool', () => {
    const request = anthropicToOpenAIRequest(assistantBlocks({ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }));

    expect(request.messages[1]?.content).toBeNull();
  });

  it('joins assistant text blocks and drops thinking when the assistant answered in text', () => {
    const request = anthropicToOpenAIRequest(
      assistantBlocks({ type: 'redacted_thinking', data: 'xyz' }, { type: 'text', text: 'One.' }, { type: 'text', text: 'Two.' }),
    );

    expect(request.messages[1]).toEqual({ role: 'assistant', content: 'One.\nTwo.' });
  });

  it('turns tool_result blocks into tool messages before the rest of the user turn', () => {
    const request = anthropicToOpenAIRequest(
      userBlocks(
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 22°C' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '14:00' }, { type: 'text', text: 'CET' }] },
        { type: 'text', text: 'Thanks, summarise.' },
      ),
    );

    expect(request.messages).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny, 22°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '14:00\nCET' },
      { role: 'user', content: 'Thanks, summarise.' },
    ]);
  });

  it.each<[string, unknown, string]>([
    ['text', 'File not found', 'Error: File not found'],
    ['no content', undefined, 'Error:'],
  ])('notes the failure in the tool message text when is_error is set and the result has %s', (_case, content, expected) => {
    const request = anthropicToOpenAIRequest(userBlocks({ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content }));

    expect(request.messages).toEqual([{ role: 'tool', tool_call_id: 'toolu_1', content: expected }]);
  });

  it('sends only the tool message when the user turn holds nothing but a tool result', () => {
    const request = anthropicToOpenAIRequest(userBlocks({ type: 'tool_result', tool_use_id: 'toolu_1' }));

    expect(request.messages).toEqual([{ role: 'tool', tool_call_id: 'toolu_1', content: '' }]);
  });

  it('passes a tool result image in the following user message when the tool returned an image', () => {
    const request = anthropicToOpenAIRequest(
      userBlocks({
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        content: [
          { type: 'text', text: 'Screenshot taken' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        ],
      }),
    );

    expect(request.messages).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Screenshot taken' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '(image returned by tool call toolu_1)' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
    ]);
  });

  it('maps tools to OpenAI functions when the request defines tools', () => {
    const request = anthropicToOpenAIRequest(body({ tools: [WEATHER_TOOL, { name: 'ping', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' } }] }));

    expect(request['tools']).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_TOOL.input_schema } },
      { type: 'function', function: { name: 'ping', parameters: { type: 'object' }, strict: true } },
    ]);
  });

  it.each<[string, JsonObject, JsonObject]>([
    ['auto', { type: 'auto' }, { tool_choice: 'auto' }],
    ['any', { type: 'any' }, { tool_choice: 'required' }],
    ['none', { type: 'none' }, { tool_choice: 'none' }],
    ['tool', { type: 'tool', name: 'get_weather' }, { tool_choice: { type: 'function', function: { name: 'get_weather' } } }],
    ['auto without parallel calls', { type: 'auto', disable_parallel_tool_use: true }, { tool_choice: 'auto', parallel_tool_calls: false }],
    ['any without parallel calls', { type: 'any', disable_parallel_tool_use: true }, { tool_choice: 'required', parallel_tool_calls: false }],
  ])('maps tool_choice %s to the OpenAI tool choice when tools are defined', (_case, toolChoice, expected) => {
    const request = anthropicToOpenAIRequest(body({ tools: [WEATHER_TOOL], tool_choice: toolChoice }));

    expect({ tool_choice: request['tool_choice'], ...(request['parallel_tool_calls'] === undefined ? {} : { parallel_tool_calls: request['parallel_tool_calls'] }) }).toEqual(expected);
  });

  it('sends no tool fields when tool_choice comes without tools', () => {
    const request = anthropicToOpenAIRequest(body({ tool_choice: { type: 'any', disable_parallel_tool_use: true } }));

    expect(Object.keys(request).filter((key) => key.includes('tool'))).toEqual([]);
  });

  it.each<[string, JsonObject, JsonObject]>([
    ['stop_sequences', { stop_sequences: ['END', '\n\nHuman:'] }, { stop: ['END', '\n\nHuman:'] }],
    ['empty stop_sequences', { stop_sequences: [] }, {}],
    ['temperature', { temperature: 0.2 }, { temperature: 0.2 }],
    ['top_p', { top_p: 0.9 }, { top_p: 0.9 }],
    ['metadata.user_id', { metadata: { user_id: 'user-42' } }, { user: 'user-42' }],
    ['metadata without user_id', { metadata: {} }, {}],
    ['stream true', { stream: true }, { stream: true, stream_options: { include_usage: true } }],
    ['stream false', { stream: false }, {}],
    ['top_k', { top_k: 5 }, {}],
    ['service_tier', { service_tier: 'auto' }, {}],
    ['thinking disabled', { thinking: { type: 'disabled' } }, {}],
    ['thinking adaptive', { thinking: { type: 'adaptive' } }, {}],
    ['thinking with a 1024 budget', { thinking: { type: 'enabled', budget_tokens: 1024 } }, { reasoning_effort: 'low' }],
    ['thinking with a 16000 budget', { thinking: { type: 'enabled', budget_tokens: 16_000 } }, { reasoning_effort: 'high' }],
    ['output_config.effort max', { output_config: { effort: 'max' } }, { reasoning_effort: 'high' }],
    ['output_config.effort and a thinking budget', { output_config: { effort: 'low' }, thinking: { type: 'enabled', budget_tokens: 30_000 } }, { reasoning_effort: 'low' }],
    [
      'output_config.format',
      { output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
      { response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } } },
    ],
  ])('maps %s to the OpenAI fields when it is set', (_case, overrides, expected) => {
    const request = anthropicToOpenAIRequest(body(overrides));

    const { model: _model, max_tokens: _maxTokens, messages: _messages, ...mapped } = request;
    expect(mapped).toEqual(expected);
  });

  it.each([
    [1024, 'low'],
    [2048, 'low'],
    [2049, 'medium'],
    [8192, 'medium'],
    [8193, 'high'],
    [64_000, 'high'],
  ])('picks reasoning effort for a budget of %i tokens (→ %s)', (budget, effort) => {
    expect(reasoningEffortForBudget(budget)).toBe(effort);
  });

  it("passes the gateway's own chat validation when the request uses every mapped feature", () => {
    const request = anthropicToOpenAIRequest(
      body({
        system: 'Be brief.',
        messages: [
          USER,
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] },
        ],
        tools: [WEATHER_TOOL],
        tool_choice: { type: 'auto' },
        stop_sequences: ['END'],
        temperature: 0.5,
        top_p: 0.9,
        metadata: { user_id: 'u1' },
        stream: true,
        thinking: { type: 'enabled', budget_tokens: 4000 },
      }),
    );

    expect(() => validateChatRequest(request)).not.toThrow();
  });
});
