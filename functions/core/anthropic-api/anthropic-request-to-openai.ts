import { InvalidRequestError } from '../errors.js';
import type { ChatCompletionRequest, ChatMessage, JsonObject } from '../openai/openai-types.js';

/**
 * An Anthropic Messages API request (`POST /v1/messages`) → the gateway's OpenAI chat
 * request. Validates what the mapping relies on and names the field of each failure
 * in `param` (`messages[1].content[0].source.type`).
 *
 * Mapped: `system`, `messages` (text, image, PDF/text document, `tool_use`,
 * `tool_result`), `tools`, `tool_choice`, `stop_sequences`, `max_tokens`,
 * `temperature`, `top_p`, `metadata.user_id`, `stream`, `thinking`,
 * `output_config` (`effort`, `format`). Dropped, having no OpenAI counterpart:
 * `top_k`, `cache_control`, `service_tier`, `container`, thinking blocks of earlier
 * turns (their signatures mean nothing to another model) and other Anthropic-only
 * fields. Anthropic server tools (web search, bash, …) and their blocks are refused.
 */
export function anthropicToOpenAIRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const model = body['model'];
  if (model === undefined) throw missing('model');
  if (typeof model !== 'string' || model === '') throw new InvalidRequestError("Invalid type for 'model': expected a non-empty string.", 'model');
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined || maxTokens === null) throw missing('max_tokens');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidRequestError("Invalid 'max_tokens': expected a positive integer.", 'max_tokens');
  }

  const request: ChatCompletionRequest = {
    model,
    messages: [...systemMessages(body['system']), ...chatMessages(body['messages'])],
    max_tokens: maxTokens,
  };
  const temperature = optionalNumber(body, 'temperature', 0, 1);
  if (temperature !== undefined) request['temperature'] = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) request['top_p'] = topP;
  const stop = stopSequences(body['stop_sequences']);
  if (stop.length > 0) request['stop'] = stop;
  const user = metadataUser(body['metadata']);
  if (user !== undefined) request['user'] = user;
  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw invalidType('stream', 'a boolean');
  // Always ask for usage: Anthropic's stream ends with it in message_delta.
  if (stream === true) Object.assign(request, { stream: true, stream_options: { include_usage: true } });
  Object.assign(request, toolFields(body['tools'], body['tool_choice']));
  const effort = outputEffort(body['output_config']) ?? thinkingEffort(body['thinking']);
  if (effort !== undefined) request['reasoning_effort'] = effort;
  const responseFormat = outputFormat(body['output_config']);
  if (responseFormat !== undefined) request['response_format'] = responseFormat;
  return request;
}

/** `thinking.budget_tokens` → OpenAI `reasoning_effort`: ≤ 2048 low, ≤ 8192 medium, above high. */
export function reasoningEffortForBudget(budgetTokens: number): 'low' | 'medium' | 'high' {
  if (budgetTokens <= 2048) return 'low';
  if (budgetTokens <= 8192) return 'medium';
  return 'high';
}

function systemMessages(system: unknown): ChatMessage[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  if (!Array.isArray(system)) throw invalidType('system', 'a string or an array of text blocks');
  const texts = system.map((block: unknown, index) => {
    const path = `system[${index}]`;
    if (!isObject(block) || block['type'] !== 'text') throw new InvalidRequestError(`Invalid '${path}': system blocks must be text blocks.`, `${path}.type`);
    return textOf(block, path);
  });
  const text = texts.join('\n');
  return text === '' ? [] : [{ role: 'system', content: text }];
}

function chatMessages(messages: unknown): ChatMessage[] {
  if (messages === undefined || messages === null) throw missing('messages');
  if (!Array.isArray(messages)) throw invalidType('messages', 'an array');
  if (messages.length === 0) throw new InvalidRequestError("Invalid 'messages': empty array. Expected at least one message.", 'messages');
  return messages.flatMap((message: unknown, index) => {
    const path = `messages[${index}]`;
    if (!isObject(message)) throw invalidType(path, 'an object');
    const role = message['role'];
    if (role === undefined) throw missing(`${path}.role`);
    if (role !== 'user' && role !== 'assistant') throw new InvalidRequestError(`Invalid value for '${path}.role': expected 'user' or 'assistant'.`, `${path}.role`);
    const content = message['content'];
    if (content === undefined || content === null) throw missing(`${path}.content`);
    if (typeof content === 'string') return [{ role, content }];
    if (!Array.isArray(content)) throw invalidType(`${path}.content`, 'a string or an array of content blocks');
    // Anthropic allows an empty content only for a final (prefilled) assistant turn.
    if (content.length === 0 && role === 'user') throw new InvalidRequestError(`Invalid '${path}.content': empty array.`, `${path}.content`);
    const blocks = content.map((block: unknown, blockIndex) => contentBlock(block, `${path}.content[${blockIndex}]`));
    return role === 'user' ? userMessages(blocks) : assistantMessages(blocks);
  });
}

