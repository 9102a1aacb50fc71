import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/openai-types.js';
import type { GeminiFunctionDeclaration, GeminiGenerateContentRequest, GeminiToolConfig } from './gemini-wire-types.js';
import { isObject, nonEmptyString } from '../json-values.js';
import { isEmptyObjectSchema, reduceJsonSchema } from './reduce-json-schema.js';

/**
 * OpenAI `tools` → `tools: [{ functionDeclarations }]` (parameters reduced to Gemini's schema
 * subset; `strict` has no counterpart and is dropped), `tool_choice` → `toolConfig`:
 * auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to that name.
 * Only function tools exist in Gemini's function calling: other tool types are refused (400),
 * as is a `tool_choice` shape Gemini cannot express.
 */
export function toGeminiTools(request: ChatCompletionRequest): Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'> {
  const tools = request['tools'];
  if (!Array.isArray(tools) || tools.length === 0) return {};
  const functionDeclarations = tools.map((tool: unknown, index) => functionDeclaration(tool, `tools[${index}]`));
  const toolConfig = toGeminiToolConfig(request['tool_choice']);
  return { tools: [{ functionDeclarations }], ...(toolConfig ? { toolConfig } : {}) };
}

function functionDeclaration(tool: unknown, path: string): GeminiFunctionDeclaration {
  const fields = isObject(tool) ? tool : {};
  if (fields['type'] !== undefined && fields['type'] !== 'function') {
    throw new InvalidRequestError(`Invalid value for '${path}.type': Gemini supports only function tools.`, `${path}.type`);
  }
  const fn = isObject(fields['function']) ? fields['function'] : {};
  const name = nonEmptyString(fn['name']);
  if (name === undefined) throw new InvalidRequestError(`Missing required parameter: '${path}.function.name'.`, `${path}.function.name`);
  const description = nonEmptyString(fn['description']);
  const parameters = fn['parameters'] === undefined ? undefined : reduceJsonSchema(fn['parameters']);
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    // Gemini refuses an OBJECT schema without properties: a function without parameters sends none.
    ...(parameters !== undefined && !isEmptyObjectSchema(parameters) ? { parameters } : {}),
  };
}

export function toGeminiToolConfig(toolChoice: unknown): GeminiToolConfig | undefined {
  if (toolChoice === undefined || toolChoice === null) return undefined;
  if (toolChoice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (toolChoice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (toolChoice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const fn = isObject(toolChoice) && toolChoice['type'] === 'function' && isObject(toolChoice['function']) ? toolChoice['function'] : undefined;
  const name = fn ? nonEmptyString(fn['name']) : undefined;
  if (name !== undefined) return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  throw new InvalidRequestError(
    "Invalid value for 'tool_choice': Gemini takes \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}.",
    'tool_choice',
  );
}
