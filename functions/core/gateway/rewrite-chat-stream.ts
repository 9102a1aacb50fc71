import { GatewayError } from '../errors.js';
import type { ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';

/**
 * The chat pipeline's stream (SSE text, whole events per piece) re-read for a front door that
 * answers in another format (Anthropic Messages, the Responses API): each piece's events as
 * chunks, the end (`[DONE]`), or the pipeline's error event, so that one writer per format turns
 * them into its own events. Keep-alive comments pass through untouched.
 */
export interface ChatStreamWriter {
  push(chunk: ChatCompletionChunk): string;
  end(): string;
  fail(error: GatewayError): string;
}

const STATUS_BY_OPENAI_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  insufficient_quota: 429,
  timeout_error: 504,
};

/** Writes `chatStream` with `writer`; nothing after the end or a failure is written. */
export async function* rewriteChatStream(chatStream: AsyncIterable<string>, writer: ChatStreamWriter): AsyncGenerator<string> {
  let finished = false;
  for await (const piece of chatStream) {
    if (piece === SSE_KEEP_ALIVE) {
      yield piece;
      continue;
    }
    let out = '';
    for (const block of piece.split('\n\n')) {
      if (!block.startsWith('data: ') || finished) continue;
      const data = block.slice('data: '.length);
      if (data === '[DONE]') {
        out += writer.end();
        finished = true;
        continue;
      }
      const payload = JSON.parse(data) as JsonObject;
      const error = payload['error'] as { message?: string; type?: string; code?: string | null } | undefined;
      if (error) {
        const type = error.type ?? 'api_error';
        out += writer.fail(new GatewayError({ status: STATUS_BY_OPENAI_TYPE[type] ?? 500, message: error.message ?? 'The upstream failed.', type, code: error.code ?? null }));
        finished = true;
        continue;
      }
      out += writer.push(payload as unknown as ChatCompletionChunk);
    }
    if (out !== '') yield out;
  }
}
