import type { ChatCompletion, JsonObject } from '../openai/openai-types.js';
import type { AnthropicContentBlock, AnthropicMessage } from './anthropic-types.js';
import { anthropicStopOf, matchedStopSequenceOf } from './map-finish-reason.js';
import { anthropicUsageOf } from './map-usage.js';

/**
 * A whole OpenAI chat completion → an Anthropic message (`POST /v1/messages`, not
 * streaming). Only the first choice is used: Anthropic has no `n`. `model` is the name
 * the client asked for, as Anthropic echoes it. Content keeps Anthropic's order:
 * thinking (from `reasoning_content`/`reasoning`), text, then one `tool_use` per call.
 */
export function openAIToAnthropicMessage(completion: ChatCompletion, requestedModel: string): AnthropicMessage {
  const choice = completion.choices[0];
  const message: JsonObject = choice?.message ?? {};
  const content: AnthropicContentBlock[] = [];

  const reasoning = reasoningTextOf(message);
  if (reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const text = typeof message['content'] === 'string' ? message['content'] : '';
  if (text !== '') content.push({ type: 'text', text });
  // OpenAI's structured refusal has no Anthropic field: it is the text of a `refusal` turn.
  const refusal = typeof message['refusal'] === 'string' ? message['refusal'] : '';
  if (refusal !== '') content.push({ type: 'text', text: refusal });
  const toolCalls = choice?.message.tool_calls ?? [];
  for (const toolCall of toolCalls) {
    content.push({ type: 'tool_use', id: toolCall.id, name: toolCall.function.name, input: parseToolInput(toolCall.function.arguments) });
  }

  const stop = anthropicStopOf(refusal !== '' ? 'content_filter' : choice?.finish_reason, {
    hasToolCalls: toolCalls.length > 0,
    matchedStopSequence: choice ? matchedStopSequenceOf(choice) : undefined,
  });
  return {
    id: anthropicMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: stop.stop_reason,
    stop_sequence: stop.stop_sequence,
    usage: anthropicUsageOf(completion.usage),
  };
}

/**
 * `msg_` + the completion id without OpenAI's `chatcmpl-` prefix, reduced to the
 * characters Anthropic ids use (`chatcmpl-abc-1` → `msg_abc1`). Stable: the same
 * completion always gets the same id.
 */
export function anthropicMessageId(completionId: string): string {
  if (completionId.startsWith('msg_')) return completionId;
  const core = completionId.replace(/^chatcmpl-/, '').replace(/[^A-Za-z0-9_]/g, '');
  return `msg_${core === '' ? 'gateway' : core}`;
}

/** DeepSeek and the gateway send `reasoning_content`; vLLM, Groq and OpenRouter send `reasoning`. */
export function reasoningTextOf(messageOrDelta: JsonObject): string {
  for (const field of ['reasoning_content', 'reasoning']) {
    const value = messageOrDelta[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

/**
 * Tool arguments are a JSON string in OpenAI and an object in Anthropic. No arguments
 * (`""`) is `{}`, as Anthropic sends for a tool without parameters. Arguments that are
 * not a JSON object (a model's malformed output) also become `{}`: Anthropic's `input`
 * cannot carry anything else.
 */
export function parseToolInput(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
