import { EventStreamCodec } from '@smithy/eventstream-codec';
import { GatewayError, UpstreamResponseTooLargeError } from '../errors.js';
import { DEFAULT_MAX_SSE_EVENT_BYTES, type SseDecodeOptions, type SseEvent } from './sse-decoder.js';

/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const FRAME_OVERHEAD_BYTES = 16;
/** The event-stream format allows 16 MiB of payload and 128 KiB of headers; a longer frame is corrupt. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + FRAME_OVERHEAD_BYTES;

type Message = ReturnType<EventStreamCodec['decode']>;
type MessageHeaders = Message['headers'];

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
// The codec checks both CRCs of every frame and parses its typed headers.
const codec = new EventStreamCodec(
  (bytes) => textDecoder.decode(bytes),
  (text) => textEncoder.encode(text),
);

/**
 * Splits a byte stream of AWS event-stream frames (Bedrock's ConverseStream,
 * `application/vnd.amazon.eventstream`) into events as the bytes arrive, yielding the frames
 * completed by each read together — the same batches `decodeSseBatches` yields, so one
 * translator interface serves both framings. A frame split across reads waits for the rest;
 * several frames in one read come out in one batch.
 *
 * Each frame becomes `{event, data}`: `event` is its `:event-type` (`messageStart`, …), or its
 * `:exception-type` for an exception frame (`throttlingException`, …), or its `:error-code` for an
 * error frame (whose message travels in a header, so `data` is `{"message": <:error-message>}`);
 * `data` is the payload as UTF-8 text. A frame that fails its CRC or is cut short ends the stream
 * with a 502 GatewayError; a frame longer than `maxEventBytes` (when that is below the format's own
 * maximum) with UpstreamResponseTooLargeError, before its bytes are waited for.
 */
export async function* decodeAwsEventStreamBatches(body: AsyncIterable<Uint8Array>, options: SseDecodeOptions = {}): AsyncGenerator<SseEvent[]> {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_SSE_EVENT_BYTES;
  let buffer: Uint8Array = new Uint8Array(0);
  // Reads that cannot complete the next frame wait here, copied, and are joined once it can complete:
  // joining on every read would copy a large frame's bytes once per read (quadratic).
  let waiting: Uint8Array[] = [];
  let buffered = 0;
  let needed = 4;
  for await (const bytes of body) {
    buffered += bytes.byteLength;
    if (buffered < needed) {
      waiting.push(bytes.slice());
      continue;
    }
    buffer = concat([buffer, ...waiting, bytes]);
    waiting = [];
    const events: SseEvent[] = [];
    let offset = 0;
    needed = 4;
    while (buffer.byteLength - offset >= 4) {
      const length = frameLength(buffer, offset, maxEventBytes);
      if (buffer.byteLength - offset < length) {
        needed = length;
        break;
      }
      events.push(toEvent(decodeFrame(buffer.subarray(offset, offset + length))));
      offset += length;
    }
    // What is left is kept past this read: copied, so a reader that reuses its chunk cannot change it.
    if (offset > 0) buffer = buffer.slice(offset);
    else if (buffer === bytes) buffer = bytes.slice();
    buffered = buffer.byteLength;
    if (events.length > 0) yield events;
  }
  if (buffered > 0) throw badFrame(`the stream ended inside a frame (${buffered} bytes left over)`);
}

/** The same events one at a time. */
export async function* decodeAwsEventStream(body: AsyncIterable<Uint8Array>, options: SseDecodeOptions = {}): AsyncGenerator<SseEvent> {
  for await (const events of decodeAwsEventStreamBatches(body, options)) yield* events;
}

function frameLength(buffer: Uint8Array, offset: number, maxEventBytes: number): number {
  const length = new DataView(buffer.buffer, buffer.byteOffset + offset, 4).getUint32(0, false);
  if (length < FRAME_OVERHEAD_BYTES || length > MAX_FRAME_BYTES) throw badFrame(`a frame declares an impossible length of ${length} bytes`);
  if (length > maxEventBytes) throw new UpstreamResponseTooLargeError(maxEventBytes, 'streamed event');
  return length;
}

function decodeFrame(frame: Uint8Array): Message {
  try {
    return codec.decode(frame);
  } catch (error) {
    throw badFrame(error instanceof Error ? error.message : 'a frame could not be decoded');
  }
}

function toEvent(message: Message): SseEvent {
  const messageType = headerString(message.headers, ':message-type');
  if (messageType === 'error') {
    const code = headerString(message.headers, ':error-code') ?? 'UnknownError';
    return { event: code, data: JSON.stringify({ message: headerString(message.headers, ':error-message') ?? '' }) };
  }
  const name = messageType === 'exception' ? headerString(message.headers, ':exception-type') : headerString(message.headers, ':event-type');
  const data = textDecoder.decode(message.body);
  return name === undefined ? { data } : { event: name, data };
}

function headerString(headers: MessageHeaders, name: string): string | undefined {
  const header = headers[name];
  return header?.type === 'string' ? header.value : undefined;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((part) => part.byteLength > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const joined = new Uint8Array(nonEmpty.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of nonEmpty) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function badFrame(detail: string): GatewayError {
  return new GatewayError({
    status: 502,
    message: `The upstream provider sent a malformed event stream: ${detail}.`,
    type: 'api_error',
    code: 'bad_upstream_response',
  });
}
