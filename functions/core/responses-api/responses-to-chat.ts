import { InvalidRequestError } from '../errors.js';
import type { ChatCompletionRequest, ChatMessage, JsonObject } from '../openai/openai-types.js';
import { inputItemsToMessages, normaliseInputItems } from './input-items-to-messages.js';
import { isObject } from '../providers/json-values.js';
import { invalidType } from './responses-json.js';

/**
 * Fields of a Responses request that chat completions cannot honour at all; refused rather
 * than silently ignored, since the client would get an answer it did not ask for.
 */
const REFUSED_FIELDS: Readonly<Record<string, string>> = {
  background: 'background responses are not supported for this model',
  conversation: 'the Conversations API is not supported; use previous_response_id',
  prompt: 'stored prompt templates are not supported for this model',
};

/**
 * A Responses request (already validated as a JSON object) + the items of the stored
 * conversation before it (oldest first; [] without previous_response_id) → a chat request for
 * the chat pipeline, and this request's own input items normalised (for storage and
 * input_items). Throws InvalidRequestError (400, naming the field) for what chat cannot carry
 * (built-in tools such as web_search/file_search/computer_use/code_interpreter, custom tools, …).
 *
 * `store`, `previous_response_id`, `include` and `truncation` are the route's business and never
 * reach the chat request; `metadata` is echoed on the Response, never sent upstream.
 */
