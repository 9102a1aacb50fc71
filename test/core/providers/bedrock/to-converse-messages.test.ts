import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import type { ChatMessage } from '../../../../functions/core/openai/openai-types.js';
import {
  EMPTY_TOOL_RESULT_TEXT,
  toConverseConversation,
  toolBlocksAsText,
} from '../../../../functions/core/providers/bedrock/to-converse-messages.js';
import { captureError } from '../../../support/capture-error.js';

const PNG_BASE64 = 'iVBORw0KGgo=';

describe('toConverseConversation', () => {
  it.each<[string, ChatMessage[], ReturnType<typeof toConverseConversation>]>([
    ['a user string', [{ role: 'user', content: 'Hi' }], { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }],
    [
      'system and developer messages lifted into system, in order',
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      ],
      { system: [{ text: 'Be brief.' }, { text: 'Answer in French.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
    ],
    [
      'consecutive user messages merged into one turn',
      [
        { role: 'user', content: 'One' },
        { role: 'user', content: [{ type: 'text', text: 'Two' }] },
      ],
      { messages: [{ role: 'user', content: [{ text: 'One' }, { text: 'Two' }] }] },
    ],
    [
      'an image data URL as base64 bytes with its format',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] }],
      { messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: PNG_BASE64 } } }] }] },
    ],
    [
      'image/jpg as jpeg',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpg;base64,AAAA' } }] }],
      { messages: [{ role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: 'AAAA' } } }] }] },
    ],
    [
      'a PDF file part as a named document',
      [{ role: 'user', content: [{ type: 'file', file: { filename: 'Q3 report (final).pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }] }],
      { messages: [{ role: 'user', content: [{ document: { format: 'pdf', name: 'Q3 report (final)', source: { bytes: 'JVBERi0=' } } }] }] },
    ],
    [
      'cache_control as a cachePoint after the part',
      [{ role: 'user', content: [{ type: 'text', text: 'Long context', cache_control: { type: 'ephemeral' } }] }],
      { messages: [{ role: 'user', content: [{ text: 'Long context' }, { cachePoint: { type: 'default' } }] }] },
    ],
    [
      'assistant tool_calls as toolUse blocks with parsed input',
      [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
      ],
      {
        messages: [
          { role: 'user', content: [{ text: 'Weather?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Paris' } } }] },
        ],
      },
    ],
    [
      'arguments that are not a JSON object as {}',
      [{ role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 'not json' } }] }],
      { messages: [{ role: 'assistant', content: [{ toolUse: { toolUseId: 'c', name: 'f', input: {} } }] }] },
    ],
    [
      'consecutive tool messages and the next user message grouped into one user turn',
      [
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '21 C' }] },
        { role: 'user', content: 'Thanks' },
      ],
      {
        messages: [
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'call_1', content: [{ text: 'Sunny' }] } },
              { toolResult: { toolUseId: 'call_2', content: [{ text: '21 C' }] } },
              { text: 'Thanks' },
            ],
          },
        ],
      },
    ],
    [
      'an empty tool result as a placeholder text',
      [{ role: 'tool', tool_call_id: 'call_1', content: '' }],
      { messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: EMPTY_TOOL_RESULT_TEXT }] } }] }] },
    ],
    [
      'empty text left out and the emptied turn dropped',
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '' },
        { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'Again' }] },
      ],
      { messages: [{ role: 'user', content: [{ text: 'Hi' }, { text: 'Again' }] }] },
    ],
  ])('translates %s', (_case, messages, expected) => {
    const conversation = toConverseConversation(messages);

    expect(conversation).toEqual(expected);
  });

  it.each<[string, ChatMessage[], string]>([
    ['an http image URL', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }], 'messages[0].content[0].image_url.url'],
    ['an SVG data URL', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,AAAA' } }] }], 'messages[0].content[0].image_url.url'],
    ['an audio part', [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }], 'messages[0].content[0]'],
    ['a non-PDF file', [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:text/plain;base64,AAAA' } }] }], 'messages[0].content[0].file'],
    ['an unknown role', [{ role: 'function', content: 'x' }], 'messages[0].role'],
    ['a tool message without tool_call_id', [{ role: 'tool', content: 'x' }], 'messages[0].tool_call_id'],
    ['a tool call without an id', [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f' } }] }], 'messages[0].tool_calls[0]'],
  ])('refuses %s with a 400 naming the parameter', (_case, messages, param) => {
    const error = captureError(() => toConverseConversation(messages));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});

describe('toolBlocksAsText', () => {
  it('rewrites tool calls and results as text when the request sends no toolConfig', () => {
    const { messages } = toConverseConversation([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
    ]);

    const rewritten = toolBlocksAsText(messages);

    expect(rewritten).toEqual([
      { role: 'user', content: [{ text: 'Weather?' }] },
      { role: 'assistant', content: [{ text: '[Tool call call_1: weather({"city":"Paris"})]' }] },
      { role: 'user', content: [{ text: '[Tool result call_1: Sunny]' }] },
    ]);
  });
});
