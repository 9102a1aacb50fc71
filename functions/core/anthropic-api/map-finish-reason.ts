import type { JsonObject } from '../openai/openai-types.js';
import type { AnthropicStopReason } from './anthropic-types.js';

export interface AnthropicStop {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. Total: anything unknown (or a stream
 * that never said) is `end_turn`. OpenAI does not say which stop sequence ended the
 * text; when the server does (`matchedStopSequence`), the reason is `stop_sequence`.
 * Some servers answer `stop` although the turn ends in tool calls: a turn with tool
 * calls is `tool_use` whenever it ended normally.
 */
export function anthropicStopOf(
  finishReason: string | null | undefined,
  turn: { hasToolCalls: boolean; matchedStopSequence?: string | undefined },
): AnthropicStop {
  switch (finishReason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    default:
      if (turn.hasToolCalls) return { stop_reason: 'tool_use', stop_sequence: null };
      if (turn.matchedStopSequence !== undefined) return { stop_reason: 'stop_sequence', stop_sequence: turn.matchedStopSequence };
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}

/**
 * The stop string that ended a choice, where the server names it: vLLM puts it in
 * `stop_reason` (a number there is a stop token id, not a sequence), SGLang in
 * `matched_stop`. OpenAI itself never says.
 */
export function matchedStopSequenceOf(choice: JsonObject): string | undefined {
  for (const field of ['stop_reason', 'matched_stop']) {
    const value = choice[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
