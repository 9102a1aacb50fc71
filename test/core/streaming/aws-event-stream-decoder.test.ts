import { describe, expect, it } from 'vitest';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { GatewayError } from '../../../functions/core/errors.js';
import { decodeAwsEventStream, decodeAwsEventStreamBatches } from '../../../functions/core/streaming/aws-event-stream-decoder.js';
import type { SseEvent } from '../../../functions/core/streaming/sse-decoder.js';

const encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => encoder.encode(text),
);

function frame(headers: Record<string, string>, payload: string): Uint8Array {
  return codec.encode({
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }])),
    body: encoder.encode(payload),
  });
}

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return frame({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload));
}

// Three events as ConverseStream sends them; the text holds multi-byte UTF-8 so splits land inside characters.
const EVENTS: readonly [string, unknown][] = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Grüße, 世界 👋' } }],
  ['messageStop', { stopReason: 'end_turn' }],
];
const EXPECTED: SseEvent[] = EVENTS.map(([event, payload]) => ({ event, data: JSON.stringify(payload) }));
const STREAM = concat(EVENTS.map(([event, payload]) => eventFrame(event, payload)));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

async function* fromPieces(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece;
}

async function decodeBatches(pieces: readonly Uint8Array[]): Promise<SseEvent[][]> {
  const batches: SseEvent[][] = [];
  for await (const batch of decodeAwsEventStreamBatches(fromPieces(pieces))) batches.push(batch);
  return batches;
}

async function decodeAll(pieces: readonly Uint8Array[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of decodeAwsEventStream(fromPieces(pieces))) events.push(event);
  return events;
}

async function captureRejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('decodeAwsEventStreamBatches', () => {
  it('yields every frame of one read in one batch when several frames arrive together', async () => {
    const batches = await decodeBatches([STREAM]);

    expect(batches).toEqual([EXPECTED]);
  });

  it('yields one batch per read when each read holds one frame', async () => {
    const batches = await decodeBatches(EVENTS.map(([event, payload]) => eventFrame(event, payload)));

    expect(batches).toEqual(EXPECTED.map((event) => [event]));
  });

  it('decodes the same events when the stream is split in two at every byte boundary', async () => {
    for (let split = 1; split < STREAM.byteLength; split += 1) {
      const events = await decodeAll([STREAM.subarray(0, split), STREAM.subarray(split)]);

      expect(events, `split at byte ${split}`).toEqual(EXPECTED);
    }
  });

  it('decodes the same events when every byte arrives on its own', async () => {
    const events = await decodeAll(Array.from(STREAM, (_byte, index) => STREAM.subarray(index, index + 1)));

    expect(events).toEqual(EXPECTED);
  });

  it('keeps a partial frame intact when the reader reuses its chunk buffer', async () => {
    const chunk = new Uint8Array(10);
    async function* reusing(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < STREAM.byteLength; offset += 10) {
        const piece = STREAM.subarray(offset, offset + 10);
        chunk.fill(0).set(piece);
        yield chunk.subarray(0, piece.byteLength);
      }
    }
    const events: SseEvent[] = [];

    for await (const batch of decodeAwsEventStreamBatches(reusing())) events.push(...batch);

    expect(events).toEqual(EXPECTED);
  });

  it('names an exception frame by its :exception-type and passes its JSON body as data', async () => {
    const exception = frame(
      { ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' },
      '{"message":"Too many requests, please wait before trying again."}',
    );

    const events = await decodeAll([eventFrame('messageStart', { role: 'assistant' }), exception]);

    expect(events[1]).toEqual({ event: 'throttlingException', data: '{"message":"Too many requests, please wait before trying again."}' });
  });

  it('names an error frame by its :error-code and carries its :error-message as JSON', async () => {
    const error = frame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'Something broke' }, '');

    const events = await decodeAll([error]);

    expect(events).toEqual([{ event: 'InternalFailure', data: '{"message":"Something broke"}' }]);
  });

  it('yields nothing for an empty body', async () => {
    const batches = await decodeBatches([]);

    expect(batches).toEqual([]);
  });

  it('fails with a 502 GatewayError when a frame fails its CRC', async () => {
    const corrupted = STREAM.slice();
    corrupted[20] = corrupted[20]! ^ 0xff;

    const error = await captureRejection(() => decodeAll([corrupted]));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });

  it('fails with a 502 GatewayError when the stream ends inside a frame', async () => {
    const error = await captureRejection(() => decodeAll([STREAM.subarray(0, STREAM.byteLength - 3)]));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });

  it('fails with a 502 GatewayError when a frame declares an impossible length', async () => {
    const error = await captureRejection(() => decodeAll([new Uint8Array([0, 0, 0, 4, 0, 0, 0, 0])]));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
