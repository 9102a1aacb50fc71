import { toAnthropicErrorBody } from '../anthropic-api/anthropic-error.js';
import { anthropicToOpenAIRequest } from '../anthropic-api/anthropic-request-to-openai.js';
import { estimateAnthropicInputTokens } from '../anthropic-api/count-tokens.js';
import { openAIToAnthropicMessage } from '../anthropic-api/openai-response-to-anthropic.js';
import { createAnthropicStreamWriter, type AnthropicStreamWriter } from '../anthropic-api/openai-stream-to-anthropic.js';
import { GatewayError } from '../errors.js';
import type { GatewayHttpResponse } from '../http/gateway-http.js';
import type { ChatCompletion, JsonObject } from '../openai/openai-types.js';
import { SSE_KEEP_ALIVE } from '../streaming/sse-encoder.js';
import { handleChatCompletion } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';

/**
 * POST /v1/messages: an Anthropic Messages request, served by the same chat pipeline
 * (keys, limits, budgets, usage records, any configured model) and answered in
 * Anthropic's response or stream format.
 */
export async function handleAnthropicMessages(gateway: GatewayContext, request: RequestContext, body: unknown): Promise<GatewayHttpResponse> {
  const chat = anthropicToOpenAIRequest(body);
  const response = await handleChatCompletion(gateway, request, chat as JsonObject);
  if (typeof response.body === 'string') {
    const completion = JSON.parse(response.body) as ChatCompletion;
    return { ...response, body: JSON.stringify(openAIToAnthropicMessage(completion, chat.model)) };
  }
  const writer = createAnthropicStreamWriter(chat.model, `msg_${request.requestId.replaceAll('-', '')}`);
  return { ...response, body: toAnthropicEvents(response.body, writer) };
}

/** POST /v1/messages/count_tokens: an estimate (4 characters a token), as no upstream is asked. */
export function handleAnthropicCountTokens(body: unknown): GatewayHttpResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(estimateAnthropicInputTokens(body)) };
}

/** Anthropic's error body, for failures on the Anthropic routes. */
export function renderAnthropicError(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(toAnthropicErrorBody(error)),
  };
}

const STATUS_BY_OPENAI_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  insufficient_quota: 429,
  timeout_error: 504,
};

/**
 * The chat pipeline's SSE text (whole events per piece) re-read as OpenAI chunks and
 * written as Anthropic events; keep-alive comments pass through (SSE clients skip them).
 */
async function* toAnthropicEvents(openAIStream: AsyncIterable<string>, writer: AnthropicStreamWriter): AsyncGenerator<string> {
  for await (const piece of openAIStream) {
    if (piece === SSE_KEEP_ALIVE) {
      yield piece;
      continue;
    }
    let out = '';
    for (const block of piece.split('\n\n')) {
      if (!block.startsWith('data: ')) continue;
      const data = block.slice('data: '.length);
      if (data === '[DONE]') {
        out += writer.end();
        continue;
      }
      const payload = JSON.parse(data) as JsonObject;
      const error = payload['error'] as { message?: string; type?: string; code?: string | null } | undefined;
      if (error) {
        const type = error.type ?? 'api_error';
        out += writer.errorEvent(new GatewayError({ status: STATUS_BY_OPENAI_TYPE[type] ?? 500, message: error.message ?? 'The upstream failed.', type, code: error.code ?? null }));
        continue;
      }
      out += writer.push(payload as never);
    }
    if (out !== '') yield out;
  }
}
