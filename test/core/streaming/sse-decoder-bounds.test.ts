/**
 * Bounds of the SSE decoder (issue 11, item 8): one event cannot grow past its limit, and an event
 * arriving in many small reads is searched for its end in time linear in its length.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamResponseTooLargeError } from '../../../functions/core/errors.js';
import { decodeSseBatches, decodeSseStream, SseEventSplitter, type SseEvent } from '../../../functions/core/streaming/sse-decoder.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const encoder = new TextEncoder();

async function* fromPieces(pieces: readonly string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield encoder.encode(piece);
}

async function decodeAll(body: AsyncIterable<Uint8Array>, maxEventBytes?: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of decodeSseStream(body, { maxEventBytes })) events.push(event);
  return events;
}

describe('decodeSseStream bounds', () => {
  it('fails with upstream_response_too_large after reading no more than the limit, with bounded memory, when a 40 MB data line never ends', async () => {
    const piece = new Uint8Array(64 * KIB).fill(0x61);
    let pulled = 0;
    let peakGrowth = 0;
    const before = process.memoryUsage();
    async function* unterminated(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('data: ');
      for (let sent = 0; sent < 40 * MIB; sent += piece.byteLength) {
        pulled++;
        const now = process.memoryUsage();
        peakGrowth = Math.max(peakGrowth, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
        yield piece;
      }
    }

    const failure = await decodeAll(unterminated()).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(UpstreamResponseTooLargeError);
    expect(failure).toMatchObject({ status: 502, code: 'upstream_response_too_large' });
    // The default limit (32 MB) is passed on read 512 (the "data: " prefix tips it over): the last 8 MB are never read.
    expect(pulled).toBe(512);
    // 32 MB of one-byte characters held as pieces; never a copy per read.
    expect(peakGrowth).toBeLessThan(96 * MIB);
  }, 60_000);

  it('fails when one read completes an event longer than the limit', async () => {
    const event = `data: ${'x'.repeat(2 * KIB)}\n\n`;

    const decoding = decodeAll(fromPieces([event]), KIB);

    await expect(decoding).rejects.toBeInstanceOf(UpstreamResponseTooLargeError);
  });

  it('names the streamed event and the setting in the error when an event is too large', async () => {
    const decoding = decodeAll(fromPieces(['data: ', 'y'.repeat(2 * MIB)]), MIB);

    await expect(decoding).rejects.toThrow("The upstream provider's streamed event is larger than the gateway's limit of 1 MB (general_settings.max_upstream_response_mb).");
  });

  it('decodes an event exactly at the limit when its blank line follows', async () => {
    const block = `data: ${'z'.repeat(KIB - 6)}`;

    const events = await decodeAll(fromPieces([block, '\n\n', 'data: next\n\n']), KIB);

    expect(events).toEqual([{ data: 'z'.repeat(KIB - 6) }, { data: 'next' }]);
  });

  it('decodes one 8 MB event when it arrives in 8,192 reads of 1 KB', async () => {
    const piece = 'b'.repeat(KIB);
    async function* kilobytes(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('event: big\ndata: ');
      const bytes = encoder.encode(piece);
      for (let index = 0; index < 8 * KIB; index++) yield bytes;
      yield encoder.encode('\r\n\r\ndata: after\n\n');
    }
    const batches: SseEvent[][] = [];

    for await (const batch of decodeSseBatches(kilobytes())) batches.push(batch);

    expect(batches.map((batch) => batch.length)).toEqual([2]);
    expect(batches[0]![0]!.event).toBe('big');
    expect(batches[0]![0]!.data.length).toBe(8 * MIB);
    expect(batches[0]![1]).toEqual({ data: 'after' });
  }, 60_000);
});

describe('SseEventSplitter', () => {
  it('searches each character about once when an 8 MB event arrives in 1 KB reads', () => {
    const splitter = new SseEventSplitter(32 * MIB);
    const piece = 'c'.repeat(KIB);
    const reads = 8 * KIB;
    const blocks: string[] = [];

    blocks.push(...splitter.push('data: '));
    for (let index = 0; index < reads; index++) blocks.push(...splitter.push(piece));
    blocks.push(...splitter.push('\n\n'));

    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.length).toBe(6 + 8 * MIB);
    // Each read is searched with at most 3 characters carried over from the one before.
    expect(splitter.scannedChars).toBeLessThanOrEqual(6 + 8 * MIB + 2 + 3 * (reads + 2));
  });

  it.each([
    ['\n\n', ['data: a\n', '\n']],
    ['\r\n\r\n', ['data: a\r', '\n', '\r', '\ndata: b\r\n\r\n']],
    ['\r\r', ['data: a\r', '\rdata: b\r\r']],
    ['\r\n\n', ['data: a\r', '\n\ndata: b\n\n']],
  ])('finds a boundary (%j) split across reads', (_name, reads) => {
    const splitter = new SseEventSplitter(MIB);

    const blocks = reads.flatMap((read) => splitter.push(read));

    expect(blocks[0]).toBe('data: a');
  });
});
