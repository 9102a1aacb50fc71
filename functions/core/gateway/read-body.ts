import { UpstreamResponseTooLargeError } from '../errors.js';

/**
 * Reads a whole upstream answer (a non-streamed completion, embeddings) that may not exceed
 * `limitBytes`. Past the limit it stops at once and throws UpstreamResponseTooLargeError:
 * leaving the loop ends the body's iteration, which drops the connection instead of draining it.
 */
export async function readBodyText(body: AsyncIterable<Uint8Array>, limitBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  // Decoded read by read and joined once: no growing string is copied on every read.
  const parts: string[] = [];
  let size = 0;
  for await (const bytes of body) {
    size += bytes.byteLength;
    if (size > limitBytes) throw new UpstreamResponseTooLargeError(limitBytes);
    parts.push(decoder.decode(bytes, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The first `limitBytes` of a body (an error answer: enough to read its message), dropping the rest unread. */
export async function readBodyPrefix(body: AsyncIterable<Uint8Array>, limitBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const bytes of body) {
    size += bytes.byteLength;
    if (size > limitBytes) {
      text += decoder.decode(bytes.subarray(0, Math.max(0, bytes.byteLength - (size - limitBytes))));
      break;
    }
    text += decoder.decode(bytes, { stream: true });
  }
  return text + decoder.decode();
}
