/** Reads a whole (small) body: non-streamed completions, embeddings, error answers. */
export async function readBodyText(body: AsyncIterable<Uint8Array>, limitBytes = Number.POSITIVE_INFINITY): Promise<string> {
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
