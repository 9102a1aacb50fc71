import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk, JsonObject } from '../../openai/openai-types.js';
import type { ChatStreamTranslator, ProviderContext } from '../provider.js';
import type { SseEvent } from '../../streaming/sse-decoder.js';
import { clientErrorStatus, errorTypeForStatus } from './map-openai-error.js';
import { normalizeChatChunk } from './normalize-openai-response.js';
import { upstreamStreamTruncated } from '../stream-chunks.js';
import { parseJsonObject } from '../json-values.js';

/** OpenAI-compatible streams are already OpenAI chunks: parse, fill gaps, watch for `[DONE]` and in-stream errors. */
export function createOpenAIStreamTranslator(context: ProviderContext): ChatStreamTranslator {
  let finished = false;
  let sawFinishReason = false;
  let sawFirstChoice = false;
  return {
    get finished() {
      return finished;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      if (event.data === '[DONE]') {
        finished = true;
        return [];
      }
      const payload = parseJsonObject(event.data, 'a stream event');
      if (payload['error'] !== undefined) throw inStreamError(payload['error']);
      const chunk = normalizeChatChunk(payload, context);
      // OpenAI's first delta names the role; some servers (Mistral's recorded tool-call stream) leave it out.
      if (!sawFirstChoice && chunk.choices.length > 0) {
        sawFirstChoice = true;
        const first = chunk.choices[0]!;
        if (first.delta.role === undefined) first.delta = { role: 'assistant', ...first.delta };
      }
      if (chunk.choices.some((choice) => choice.finish_reason !== null)) sawFinishReason = true;
      return [chunk];
    },
    end() {
      // A stream cut before both `[DONE]` and a finish_reason was truncated, not finished.
      if (!finished && !sawFinishReason) throw upstreamStreamTruncated();
      return [];
    },
  };
}

/** Some servers (vLLM, OpenRouter) report a failure mid-stream as `data: {"error":{…}}`. */
function inStreamError(error: unknown): GatewayError {
  const details = typeof error === 'object' && error !== null ? (error as JsonObject) : { message: String(error) };
  const status = typeof details['code'] === 'number' ? clientErrorStatus(details['code']) : 502;
  return new GatewayError({
    status,
    message: typeof details['message'] === 'string' ? details['message'] : 'The upstream provider failed mid-stream.',
    type: typeof details['type'] === 'string' ? details['type'] : errorTypeForStatus(status),
    code: typeof details['code'] === 'string' || typeof details['code'] === 'number' ? String(details['code']) : null,
  });
}
