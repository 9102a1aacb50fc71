/**
 * OpenAI chat request → Gemini `generateContent` / `streamGenerateContent?alt=sse` request
 * (https://ai.google.dev/api/generate-content).
 *
 * What Gemini cannot honour — the rule: a parameter is REFUSED (400 invalid_request_error naming it
 * in `param`) only when dropping it would change what the client gets back in a way it cannot see:
 * a non-function tool, a `tool_choice` or `response_format` type Gemini has no counterpart for, a
 * content part Gemini cannot read (an OpenAI `file_id`, a URL that is neither http(s) nor a base64
 * data URL), a tool result whose call cannot be named. Everything else without a Gemini
 * counterpart is DROPPED, because the answer still says what it is: `logprobs`/`top_logprobs`
 * (answers carry `logprobs: null`), `logit_bias`, `parallel_tool_calls` (Gemini decides),
 * `service_tier`, `store`, `metadata`, `user`, `prediction`, `modalities`/`audio`,
 * `web_search_options`, `stream_options` (Gemini's stream always reports usage), function `strict`,
 * an unknown `reasoning_effort`, and any field the gateway does not know. This is the same rule as
 * the Anthropic module's, so a fallback between the two answers alike.
 */
import type { ChatCompletionRequest } from '../../openai/openai-types.js';
import type { ProviderContext, ProviderHttpRequest } from '../provider.js';
import { geminiHeaders, geminiModelUrl } from './gemini-endpoint.js';
import type { GeminiGenerateContentRequest } from './gemini-wire-types.js';
import { toGeminiConversation } from './to-gemini-contents.js';
import { toGeminiGenerationConfig } from './to-gemini-generation-config.js';
import { toGeminiTools } from './to-gemini-tools.js';

export function buildGeminiChatRequest(request: ChatCompletionRequest, context: ProviderContext): ProviderHttpRequest {
  const stream = request.stream === true;
  return {
    method: 'POST',
    url: geminiModelUrl(context.deployment, stream ? 'streamGenerateContent' : 'generateContent'),
    headers: geminiHeaders(context.deployment, stream ? 'text/event-stream' : 'application/json'),
    body: JSON.stringify(toGeminiGenerateContentRequest(request)),
  };
}

/** The request body alone, for tests and for the builder above. */
export function toGeminiGenerateContentRequest(request: ChatCompletionRequest): GeminiGenerateContentRequest {
  const { systemInstruction, contents } = toGeminiConversation(request.messages);
  const generationConfig = toGeminiGenerationConfig(request);
  return {
    contents,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...toGeminiTools(request),
    ...(generationConfig ? { generationConfig } : {}),
  };
}
