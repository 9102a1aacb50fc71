import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/openai-types.js';
import { isObject } from '../json-values.js';
import type { ConverseCachePointBlock, ConverseToolChoice, ConverseToolConfig, ConverseToolSpec } from './converse-wire-types.js';
import { cachePointFor } from './to-converse-messages.js';

/** The schema sent for a function that declares no parameters (Converse requires one). */
const NO_PARAMETERS = { type: 'object', properties: {} };

/**
 * OpenAI's `tools`/`tool_choice` as Converse's `toolConfig`:
 * `auto` → `{auto:{}}`, `required` → `{any:{}}`, a named function → `{tool:{name}}`, no choice →
 * no `toolChoice` (Bedrock's default is auto). Converse has no "none": `none` sends no
 * `toolConfig` at all, so the model cannot call anything. A function's `strict` is dropped. A tool
 * carrying `cache_control` is followed by a `cachePoint` entry (prompt caching up to that tool).
 * Bedrock itself refuses `any`/`tool` for models that only support `auto`.
 */
export function toConverseToolConfig(request: ChatCompletionRequest): ConverseToolConfig | undefined {
  const tools = request['tools'];
  const toolChoice = request['tool_choice'];
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new InvalidRequestError("Invalid type for 'tools': expected an array of tools.", 'tools');
  if (tools.length === 0 || toolChoice === 'none') return undefined;
  const choice = toConverseToolChoice(toolChoice);
  return { tools: tools.flatMap((tool: unknown, index) => [toToolSpec(tool, index), ...cachePointAfter(tool)]), ...(choice ? { toolChoice: choice } : {}) };
}

/** LiteLLM's `cache_control` on a tool (or inside its function) → a `cachePoint` entry right after it. */
function cachePointAfter(tool: unknown): ConverseCachePointBlock[] {
  if (!isObject(tool)) return [];
  const fn = isObject(tool['function']) ? tool['function'] : {};
  return cachePointFor(isObject(tool['cache_control']) ? tool['cache_control'] : fn['cache_control']);
}

function toToolSpec(tool: unknown, index: number): ConverseToolSpec {
  const path = `tools[${index}]`;
  const definition = isObject(tool) && tool['type'] === 'function' && isObject(tool['function']) ? tool['function'] : undefined;
  if (!definition || typeof definition['name'] !== 'string' || definition['name'] === '') {
    throw new InvalidRequestError(`Invalid tool at '${path}': this model accepts function tools with a name.`, path);
  }
  const description = definition['description'];
  return {
    toolSpec: {
      name: definition['name'],
      ...(typeof description === 'string' && description !== '' ? { description } : {}),
      inputSchema: { json: isObject(definition['parameters']) ? definition['parameters'] : NO_PARAMETERS },
    },
  };
}

function toConverseToolChoice(toolChoice: unknown): ConverseToolChoice | undefined {
  if (toolChoice === undefined || toolChoice === null) return undefined;
  if (toolChoice === 'auto') return { auto: {} };
  if (toolChoice === 'required') return { any: {} };
  const named = isObject(toolChoice) && toolChoice['type'] === 'function' && isObject(toolChoice['function']) ? toolChoice['function'] : undefined;
  if (named && typeof named['name'] === 'string' && named['name'] !== '') return { tool: { name: named['name'] } };
  throw new InvalidRequestError(
    "Invalid value for 'tool_choice': this model accepts 'none', 'auto', 'required' or a named function.",
    'tool_choice',
  );
}
