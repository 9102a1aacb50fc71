import { describe, expect, it } from 'vitest';
import { GatewayError, InvalidRequestError } from '../../../functions/core/errors.js';
import { createAnthropicStreamWriter } from '../../../functions/core/anthropic-api/openai-stream-to-anthropic.js';
import type { ChatCompletionChunk } from '../../../functions/core/openai/openai-types.js';
import {
  accumulateAnthropicStream,
  anthropicStreamViolations,
  openAIChunk,
  openAIUsageChunk,
  parseAnthropicSse,
  type AnthropicEvent,
} from './anthropic-stream-support.js';

const MODEL = 'claude-via-gateway';
const MESSAGE_ID = 'msg_test1';

/** Feeds every chunk, then ends the stream; returns the events parsed back from the SSE text. */
function translate(chunks: readonly ChatCompletionChunk[]): AnthropicEvent[] {
  const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);
  let text = '';
  for (const chunk of chunks) text += writer.push(chunk);
  text += writer.end();
  return parseAnthropicSse(text);
}

function typesOf(events: readonly AnthropicEvent[]): string[] {
  return events.map((event) => {
    const delta = event['delta'] as { type?: string } | undefined;
    return event.type === 'content_block_delta' ? `${event.type}:${String(delta?.type)}` : event.type;
  });
}

const TEXT = [
  openAIChunk({ role: 'assistant', content: '' }),
  openAIChunk({ content: 'Hel' }),
  openAIChunk({ content: 'lo!' }),
  openAIChunk({}, 'stop'),
  openAIUsageChunk(12, 3),
];

