import { InvalidRequestError } from '../errors.js';
import type { JsonObject } from '../openai/openai-types.js';
import { anthropicToOpenAIRequest } from './anthropic-request-to-openai.js';

/**
 * Response header of `/v1/messages/count_tokens` saying who counted: `provider` (Anthropic's or
 * Bedrock's own count) or `estimated` (this file's estimate, for models whose provider has no
 * token-counting API).
 */
export const TOKEN_COUNT_HEADER = 'x-gateway-token-count';
export const ESTIMATED_TOKEN_COUNT = 'estimated';

/** The estimate's rate: about four characters of English or JSON per token. */
export const CHARACTERS_PER_TOKEN = 4;

/** Each image or PDF counts as this many tokens: roughly what Anthropic charges for a full-size (~1.15 megapixel) image. */
export const ATTACHMENT_TOKEN_ESTIMATE = 1_600;

/**
 * `POST /v1/messages/count_tokens` → `{ input_tokens }`, for a model whose provider cannot count
 * (the route asks Anthropic or Bedrock when the model is served there).
 *
 * This is an ESTIMATE, not a count: the models behind the gateway use different
 * tokenizers, and the gateway has none of them. It is the characters of the system
 * prompt, the messages (text, tool calls' names and inputs, tool results) and the tool
 * definitions (name, description, input schema as JSON), divided by
 * {@link CHARACTERS_PER_TOKEN} and rounded up, plus {@link ATTACHMENT_TOKEN_ESTIMATE} per
 * image or PDF. Thinking blocks of earlier turns are not counted (they are not sent on).
 * The body is validated as `POST /v1/messages` validates it, without `max_tokens`.
 */
export function estimateAnthropicInputTokens(body: unknown): { input_tokens: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const request = body as JsonObject;
  // Validation only; `max_tokens` is not part of a count request.
  anthropicToOpenAIRequest({ ...request, max_tokens: 1 });
  const tally = { characters: 0, attachments: 0 };
  const system = request['system'];
  if (typeof system === 'string') tally.characters += system.length;
  else if (Array.isArray(system)) for (const block of system) countBlock(block, tally);
  for (const message of request['messages'] as JsonObject[]) {
    const content = message['content'];
    if (typeof content === 'string') tally.characters += content.length;
    else if (Array.isArray(content)) for (const block of content) countBlock(block, tally);
  }
  const tools = request['tools'];
  if (Array.isArray(tools)) {
    for (const tool of tools as JsonObject[]) {
      tally.characters += stringLength(tool['name']) + stringLength(tool['description']) + JSON.stringify(tool['input_schema'] ?? {}).length;
    }
  }
  const tokens = Math.ceil(tally.characters / CHARACTERS_PER_TOKEN) + tally.attachments * ATTACHMENT_TOKEN_ESTIMATE;
  return { input_tokens: Math.max(1, tokens) };
}

function countBlock(block: unknown, tally: { characters: number; attachments: number }): void {
  const item = block as JsonObject;
  switch (item['type']) {
    case 'text':
      tally.characters += stringLength(item['text']);
      return;
    case 'image':
      tally.attachments += 1;
      return;
    case 'document': {
      const source = item['source'] as JsonObject;
      if (source['type'] === 'text') tally.characters += stringLength(source['data']);
      else tally.attachments += 1;
      return;
    }
    case 'tool_use':
      tally.characters += stringLength(item['name']) + JSON.stringify(item['input'] ?? {}).length;
      return;
    case 'tool_result': {
      const content = item['content'];
      if (typeof content === 'string') tally.characters += content.length;
      else if (Array.isArray(content)) for (const inner of content) countBlock(inner, tally);
      return;
    }
    default:
      return;
  }
}

function stringLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}
