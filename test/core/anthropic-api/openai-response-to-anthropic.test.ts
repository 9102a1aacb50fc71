import { describe, expect, it } from 'vitest';
import { anthropicMessageId, openAIToAnthropicMessage, parseToolInput } from '../../../functions/core/anthropic-api/openai-response-to-anthropic.js';
import type { ChatCompletion, JsonObject, ToolCall, Usage } from '../../../functions/core/openai/openai-types.js';
import { readAnthropicJsonFixture } from './anthropic-stream-support.js';

const MODEL = 'claude-via-gateway';

function completion(message: JsonObject & { content?: string | null; tool_calls?: ToolCall[] }, finishReason: string | null = 'stop', usage?: Usage, choiceExtra: JsonObject = {}): ChatCompletion {
  return {
    id: 'chatcmpl-abc123',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'upstream-model',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finishReason, logprobs: null, ...choiceExtra }],
    ...(usage ? { usage } : {}),
  };
}

function toolCall(id: string, name: string, argumentsText: string): ToolCall {
  return { id, type: 'function', function: { name, arguments: argumentsText } };
}

const FINISH_REASON_FOR: Readonly<Record<string, string>> = { end_turn: 'stop', tool_use: 'tool_calls', refusal: 'content_filter', max_tokens: 'length' };

