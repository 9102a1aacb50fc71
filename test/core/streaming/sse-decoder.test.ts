import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSseBatches, decodeSseStream, type SseEvent } from '../../../functions/core/streaming/sse-decoder.js';
import { seededRandom } from '../../support/seeded-random.js';

// Recorded OpenAI stream (Vercel AI SDK fixtures, Apache-2.0; see test/fixtures/providers/LICENSE-vercel-ai.txt).
const RECORDED_CHUNKS = new URL('../../fixtures/providers/openai/openai-text.chunks.txt', import.meta.url);

const encoder = new TextEncoder();

function recordedSseText(): string {
  const lines = readFileSync(RECORDED_CHUNKS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return `${lines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n`;
}

async function* fromPieces(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece;
}

async function decodeAll(pieces: readonly Uint8Array[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of decodeSseStream(fromPieces(pieces))) events.push(event);
  return events;
}

async function decodeBatches(pieces: readonly string[]): Promise<SseEvent[][]> {
  const batches: SseEvent[][] = [];
  for await (const batch of decodeSseBatches(fromPieces(pieces.map((piece) => encoder.encode(piece))))) batches.push(batch);
  return batches;
}

async function decodeText(text: string): Promise<SseEvent[]> {
  return decodeAll([encoder.encode(text)]);
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_byte, index) => bytes.subarray(index, index + 1));
}

function randomPieces(bytes: Uint8Array, seed: number, maxPieceLength: number): Uint8Array[] {
  const random = seededRandom(seed);
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const length = 1 + Math.floor(random() * maxPieceLength);
    pieces.push(bytes.subarray(start, start + length));
    start += length;
  }
  return pieces;
}

