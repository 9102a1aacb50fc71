import type { ChatCompletion, JsonObject } from '../../openai/openai-types.js';
import type { ProviderContext } from '../provider.js';
import { geminiToolCallId, toOpenAIToolCall } from './gemini-tool-call.js';
import { arrayOr, badUpstreamResponse, finiteNumber, isObject, nonEmptyString } from '../json-values.js';
import { geminiInBandError } from './map-gemini-error.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';
import { mapGeminiUsage } from './map-gemini-usage.js';
import { readGeminiParts } from './read-gemini-parts.js';
import { createFunctionCallCollector } from './streamed-function-call.js';

type Choice = ChatCompletion['choices'][number];

/**
 * A whole `GenerateContentResponse` → an OpenAI chat completion: one choice per candidate (n > 1
 * gives several), text parts joined as `content` (null when there are none), thought parts as
 * `reasoning_content`, function calls as `tool_calls` with ids made from the request id
 * (gemini-tool-call.ts), `refusal` and `logprobs` null. A prompt Gemini blocked has no candidates
 * (`promptFeedback.blockReason`): one empty choice with finish_reason `content_filter`. The id is
 * `chatcmpl-<requestId>` (Gemini's responseId is not an OpenAI id), the model Gemini's
 * `modelVersion` or else the deployment's model, `created` the context's time.
 */
export function parseGeminiChatResponse(body: unknown, context: ProviderContext): ChatCompletion {
  if (!isObject(body)) throw badUpstreamResponse('a chat response');
  if (body['error'] !== undefined) throw geminiInBandError(body['error']);
  const candidates = arrayOr(body['candidates']).filter(isObject);
  const choices = candidates.length > 0 ? candidates.map((candidate, position) => toChoice(candidate, position, context.requestId)) : [blockedChoice(body)];
  const usage = mapGeminiUsage(body['usageMetadata']);
  return {
    id: `chatcmpl-${context.requestId}`,
    object: 'chat.completion',
    created: context.nowSeconds,
    model: nonEmptyString(body['modelVersion']) ?? context.deployment.upstreamModel,
    choices: choices.sort((left, right) => left.index - right.index),
    ...(usage ? { usage } : {}),
  };
}

function toChoice(candidate: JsonObject, position: number, requestId: string): Choice {
  const index = finiteNumber(candidate['index']) ?? position;
  const collector = createFunctionCallCollector();
  const reading = readGeminiParts(candidate['content'], collector);
  const calls = [...reading.calls, ...collector.flush()];
  const toolCalls = calls.map((call, callIndex) => toOpenAIToolCall(call, geminiToolCallId(requestId, index, callIndex)));
  return {
    index,
    message: {
      role: 'assistant',
      content: reading.text ?? null,
      refusal: null,
      ...(reading.reasoning !== undefined ? { reasoning_content: reading.reasoning } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    logprobs: null,
    finish_reason: mapGeminiFinishReason(candidate['finishReason'], toolCalls.length > 0),
  };
}

function blockedChoice(body: JsonObject): Choice {
  const blocked = isObject(body['promptFeedback']) && body['promptFeedback']['blockReason'] !== undefined;
  return {
    index: 0,
    message: { role: 'assistant', content: null, refusal: null },
    logprobs: null,
    finish_reason: blocked ? 'content_filter' : 'stop',
  };
}
