import { InvalidRequestError } from '../errors.js';
import type { ChatMessage, JsonObject, ThinkingBlock, ToolCall } from '../openai/openai-types.js';
import { isObject } from '../providers/json-values.js';
import { invalidType } from './responses-json.js';
import { decodeThinkingBlocks } from './thinking-blocks-carrier.js';

const MESSAGE_ROLES = new Set(['user', 'system', 'developer', 'assistant']);

/**
 * A Responses `input` (a string, or an array of items) → its items in one shape: every item
 * carries its `type`, a message's content is always an array of parts (`input_text`, or
 * `output_text` for the assistant). This is what is stored and listed by `input_items`.
 */
export function normaliseInputItems(input: unknown, path = 'input'): JsonObject[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) throw invalidType(path, 'a string or an array of input items');
  return input.map((item: unknown, index) => normaliseItem(item, `${path}[${index}]`));
}

function normaliseItem(item: unknown, path: string): JsonObject {
  if (!isObject(item)) throw invalidType(path, 'an object');
  // An "easy input message" ({role, content}) is a message item without its type.
  const type = item['type'] ?? (item['role'] !== undefined ? 'message' : undefined);
  if (type !== 'message') return item;
  const role = item['role'];
  if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) {
    throw new InvalidRequestError(`Invalid '${path}.role': expected one of user, system, developer, assistant.`, `${path}.role`, 'invalid_value');
  }
  const content = item['content'];
  if (typeof content === 'string') {
    return { ...item, type: 'message', content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: content }] };
  }
  if (!Array.isArray(content)) throw invalidType(`${path}.content`, 'a string or an array of content parts');
  return { ...item, type: 'message' };
}

/**
 * Normalised input items (this request's, or the stored conversation's) → chat messages, in
 * order. A `function_call` joins the assistant message just before it (the assistant's text,
 * or earlier calls of the same turn), as chat carries one turn's calls on one message.
 * Reasoning items are dropped (their text is the other model's, and OpenAI's `encrypted_content`
 * can only be read by OpenAI), except the Claude thinking blocks the gateway itself carried in
 * one, which go back on the assistant turn that follows as `thinking_blocks`.
 */
export function inputItemsToMessages(items: readonly JsonObject[], path: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  /** Claude's thinking blocks from a reasoning item, for the assistant turn that follows it. */
  let pendingThinking: ThinkingBlock[] = [];
  const withThinking = (message: ChatMessage): ChatMessage => {
    if (pendingThinking.length > 0) message['thinking_blocks'] = [...((message['thinking_blocks'] as ThinkingBlock[] | undefined) ?? []), ...pendingThinking];
    pendingThinking = [];
    return message;
  };
  items.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    switch (item['type']) {
      case 'message': {
        const message = messageOf(item, itemPath);
        if (message.role === 'assistant') withThinking(message);
        else pendingThinking = [];
        messages.push(message);
        return;
      }
      case 'function_call': {
        const call = toolCallOf(item, itemPath);
        const last = messages.at(-1);
        if (last?.role === 'assistant') withThinking(last)['tool_calls'] = [...((last['tool_calls'] as ToolCall[] | undefined) ?? []), call];
        else messages.push(withThinking({ role: 'assistant', content: null, tool_calls: [call] }));
        return;
      }
      case 'function_call_output':
        pendingThinking = [];
        messages.push(toolMessageOf(item, itemPath));
        return;
      case 'reasoning':
        // Only thinking the gateway carried for Claude is kept; OpenAI's encrypted reasoning is not readable elsewhere.
        pendingThinking = [...pendingThinking, ...(decodeThinkingBlocks(item['encrypted_content']) ?? [])];
        return;
      case 'item_reference':
        throw new InvalidRequestError(
          `Unsupported input item '${itemPath}.type': 'item_reference' needs OpenAI's own storage; send the item itself, or use previous_response_id.`,
          `${itemPath}.type`,
          'unsupported_input_item',
        );
      default: {
        const type = typeof item['type'] === 'string' ? `'${item['type']}' items are` : 'this item is';
        throw new InvalidRequestError(
          `Unsupported input item '${itemPath}.type': ${type} not supported for this model; messages, function_call, function_call_output and reasoning items are.`,
          `${itemPath}.type`,
          'unsupported_input_item',
        );
      }
    }
  });
  return messages;
}