interface Block {
  block: JsonObject;
  type: string;
  path: string;
}

const USER_BLOCK_TYPES = new Set(['text', 'image', 'document', 'tool_result']);
const ASSISTANT_BLOCK_TYPES = new Set(['text', 'tool_use', 'thinking', 'redacted_thinking']);

function contentBlock(block: unknown, path: string): Block {
  if (!isObject(block)) throw invalidType(path, 'a content block object');
  const type = block['type'];
  if (type === undefined) throw missing(`${path}.type`);
  if (typeof type !== 'string') throw invalidType(`${path}.type`, 'a string');
  return { block, type, path };
}

/**
 * A user turn: its `tool_result` blocks become `tool` messages (OpenAI wants them right
 * after the assistant's calls), the rest one user message. Images a tool returned cannot
 * go in a `tool` message, so they follow in that user message, each introduced by a line
 * naming the call.
 */
function userMessages(blocks: readonly Block[]): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const parts: JsonObject[] = [];
  for (const { block, type, path } of blocks) {
    if (!USER_BLOCK_TYPES.has(type)) throw unsupportedBlock(type, path, 'user');
    if (type === 'tool_result') {
      const result = toolResult(block, path);
      toolMessages.push({ role: 'tool', tool_call_id: result.toolUseId, content: result.text });
      for (const image of result.images) parts.push({ type: 'text', text: `(image returned by tool call ${result.toolUseId})` }, image);
    } else {
      parts.push(contentPart(block, type, path));
    }
  }
  if (parts.length === 0) return toolMessages;
  const only = parts.length === 1 ? parts[0] : undefined;
  const content = only?.['type'] === 'text' ? only['text'] : parts;
  return [...toolMessages, { role: 'user', content }];
}

/** An assistant turn: text blocks joined into `content`, `tool_use` blocks into `tool_calls`; thinking blocks are dropped. */
function assistantMessages(blocks: readonly Block[]): ChatMessage[] {
  const texts: string[] = [];
  const toolCalls: JsonObject[] = [];
  for (const { block, type, path } of blocks) {
    if (!ASSISTANT_BLOCK_TYPES.has(type)) throw unsupportedBlock(type, path, 'assistant');
    if (type === 'text') texts.push(textOf(block, path));
    if (type === 'tool_use') toolCalls.push(toolCall(block, path));
  }
  const text = texts.join('\n');
  if (toolCalls.length === 0) return [{ role: 'assistant', content: text }];
  return [{ role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls }];
}

function contentPart(block: JsonObject, type: string, path: string): JsonObject {
  if (type === 'text') return { type: 'text', text: textOf(block, path) };
  if (type === 'image') return imagePart(block, path);
  return documentPart(block, path);
}

function imagePart(block: JsonObject, path: string): JsonObject {
  const source = requireSource(block, path);
  const sourceType = source['type'];
  if (sourceType === 'base64') {
    return { type: 'image_url', image_url: { url: base64DataUrl(source, path) } };
  }
  if (sourceType === 'url') return { type: 'image_url', image_url: { url: requireString(source, 'url', `${path}.source.url`) } };
  throw new InvalidRequestError(`Invalid value for '${path}.source.type': images must have a 'base64' or 'url' source.`, `${path}.source.type`);
}

/** A `base64` source (`media_type` + `data`) as the data URL OpenAI's image and file parts take. */
function base64DataUrl(source: JsonObject, path: string): string {
  const mediaType = requireString(source, 'media_type', `${path}.source.media_type`);
  const data = requireString(source, 'data', `${path}.source.data`);
  return `data:${mediaType};base64,${data}`;
}

/** PDFs travel as OpenAI file parts (a data URL); plain-text documents as text. OpenAI file parts take no URL. */
function documentPart(block: JsonObject, path: string): JsonObject {
  const source = requireSource(block, path);
  const sourceType = source['type'];
  if (sourceType === 'base64') {
    const filename = typeof block['title'] === 'string' && block['title'] !== '' ? block['title'] : 'document.pdf';
    return { type: 'file', file: { filename, file_data: base64DataUrl(source, path) } };
  }
  if (sourceType === 'text') return { type: 'text', text: requireString(source, 'data', `${path}.source.data`) };
  throw new InvalidRequestError(
    `Invalid value for '${path}.source.type': documents must have a 'base64' or 'text' source on this gateway.`,
    `${path}.source.type`,
  );
}

