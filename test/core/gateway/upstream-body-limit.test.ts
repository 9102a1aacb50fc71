import { describe, expect, it } from 'vitest';
import { UpstreamResponseTooLargeError } from '../../../functions/core/errors.js';
import { readBodyPrefix, readBodyText } from '../../../functions/core/gateway/read-body.js';
import { embeddingAnswerLimit } from '../../../functions/core/gateway/embeddings.js';

const KIB = 1024;

/** An endless body of 1 KiB reads that counts what was pulled and whether its reader let go of it. */
function endlessBody() {
  const state = { pulled: 0, released: false };
  const piece = new Uint8Array(KIB).fill(0x61);
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        state.pulled++;
        yield piece;
      }
    } finally {
      state.released = true;
    }
  }
  return { body: body(), state };
}

async function* fromPieces(pieces: readonly string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield new TextEncoder().encode(piece);
}

describe('readBodyText', () => {
  it('fails with a 502 upstream_response_too_large naming the limit and the setting when the body passes the limit', async () => {
    const { body } = endlessBody();

    const reading = readBodyText(body, 2 * 1024 * KIB);

    await expect(reading).rejects.toBeInstanceOf(UpstreamResponseTooLargeError);
    await expect(reading).rejects.toMatchObject({
      status: 502,
      type: 'api_error',
      code: 'upstream_response_too_large',
      message: expect.stringMatching(/limit of 2 MB \(general_settings\.max_upstream_response_mb\)/),
    });
  });

  it('stops pulling and releases the body at the first read past the limit when the body never ends', async () => {
    const { body, state } = endlessBody();

    await readBodyText(body, 64 * KIB).catch(() => undefined);

    expect(state.pulled).toBe(65);
    expect(state.released).toBe(true);
  });

  it('returns the whole text, multi-byte characters split across reads included, when the body is exactly at the limit', async () => {
    const text = 'Grüße, 世界 👋';
    const bytes = new TextEncoder().encode(text);
    async function* bytewise(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < bytes.byteLength; index++) yield bytes.subarray(index, index + 1);
    }

    const read = await readBodyText(bytewise(), bytes.byteLength);

    expect(read).toBe(text);
  });
});

describe('readBodyPrefix', () => {
  it('returns the first bytes and stops reading when an error body is longer than the limit', async () => {
    const { body, state } = endlessBody();

    const prefix = await readBodyPrefix(body, 1536);

    expect(prefix).toBe('a'.repeat(1536));
    expect(state.pulled).toBe(2);
    expect(state.released).toBe(true);
  });

  it('returns the whole body when it is shorter than the limit', async () => {
    const prefix = await readBodyPrefix(fromPieces(['{"error":', '{"message":"no"}}']), 1024);

    expect(prefix).toBe('{"error":{"message":"no"}}');
  });
});

describe('embeddingAnswerLimit', () => {
  const MB = 1024 * 1024;

  it('allows a large batch the answer it can legitimately have, beyond the configured cap', () => {
    expect(embeddingAnswerLimit({ model: 'm', input: Array(2048).fill('text'), dimensions: 1536 }, 32 * MB)).toBeGreaterThan(96 * MB);
  });

  it('keeps the configured cap for a single input', () => {
    expect(embeddingAnswerLimit({ model: 'm', input: 'text' }, 32 * MB)).toBe(32 * MB);
  });

  it('never exceeds what V8 can hold as one string', () => {
    expect(embeddingAnswerLimit({ model: 'm', input: Array(100_000).fill('text') }, 32 * MB)).toBe(512 * MB);
  });
});