/** The OpenAI completion a model behind the gateway would return for the recorded Anthropic message. */
function completionCarrying(fixture: JsonObject): ChatCompletion {
  const blocks = fixture['content'] as JsonObject[];
  const text = blocks.filter((block) => block['type'] === 'text').map((block) => block['text'] as string).join('');
  const toolCalls = blocks
    .filter((block) => block['type'] === 'tool_use')
    .map((block) => toolCall(block['id'] as string, block['name'] as string, JSON.stringify(block['input'])));
  const usage = fixture['usage'] as JsonObject;
  const promptTokens = (usage['input_tokens'] as number) + (usage['cache_read_input_tokens'] as number);
  return {
    ...completion(
      { content: text === '' ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
      FINISH_REASON_FOR[fixture['stop_reason'] as string] ?? 'stop',
      { prompt_tokens: promptTokens, completion_tokens: usage['output_tokens'] as number, total_tokens: promptTokens + (usage['output_tokens'] as number) },
    ),
    id: `chatcmpl-${(fixture['id'] as string).replace(/^msg_/, '')}`,
  };
}

/** The recorded message without the fields only Anthropic itself can know (service tier, cache breakdown, refusal details). */
function portableFieldsOf(fixture: JsonObject): JsonObject {
  const { stop_details: _details, ...message } = fixture;
  const usage = fixture['usage'] as JsonObject;
  return {
    stop_sequence: null,
    ...message,
    usage: {
      input_tokens: usage['input_tokens'],
      output_tokens: usage['output_tokens'],
      cache_creation_input_tokens: usage['cache_creation_input_tokens'],
      cache_read_input_tokens: usage['cache_read_input_tokens'],
    },
  };
}

describe('openAIToAnthropicMessage', () => {
  it.each(['anthropic-text.json', 'anthropic-json-tool.1.json', 'anthropic-tool-no-args.json', 'anthropic-refusal.json'])(
    'writes the recorded message %s when the completion carries the same answer',
    (name) => {
      const fixture = readAnthropicJsonFixture(name);

      const message = openAIToAnthropicMessage(completionCarrying(fixture), fixture['model'] as string);

      expect(message).toEqual(portableFieldsOf(fixture));
    },
  );

  it('answers with the requested model name when the upstream named another', () => {
    const message = openAIToAnthropicMessage(completion({ content: 'Hi' }), MODEL);

    expect(message.model).toBe(MODEL);
  });

  it('writes a text answer as one text block when the completion has content', () => {
    const message = openAIToAnthropicMessage(completion({ content: 'Hello!' }), MODEL);

    expect(message).toEqual({
      id: 'msg_abc123',
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('puts reasoning first as a thinking block when the completion carries reasoning_content', () => {
    const message = openAIToAnthropicMessage(completion({ content: 'Four.', reasoning_content: '2+2=4' }), MODEL);

    expect(message.content).toEqual([
      { type: 'thinking', thinking: '2+2=4', signature: '' },
      { type: 'text', text: 'Four.' },
    ]);
  });

  it('writes text and then a tool_use block per call with parsed input when the completion called tools', () => {
    const message = openAIToAnthropicMessage(
      completion({ content: 'Checking.', tool_calls: [toolCall('call_1', 'get_weather', '{"city":"Paris"}'), toolCall('call_2', 'get_time', '')] }, 'tool_calls'),
      MODEL,
    );

    expect([message.content, message.stop_reason]).toEqual([
      [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      ],
      'tool_use',
    ]);
  });

  it.each<[string | null, string]>([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
    ['something_new', 'end_turn'],
  ])('maps finish_reason %s to stop_reason %s', (finishReason, stopReason) => {
    const message = openAIToAnthropicMessage(completion({ content: 'x' }, finishReason), MODEL);

    expect([message.stop_reason, message.stop_sequence]).toEqual([stopReason, null]);
  });

  it('sets stop_reason tool_use when a server ends a tool-call turn with stop', () => {
    const message = openAIToAnthropicMessage(completion({ tool_calls: [toolCall('call_1', 'f', '{}')] }, 'stop'), MODEL);

    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ['stop_reason', { stop_reason: 'END' }],
    ['matched_stop', { matched_stop: 'END' }],
  ])('sets stop_reason stop_sequence with the sequence when the server names it in %s', (_field, extra) => {
    const message = openAIToAnthropicMessage(completion({ content: 'x' }, 'stop', undefined, extra), MODEL);

    expect([message.stop_reason, message.stop_sequence]).toEqual(['stop_sequence', 'END']);
  });

  it('keeps end_turn when vLLM names a stop token id instead of a sequence', () => {
    const message = openAIToAnthropicMessage(completion({ content: 'x' }, 'stop', undefined, { stop_reason: 128_001 }), MODEL);

    expect(message.stop_reason).toBe('end_turn');
  });

  it('writes the refusal as text with stop_reason refusal when the completion carries an OpenAI refusal', () => {
    const message = openAIToAnthropicMessage(completion({ content: null, refusal: "I can't help with that." }), MODEL);

    expect([message.content, message.stop_reason]).toEqual([[{ type: 'text', text: "I can't help with that." }], 'refusal']);
  });

  it('splits prompt tokens into input and cache-read tokens when the usage reports cached tokens', () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 800 } };

    const message = openAIToAnthropicMessage(completion({ content: 'x' }, 'stop', usage), MODEL);

    expect(message.usage).toEqual({ input_tokens: 200, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 800 });
  });

  it('writes an empty content list when the completion has no choices', () => {
    const message = openAIToAnthropicMessage({ ...completion({}), choices: [] }, MODEL);

    expect([message.content, message.stop_reason]).toEqual([[], 'end_turn']);
  });
});

describe('anthropicMessageId', () => {
  it.each([
    ['chatcmpl-abc123', 'msg_abc123'],
    ['chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', 'msg_B9MBs8CjcvOU2jLn4n570S5qMJKcT'],
    ['cac7192e-e619-40c6-96b0-ed4276bc03ac', 'msg_cac7192ee61940c696b0ed4276bc03ac'],
    ['msg_01VdEjxAP5ahtHKrrRdNBteQ', 'msg_01VdEjxAP5ahtHKrrRdNBteQ'],
    ['---', 'msg_gateway'],
  ])('derives an Anthropic id when the completion id is %s', (completionId, messageId) => {
    expect(anthropicMessageId(completionId)).toBe(messageId);
  });
});

describe('parseToolInput', () => {
  it.each<[string, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['', {}],
    ['  ', {}],
    ['{"a":', {}],
    ['[1,2]', {}],
    ['"text"', {}],
  ])('parses %j to an input object', (argumentsText, input) => {
    expect(parseToolInput(argumentsText)).toEqual(input);
  });
});
