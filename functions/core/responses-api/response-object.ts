import type { JsonObject } from '../openai/openai-types.js';
import { isObject } from '../providers/json-values.js';

/** What a Response is built from; time and ids are the caller's, so the translation stays pure. */
export interface ResponseContext {
  /** The Response's `id` (`resp_…`). */
  responseId: string;
  createdAtSeconds: number;
  /** The model as the client named it (the Response echoes it). */
  model: string;
  /** The client's Responses request, whose settings the Response echoes. */
  request: JsonObject;
  /** A fresh id for each output item (message, function_call, reasoning). */
  newItemId: () => string;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/**
 * The fields every Response carries besides its output and usage: the request's settings echoed
 * with OpenAI's defaults, since the schema requires them (`tools`, `tool_choice`, `temperature`, …)
 * and SDKs read them back.
 */
export function responseShell(context: ResponseContext, status: ResponseStatus): JsonObject {
  const request = context.request;
  const shell: JsonObject = {
    id: context.responseId,
    object: 'response',
    created_at: context.createdAtSeconds,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof request['instructions'] === 'string' || Array.isArray(request['instructions']) ? request['instructions'] : null,
    max_output_tokens: typeof request['max_output_tokens'] === 'number' ? request['max_output_tokens'] : null,
    model: context.model,
    output: [],
    parallel_tool_calls: typeof request['parallel_tool_calls'] === 'boolean' ? request['parallel_tool_calls'] : true,
    previous_response_id: typeof request['previous_response_id'] === 'string' ? request['previous_response_id'] : null,
    reasoning: isObject(request['reasoning']) ? request['reasoning'] : { effort: null, summary: null },
    store: typeof request['store'] === 'boolean' ? request['store'] : true,
    temperature: typeof request['temperature'] === 'number' ? request['temperature'] : 1,
    text: isObject(request['text']) && isObject(request['text']['format']) ? request['text'] : { format: { type: 'text' } },
    tool_choice: request['tool_choice'] ?? 'auto',
    tools: Array.isArray(request['tools']) ? request['tools'].map(echoedTool) : [],
    top_p: typeof request['top_p'] === 'number' ? request['top_p'] : 1,
    truncation: request['truncation'] === 'auto' ? 'auto' : 'disabled',
    metadata: isObject(request['metadata']) ? request['metadata'] : {},
  };
  if (typeof request['user'] === 'string') shell['user'] = request['user'];
  if (typeof request['safety_identifier'] === 'string') shell['safety_identifier'] = request['safety_identifier'];
  return shell;
}

/** A function tool as the Response lists it: `strict` and `parameters` are always present there. */
function echoedTool(tool: unknown): unknown {
  if (!isObject(tool) || tool['type'] !== 'function') return tool;
  return { ...tool, parameters: tool['parameters'] ?? null, strict: tool['strict'] ?? null };
}

/** Chat `usage` → the Response's `usage`; the detail counters are 0 when the provider gave none. */
export function responseUsage(usage: unknown): JsonObject | undefined {
  if (!isObject(usage)) return undefined;
  const input = count(usage['prompt_tokens']);
  const output = count(usage['completion_tokens']);
  const promptDetails = isObject(usage['prompt_tokens_details']) ? usage['prompt_tokens_details'] : {};
  const completionDetails = isObject(usage['completion_tokens_details']) ? usage['completion_tokens_details'] : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(promptDetails['cached_tokens']), cache_write_tokens: count(promptDetails['cache_write_tokens']) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(completionDetails['reasoning_tokens']) },
    total_tokens: typeof usage['total_tokens'] === 'number' ? count(usage['total_tokens']) : input + output,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** Chat `finish_reason` → the Response's status and, when incomplete, why. */
export function statusForFinishReason(finishReason: unknown): { status: 'completed' | 'incomplete'; incompleteDetails: JsonObject | null } {
  if (finishReason === 'length') return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}

export function outputTextPart(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}
