import { GatewayError } from '../errors.js';
import type { ChatCompletionChunk, ToolCallDelta } from '../openai/openai-types.js';
import { stringOr } from './json-values.js';

/**
 * Building OpenAI stream chunks from a native provider's stream, shared by the Anthropic,
 * Bedrock and Gemini stream translators.
 */

/** The finish reasons a native provider's answer can end with (OpenAI's, less the legacy `function_call`). */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export type ChunkDelta = ChatCompletionChunk['choices'][number]['delta'];

/** What every chunk of one stream repeats. */
export interface ChunkEnvelope {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** A `chat.completion.chunk`; `extra` adds fields after `choices` (the usage chunk's `usage`). */
export function chatChunk(
  envelope: ChunkEnvelope,
  choices: ChatCompletionChunk['choices'],
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk {
  return { id: envelope.id, object: 'chat.completion.chunk', created: envelope.created, model: envelope.model, choices, ...extra };
}

/** A choice's first delta names the role (`role: "assistant"`), later ones do not. */
export function withAssistantRole(delta: ChunkDelta, roleSent: boolean): ChunkDelta {
  return roleSent ? delta : { role: 'assistant', ...delta };
}

/** The upstream stream ended before the provider said it had finished. */
export function upstreamStreamTruncated(message = 'The upstream provider closed the stream before it finished.'): GatewayError {
  return new GatewayError({ status: 502, message, type: 'api_error', code: 'upstream_stream_truncated' });
}

/**
 * The first delta of a streamed tool call: its index, the provider's id (else one made from the
 * request id and the index) and its name, with no arguments yet.
 */
export function toolCallStart(index: number, id: unknown, name: unknown, requestId: string): ToolCallDelta {
  return { index, id: stringOr(id, `call_${requestId}_${index}`), type: 'function', function: { name: stringOr(name, ''), arguments: '' } };
}
