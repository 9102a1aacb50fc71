import type { OpenAIFinishReason } from '../stream-chunks.js';

/**
 * Converse's `stopReason` → OpenAI's `finish_reason`; total, so a stop reason Bedrock adds
 * later still ends the choice (as `stop`). Values: API_runtime_MessageStopEvent.html.
 * `malformed_model_output`/`malformed_tool_use` have no OpenAI counterpart: the model
 * stopped, what it produced is passed on, hence `stop`.
 */
export function mapBedrockStopReason(stopReason: unknown): OpenAIFinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}