function messageOf(item: JsonObject, path: string): ChatMessage {
  const role = item['role'] as string;
  const parts = item['content'] as unknown[];
  if (role === 'assistant') return { role: 'assistant', content: textOf(parts, `${path}.content`) };
  // Developer messages become system messages: most chat providers know no developer role.
  if (role === 'system' || role === 'developer') return { role: 'system', content: textOf(parts, `${path}.content`) };
  return { role: 'user', content: parts.map((part, index) => userPart(part, `${path}.content[${index}]`)) };
}

/** The texts of assistant, system or tool content, joined: those chat messages take text only. */
function textOf(parts: readonly unknown[], path: string): string {
  return parts
    .map((part, index) => {
      const partPath = `${path}[${index}]`;
      if (!isObject(part)) throw invalidType(partPath, 'an object');
      const type = part['type'];
      const field = type === 'refusal' ? 'refusal' : 'text';
      if (type !== 'input_text' && type !== 'output_text' && type !== 'refusal') {
        throw new InvalidRequestError(`Unsupported content part '${partPath}.type': this message takes text parts only.`, `${partPath}.type`, 'invalid_value');
      }
      const text = part[field];
      if (typeof text !== 'string') throw invalidType(`${partPath}.${field}`, 'a string');
      return text;
    })
    .join('');
}

function userPart(part: unknown, path: string): JsonObject {
  if (!isObject(part)) throw invalidType(path, 'an object');
  switch (part['type']) {
    case 'input_text':
    case 'output_text': {
      if (typeof part['text'] !== 'string') throw invalidType(`${path}.text`, 'a string');
      return { type: 'text', text: part['text'] };
    }
    case 'input_image': {
      refuseFileReference(part, path, 'file_id');
      const url = part['image_url'];
      if (typeof url !== 'string' || url === '') throw invalidType(`${path}.image_url`, 'a URL or a data URL');
      const detail = part['detail'];
      return { type: 'image_url', image_url: typeof detail === 'string' ? { url, detail } : { url } };
    }
    case 'input_file': {
      refuseFileReference(part, path, 'file_id');
      refuseFileReference(part, path, 'file_url');
      const data = part['file_data'];
      if (typeof data !== 'string' || data === '') throw invalidType(`${path}.file_data`, 'the file as a data URL');
      const file: JsonObject = { file_data: data };
      if (typeof part['filename'] === 'string') file['filename'] = part['filename'];
      return { type: 'file', file };
    }
    default:
      throw new InvalidRequestError(
        `Unsupported content part '${path}.type': expected input_text, input_image or input_file.`,
        `${path}.type`,
        'invalid_value',
      );
  }
}

/** A file held by OpenAI (`file_id`) or fetched by OpenAI (`file_url`) cannot reach another provider. */
function refuseFileReference(part: JsonObject, path: string, field: 'file_id' | 'file_url'): void {
  if (part[field] === undefined || part[field] === null) return;
  throw new InvalidRequestError(`Unsupported '${path}.${field}': only OpenAI models can read OpenAI files; send the content inline.`, `${path}.${field}`, 'unsupported_value');
}

function toolCallOf(item: JsonObject, path: string): ToolCall {
  const callId = item['call_id'];
  if (typeof callId !== 'string' || callId === '') throw invalidType(`${path}.call_id`, 'a non-empty string');
  const name = item['name'];
  if (typeof name !== 'string' || name === '') throw invalidType(`${path}.name`, 'a non-empty string');
  const args = item['arguments'];
  if (typeof args !== 'string') throw invalidType(`${path}.arguments`, 'a string');
  return { id: callId, type: 'function', function: { name, arguments: args } };
}

function toolMessageOf(item: JsonObject, path: string): ChatMessage {
  const callId = item['call_id'];
  if (typeof callId !== 'string' || callId === '') throw invalidType(`${path}.call_id`, 'a non-empty string');
  const output = item['output'];
  if (typeof output === 'string') return { role: 'tool', tool_call_id: callId, content: output };
  if (!Array.isArray(output)) throw invalidType(`${path}.output`, 'a string or an array of content parts');
  return { role: 'tool', tool_call_id: callId, content: textOf(output, `${path}.output`) };
}
