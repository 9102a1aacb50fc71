import type { OpenAIFinishReason } from '../stream-chunks.js';

const CONTENT_FILTER_REASONS: ReadonlySet<string> = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/**
 * Gemini's `finishReason` → OpenAI's, total: STOP is `tool_calls` when the candidate called a
 * function (Gemini says STOP either way: google-tool-call.json), MAX_TOKENS is `length`, the
 * safety and policy stops are `content_filter`, and anything else (OTHER, LANGUAGE,
 * MALFORMED_FUNCTION_CALL, a reason added later…) is `stop`.
 */
export function mapGeminiFinishReason(reason: unknown, calledFunctions: boolean): OpenAIFinishReason {
  if (reason === 'STOP') return calledFunctions ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return 'stop';
}