const TWO_TOOL_CALLS = [
  openAIChunk({ role: 'assistant', content: null }),
  openAIChunk({ tool_calls: [{ index: 0, id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  openAIChunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
  openAIChunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
  openAIChunk({ tool_calls: [{ index: 1, id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"zone":' } }] }),
  openAIChunk({ tool_calls: [{ index: 1, function: { arguments: '"CET","hours":[1,2]}' } }] }),
  openAIChunk({}, 'tool_calls'),
  openAIUsageChunk(80, 40),
];

const TOOL_WITHOUT_ARGUMENTS = [
  openAIChunk({ role: 'assistant', content: null }),
  openAIChunk({ tool_calls: [{ index: 0, id: 'call_list', type: 'function', function: { name: 'updateIssueList', arguments: '' } }] }),
  openAIChunk({}, 'tool_calls'),
  openAIUsageChunk(20, 5),
];

const TEXT_THEN_TOOL_CALL = [
  openAIChunk({ role: 'assistant', content: "I'll check." }),
  openAIChunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] }),
  openAIChunk({}, 'tool_calls'),
  openAIUsageChunk(30, 9),
];

const REASONING_THEN_TEXT = [
  openAIChunk({ role: 'assistant', content: null, reasoning_content: '' }),
  openAIChunk({ content: null, reasoning_content: 'Think' }),
  openAIChunk({ content: null, reasoning_content: 'ing.' }),
  openAIChunk({ content: 'Answer', reasoning_content: null }),
  openAIChunk({}, 'stop'),
  openAIUsageChunk(10, 20),
];

const USAGE_ONLY_AFTER_FINISH = [openAIChunk({ role: 'assistant', content: 'Hi' }, 'stop'), openAIUsageChunk(5, 1)];

const NO_USAGE = [openAIChunk({ role: 'assistant', content: 'Hi' }), openAIChunk({}, 'stop')];

describe('createAnthropicStreamWriter', () => {
  it.each<[string, ChatCompletionChunk[]]>([
    ['a text answer', TEXT],
    ['two tool calls with arguments in pieces', TWO_TOOL_CALLS],
    ['a tool call with no arguments', TOOL_WITHOUT_ARGUMENTS],
    ['text followed by a tool call', TEXT_THEN_TOOL_CALL],
    ['reasoning followed by text', REASONING_THEN_TEXT],
    ['a finish chunk followed by a usage chunk', USAGE_ONLY_AFTER_FINISH],
    ['a stream without usage', NO_USAGE],
    ['no chunks at all', []],
  ])("follows Anthropic's event sequence rules when fed %s", (_name, chunks) => {
    const events = translate(chunks);

    expect(anthropicStreamViolations(events)).toEqual([]);
  });

  it("writes Anthropic's event order when fed a text answer", () => {
    const events = translate(TEXT);

    expect(typesOf(events)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta:text_delta',
      'content_block_delta:text_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('starts the message with the given id and the requested model when the first chunk arrives', () => {
    const events = translate(TEXT);

    expect(events[0]).toEqual({
      type: 'message_start',
      message: {
        id: MESSAGE_ID,
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  });

  it('accumulates to the streamed text when fed a text answer', () => {
    const message = accumulateAnthropicStream(translate(TEXT));

    expect(message.content).toEqual([{ type: 'text', text: 'Hello!' }]);
  });

  it('opens no block for empty or null content when the first chunk only names the role', () => {
    const events = translate([openAIChunk({ role: 'assistant', content: '' }), openAIChunk({ content: null }, 'stop')]);

    expect(typesOf(events)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
  });

  it('gives each tool call its own tool_use block with its id and name when fed two tool calls', () => {
    const events = translate(TWO_TOOL_CALLS);

    const starts = events.filter((event) => event.type === 'content_block_start');
    expect(starts).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_weather', name: 'get_weather', input: {} } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_time', name: 'get_time', input: {} } },
    ]);
  });

  it('concatenates the argument pieces into each tool input when fed two tool calls', () => {
    const message = accumulateAnthropicStream(translate(TWO_TOOL_CALLS));

    expect(message.content.map((block) => block.input)).toEqual([{ city: 'Paris' }, { zone: 'CET', hours: [1, 2] }]);
  });

  it('writes no input_json_delta and an input of {} when the tool call has no arguments', () => {
    const events = translate(TOOL_WITHOUT_ARGUMENTS);

    expect(typesOf(events)).not.toContain('content_block_delta:input_json_delta');
    expect(accumulateAnthropicStream(events).content).toEqual([{ type: 'tool_use', id: 'call_list', name: 'updateIssueList', input: {} }]);
  });

  it('counts block indexes across text and tool blocks when text precedes a tool call', () => {
    const events = translate(TEXT_THEN_TOOL_CALL);

    const starts = events.filter((event) => event.type === 'content_block_start').map((event) => [event['index'], (event['content_block'] as { type: string }).type]);
    expect(starts).toEqual([
      [0, 'text'],
      [1, 'tool_use'],
    ]);
  });

  it('streams reasoning as a thinking block before the text when the chunks carry reasoning_content', () => {
    const message = accumulateAnthropicStream(translate(REASONING_THEN_TEXT));

    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Thinking.', signature: '' },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('streams reasoning as a thinking block when the chunks carry reasoning', () => {
    const message = accumulateAnthropicStream(translate([openAIChunk({ reasoning: 'Hmm' }), openAIChunk({}, 'stop')]));

    expect(message.content).toEqual([{ type: 'thinking', thinking: 'Hmm', signature: '' }]);
  });

  it('puts the reported usage in message_delta when the usage chunk follows the finish reason', () => {
    const events = translate([openAIChunk({ content: 'Hi' }, 'stop'), openAIUsageChunk(100, 7, 60)]);

    const delta = events.find((event) => event.type === 'message_delta');
    expect(delta?.['usage']).toEqual({ input_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 60, output_tokens: 7 });
  });

  it('reports only output_tokens 0 in message_delta when the upstream sent no usage', () => {
    const events = translate(NO_USAGE);

    const delta = events.find((event) => event.type === 'message_delta');
    expect(delta?.['usage']).toEqual({ output_tokens: 0 });
  });

  it('starts the message with the input tokens known so far when the first chunk carries usage', () => {
    const first = { ...openAIChunk({ content: 'Hi' }), usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } };

    const events = translate([first, openAIChunk({}, 'stop')]);

    expect((events[0]!['message'] as { usage: unknown }).usage).toEqual({ input_tokens: 9, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    ['something_new', 'end_turn'],
  ])('sets message_delta stop_reason when the finish reason is %s (→ %s)', (finishReason, stopReason) => {
    const events = translate([openAIChunk({ content: 'x' }), openAIChunk({}, finishReason)]);

    const delta = events.find((event) => event.type === 'message_delta');
    expect(delta?.['delta']).toEqual({ stop_reason: stopReason, stop_sequence: null });
  });

  it('sets stop_reason end_turn when the stream ended without a finish reason', () => {
    const message = accumulateAnthropicStream(translate([openAIChunk({ content: 'x' })]));

    expect(message.stopReason).toBe('end_turn');
  });

  it('sets stop_reason stop_sequence and names it when the server reports the matched stop string', () => {
    const events = translate([openAIChunk({ content: 'x' }), openAIChunk({}, 'stop', { stop_reason: '\n\nHuman:' })]);

    const delta = events.find((event) => event.type === 'message_delta');
    expect(delta?.['delta']).toEqual({ stop_reason: 'stop_sequence', stop_sequence: '\n\nHuman:' });
  });

  it('sets stop_reason tool_use when a server finishes a tool-call turn with stop', () => {
    const message = accumulateAnthropicStream(translate([...TOOL_WITHOUT_ARGUMENTS.slice(0, 2), openAIChunk({}, 'stop')]));

    expect(message.stopReason).toBe('tool_use');
  });

  it('writes a refusal as text with stop_reason refusal when the delta carries refusal', () => {
    const message = accumulateAnthropicStream(translate([openAIChunk({ refusal: "I can't help with that." }), openAIChunk({}, 'stop')]));

    expect([message.content, message.stopReason]).toEqual([[{ type: 'text', text: "I can't help with that." }], 'refusal']);
  });

  it('names a generated tool id when the tool call arrives without one', () => {
    const events = translate([openAIChunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] }), openAIChunk({}, 'tool_calls')]);

    expect(accumulateAnthropicStream(events).content[0]?.id).toBe('toolu_test1_0');
  });

  const INTERLEAVED_TOOL_CALLS = [
    openAIChunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{"x":' } }] }),
    openAIChunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{"y":' } }] }),
    openAIChunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
    openAIChunk({ tool_calls: [{ index: 1, function: { arguments: '2}' } }] }),
    openAIChunk({}, 'tool_calls'),
  ];

  it.each<[string, ChatCompletionChunk[]]>([
    ['interleaved argument pieces of two tool calls', INTERLEAVED_TOOL_CALLS],
    [
      'one chunk that starts two tool calls',
      [
        openAIChunk({
          tool_calls: [
            { index: 0, id: 'call_a', function: { name: 'a', arguments: '{"x":' } },
            { index: 1, id: 'call_b', function: { name: 'b', arguments: '{"y":' } },
          ],
        }),
        openAIChunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }, { index: 1, function: { arguments: '2}' } }] }),
        openAIChunk({}, 'tool_calls'),
      ],
    ],
  ])('keeps every argument piece inside its own block when fed %s', (_name, chunks) => {
    const events = translate(chunks);

    expect(anthropicStreamViolations(events)).toEqual([]);
    expect(accumulateAnthropicStream(events).content.map((block) => [block.id, block.input])).toEqual([
      ['call_a', { x: 1 }],
      ['call_b', { y: 2 }],
    ]);
  });

  it('streams the first tool call live and holds a later one until the end when fed two tool calls', () => {
    const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);

    const written = TWO_TOOL_CALLS.map((chunk) => typesOf(parseAnthropicSse(writer.push(chunk))));

    expect(written).toEqual([
      ['message_start', 'ping'],
      ['content_block_start'],
      ['content_block_delta:input_json_delta'],
      ['content_block_delta:input_json_delta'],
      [],
      [],
      [],
      [],
    ]);
    expect(typesOf(parseAnthropicSse(writer.end()))).toEqual([
      'content_block_stop',
      'content_block_start',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('holds text that follows a tool call until the end, as a block after it', () => {
    const events = translate([
      openAIChunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } }] }),
      openAIChunk({ content: 'Done' }),
      openAIChunk({ content: '.' }),
      openAIChunk({}, 'tool_calls'),
    ]);

    expect(accumulateAnthropicStream(events).content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('starts a new tool call when a server reuses index 0 with a new id', () => {
    const events = translate([
      openAIChunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{"x":1}' } }] }),
      openAIChunk({ tool_calls: [{ index: 0, id: 'call_b', function: { name: 'b', arguments: '{"y":2}' } }] }),
      openAIChunk({}, 'tool_calls'),
    ]);

    expect(accumulateAnthropicStream(events).content.map((block) => [block.name, block.input])).toEqual([
      ['a', { x: 1 }],
      ['b', { y: 2 }],
    ]);
  });

  it('names the tool when its name arrives after its first piece', () => {
    const events = translate([
      openAIChunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '' } }] }),
      openAIChunk({ tool_calls: [{ index: 0, function: { name: 'lookup', arguments: '{}' } }] }),
      openAIChunk({}, 'tool_calls'),
    ]);

    expect(accumulateAnthropicStream(events).content).toEqual([{ type: 'tool_use', id: 'call_a', name: 'lookup', input: {} }]);
  });

  it('translates only choice 0 when the chunk carries several choices', () => {
    const chunk = openAIChunk({ content: 'first' });
    chunk.choices.push({ index: 1, delta: { content: 'second' }, finish_reason: null });

    const message = accumulateAnthropicStream(translate([chunk, openAIChunk({}, 'stop')]));

    expect(message.content).toEqual([{ type: 'text', text: 'first' }]);
  });

  it('writes message_start through message_stop when the stream ends before any chunk', () => {
    const events = translate([]);

    expect(typesOf(events)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
  });

  it('writes nothing when pushed or ended again after end', () => {
    const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);
    writer.push(openAIChunk({ content: 'x' }));
    writer.end();

    const after = writer.push(openAIChunk({ content: 'y' })) + writer.end();

    expect(after).toBe('');
  });

  it('frames each event as "event: <type>" and one data line when writing SSE', () => {
    const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);

    const text = writer.push(openAIChunk({ content: 'Hi' }));

    expect(text.split('\n\n').slice(0, 2)).toEqual([
      `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_test1","type":"message","role":"assistant","model":"${MODEL}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}`,
      'event: ping\ndata: {"type":"ping"}',
    ]);
  });
});

describe('createAnthropicStreamWriter errorEvent', () => {
  it.each<[string, GatewayError, string]>([
    ['a 429', new GatewayError({ status: 429, message: 'Slow down.', type: 'rate_limit_error' }), 'rate_limit_error'],
    ['a 502 from the upstream', new GatewayError({ status: 502, message: 'Upstream closed.', type: 'api_error' }), 'api_error'],
    ['a 400', new InvalidRequestError('Bad.'), 'invalid_request_error'],
  ])('writes an Anthropic error event when the failure is %s', (_name, error, type) => {
    const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);
    writer.push(openAIChunk({ content: 'x' }));

    const text = writer.errorEvent(error);

    expect(text).toBe(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message: error.message } })}\n\n`);
  });

  it('writes nothing more when the stream is ended after an error event', () => {
    const writer = createAnthropicStreamWriter(MODEL, MESSAGE_ID);
    writer.push(openAIChunk({ content: 'x' }));
    writer.errorEvent(new GatewayError({ status: 500, message: 'Boom.', type: 'server_error' }));

    const after = writer.end();

    expect(after).toBe('');
  });
});
