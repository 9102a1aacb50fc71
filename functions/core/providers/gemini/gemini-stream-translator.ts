import type { ChatCompletionChunk, JsonObject, ToolCallDelta, Usage } from '../../openai/openai-types.js';
import type { SseEvent } from '../../streaming/sse-decoder.js';
import type { ChatStreamTranslator, ProviderContext } from '../provider.js';
import { geminiToolCallId, toOpenAIToolCall, type GeminiCompletedCall } from './gemini-tool-call.js';
import { arrayOr, badUpstreamResponse, finiteNumber, isObject, nonEmptyString, parseJson } from '../json-values.js';
import { geminiInBandError } from './map-gemini-error.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';
import { chatChunk, upstreamStreamTruncated, withAssistantRole, type ChunkDelta, type OpenAIFinishReason } from '../stream-chunks.js';
import { mapGeminiUsage } from './map-gemini-usage.js';
import { readGeminiParts } from './read-gemini-parts.js';
import { createFunctionCallCollector, type FunctionCallCollector } from './streamed-function-call.js';

interface ChoiceState {
  readonly index: number;
  readonly collector: FunctionCallCollector;
  roleSent: boolean;
  callCount: number;
  finished: boolean;
}

/**
 * Gemini's `streamGenerateContent?alt=sse` → OpenAI chunks. Each SSE `data:` is a whole
 * `GenerateContentResponse` holding that moment's new parts, per candidate:
 * - a choice's first chunk names the role; text parts become `content` deltas, thought parts
 *   `reasoning_content` deltas;
 * - each function call becomes one tool call with its own 0-based index in its choice (parallel
 *   calls in separate events get distinct indexes), the id/name and its whole arguments in one
 *   delta — a call streamed in pieces is assembled first (streamed-function-call.ts);
 * - a candidate's `finishReason` gives its one finish_reason chunk; once every candidate has
 *   finished and usage has been seen, one usage chunk (`choices: []`) from the latest
 *   `usageMetadata` follows and the stream is `finished`;
 * - Gemini sends no `[DONE]`: `end()` closes what the stream left open (an unclosed call, a
 *   missing finish_reason, the usage chunk); a stream with no event at all is an error;
 * - `data: {"error":{…}}` throws the error as a GatewayError.
 */
export function createGeminiStreamTranslator(context: ProviderContext): ChatStreamTranslator {
  const id = `chatcmpl-${context.requestId}`;
  const choices = new Map<number, ChoiceState>();
  let model: string | undefined;
  let usage: Usage | undefined;
  let usageSent = false;
  let sawEvent = false;

  const chunk = (entries: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk =>
    chatChunk({ id, created: context.nowSeconds, model: model ?? context.deployment.upstreamModel }, entries, extra);
  const stateFor = (index: number): ChoiceState => {
    let state = choices.get(index);
    if (!state) {
      state = { index, collector: createFunctionCallCollector(), roleSent: false, callCount: 0, finished: false };
      choices.set(index, state);
    }
    return state;
  };
  const choiceChunk = (state: ChoiceState, delta: ChunkDelta, finishReason: OpenAIFinishReason | null): ChatCompletionChunk => {
    const withRole = withAssistantRole(delta, state.roleSent);
    state.roleSent = true;
    return chunk([{ index: state.index, delta: withRole, finish_reason: finishReason }]);
  };
  const toolCallDeltas = (state: ChoiceState, calls: readonly GeminiCompletedCall[]): ToolCallDelta[] =>
    calls.map((call) => {
      const index = state.callCount++;
      return { index, ...toOpenAIToolCall(call, geminiToolCallId(context.requestId, state.index, index)) };
    });
  const finish = (state: ChoiceState, reason: OpenAIFinishReason): ChatCompletionChunk[] => {
    if (state.finished) return [];
    state.finished = true;
    return [choiceChunk(state, {}, reason)];
  };
  const usageChunk = (): ChatCompletionChunk[] => {
    if (usageSent || !usage) return [];
    usageSent = true;
    return [chunk([], { usage })];
  };
  const allFinished = (): boolean => choices.size > 0 && [...choices.values()].every((state) => state.finished);

  const translateCandidate = (candidate: JsonObject, position: number): ChatCompletionChunk[] => {
    const state = stateFor(finiteNumber(candidate['index']) ?? position);
    if (state.finished) return [];
    const reading = readGeminiParts(candidate['content'], state.collector);
    const finishReason = candidate['finishReason'];
    const calls = finishReason !== undefined && finishReason !== null ? [...reading.calls, ...state.collector.flush()] : reading.calls;
    const delta: ChunkDelta = {
      ...(reading.reasoning ? { reasoning_content: reading.reasoning } : {}),
      ...(reading.text ? { content: reading.text } : {}),
      ...(calls.length > 0 ? { tool_calls: toolCallDeltas(state, calls) } : {}),
    };
    const chunks = Object.keys(delta).length > 0 ? [choiceChunk(state, delta, null)] : [];
    if (finishReason !== undefined && finishReason !== null) chunks.push(...finish(state, mapGeminiFinishReason(finishReason, state.callCount > 0)));
    return chunks;
  };

  return {
    get finished() {
      return usageSent;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      const payload = parseJson(event.data);
      if (!isObject(payload)) throw badUpstreamResponse('a stream event');
      if (payload['error'] !== undefined) throw geminiInBandError(payload['error']);
      // The model is fixed by the first event, so every chunk of the stream names the same one.
      if (!sawEvent) model = nonEmptyString(payload['modelVersion']) ?? context.deployment.upstreamModel;
      sawEvent = true;
      usage = mapGeminiUsage(payload['usageMetadata']) ?? usage;
      const candidates = arrayOr(payload['candidates']).filter(isObject);
      const chunks = candidates.flatMap(translateCandidate);
      // A blocked prompt gets no candidates, only promptFeedback.blockReason.
      const promptFeedback = payload['promptFeedback'];
      if (candidates.length === 0 && isObject(promptFeedback) && promptFeedback['blockReason'] !== undefined) {
        chunks.push(...finish(stateFor(0), 'content_filter'));
      }
      if (allFinished()) chunks.push(...usageChunk());
      return chunks;
    },
    end(): ChatCompletionChunk[] {
      if (!sawEvent) throw upstreamStreamTruncated('The upstream provider closed the stream before sending anything.');
      if (choices.size === 0) stateFor(0);
      const chunks: ChatCompletionChunk[] = [];
      for (const state of [...choices.values()].sort((left, right) => left.index - right.index)) {
        if (state.finished) continue;
        const calls = state.collector.flush();
        if (calls.length > 0) chunks.push(choiceChunk(state, { tool_calls: toolCallDeltas(state, calls) }, null));
        chunks.push(...finish(state, state.callCount > 0 ? 'tool_calls' : 'stop'));
      }
      chunks.push(...usageChunk());
      return chunks;
    },
  };
}
