import { describe, expect, it } from 'vitest';
import type { ChatMessage, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { THOUGHT_SIGNATURE_PLACEHOLDER, toGeminiConversation } from '../../../../functions/core/providers/gemini/to-gemini-contents.js';
import { captureError } from '../../../support/capture-error.js';
import { userMessage } from './gemini-test-support.js';

function weatherCall(id: string, city: string, extra: JsonObject = {}): JsonObject {
  return { id, type: 'function', function: { name: 'weather', arguments: JSON.stringify({ city }) }, ...extra };
}

describe('toGeminiConversation roles', () => {
  it('maps user to user and assistant to model', () => {
    const conversation = toGeminiConversation([userMessage('Hi'), { role: 'assistant', content: 'Hello!' }, userMessage('Bye')]);

    expect(conversation.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Hello!' }] },
      { role: 'user', parts: [{ text: 'Bye' }] },
    ]);
  });

  it('gathers system and developer messages into systemInstruction in order', () => {
    const conversation = toGeminiConversation([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      userMessage('Hi'),
    ]);

    expect(conversation.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(conversation.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('sends no systemInstruction when there is no system message', () => {
    const conversation = toGeminiConversation([userMessage('Hi')]);

    expect(conversation).not.toHaveProperty('systemInstruction');
  });

  it('merges consecutive turns of one role', () => {
    const conversation = toGeminiConversation([userMessage('One'), userMessage('Two'), { role: 'assistant', content: 'A' }, { role: 'assistant', content: 'B' }]);

    expect(conversation.contents).toEqual([
      { role: 'user', parts: [{ text: 'One' }, { text: 'Two' }] },
      { role: 'model', parts: [{ text: 'A' }, { text: 'B' }] },
    ]);
  });

  it('leaves out a message with nothing to send', () => {
    const conversation = toGeminiConversation([userMessage('Hi'), { role: 'assistant', content: null }, userMessage('Still there?')]);

    expect(conversation.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }, { text: 'Still there?' }] }]);
  });
});

describe('toGeminiConversation user content parts', () => {
  it.each<[string, unknown, JsonObject]>([
    ['a text part', { type: 'text', text: 'Look' }, { text: 'Look' }],
    ['a data URL image', { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
    [
      'an http image by its extension',
      { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
    ],
    [
      'an http image without a known extension',
      { type: 'image_url', image_url: { url: 'https://example.com/render?id=7' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render?id=7' } },
    ],
    ['a PDF by URL', { type: 'image_url', image_url: { url: 'https://example.com/paper.PDF' } }, { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/paper.PDF' } }],
    ['input audio', { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }, { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } }],
    [
      'a file as a data URL',
      { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ],
    ['a file as bare base64 with a filename', { type: 'file', file: { filename: 'notes.txt', file_data: 'aGVsbG8=' } }, { inlineData: { mimeType: 'text/plain', data: 'aGVsbG8=' } }],
  ])('maps %s', (_, part, expected) => {
    const conversation = toGeminiConversation([userMessage([part])]);

    expect(conversation.contents).toEqual([{ role: 'user', parts: [expected] }]);
  });

  it.each<[string, unknown, string]>([
    ['an OpenAI file id', { type: 'file', file: { file_id: 'file-abc' } }, 'messages[0].content[0].file'],
    ['an ftp image URL', { type: 'image_url', image_url: { url: 'ftp://example.com/cat.png' } }, 'messages[0].content[0].image_url.url'],
    ['a non-base64 data URL', { type: 'image_url', image_url: { url: 'data:image/svg+xml,<svg/>' } }, 'messages[0].content[0].image_url.url'],
    ['an unknown part type', { type: 'video_url', video_url: { url: 'https://example.com/a.mp4' } }, 'messages[0].content[0]'],
  ])('refuses %s, naming the part', (_, part, param) => {
    const error = captureError(() => toGeminiConversation([userMessage([part])]));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});

describe('toGeminiConversation tool calls', () => {
  it('turns assistant tool calls into functionCall parts with parsed arguments', () => {
    const conversation = toGeminiConversation([
      userMessage('Weather?'),
      { role: 'assistant', content: 'Checking.', tool_calls: [weatherCall('call_1', 'Paris', { extra_content: { google: { thought_signature: 'sig-1' } } })] },
    ]);

    expect(conversation.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Checking.' }, { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-1' }],
    });
  });

  it('signs only the first call with the documented placeholder when the client dropped the signatures', () => {
    const conversation = toGeminiConversation([
      userMessage('Weather?'),
      { role: 'assistant', content: null, tool_calls: [weatherCall('call_1', 'Paris'), weatherCall('call_2', 'Rome')] },
    ]);

    expect(conversation.contents[1]?.parts).toEqual([
      { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: THOUGHT_SIGNATURE_PLACEHOLDER },
      { functionCall: { name: 'weather', args: { city: 'Rome' } } },
    ]);
  });

  it.each([
    ['an empty string', ''],
    ['null', null],
  ])('sends empty args when the arguments are %s', (_, argumentsValue) => {
    const conversation = toGeminiConversation([
      userMessage('Time?'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: argumentsValue } }] },
    ]);

    expect(conversation.contents[1]?.parts[0]?.functionCall).toEqual({ name: 'now', args: {} });
  });

  it.each(['not json', '[1,2]', '"text"'])('refuses arguments %s, which are not a JSON object', (argumentsText) => {
    const messages: ChatMessage[] = [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: argumentsText } }] }];

    const error = captureError(() => toGeminiConversation(messages));

    expect(error).toMatchObject({ status: 400, param: 'messages[0].tool_calls[0].function.arguments' });
  });

  it('answers parallel calls in one user turn, named after the matching calls', () => {
    const conversation = toGeminiConversation([
      userMessage('Weather in Paris and Rome?'),
      { role: 'assistant', content: null, tool_calls: [weatherCall('call_1', 'Paris'), { id: 'call_2', type: 'function', function: { name: 'forecast', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Sunny all week' },
    ]);

    expect(conversation.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'weather', response: { temperature: 21 } } },
        { functionResponse: { name: 'forecast', response: { content: 'Sunny all week' } } },
      ],
    });
  });

  it.each([
    ['a JSON array', '[1,2]', { content: '[1,2]' }],
    ['a JSON number', '42', { content: '42' }],
    ['text parts', [{ type: 'text', text: '{"ok":' }, { type: 'text', text: 'true}' }], { ok: true }],
  ])('wraps or parses a tool result given as %s', (_, content, expected) => {
    const conversation = toGeminiConversation([
      { role: 'assistant', content: null, tool_calls: [weatherCall('call_1', 'Paris')] },
      { role: 'tool', tool_call_id: 'call_1', content },
    ]);

    expect(conversation.contents[1]?.parts[0]?.functionResponse?.response).toEqual(expected);
  });

  it('refuses a tool result whose call id no earlier assistant message made', () => {
    const error = captureError(() => toGeminiConversation([userMessage('Hi'), { role: 'tool', tool_call_id: 'call_unknown', content: 'x' }]));

    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_call_id' });
  });

  it('names a legacy function message after its name field', () => {
    const conversation = toGeminiConversation([{ role: 'function', name: 'now', content: '{"time":"12:00"}' }]);

    expect(conversation.contents).toEqual([{ role: 'user', parts: [{ functionResponse: { name: 'now', response: { time: '12:00' } } }] }]);
  });
});
