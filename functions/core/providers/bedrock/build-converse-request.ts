/**
 * OpenAI chat request → Bedrock Converse / ConverseStream request
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 *
 * What Converse cannot honour — the rule: a field is refused when dropping it would break a
 * promise the client relies on, and dropped when it only tunes sampling or reporting.
 * - Refused (400 invalid_request_error, `param` named): `n` greater than 1 (Converse answers with
 *   one choice, a client that asked for several would silently get fewer); `response_format`
 *   `json_object`/`json_schema` (the client would silently get prose where it parses JSON);
 *   content Converse cannot carry (http(s) image URLs, audio, non-PDF files, non-function tools).
 * - Dropped: `logprobs`/`top_logprobs` (the answer carries `logprobs: null`), `seed`,
 *   `frequency_penalty`, `presence_penalty`, `logit_bias`, `service_tier`, `store`, `metadata`,
 *   `user`, `prediction`, `modalities`/`audio`, `parallel_tool_calls`, a function's `strict`,
 *   `stream_options` (ConverseStream always reports usage), `response_format: text`, and any
 *   field the gateway does not know.
 * - Clamped: `temperature` and `top_p` to 0–1 (Converse's range; OpenAI's temperature goes to 2).
 * - Claude's extended thinking goes in `additionalModelRequestFields.thinking`: Anthropic's own
 *   `thinking` parameter as it came (LiteLLM's convention; an explicit budget is never bucketed),
 *   else `reasoning_effort` low/medium/high with a fixed budget (`minimal`, `none` and unknown
 *   efforts leave it off). Other models get neither (both dropped). Claude refuses thinking with a
 *   forced tool or a changed temperature/top_p, so a `reasoning_effort` is ignored when a tool is
 *   forced (an explicit `thinking` is left for Bedrock to judge), and temperature/top_p are left
 *   out when thinking is on.
 */
import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest, ThinkingConfig } from '../../openai/openai-types.js';
import { claudeThinking, maxTokensWithBudget, thinkingBudgetOf, thinkingIsOn } from '../claude-thinking.js';
import type { ProviderContext, ProviderHttpRequest } from '../provider.js';
import { BEDROCK_SIGNING_SERVICE, bedrockRuntimeUrl, regionOf } from './bedrock-endpoint.js';
import { isObject } from '../json-values.js';
import type { ConverseInferenceConfig, ConverseRequest } from './converse-wire-types.js';
import { hasToolBlocks, toConverseConversation, toolBlocksAsText } from './to-converse-messages.js';
import { toConverseToolConfig } from './to-converse-tools.js';

export { THINKING_BUDGET_TOKENS } from '../claude-thinking.js';
/** Room left for the answer beyond the thinking budget when the client sets no max tokens. */
export const DEFAULT_ANSWER_TOKENS_WITH_THINKING = 4096;

export function buildConverseChatRequest(request: ChatCompletionRequest, context: ProviderContext): ProviderHttpRequest {
  const { deployment } = context;
  const stream = request.stream === true;
  return {
    method: 'POST',
    url: bedrockRuntimeUrl(deployment, stream ? 'converse-stream' : 'converse'),
    headers: {
      'content-type': 'application/json',
      accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
      ...deployment.extraHeaders,
    },
    body: JSON.stringify(toConverseRequest(request, deployment.upstreamModel)),
    signing: { service: BEDROCK_SIGNING_SERVICE, region: regionOf(deployment) },
  };
}

/** The request body alone, for tests and for the builder above. */
export function toConverseRequest(request: ChatCompletionRequest, upstreamModel: string): ConverseRequest {
  refuseWhatCannotBeHonoured(request);
  const conversation = toConverseConversation(request.messages);
  const toolConfig = toConverseToolConfig(request);
  const messages = toolConfig === undefined && hasToolBlocks(conversation.messages) ? toolBlocksAsText(conversation.messages) : conversation.messages;
  const choice = toolConfig?.toolChoice;
  const thinking = claudeThinking(request, choice !== undefined && ('any' in choice || 'tool' in choice));
  const claudeThinks = isAnthropicModel(upstreamModel) ? thinking : undefined;
  const inferenceConfig = toInferenceConfig(request, claudeThinks);
  return {
    messages,
    ...(conversation.system ? { system: conversation.system } : {}),
    ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(claudeThinks !== undefined ? { additionalModelRequestFields: { thinking: claudeThinks } } : {}),
  };
}

/** Claude on Bedrock: `anthropic.claude-…`, a cross-region profile (`us.anthropic.…`) or an ARN naming one. */
export function isAnthropicModel(upstreamModel: string): boolean {
  return /(^|[.:/])anthropic\./.test(upstreamModel);
}

function refuseWhatCannotBeHonoured(request: ChatCompletionRequest): void {
  const n = request['n'];
  if (typeof n === 'number' && n > 1) {
    throw new InvalidRequestError("Invalid value for 'n': this model returns one choice per request; send n = 1 or leave it out.", 'n');
  }
  const responseFormat = request['response_format'];
  const formatType = isObject(responseFormat) ? responseFormat['type'] : undefined;
  if (formatType === 'json_object' || formatType === 'json_schema') {
    throw new InvalidRequestError(
      `Unsupported value for 'response_format': this Bedrock model does not take response_format ${formatType}; describe the JSON in the prompt, or use a tool.`,
      'response_format',
    );
  }
}

function toInferenceConfig(request: ChatCompletionRequest, thinking: ThinkingConfig | undefined): ConverseInferenceConfig {
  const requestedMaxTokens = positiveInteger(request['max_completion_tokens']) ?? positiveInteger(request['max_tokens']);
  const budget = thinkingBudgetOf(thinking);
  // Claude counts thinking inside maxTokens and wants room beyond the budget: the client's allowance is kept for the answer.
  const maxTokens =
    budget === undefined
      ? requestedMaxTokens
      : requestedMaxTokens === undefined
        ? budget + DEFAULT_ANSWER_TOKENS_WITH_THINKING
        : maxTokensWithBudget(requestedMaxTokens, budget);
  const sampled = !thinkingIsOn(thinking);
  const temperature = unitInterval(request['temperature']);
  const topP = unitInterval(request['top_p']);
  const stopSequences = stopSequencesOf(request['stop']);
  return {
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(sampled && temperature !== undefined ? { temperature } : {}),
    ...(sampled && topP !== undefined ? { topP } : {}),
    ...(stopSequences.length > 0 ? { stopSequences } : {}),
  };
}

function stopSequencesOf(stop: unknown): string[] {
  return (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter(
    (sequence): sequence is string => typeof sequence === 'string' && sequence !== '',
  );
}

function unitInterval(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined;
}