export function responsesRequestToChat(body: JsonObject, history: readonly JsonObject[]): { chat: ChatCompletionRequest; inputItems: JsonObject[] } {
  const model = body['model'];
  if (model === undefined || model === null) throw new InvalidRequestError("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof model !== 'string' || model === '') throw invalidType('model', 'a non-empty string');
  for (const [field, reason] of Object.entries(REFUSED_FIELDS)) {
    const value = body[field];
    if (value !== undefined && value !== null && value !== false) throw new InvalidRequestError(`Unsupported parameter '${field}': ${reason}.`, field, 'unsupported_parameter');
  }

  const inputItems = normaliseInputItems(body['input']);
  const historyMessages = inputItemsToMessages(history, 'previous_response_id');
  const messages: ChatMessage[] = [...instructionMessages(body['instructions']), ...historyMessages, ...inputItemsToMessages(inputItems, 'input')];
  if (messages.length === 0) throw new InvalidRequestError("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');

  const chat: ChatCompletionRequest = { model, messages };
  copyNumber(body, 'temperature', chat, 'temperature');
  copyNumber(body, 'top_p', chat, 'top_p');
  copyNumber(body, 'max_output_tokens', chat, 'max_completion_tokens');
  copyNumber(body, 'top_logprobs', chat, 'top_logprobs');
  const parallel = body['parallel_tool_calls'];
  if (parallel !== undefined && parallel !== null) {
    if (typeof parallel !== 'boolean') throw invalidType('parallel_tool_calls', 'a boolean');
    chat['parallel_tool_calls'] = parallel;
  }
  const user = stringField(body, 'safety_identifier') ?? stringField(body, 'user');
  if (user !== undefined) chat['user'] = user;
  const stream = body['stream'];
  if (stream !== undefined && stream !== null) {
    if (typeof stream !== 'boolean') throw invalidType('stream', 'a boolean');
    if (stream) chat['stream'] = true;
  }
  Object.assign(chat, toolFields(body['tools'], body['tool_choice']));
  const responseFormat = textFormat(body['text']);
  if (responseFormat !== undefined) chat['response_format'] = responseFormat;
  const effort = reasoningEffort(body['reasoning']);
  if (effort !== undefined) chat['reasoning_effort'] = effort;
  return { chat, inputItems };
}

function instructionMessages(instructions: unknown): ChatMessage[] {
  if (instructions === undefined || instructions === null || instructions === '') return [];
  if (typeof instructions === 'string') return [{ role: 'system', content: instructions }];
  // The Response object may echo instructions as input items; a request may send them so too.
  if (Array.isArray(instructions)) return inputItemsToMessages(normaliseInputItems(instructions, 'instructions'), 'instructions');
  throw invalidType('instructions', 'a string');
}

function toolFields(tools: unknown, toolChoice: unknown): JsonObject {
  const fields: JsonObject = {};
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw invalidType('tools', 'an array');
    if (tools.length > 0) fields['tools'] = tools.map((tool: unknown, index) => chatTool(tool, `tools[${index}]`));
  }
  if (toolChoice !== undefined && toolChoice !== null) fields['tool_choice'] = chatToolChoice(toolChoice);
  return fields;
}

function chatTool(tool: unknown, path: string): JsonObject {
  if (!isObject(tool)) throw invalidType(path, 'an object');
  const type = tool['type'];
  if (type !== 'function') {
    const named = typeof type === 'string' ? `'${type}' tools are` : 'this tool is';
    throw new InvalidRequestError(`Unsupported tool '${path}.type': ${named} not supported for this model; only function tools can be translated to chat completions.`, `${path}.type`, 'unsupported_tool');
  }
  const name = tool['name'];
  if (typeof name !== 'string' || name === '') throw invalidType(`${path}.name`, 'a non-empty string');
  const fn: JsonObject = { name };
  if (typeof tool['description'] === 'string') fn['description'] = tool['description'];
  if (isObject(tool['parameters'])) fn['parameters'] = tool['parameters'];
  if (typeof tool['strict'] === 'boolean') fn['strict'] = tool['strict'];
  return { type: 'function', function: fn };
}

function chatToolChoice(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (typeof choice === 'string') throw new InvalidRequestError(`Invalid 'tool_choice': expected 'auto', 'none', 'required' or a function.`, 'tool_choice', 'invalid_value');
  if (!isObject(choice)) throw invalidType('tool_choice', 'a string or an object');
  if (choice['type'] !== 'function') {
    const type = typeof choice['type'] === 'string' ? `'${choice['type']}'` : 'this tool_choice';
    throw new InvalidRequestError(`Unsupported 'tool_choice.type': ${type} is not supported for this model; use 'auto', 'none', 'required' or a function.`, 'tool_choice.type', 'unsupported_tool');
  }
  const name = choice['name'];
  if (typeof name !== 'string' || name === '') throw invalidType('tool_choice.name', 'a non-empty string');
  return { type: 'function', function: { name } };
}

function textFormat(text: unknown): JsonObject | undefined {
  if (text === undefined || text === null) return undefined;
  if (!isObject(text)) throw invalidType('text', 'an object');
  // text.verbosity has no counterpart outside OpenAI's own models: dropped.
  const format = text['format'];
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) throw invalidType('text.format', 'an object');
  switch (format['type']) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const name = format['name'];
      if (typeof name !== 'string' || name === '') throw invalidType('text.format.name', 'a non-empty string');
      if (!isObject(format['schema'])) throw invalidType('text.format.schema', 'an object');
      const jsonSchema: JsonObject = { name, schema: format['schema'] };
      if (typeof format['description'] === 'string') jsonSchema['description'] = format['description'];
      if (typeof format['strict'] === 'boolean') jsonSchema['strict'] = format['strict'];
      return { type: 'json_schema', json_schema: jsonSchema };
    }
    default:
      throw new InvalidRequestError("Invalid 'text.format.type': expected 'text', 'json_object' or 'json_schema'.", 'text.format.type', 'invalid_value');
  }
}

function reasoningEffort(reasoning: unknown): string | undefined {
  if (reasoning === undefined || reasoning === null) return undefined;
  if (!isObject(reasoning)) throw invalidType('reasoning', 'an object');
  // reasoning.summary asks OpenAI for summaries; other models' reasoning comes back as it is.
  const effort = reasoning['effort'];
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string') throw invalidType('reasoning.effort', 'a string');
  return effort;
}

function copyNumber(body: JsonObject, field: string, chat: JsonObject, chatField: string): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(field, 'a number');
  chat[chatField] = value;
}

function stringField(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidType(field, 'a string');
  return value;
}
