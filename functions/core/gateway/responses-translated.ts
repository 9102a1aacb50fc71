import { rewriteChatStream } from './rewrite-chat-stream.js';
import type { ChatCompletionRequest, JsonObject } from '../openai/openai-types.js';
import { validateChatRequest } from '../openai/validate-request.js';
import { chatCompletionToResponse } from '../responses-api/chat-to-response.js';
import { createResponseStreamWriter, type ResponseStreamWriter } from '../responses-api/response-stream-writer.js';
import { responsesRequestToChat } from '../responses-api/responses-to-chat.js';
import { complete, startStream, type AttemptTarget } from './chat-completions.js';
import type { GatewayContext, RequestContext } from './gateway-context.js';
import type { ResponsesServed, StoredParts } from './responses-native.js';
import { completionUsage, rejectedUsageLogger } from './usage-observer.js';

export interface TranslatedResponseAttempt {
  /** The client's Responses body as sent (routing fields out, `max_output_tokens` clamped). */
  readonly body: JsonObject;
  /** The stored conversation before this request (oldest first), from `previous_response_id`. */
  readonly history: readonly JsonObject[];
  readonly target: AttemptTarget;
  readonly promptEstimate: () => number;
  readonly responseId: string;
  readonly newItemId: () => string;
  readonly createdAtSeconds: number;
  /** The public model name the client asked for (the Response echoes it). */
  readonly model: string;
  /** Told once the Response is complete, with what a stored record keeps. */
  readonly onCompleted: (responseId: string, parts: StoredParts) => void;
}

/**
 * An attempt at a deployment that does not speak the Responses API: the request translated to a
 * chat request (refusing with a 400 what chat cannot carry), the chat pipeline's attempt, and its
 * answer written as a Response or as the Responses API's semantic events.
 */
export async function translatedResponseAttempt(gateway: GatewayContext, request: RequestContext, attempt: TranslatedResponseAttempt): Promise<ResponsesServed> {
  const { chat: translated, inputItems } = responsesRequestToChat(attempt.body, attempt.history);
  const stream = attempt.body['stream'] === true;
  const chat = validateChatRequest({ ...translated, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) } as JsonObject) as ChatCompletionRequest;
  const context = { responseId: attempt.responseId, createdAtSeconds: attempt.createdAtSeconds, model: attempt.model, request: attempt.body, newItemId: attempt.newItemId };
  const partsOf = (response: JsonObject): StoredParts => {
    // input_items pages by item id (`after`, first_id, last_id): every stored item has one, as at OpenAI.
    const identified = inputItems.map((item) => (typeof item['id'] === 'string' ? item : { ...item, id: `item_${attempt.newItemId()}` }));
    return { conversation: [...attempt.history, ...identified, ...outputItems(response)], inputItems: identified, response };
  };
  if (stream) {
    const served = await startStream(gateway, request, chat, attempt.target, attempt.promptEstimate);
    if (served.kind !== 'stream') throw new Error('a streaming attempt answered whole');
    const writer = createResponseStreamWriter(context);
    const onDone = (response: JsonObject) => {
      if (response['status'] !== 'failed') attempt.onCompleted(attempt.responseId, partsOf(response));
    };
    return { kind: 'stream', headers: served.headers, usage: served.usage, body: toResponseEvents(served.body, writer, onDone) };
  }
  const served = await complete(gateway, request, chat, attempt.target);
  if (served.kind !== 'json') throw new Error('a whole attempt answered as a stream');
  const usage = completionUsage(served.completion, attempt.promptEstimate, rejectedUsageLogger(gateway, request, attempt.target.deployment));
  const response = chatCompletionToResponse(served.completion, context);
  attempt.onCompleted(attempt.responseId, partsOf(response));
  return { kind: 'json', headers: served.headers, usage, text: JSON.stringify(response) };
}

function outputItems(response: JsonObject): JsonObject[] {
  const output = response['output'];
  return Array.isArray(output) ? (output as JsonObject[]) : [];
}

/**
 * The chat pipeline's stream written as the Responses API's events: `[DONE]` closes the Response
 * (then stored), an error event from the pipeline becomes `response.failed`.
 */
function toResponseEvents(chatStream: AsyncIterable<string>, writer: ResponseStreamWriter, onDone: (response: JsonObject) => void): AsyncIterable<string> {
  return rewriteChatStream(chatStream, {
    push: (chunk) => writer.push(chunk),
    end: () => {
      const closing = writer.end();
      onDone(writer.response());
      return closing;
    },
    fail: (error) => writer.fail(error),
  });
}
