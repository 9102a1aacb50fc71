/**
 * Bounds of the AWS event-stream decoder (issue 11, item 8): a frame longer than the configured
 * event limit fails before its bytes are waited for, and a large frame in many reads is joined once.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { describe, expect, it } from 'vitest';
import { UpstreamResponseTooLargeError } from '../../../functions/core/errors.js';
import { decodeAwsEventStream } from '../../../functions/core/streaming/aws-event-stream-decoder.js';
import type { SseEvent } from '../../../functions/core/streaming/sse-decoder.js';

const KIB = 1024;
const encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => encoder.encode(text),
);

function eventFrame(eventType: string, payload: string): Uint8Array {
  return codec.encode({
    headers: { ':event-type': { type: 'string', value: eventType }, ':message-type': { type: 'string', value: 'event' } },
    body: encoder.encode(payload),
  });
}

/** The bytes in reads of `size`, counting how many were pulled. */
function inReads(bytes: Uint8Array, size: number) {
  const state = { pulled: 0 };
  async function* reads(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.byteLength; offset += size) {
      state.pulled++;
      yield bytes.subarray(offset, offset + size);
    }
  }
  return { body: reads(), state };
}

async function decodeAll(body: AsyncIterable<Uint8Array>, maxEventBytes?: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of decodeAwsEventStream(body, { maxEventBytes })) events.push(event);
  return events;
}

describe('decodeAwsEventStream bounds', () => {
  it('fails with upstream_response_too_large on the read that declares a frame longer than the limit', async () => {
    const frame = eventFrame('contentBlockDelta', 'x'.repeat(64 * KIB));
    const { body, state } = inReads(frame, KIB);

    const decoding = decodeAll(body, 16 * KIB);

    await expect(decoding).rejects.toBeInstanceOf(UpstreamResponseTooLargeError);
    expect(state.pulled).toBe(1);
  });

  it('decodes a 4 MB frame and the frame after it when they arrive in 1 KB reads', async () => {
    const payload = 'y'.repeat(4 * KIB * KIB);
    const frames = [eventFrame('contentBlockDelta', payload), eventFrame('messageStop', '{}')];
    const stream = new Uint8Array(frames[0]!.byteLength + frames[1]!.byteLength);
    stream.set(frames[0]!, 0);
    stream.set(frames[1]!, frames[0]!.byteLength);

    const events = await decodeAll(inReads(stream, KIB).body);

    expect(events.map((event) => event.event)).toEqual(['contentBlockDelta', 'messageStop']);
    expect(events[0]!.data.length).toBe(payload.length);
  }, 60_000);
});
