import { describe, expect, it } from 'vitest';
import { UpstreamTimeoutError } from '../../../functions/core/errors.js';
import type { ChatCompletionChunk, JsonObject } from '../../../functions/core/openai/openai-types.js';
import { responseUsage } from '../../../functions/core/responses-api/response-object.js';
import { createResponseStreamWriter } from '../../../functions/core/responses-api/response-stream-writer.js';
import { fixtureChunks, fixtureNames } from '../../support/recorded-fixtures.js';
import { assertResponse, assertResponseStreamEvent } from '../../support/openai-schema.js';
import { parseSse, responseContext } from './responses-test-helpers.js';

const STREAM_FIXTURES = fixtureNames('openai', '.chunks.txt').map((name) => name.slice(0, -'.chunks.txt'.length));

function translate(chunks: readonly JsonObject[], request: JsonObject = {}): { events: JsonObject[]; response: JsonObject } {
  const writer = createResponseStreamWriter(responseContext(request));
  let text = writer.start();
  for (const chunk of chunks) text += writer.push(chunk as ChatCompletionChunk);
  text += writer.end();
  return { events: parseSse(text).map(({ event, data }) => ({ ...data, event })), response: writer.response() };
}

function chunk(delta: JsonObject, finishReason: string | null = null): JsonObject {
  return { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

function types(events: readonly JsonObject[]): unknown[] {
  return events.map((event) => event['type']);
}

/** The text each item's deltas add up to, by item_id, per kind of delta event. */
function concatenated(events: readonly JsonObject[], type: string): Map<unknown, string> {
  const texts = new Map<unknown, string>();
  for (const event of events.filter((candidate) => candidate['type'] === type)) texts.set(event['item_id'], (texts.get(event['item_id']) ?? '') + String(event['delta']));
  return texts;
}

function doneTexts(events: readonly JsonObject[], type: string, field: string): Map<unknown, string> {
  return new Map(events.filter((event) => event['type'] === type).map((event) => [event['item_id'], String(event[field])]));
}

describe('createResponseStreamWriter over recorded chat streams', () => {
  it.each(STREAM_FIXTURES)('emits only events valid against ResponseStreamEvent, named in the SSE event line, for %s', (name) => {
    const { events } = translate(fixtureChunks(name));

    for (const event of events) {
      const { event: sseName, ...data } = event;
      expect(sseName).toBe(data['type']);
      assertResponseStreamEvent(data);
    }
  });

  it.each(STREAM_FIXTURES)('numbers the events 0, 1, 2, … for %s', (name) => {
    const { events } = translate(fixtureChunks(name));

    expect(events.map((event) => event['sequence_number'])).toEqual(events.map((_event, index) => index));
  });

  it.each(STREAM_FIXTURES)('opens with created and in_progress and ends with completed carrying the final Response for %s', (name) => {
    const { events, response } = translate(fixtureChunks(name));

    expect(types(events).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response });
    assertResponse(response);
  });

  it.each(STREAM_FIXTURES)('adds items at output_index 0, 1, 2, …, each done once at the same index, for %s', (name) => {
    const { events, response } = translate(fixtureChunks(name));

    const added = events.filter((event) => event['type'] === 'response.output_item.added');
    const done = events.filter((event) => event['type'] === 'response.output_item.done');
    expect(added.map((event) => event['output_index'])).toEqual(added.map((_event, index) => index));
    expect(done.map((event) => [(event['item'] as JsonObject)['id'], event['output_index']]).sort()).toEqual(added.map((event) => [(event['item'] as JsonObject)['id'], event['output_index']]).sort());
    expect(response['output']).toEqual(done.sort((a, b) => Number(a['output_index']) - Number(b['output_index'])).map((event) => event['item']));
  });

  it.each(STREAM_FIXTURES)('gives every event of an item the output_index of its item for %s', (name) => {
    const { events } = translate(fixtureChunks(name));

    const indexOf = new Map(events.filter((event) => event['type'] === 'response.output_item.added').map((event) => [(event['item'] as JsonObject)['id'], event['output_index']]));
    for (const event of events.filter((candidate) => candidate['item_id'] !== undefined)) expect(event['output_index']).toBe(indexOf.get(event['item_id']));
  });

  it.each(STREAM_FIXTURES)('concatenates the deltas to the done texts, the final items and the chat stream itself for %s', (name) => {
    const chunks = fixtureChunks(name);
    const { events, response } = translate(chunks);

    expect(concatenated(events, 'response.output_text.delta')).toEqual(doneTexts(events, 'response.output_text.done', 'text'));
    expect(concatenated(events, 'response.function_call_arguments.delta')).toEqual(doneTexts(events, 'response.function_call_arguments.done', 'arguments'));
    expect(concatenated(events, 'response.reasoning_summary_text.delta')).toEqual(doneTexts(events, 'response.reasoning_summary_text.done', 'text'));
    const output = response['output'] as JsonObject[];
    const deltas = chunks.flatMap((candidate) => (candidate['choices'] as JsonObject[]).map((choice) => choice['delta'] as JsonObject));
    const text = output.filter((item) => item['type'] === 'message').map((item) => ((item['content'] as JsonObject[])[0]!['text'] as string)).join('');
    expect(text).toBe(deltas.map((delta) => (typeof delta['content'] === 'string' ? delta['content'] : '')).join(''));
    const reasoning = output.filter((item) => item['type'] === 'reasoning').map((item) => ((item['summary'] as JsonObject[])[0]!['text'] as string)).join('');
    expect(reasoning).toBe(deltas.map((delta) => (typeof delta['reasoning_content'] === 'string' ? delta['reasoning_content'] : '')).join(''));
  });

  it.each(STREAM_FIXTURES)('reports the usage of the chat stream on the final Response for %s', (name) => {
    const chunks = fixtureChunks(name);
    const { response } = translate(chunks);

    expect(response['usage']).toEqual(responseUsage(chunks.findLast((candidate) => candidate['usage'] !== undefined && candidate['usage'] !== null)?.['usage']));
  });
});

describe('createResponseStreamWriter', () => {
  it('closes the reasoning item before the message item opens when reasoning precedes the answer', () => {
    const { events } = translate([chunk({ reasoning_content: 'Hmm' }), chunk({ content: 'Hi' }), chunk({}, 'stop')]);

    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('keeps parallel function calls apart by their chat index when their deltas interleave', () => {
    const { response } = translate([
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{"y"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }),
      chunk({}, 'tool_calls'),
    ]);

    expect((response['output'] as JsonObject[]).map((item) => [item['call_id'], item['name'], item['arguments']])).toEqual([
      ['a', 'f', '{"x":1}'],
      ['b', 'g', '{"y":2}'],
    ]);
  });

  it('ends with response.incomplete naming max_output_tokens when the chat stream stops for length', () => {
    const { events, response } = translate([chunk({ content: 'Cut sh' }), chunk({}, 'length')]);

    expect(events.at(-1)?.['type']).toBe('response.incomplete');
    expect([response['status'], response['incomplete_details']]).toEqual(['incomplete', { reason: 'max_output_tokens' }]);
    const { event: _sseName, ...last } = events.at(-1)!;
    assertResponseStreamEvent(last);
  });

  it('sends response.created first when push comes before start', () => {
    const writer = createResponseStreamWriter(responseContext());

    const events = parseSse(writer.push(chunk({ content: 'Hi' }) as ChatCompletionChunk) + writer.start());

    expect(events.map(({ data }) => data['sequence_number'])).toEqual([0, 1, 2, 3, 4]);
    expect(events[0]!.event).toBe('response.created');
  });

  it('answers response.failed with the error and the partial output when the upstream fails mid-stream', () => {
    const writer = createResponseStreamWriter(responseContext());
    writer.start();
    writer.push(chunk({ content: 'Half' }) as ChatCompletionChunk);

    const events = parseSse(writer.fail(new UpstreamTimeoutError()));

    expect(events.map(({ event }) => event)).toEqual(['response.failed']);
    const response = events[0]!.data['response'] as JsonObject;
    expect(response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: new UpstreamTimeoutError().message } });
    expect((response['output'] as JsonObject[])[0]).toMatchObject({ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Half' }] });
    assertResponseStreamEvent(events[0]!.data);
    expect(writer.response()).toEqual(response);
  });

  it('emits nothing more when pushed or ended after failing', () => {
    const writer = createResponseStreamWriter(responseContext());
    writer.fail(new UpstreamTimeoutError());

    const after = writer.push(chunk({ content: 'late' }) as ChatCompletionChunk) + writer.end();

    expect(after).toBe('');
  });
});
