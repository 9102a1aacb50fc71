import type { ChatCompletionRequest, EmbeddingRequest, JsonObject } from '../../openai/openai-types.js';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '../../ports.js';
import { decideDemoAnswer, estimatePromptTokens } from './demo-answer.js';
import { demoEmbeddings } from './demo-embeddings.js';

export const DEMO_URL_PREFIX = 'demo://';

/**
 * The demo model, served in-process as if it were an OpenAI-compatible server
 * (`demo://local/chat/completions`). The gateway reaches it through the same provider,
 * SSE and streaming code as a real upstream, so `npm start` exercises the real path.
 */
export function createDemoUpstream(options: { nowSeconds: () => number }): UpstreamClient {
  let served = 0;
  return {
    async send(request: UpstreamRequest): Promise<UpstreamResponse> {
      const url = new URL(request.url);
      const body = JSON.parse(request.body ?? '{}') as JsonObject;
      const delayMs = Number(url.searchParams.get('stream_delay_ms') ?? '0');
      if (url.pathname.endsWith('/embeddings')) {
        return json(200, demoEmbeddings(body as EmbeddingRequest));
      }
      const chat = body as ChatCompletionRequest;
      const id = `chatcmpl-demo-${options.nowSeconds()}-${++served}`;
      if (chat.stream === true) {
        return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: streamChat(chat, id, options.nowSeconds(), delayMs, request.signal) };
      }
      return json(200, completeChat(chat, id, options.nowSeconds()));
    },
  };
}

/** Sends `demo://` URLs to the in-process demo model and everything else to the real client. */
export function routeDemoRequests(real: UpstreamClient, demo: UpstreamClient): UpstreamClient {
  return { send: (request) => (request.url.startsWith(DEMO_URL_PREFIX) ? demo.send(request) : real.send(request)) };
}

const encoder = new TextEncoder();

function json(status: number, payload: unknown): UpstreamResponse {
  const bytes = encoder.encode(JSON.stringify(payload));
  return { status, headers: { 'content-type': 'application/json' }, body: (async function* () { yield bytes; })() };
}

function usageOf(chat: ChatCompletionRequest, completionTokens: number): JsonObject {
  const promptTokens = estimatePromptTokens(chat);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function completeChat(chat: ChatCompletionRequest, id: string, created: number): JsonObject {
  const answer = decideDemoAnswer(chat);
  const message =
    answer.kind === 'text'
      ? { role: 'assistant', content: answer.pieces.join(''), refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: answer.callId, type: 'function', function: { name: answer.name, arguments: answer.argumentPieces.join('') } }],
        };
  const tokens = answer.kind === 'text' ? answer.pieces.length : answer.argumentPieces.length;
  return {
    id,
    object: 'chat.completion',
    created,
    model: 'demo',
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.kind === 'text' ? answer.finishReason : 'tool_calls' }],
    usage: usageOf(chat, tokens),
  };
}

async function* streamChat(chat: ChatCompletionRequest, id: string, created: number, delayMs: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const answer = decideDemoAnswer(chat);
  const chunk = (delta: JsonObject, finishReason: string | null = null): Uint8Array =>
    encoder.encode(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'demo', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`);
  const pace = async (): Promise<void> => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  };

  yield chunk({ role: 'assistant', content: '' });
  if (answer.kind === 'text') {
    for (const word of answer.pieces) {
      await pace();
      yield chunk({ content: word });
    }
    yield chunk({}, answer.finishReason);
  } else {
    yield chunk({ tool_calls: [{ index: 0, id: answer.callId, type: 'function', function: { name: answer.name, arguments: '' } }] });
    for (const piece of answer.argumentPieces) {
      await pace();
      yield chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    }
    yield chunk({}, 'tool_calls');
  }
  if ((chat.stream_options as JsonObject | undefined)?.['include_usage'] === true) {
    const tokens = answer.kind === 'text' ? answer.pieces.length : answer.argumentPieces.length;
    yield encoder.encode(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'demo', choices: [], usage: usageOf(chat, tokens) })}\n\n`);
  }
  yield encoder.encode('data: [DONE]\n\n');
}
