/**
 * The parts of the OpenAI wire format the gateway reads or writes. Deliberately loose:
 * fields the gateway does not touch pass through untyped, so a new OpenAI field never
 * breaks anything.
 */

export type JsonObject = Record<string, unknown>;

export interface ChatMessage extends JsonObject {
  role: string;
  content?: unknown;
}

export interface ChatCompletionRequest extends JsonObject {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } & JsonObject;
}

export interface Usage extends JsonObject {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCall extends JsonObject {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * LiteLLM's `thinking_blocks`: Anthropic's extended thinking as it must be sent back (Claude refuses a
 * thinking + tool loop whose assistant turn lost them). Returned on the assistant message and, in
 * pieces, on stream deltas; accepted on assistant messages in a request.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature?: string } | { type: 'redacted_thinking'; data: string };

/** Anthropic's `thinking` parameter, accepted on chat completions (as LiteLLM does) and sent as is. */
export interface ThinkingConfig extends JsonObject {
  type: string;
  budget_tokens?: number;
}

export interface ChatCompletion extends JsonObject {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<
    JsonObject & {
      index: number;
      message: JsonObject & {
        role: 'assistant';
        content: string | null;
        tool_calls?: ToolCall[];
        reasoning_content?: string;
        thinking_blocks?: ThinkingBlock[];
      };
      finish_reason: string | null;
      logprobs?: unknown;
    }
  >;
  usage?: Usage;
}

export interface ToolCallDelta extends JsonObject {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk extends JsonObject {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<
    JsonObject & {
      index: number;
      delta: JsonObject & {
        role?: 'assistant';
        content?: string | null;
        tool_calls?: ToolCallDelta[];
        reasoning_content?: string;
        /** One piece of a thinking block (its text, or its signature once it arrives), or a whole redacted block. */
        thinking_blocks?: ThinkingBlock[];
      };
      finish_reason: string | null;
      logprobs?: unknown;
    }
  >;
  usage?: Usage | null;
}

export interface EmbeddingRequest extends JsonObject {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

export interface EmbeddingResponse extends JsonObject {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