function toolCall(block: JsonObject, path: string): JsonObject {
  const id = requireString(block, 'id', `${path}.id`);
  const name = requireString(block, 'name', `${path}.name`);
  const input = block['input'];
  if (!isObject(input)) throw invalidType(`${path}.input`, 'an object');
  return { id, type: 'function', function: { name, arguments: JSON.stringify(input) } };
}

/** A tool result's text (text blocks joined by newlines); a failed call says so first, as OpenAI has no `is_error`. */
function toolResult(block: JsonObject, path: string): { toolUseId: string; text: string; images: JsonObject[] } {
  const toolUseId = requireString(block, 'tool_use_id', `${path}.tool_use_id`);
  const isError = block['is_error'];
  if (isError !== undefined && isError !== null && typeof isError !== 'boolean') throw invalidType(`${path}.is_error`, 'a boolean');
  const content = block['content'];
  const texts: string[] = [];
  const images: JsonObject[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((item: unknown, index) => {
      const { block: inner, type, path: innerPath } = contentBlock(item, `${path}.content[${index}]`);
      if (type === 'text') texts.push(textOf(inner, innerPath));
      else if (type === 'image') images.push(imagePart(inner, innerPath));
      else if (type === 'document') {
        const part = documentPart(inner, innerPath);
        if (part['type'] === 'text') texts.push(part['text'] as string);
        else images.push(part);
      } else throw unsupportedBlock(type, innerPath, 'tool_result');
    });
  } else if (content !== undefined && content !== null) throw invalidType(`${path}.content`, 'a string or an array of content blocks');
  const text = texts.join('\n');
  return { toolUseId, text: isError === true ? `Error: ${text}`.trimEnd() : text, images };
}

function toolFields(tools: unknown, toolChoice: unknown): JsonObject {
  const functions = toolDefinitions(tools);
  const choice = toolChoiceOf(toolChoice);
  // OpenAI refuses tool_choice and parallel_tool_calls without tools; Anthropic accepts them.
  if (functions.length === 0) return {};
  const fields: JsonObject = { tools: functions };
  if (choice) {
    fields['tool_choice'] = choice.toolChoice;
    if (choice.disableParallel) fields['parallel_tool_calls'] = false;
  }
  return fields;
}

function toolDefinitions(tools: unknown): JsonObject[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidType('tools', 'an array');
  return tools.map((tool: unknown, index) => {
    const path = `tools[${index}]`;
    if (!isObject(tool)) throw invalidType(path, 'an object');
    const type = tool['type'];
    if (type !== undefined && type !== null && type !== 'custom') {
      throw new InvalidRequestError(
        `Invalid value for '${path}.type': Anthropic server tools (${String(type)}) are not available on this gateway; define a custom tool with an input_schema.`,
        `${path}.type`,
      );
    }
    const name = requireString(tool, 'name', `${path}.name`);
    const inputSchema = tool['input_schema'];
    if (inputSchema === undefined) throw missing(`${path}.input_schema`);
    if (!isObject(inputSchema)) throw invalidType(`${path}.input_schema`, 'a JSON Schema object');
    const description = tool['description'];
    if (description !== undefined && description !== null && typeof description !== 'string') throw invalidType(`${path}.description`, 'a string');
    const fn: JsonObject = { name };
    if (typeof description === 'string') fn['description'] = description;
    fn['parameters'] = inputSchema;
    if (typeof tool['strict'] === 'boolean') fn['strict'] = tool['strict'];
    return { type: 'function', function: fn };
  });
}

function toolChoiceOf(toolChoice: unknown): { toolChoice: unknown; disableParallel: boolean } | undefined {
  if (toolChoice === undefined || toolChoice === null) return undefined;
  if (!isObject(toolChoice)) throw invalidType('tool_choice', 'an object');
  const disable = toolChoice['disable_parallel_tool_use'];
  if (disable !== undefined && disable !== null && typeof disable !== 'boolean') throw invalidType('tool_choice.disable_parallel_tool_use', 'a boolean');
  const disableParallel = disable === true;
  switch (toolChoice['type']) {
    case 'auto':
      return { toolChoice: 'auto', disableParallel };
    case 'any':
      return { toolChoice: 'required', disableParallel };
    case 'none':
      return { toolChoice: 'none', disableParallel: false };
    case 'tool':
      return { toolChoice: { type: 'function', function: { name: requireString(toolChoice, 'name', 'tool_choice.name') } }, disableParallel };
    default:
      throw new InvalidRequestError("Invalid value for 'tool_choice.type': expected 'auto', 'any', 'tool' or 'none'.", 'tool_choice.type');
  }
}

