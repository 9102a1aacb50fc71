/** The finish reasons a native provider's answer can end with (OpenAI's, less the legacy `function_call`). */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';
