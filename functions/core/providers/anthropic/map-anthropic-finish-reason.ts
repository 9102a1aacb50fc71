import type { OpenAIFinishReason } from '../stream-chunks.js';

/**
 * Anthropic's `stop_reason` as OpenAI's `finish_reason`; total, so a stop reason Anthropic adds
 * later still ends the stream with a reason clients know.
 */
export function mapAnthropicFinishReason(stopReason: unknown): OpenAIFinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * The finish reason of a whole answer: a `tool_use` stop whose only tool call was the
 * JSON-response tool (see json-response-tool.ts) is, for the client, a plain answer.
 */
export function finishReasonFor(stopReason: unknown, clientToolCalls: number): OpenAIFinishReason {
  if (stopReason === 'tool_use' && clientToolCalls === 0) return 'stop';
  return mapAnthropicFinishReason(stopReason);
}
