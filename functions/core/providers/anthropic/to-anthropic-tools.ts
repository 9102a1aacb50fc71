import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest, JsonObject } from '../../openai/openai-types.js';
import type { AnthropicCacheControl, AnthropicTool, AnthropicToolChoice } from './anthropic-wire-types.js';
import { JSON_RESPONSE_TOOL_NAME, jsonResponseTool } from './json-response-tool.js';
import { isObject } from '../json-values.js';

export interface AnthropicToolSetup {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

/**
 * `tools`, `tool_choice`, `parallel_tool_calls` and a JSON `response_format` as Anthropic's
 * `tools` and `tool_choice`:
 * - auto → auto, none → none (the tools stay, so earlier tool turns remain valid),
 *   required → any, a named function → that tool;
 * - `parallel_tool_calls: false` → `disable_parallel_tool_use: true`;
 * - a JSON response format adds the JSON-response tool (json-response-tool.ts) and makes the model
 *   answer through a tool: that tool alone when the client has no tools (or chose none), any tool
 *   otherwise (the model may still call a client tool, as with OpenAI), the client's named tool
 *   when it named one. The JSON answer is one object, so a forced JSON tool is never called in parallel.
 * - a tool's `cache_control` (LiteLLM's convention: on the tool object, or inside `function`) is
 *   kept as it came, `ttl` included: Anthropic caches the prompt up to the end of that tool.
 */
export function toAnthropicTools(request: ChatCompletionRequest): AnthropicToolSetup {
  const clientTools = clientToolsOf(request['tools']);
  const jsonTool = jsonResponseTool(request['response_format']);
  const tools = jsonTool ? [...clientTools, jsonTool] : clientTools;
  if (tools.length === 0) return {};
  let choice = toolChoiceOf(request['tool_choice']);
  if (jsonTool && choice?.type !== 'tool') {
    choice = clientTools.length === 0 || choice?.type === 'none' ? { type: 'tool', name: JSON_RESPONSE_TOOL_NAME, disable_parallel_tool_use: true } : { type: 'any' };
  }
  if (request['parallel_tool_calls'] === false && choice?.type !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return { tools, ...(choice ? { tool_choice: choice } : {}) };
}

function clientToolsOf(tools: unknown): AnthropicTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new InvalidRequestError("Invalid type for 'tools': expected an array.", 'tools');
  return tools.map((tool: unknown, index) => {
    const path = `tools[${index}]`;
    const fn = isObject(tool) && tool['type'] === 'function' && isObject(tool['function']) ? tool['function'] : undefined;
    const name = fn?.['name'];
    if (typeof name !== 'string' || name === '') {
      throw new InvalidRequestError(`Invalid tool at '${path}': this model accepts function tools with a name.`, path);
    }
    if (name === JSON_RESPONSE_TOOL_NAME) {
      throw new InvalidRequestError(`Invalid tool name at '${path}.function.name': '${JSON_RESPONSE_TOOL_NAME}' is reserved by the gateway.`, `${path}.function.name`);
    }
    const description = fn?.['description'];
    const parameters = fn?.['parameters'];
    return {
      name,
      ...(typeof description === 'string' && description !== '' ? { description } : {}),
      input_schema: isObject(parameters) ? parameters : { type: 'object', properties: {} },
      ...toolCacheControl(tool as JsonObject, fn!),
    };
  });
}

function toolChoiceOf(toolChoice: unknown): AnthropicToolChoice | undefined {
  if (toolChoice === undefined || toolChoice === null) return undefined;
  if (toolChoice === 'auto') return { type: 'auto' };
  if (toolChoice === 'none') return { type: 'none' };
  if (toolChoice === 'required') return { type: 'any' };
  const fn = isObject(toolChoice) && toolChoice['type'] === 'function' && isObject(toolChoice['function']) ? toolChoice['function'] : undefined;
  if (typeof fn?.['name'] === 'string') return { type: 'tool', name: fn['name'] };
  throw new InvalidRequestError(
    "Invalid value for 'tool_choice': expected 'auto', 'none', 'required' or a named function.",
    'tool_choice',
  );
}

/** LiteLLM reads the mark on the tool first, then inside its function; either reaches Anthropic unchanged. */
function toolCacheControl(tool: JsonObject, fn: JsonObject): { cache_control?: AnthropicCacheControl } {
  const cacheControl = isObject(tool['cache_control']) ? tool['cache_control'] : fn['cache_control'];
  return isObject(cacheControl) && cacheControl['type'] === 'ephemeral' ? { cache_control: cacheControl as unknown as AnthropicCacheControl } : {};
}
