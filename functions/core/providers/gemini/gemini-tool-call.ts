import type { JsonObject, ToolCall } from '../../openai/openai-types.js';

/** A function call Gemini made, complete: its name, arguments and thought signature. */
export interface GeminiCompletedCall {
  name: string;
  args: JsonObject;
  thoughtSignature?: string;
}

/**
 * Gemini's function calls carry no id, and OpenAI clients need one to answer the call: a stable
 * one is made from the request id and the call's position in its choice, so the whole response
 * and the stream of the same answer name a call alike. Choices after the first (n > 1) add
 * their index, so ids stay unique within a response.
 */
export function geminiToolCallId(requestId: string, choiceIndex: number, callIndex: number): string {
  return choiceIndex === 0 ? `call_${requestId}_${callIndex}` : `call_${requestId}_${choiceIndex}_${callIndex}`;
}

/**
 * The OpenAI tool call for a Gemini function call. The thought signature rides along in
 * `extra_content.google.thought_signature` (where Google's own OpenAI-compatible endpoint puts
 * it), so a client that sends the assistant message back returns it (to-gemini-contents.ts).
 */
export function toOpenAIToolCall(call: GeminiCompletedCall, id: string): ToolCall {
  return {
    id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args) },
    ...(call.thoughtSignature !== undefined ? { extra_content: { google: { thought_signature: call.thoughtSignature } } } : {}),
  };
}
