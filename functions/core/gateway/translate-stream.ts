import { toGatewayError, type GatewayError } from '../errors.js';
import type { ChatStreamTranslator } from '../providers/provider.js';
import { decodeSseBatches } from '../streaming/sse-decoder.js';
import { encodeSseData, SSE_DONE } from '../streaming/sse-encoder.js';

/**
 * Upstream bytes → SSE events → OpenAI chunks → SSE text, one event at a time (the
 * upstream stream is never buffered whole; what one read brings is forwarded at once). A failure after the stream started ends it
 * with one `data: {"error":…}` event and no `[DONE]`, as OpenAI does. When the client
 * is gone (`signal` aborted) there is no one to tell, so it just stops.
 */
export async function* translateChatStream(
  upstreamBody: AsyncIterable<Uint8Array>,
  translator: ChatStreamTranslator,
  signal: AbortSignal,
  onError: (error: GatewayError) => GatewayError,
): AsyncGenerator<string> {
  try {
    for await (const events of decodeSseBatches(upstreamBody)) {
      // What one upstream read completed goes out as one write.
      let text = '';
      for (const event of events) for (const chunk of translator.push(event)) text += encodeSseData(chunk);
      if (text !== '') yield text;
    }
    for (const chunk of translator.end()) yield encodeSseData(chunk);
    yield SSE_DONE;
  } catch (error) {
    if (signal.aborted) return;
    yield encodeSseData(onError(toGatewayError(error)).toBody());
  }
}
