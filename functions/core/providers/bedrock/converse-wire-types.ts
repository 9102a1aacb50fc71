/**
 * The parts of Bedrock's Converse / ConverseStream wire format the gateway writes
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 * Responses are read field by field from untyped JSON (parse-converse-response.ts,
 * converse-stream-translator.ts), so a new Bedrock field never breaks anything.
 */

/** Marks the end of a cacheable prefix (prompt caching), placed after the block it closes. */
export interface ConverseCachePointBlock {
  /** `ttl` (`5m` or `1h`) from the client's `cache_control.ttl`; Bedrock's default is 5 minutes. */
  cachePoint: { type: 'default'; ttl?: string };
}

/** Extended thinking of an earlier assistant turn (Claude), sent back with its signature unchanged. */
export interface ConverseReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

export interface ConverseTextBlock {
  text: string;
}

export type ConverseImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** Over the REST API `bytes` is the image base64-encoded (the SDKs take raw bytes and encode them). */
export interface ConverseImageBlock {
  image: { format: ConverseImageFormat; source: { bytes: string } };
}

export interface ConverseDocumentBlock {
  document: { format: 'pdf'; name: string; source: { bytes: string } };
}

export interface ConverseToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export interface ConverseToolResultBlock {
  toolResult: { toolUseId: string; content: ConverseTextBlock[] };
}

export type ConverseSystemBlock = ConverseTextBlock | ConverseCachePointBlock;

export type ConverseContentBlock =
  | ConverseReasoningBlock
  | ConverseTextBlock
  | ConverseImageBlock
  | ConverseDocumentBlock
  | ConverseToolUseBlock
  | ConverseToolResultBlock
  | ConverseCachePointBlock;

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export interface ConverseToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } };
}

export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseToolConfig {
  /** Each tool, a `cachePoint` after a tool the client marked with `cache_control`. */
  tools: Array<ConverseToolSpec | ConverseCachePointBlock>;
  toolChoice?: ConverseToolChoice;
}

export interface ConverseInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: ConverseSystemBlock[];
  inferenceConfig?: ConverseInferenceConfig;
  toolConfig?: ConverseToolConfig;
  additionalModelRequestFields?: Record<string, unknown>;
}
