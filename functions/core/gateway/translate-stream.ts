import { toGatewayError, type GatewayError } from '../errors.js';
import type { ChatCompletionChunk } from '../openai/openai-types.js';
import type { ChatStreamTranslator } from '../providers/provider.js';
import { decodeAwsEventStreamBatches } from '../streaming/aws-event-stream-decoder.js';
import { decodeSseBatches } from '../streaming/sse-decoder.js';
import { encodeSseData, SSE_DONE } from '../streaming/sse-encoder.js';

export interface TranslateStreamOptions {
  signal: AbortSignal;
  /** Sees every chunk before the client does (usage capture). */
  observe: (chunk: ChatCompletionChunk) => void;
  /**
   * The gateway asked the provider for usage although the client did not: drop the
   * usage-only chunk and the `usage` fields so the client sees what it asked for.
   */
  stripUsage: boolean;
  onError: (error: GatewayError) => GatewayError;
  /** How the provider frames its stream (SSE, or AWS event-stream binary frames). */
  framing: 'sse' | 'aws-event-stream';
  /** The longest single upstream event (`general_settings.max_upstream_response_mb`); the decoders' default when absent. */
  maxEventBytes?: number;
  /**
   * False while the router may still fail over (nothing has gone to the client yet): a failure
   * is then thrown for the router, instead of ending the stream with an error event.
   */
  committed?: () => boolean;
}

/**
 * Upstream bytes → SSE events → OpenAI chunks → SSE text, one read at a time (the
 * upstream stream is never buffered whole; what one read brings is forwarded at once).
 * A failure after the stream started ends it with one `data: {"error":…}` event and no
 * `[DONE]`, as OpenAI does; before (see `committed`), it is thrown. When the client is gone
 * (`signal` aborted) there is no one to tell, so it just stops.
 */
export async function* translateChatStream(
  upstreamBody: AsyncIterable<Uint8Array>,
  translator: ChatStreamTranslator,
  options: TranslateStreamOptions,
): AsyncGenerator<string> {
  const encode = (chunks: ChatCompletionChunk[]): string => {
    let text = '';
    for (const chunk of chunks) {
      options.observe(chunk);
      if (options.stripUsage) {
        if (chunk.choices.length === 0 && chunk.usage) continue;
        delete chunk.usage;
      }
      text += encodeSseData(chunk);
    }
    return text;
  };
  try {
    const decode = options.framing === 'aws-event-stream' ? decodeAwsEventStreamBatches : decodeSseBatches;
    for await (const events of decode(upstreamBody, { maxEventBytes: options.maxEventBytes })) {
      let text = '';
      for (const event of events) text += encode(translator.push(event));
      if (text !== '') yield text;
    }
    const tail = encode(translator.end());
    yield tail + SSE_DONE;
  } catch (error) {
    if (options.committed?.() === false) throw error;
    if (options.signal.aborted) return;
    yield encodeSseData(options.onError(toGatewayError(error)).toBody());
  }
}
