import { InvalidRequestError } from '../../errors.js';
import type { ChatMessage, JsonObject } from '../../openai/openai-types.js';
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
} from './anthropic-wire-types.js';
import { assistantToolCalls, parseBase64DataUrl, contentTexts, foldConversation, inlinePdf } from '../fold-conversation.js';
import { isObject } from '../json-values.js';
import { assistantThinkingBlocks } from '../claude-thinking.js';

export interface AnthropicConversation {
  /** System and developer messages, wherever they stood, in order; absent when there are none. */
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * OpenAI's messages as Anthropic's conversation:
 * - `system`/`developer` messages are lifted into `system` (Anthropic has no system turns);
 * - `tool` messages become `tool_result` blocks in a user turn;
 * - consecutive turns of the same Anthropic role are merged (Anthropic wants them alternating),
 *   so consecutive tool results form one user turn, with the `tool_result` blocks first
 *   (Anthropic refuses a tool result after other content in the same turn);
 * - empty text is left out (Anthropic refuses empty text blocks);
 * - an assistant message's `thinking_blocks` (LiteLLM's field) become its thinking and
 *   redacted_thinking blocks, signatures unchanged, before its text and tool calls;
 * - a tool message stays a `tool_result` without `is_error`: the OpenAI format cannot say a call
 *   failed, and LiteLLM, whose conventions clients follow, sends every result as a success.
 */
export function toAnthropicConversation(messages: readonly ChatMessage[]): AnthropicConversation {
  const { system, turns } = foldConversation<AnthropicTextBlock, AnthropicContentBlock, AnthropicMessage['role']>(messages, {
    system: (message, path) => textBlocks(message.content, `${path}.content`),
    user: (message, path) => userBlocks(message.content, `${path}.content`),
    assistant: (message, path) => assistantBlocks(message, path),
    tool: (message, path) => [toolResultBlock(message, path)],
    roles: { user: 'user', assistant: 'assistant' },
    skipEmptyTurns: false,
    unknownRole: 'this model accepts system, developer, user, assistant and tool messages.',
  });
  return { ...systemOf(system), messages: turns.map(({ role, blocks }) => toolResultsFirst({ role, content: blocks })) };
}

/** A plain string unless a part asked for prompt caching, which only blocks can carry. */
function systemOf(blocks: AnthropicTextBlock[]): Pick<AnthropicConversation, 'system'> {
  if (blocks.length === 0) return {};
  if (blocks.some((block) => block.cache_control !== undefined)) return { system: blocks };
  return { system: blocks.map((block) => block.text).join('\n\n') };
}

function toolResultsFirst(turn: AnthropicMessage): AnthropicMessage {
  if (turn.role !== 'user') return turn;
  const results = turn.content.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return turn;
  return { role: 'user', content: [...results, ...turn.content.filter((block) => block.type !== 'tool_result')] };
}

/** String content, or an array of text parts (system, developer, tool and assistant messages). */
function textBlocks(content: unknown, path: string): AnthropicTextBlock[] {
  return contentTexts(content, path).map(({ text, part }) => ({ type: 'text', text, ...cacheControlOf(part) }));
}

function userBlocks(content: unknown, path: string): AnthropicContentBlock[] {
  if (!Array.isArray(content)) return textBlocks(content, path);
  return content.flatMap((part: unknown, index): AnthropicContentBlock[] => {
    const partPath = `${path}[${index}]`;
    const type = isObject(part) ? part['type'] : undefined;
    if (type === 'text' || type === 'refusal') return textBlocks([part], path);
    if (type === 'image_url' && isObject(part)) return [imageBlock(part, partPath)];
    if (type === 'file' && isObject(part)) return [documentBlock(part, partPath)];
    throw new InvalidRequestError(
      `Unsupported content part at '${partPath}': this model accepts text, image_url and PDF file parts.`,
      partPath,
    );
  });
}

/** `data:` URLs travel inline as base64; http(s) URLs are fetched by Anthropic. */
function imageBlock(part: JsonObject, path: string): AnthropicContentBlock {
  const imageUrl = part['image_url'];
  const url = isObject(imageUrl) ? imageUrl['url'] : imageUrl;
  const data = parseBase64DataUrl(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data }, ...cacheControlOf(part) };
  if (typeof url === 'string' && /^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url }, ...cacheControlOf(part) };
  throw new InvalidRequestError(`Invalid image at '${path}.image_url.url': expected a base64 data: URL or an http(s) URL.`, `${path}.image_url.url`);
}

/** OpenAI's inline file parts (`file.file_data` as a base64 data: URL); Anthropic reads PDFs. */
function documentBlock(part: JsonObject, path: string): AnthropicContentBlock {
  const { data, filename } = inlinePdf(part, path);
  const title = typeof filename === 'string' ? { title: filename } : {};
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data }, ...title, ...cacheControlOf(part) };
}

/**
 * Thinking blocks first, as Anthropic answered them, then text and tool calls. A thinking block
 * without its signature is left out: Anthropic refuses one, and ignores earlier turns' thinking anyway
 * (only the turn of a running tool loop must carry its signed blocks).
 */
function assistantBlocks(message: ChatMessage, path: string): AnthropicContentBlock[] {
  return [
    ...assistantThinkingBlocks(message, path).flatMap((block): AnthropicContentBlock[] => {
      if (block.type === 'redacted_thinking') return [block];
      return block.signature !== undefined ? [{ type: 'thinking', thinking: block.thinking, signature: block.signature }] : [];
    }),
    ...textBlocks(message.content, `${path}.content`),
    ...assistantToolCalls(message, path).map(({ id, name, input }): AnthropicContentBlock => ({ type: 'tool_use', id, name, input })),
  ];
}

function toolResultBlock(message: ChatMessage, path: string): AnthropicToolResultBlock {
  const toolCallId = message['tool_call_id'];
  if (typeof toolCallId !== 'string' || toolCallId === '') {
    throw new InvalidRequestError(`Missing required parameter: '${path}.tool_call_id'.`, `${path}.tool_call_id`);
  }
  if (typeof message.content === 'string' || message.content === undefined || message.content === null) {
    const text = message.content ?? '';
    return text === '' ? { type: 'tool_result', tool_use_id: toolCallId } : { type: 'tool_result', tool_use_id: toolCallId, content: text };
  }
  const blocks = textBlocks(message.content, `${path}.content`);
  return blocks.length === 0 ? { type: 'tool_result', tool_use_id: toolCallId } : { type: 'tool_result', tool_use_id: toolCallId, content: blocks };
}

/** Clients that know Anthropic mark parts for prompt caching (`cache_control`); the mark is kept. */
function cacheControlOf(part: JsonObject): { cache_control?: AnthropicCacheControl } {
  const cacheControl = part['cache_control'];
  return isObject(cacheControl) && cacheControl['type'] === 'ephemeral' ? { cache_control: cacheControl as unknown as AnthropicCacheControl } : {};
}
