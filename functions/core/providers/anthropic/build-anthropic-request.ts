/**
 * OpenAI chat request → Anthropic Messages API request (https://docs.anthropic.com/en/api/messages).
 *
 * What Anthropic cannot honour — the rule:
 * - `n` greater than 1 is refused (400 invalid_request_error, param `n`): Anthropic answers with one
 *   choice, and a client that asked for several would silently get fewer.
 * - Everything else without an Anthropic counterpart is dropped, because it changes how an answer is
 *   sampled or reported, not what the client can rely on: `logprobs`/`top_logprobs` (the answer carries
 *   `logprobs: null`), `seed`, `frequency_penalty`, `presence_penalty`, `logit_bias`, `service_tier`,
 *   `store`, OpenAI's `metadata`, `prediction`, `modalities`/`audio`, `stream_options` (Anthropic's
 *   stream always reports usage), and any field the gateway does not know.
 * - `temperature` above 1 is clamped to 1 (Anthropic's range is 0–1, OpenAI's 0–2).
 * - `response_format` json_object / json_schema is a forced tool (json-response-tool.ts), not a
 *   prompt instruction: Anthropic then guarantees JSON shaped by the schema.
 * - Anthropic's own `thinking` parameter (LiteLLM's convention) is sent as it came: enabled with its
 *   `budget_tokens` (never bucketed), adaptive, or disabled. Without it, `reasoning_effort`
 *   low/medium/high turns on extended thinking with a fixed budget (`minimal`, `none` and unknown
 *   efforts leave it off). Anthropic refuses thinking together with a forced tool or a changed
 *   temperature/top_p, so a `reasoning_effort` is ignored when a tool is forced (an explicit
 *   `thinking` is left for Anthropic to judge), and temperature/top_p are left out when thinking is on.
 * - `cache_control` marks on system parts, content parts and tools are kept, `ttl` included.
 */
import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/openai-types.js';
import { trimTrailingSlash } from '../openai-compatible/openai-compatible-provider.js';
import type { ProviderContext, ProviderHttpRequest } from '../provider.js';
import { claudeThinking, maxTokensWithBudget, thinkingBudgetOf, thinkingIsOn } from '../claude-thinking.js';
import type { AnthropicMessagesRequest } from './anthropic-wire-types.js';
import { toAnthropicConversation } from './to-anthropic-messages.js';
import { toAnthropicTools } from './to-anthropic-tools.js';

export const DEFAULT_ANTHROPIC_API_BASE = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires `max_tokens`; sent when the client sets neither `max_completion_tokens` nor `max_tokens`. */
export const DEFAULT_MAX_TOKENS = 4096;
export { THINKING_BUDGET_TOKENS } from '../claude-thinking.js';

/** `${api_base}/v1/messages`, whether or not `api_base` already ends in `/v1`. */
export function anthropicMessagesUrl(apiBase: string | undefined): string {
  const base = trimTrailingSlash(apiBase ?? DEFAULT_ANTHROPIC_API_BASE);
  return base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
}

export function buildAnthropicChatRequest(request: ChatCompletionRequest, context: ProviderContext): ProviderHttpRequest {
  const { deployment } = context;
  return {
    method: 'POST',
    url: anthropicMessagesUrl(deployment.apiBase),
    headers: {
      'content-type': 'application/json',
      accept: request.stream === true ? 'text/event-stream' : 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      // After the version so a deployment can pin another version or add `anthropic-beta`; before the key so it cannot replace it.
      ...deployment.extraHeaders,
      ...(deployment.apiKey ? { 'x-api-key': deployment.apiKey } : {}),
    },
    body: JSON.stringify(toAnthropicMessagesRequest(request, deployment.upstreamModel)),
  };
}

/** The request body alone, for tests and for the builder above. */
export function toAnthropicMessagesRequest(request: ChatCompletionRequest, upstreamModel: string): AnthropicMessagesRequest {
  const n = request['n'];
  if (typeof n === 'number' && n > 1) {
    throw new InvalidRequestError("Invalid value for 'n': this model returns one choice per request; send n = 1 or leave it out.", 'n');
  }
  const { system, messages } = toAnthropicConversation(request.messages);
  const toolSetup = toAnthropicTools(request);
  const choice = toolSetup.tool_choice?.type;
  const thinking = claudeThinking(request, choice === 'any' || choice === 'tool');
  const requestedMaxTokens = positiveNumber(request['max_completion_tokens']) ?? positiveNumber(request['max_tokens']);
  const user = request['user'];
  return {
    model: upstreamModel,
    ...(system !== undefined ? { system } : {}),
    messages,
    max_tokens: maxTokensWithBudget(requestedMaxTokens ?? DEFAULT_MAX_TOKENS, thinkingBudgetOf(thinking)),
    ...stopSequences(request['stop']),
    ...(thinkingIsOn(thinking) ? {} : sampling(request)),
    ...toolSetup,
    ...(typeof user === 'string' && user !== '' ? { metadata: { user_id: user } } : {}),
    ...(thinking !== undefined ? { thinking } : {}),
    ...(typeof request.stream === 'boolean' ? { stream: request.stream } : {}),
  };
}

function sampling(request: ChatCompletionRequest): Pick<AnthropicMessagesRequest, 'temperature' | 'top_p'> {
  const temperature = request['temperature'];
  const topP = request['top_p'];
  return {
    ...(typeof temperature === 'number' ? { temperature: Math.min(Math.max(temperature, 0), 1) } : {}),
    ...(typeof topP === 'number' ? { top_p: topP } : {}),
  };
}

function stopSequences(stop: unknown): Pick<AnthropicMessagesRequest, 'stop_sequences'> {
  const sequences = (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter(
    (sequence): sequence is string => typeof sequence === 'string' && sequence !== '',
  );
  return sequences.length > 0 ? { stop_sequences: sequences } : {};
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