describe('decodeSseStream', () => {
  it('decodes every recorded event and the [DONE] marker when the stream arrives whole', async () => {
    const text = recordedSseText();

    const events = await decodeText(text);

    expect(events).toHaveLength(304);
    expect(events.at(-1)).toEqual({ data: '[DONE]' });
    expect(JSON.parse(events[0]!.data)).toMatchObject({ object: 'chat.completion.chunk' });
  });

  it('decodes the same events as the whole stream when the bytes arrive one at a time', async () => {
    const bytes = encoder.encode(recordedSseText());
    const whole = await decodeAll([bytes]);

    const events = await decodeAll(bytewise(bytes));

    expect(events).toEqual(whole);
  });

  it.each([1, 2, 3, 42, 2024])('decodes the same events as the whole stream when the bytes arrive in random pieces (seed %i)', async (seed) => {
    const bytes = encoder.encode(recordedSseText());
    const whole = await decodeAll([bytes]);

    const events = await decodeAll(randomPieces(bytes, seed, 97));

    expect(events).toEqual(whole);
  });

  it('decodes the same events as the whole stream when CRLF-framed bytes arrive one at a time', async () => {
    const bytes = encoder.encode(recordedSseText().replaceAll('\n', '\r\n'));
    const whole = await decodeAll([encoder.encode(recordedSseText())]);

    const events = await decodeAll(bytewise(bytes));

    expect(events).toEqual(whole);
  });

  it('splits events when they are framed with \\r\\n', async () => {
    const text = 'data: {"a":1}\r\n\r\ndata: {"a":2}\r\n\r\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: '{"a":1}' }, { data: '{"a":2}' }]);
  });

  it('splits events when they are framed with a lone \\r', async () => {
    const text = 'data: one\r\rdata: two\r\r';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'one' }, { data: 'two' }]);
  });

  it('joins the data lines with newlines when an event has several data: lines', async () => {
    const text = 'data: first\ndata: second\r\ndata: third\n\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'first\nsecond\nthird' }]);
  });

  it('keeps the event name when an event has an event: field', async () => {
    const text = 'event: message_start\ndata: {"type":"message_start"}\n\nevent: ping\ndata: {}\n\n';

    const events = await decodeText(text);

    expect(events).toEqual([
      { event: 'message_start', data: '{"type":"message_start"}' },
      { event: 'ping', data: '{}' },
    ]);
  });

  it('leaves the event name out when an event has no event: field', async () => {
    const text = 'data: x\n\n';

    const [event] = await decodeText(text);

    expect(event).not.toHaveProperty('event');
  });

  it('ignores comment lines when the stream has keep-alive comments', async () => {
    const text = ': OPENROUTER PROCESSING\n\ndata: a\n: inline comment\ndata: b\n\n: keep-alive\n\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'a\nb' }]);
  });

  it('drops id: and retry: fields when an event carries them', async () => {
    const text = 'id: 7\nretry: 1000\ndata: x\n\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'x' }]);
  });

  it('strips only one leading space when a data value starts with spaces', async () => {
    const text = 'data:no-space\n\ndata:   three\n\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'no-space' }, { data: '  three' }]);
  });

  it('yields the final event when the stream ends without a trailing blank line', async () => {
    const text = 'data: first\n\ndata: last';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'first' }, { data: 'last' }]);
  });

  it('yields nothing when the stream is empty', async () => {
    const events = await decodeAll([]);

    expect(events).toEqual([]);
  });

  it('keeps multi-byte UTF-8 characters intact when their bytes are split across chunks', async () => {
    const text = 'data: {"content":"héllo wörld — 你好 🌍🚀"}\n\n';

    const events = await decodeAll(bytewise(encoder.encode(text)));

    expect(events).toEqual([{ data: '{"content":"héllo wörld — 你好 🌍🚀"}' }]);
  });

  it('keeps a multi-byte character intact when it is the last thing in a stream without a trailing blank line', async () => {
    const bytes = encoder.encode('data: 🌍');

    const events = await decodeAll(bytewise(bytes));

    expect(events).toEqual([{ data: '🌍' }]);
  });

  // Regression (was a bug): sse-decoder.ts findEventBoundary only knows `\n\n`, `\r\n\r\n` and `\r\r`; a line ended by `\n`
  // followed by a blank line ended by `\r\n` (`\n\r\n`, a valid blank line per the SSE spec) is not seen
  // as an event boundary, so the two events are merged into one with data "a\nb".
  it('splits events when a \\n line ending is followed by a \\r\\n blank line', async () => {
    const text = 'data: a\n\r\ndata: b\n\r\n';

    const events = await decodeText(text);

    expect(events).toEqual([{ data: 'a' }, { data: 'b' }]);
  });
});

describe('decodeSseBatches', () => {
  it('yields the events one read completes together when a read completes several events', async () => {
    const pieces = ['data: 1\n\ndata: 2\n\nda', 'ta: 3\n\n'];

    const batches = await decodeBatches(pieces);

    expect(batches).toEqual([[{ data: '1' }, { data: '2' }], [{ data: '3' }]]);
  });

  it('yields no batch for a read that completes no event', async () => {
    const pieces = ['data: 1', '\n', ': comment only\n\n', '\n'];

    const batches = await decodeBatches(pieces);

    expect(batches).toEqual([[{ data: '1' }]]);
  });

  it('yields the final event alone when the stream ends without a trailing blank line', async () => {
    const pieces = ['data: 1\n\ndata: last'];

    const batches = await decodeBatches(pieces);

    expect(batches).toEqual([[{ data: '1' }], [{ data: 'last' }]]);
  });

  it.each([7, 8, 9])('flattens to the same events as the whole stream when the bytes arrive in random pieces (seed %i)', async (seed) => {
    const bytes = encoder.encode(recordedSseText());
    const whole = await decodeAll([bytes]);
    const batches: SseEvent[][] = [];

    for await (const batch of decodeSseBatches(fromPieces(randomPieces(bytes, seed, 4096)))) batches.push(batch);

    expect(batches.flat()).toEqual(whole);
  });
});