/** `enabled` maps its budget; `adaptive` and `between_tools` leave the effort to the model; `disabled` sends nothing. */
function thinkingEffort(thinking: unknown): string | undefined {
  if (thinking === undefined || thinking === null) return undefined;
  if (!isObject(thinking)) throw invalidType('thinking', 'an object');
  const type = thinking['type'];
  if (type === 'disabled' || type === 'adaptive' || type === 'between_tools') return undefined;
  if (type !== 'enabled') throw new InvalidRequestError("Invalid value for 'thinking.type': expected 'enabled', 'disabled' or 'adaptive'.", 'thinking.type');
  const budget = thinking['budget_tokens'];
  if (budget === undefined) throw missing('thinking.budget_tokens');
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) {
    throw new InvalidRequestError("Invalid 'thinking.budget_tokens': expected a positive integer.", 'thinking.budget_tokens');
  }
  return reasoningEffortForBudget(budget);
}

const EFFORTS: Readonly<Record<string, string>> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

/** `output_config.effort` is Anthropic's own reasoning effort; when given it wins over a thinking budget. */
function outputEffort(outputConfig: unknown): string | undefined {
  if (outputConfig === undefined || outputConfig === null) return undefined;
  if (!isObject(outputConfig)) throw invalidType('output_config', 'an object');
  const effort = outputConfig['effort'];
  if (effort === undefined || effort === null) return undefined;
  const mapped = typeof effort === 'string' ? EFFORTS[effort] : undefined;
  if (mapped === undefined) throw new InvalidRequestError("Invalid value for 'output_config.effort': expected 'low', 'medium', 'high', 'xhigh' or 'max'.", 'output_config.effort');
  return mapped;
}

/**
 * `output_config.format` (a JSON schema) → `response_format`. Not `strict`: OpenAI's strict
 * mode asks more of a schema (every property required) than Anthropic does, and would
 * refuse schemas Anthropic accepts.
 */
function outputFormat(outputConfig: unknown): JsonObject | undefined {
  if (!isObject(outputConfig)) return undefined;
  const format = outputConfig['format'];
  if (format === undefined || format === null) return undefined;
  if (!isObject(format) || format['type'] !== 'json_schema') {
    throw new InvalidRequestError("Invalid value for 'output_config.format.type': expected 'json_schema'.", 'output_config.format.type');
  }
  const schema = format['schema'];
  if (!isObject(schema)) throw invalidType('output_config.format.schema', 'a JSON Schema object');
  return { type: 'json_schema', json_schema: { name: 'response', schema } };
}

function stopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalidType('stop_sequences', 'an array of strings');
  return value as string[];
}

function metadataUser(metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (!isObject(metadata)) throw invalidType('metadata', 'an object');
  const userId = metadata['user_id'];
  if (userId === undefined || userId === null) return undefined;
  if (typeof userId !== 'string') throw invalidType('metadata.user_id', 'a string');
  return userId;
}

function optionalNumber(body: JsonObject, field: string, minimum: number, maximum: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(field, 'a number');
  if (value < minimum || value > maximum) throw new InvalidRequestError(`Invalid '${field}': must be between ${minimum} and ${maximum}.`, field);
  return value;
}

function textOf(block: JsonObject, path: string): string {
  const text = block['text'];
  if (typeof text !== 'string') throw text === undefined ? missing(`${path}.text`) : invalidType(`${path}.text`, 'a string');
  return text;
}

function requireSource(block: JsonObject, path: string): JsonObject {
  const source = block['source'];
  if (source === undefined) throw missing(`${path}.source`);
  if (!isObject(source)) throw invalidType(`${path}.source`, 'an object');
  return source;
}

function requireString(object: JsonObject, field: string, path: string): string {
  const value = object[field];
  if (value === undefined || value === null) throw missing(path);
  if (typeof value !== 'string' || value === '') throw invalidType(path, 'a non-empty string');
  return value;
}

function unsupportedBlock(type: string, path: string, where: 'user' | 'assistant' | 'tool_result'): InvalidRequestError {
  const allowed = where === 'user' ? USER_BLOCK_TYPES : where === 'assistant' ? ASSISTANT_BLOCK_TYPES : new Set(['text', 'image', 'document']);
  return new InvalidRequestError(
    `Invalid value for '${path}.type': '${type}' blocks are not supported in ${where === 'tool_result' ? 'a tool_result' : `a ${where} message`}; expected one of ${[...allowed].join(', ')}.`,
    `${path}.type`,
  );
}

function missing(path: string): InvalidRequestError {
  return new InvalidRequestError(`Missing required parameter: '${path}'.`, path);
}

function invalidType(path: string, expected: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid type for '${path}': expected ${expected}.`, path);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
