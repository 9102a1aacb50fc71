import { InvalidRequestError } from '../../errors.js';
import { assistantToolCalls, parseBase64DataUrl, contentTexts, foldConversation, inlinePdf } from '../fold-conversation.js';
import type { ChatMessage, JsonObject } from '../../openai/openai-types.js';
import { isObject } from '../json-values.js';
import { assistantThinkingBlocks } from '../claude-thinking.js';
import type {
  ConverseCachePointBlock,
  ConverseContentBlock,
  ConverseImageFormat,
  ConverseMessage,
  ConverseSystemBlock,
  ConverseToolResultBlock,
} from './converse-wire-types.js';

export interface ConverseConversation {
  /** System and developer messages, wherever they stood, in order; absent when there are none. */
  system?: ConverseSystemBlock[];
  messages: ConverseMessage[];
}

/**
 * Bedrock refuses an empty text block ("text content blocks must be non-empty"), and a tool
 * result's text is part of the history every later request replays: an empty result is sent as this.
 */
export const EMPTY_TOOL_RESULT_TEXT = '(no output)';

/**
 * OpenAI's messages as a Converse conversation:
 * - `system`/`developer` messages are lifted into `system` (Converse has no system turns);
 * - `tool` messages become `toolResult` blocks in a user turn;
 * - consecutive turns of the same role are merged (Converse wants user and assistant to alternate),
 *   so consecutive tool results and a user message after them form one user turn;
 * - empty text is left out, and a turn left empty is dropped (Bedrock refuses empty text blocks);
 * - a part carrying `cache_control` is followed by a `cachePoint` block (Bedrock's prompt caching);
 * - an assistant message's `thinking_blocks` (LiteLLM's field) become `reasoningContent` blocks
 *   (`reasoningText` with its signature, `redactedContent`) before its text and tool calls.
 */
export function toConverseConversation(messages: readonly ChatMessage[]): ConverseConversation {
  const { system, turns } = foldConversation<ConverseSystemBlock, ConverseContentBlock, ConverseMessage['role']>(messages, {
    system: (message, path) => textBlocks(message.content, `${path}.content`),
    user: (message, path) => userBlocks(message.content, `${path}.content`),
    assistant: (message, path) => assistantBlocks(message, path),
    tool: (message, path) => [toolResultBlock(message, path)],
    roles: { user: 'user', assistant: 'assistant' },
    skipEmptyTurns: true,
    unknownRole: 'this model accepts system, developer, user, assistant and tool messages.',
  });
  return { ...(system.length > 0 ? { system } : {}), messages: turns.map(({ role, blocks }) => ({ role, content: blocks })) };
}

/** True when a turn holds a tool call or result: Bedrock then requires a `toolConfig`. */
export function hasToolBlocks(messages: readonly ConverseMessage[]): boolean {
  return messages.some((message) => message.content.some((block) => 'toolUse' in block || 'toolResult' in block));
}

/**
 * Rewrites tool calls and results as text, for a request that sends no `toolConfig`
 * (`tool_choice: "none"`, or no tools): Bedrock refuses tool blocks without one
 * ("The toolConfig field must be defined when using toolUse and toolResult content blocks").
 */
export function toolBlocksAsText(messages: readonly ConverseMessage[]): ConverseMessage[] {
  return messages.map((message) => ({
    role: message.role,
    content: message.content.map((block): ConverseContentBlock => {
      if ('toolUse' in block) return { text: `[Tool call ${block.toolUse.toolUseId}: ${block.toolUse.name}(${JSON.stringify(block.toolUse.input)})]` };
      if ('toolResult' in block) {
        return { text: `[Tool result ${block.toolResult.toolUseId}: ${block.toolResult.content.map((part) => part.text).join('\n')}]` };
      }
      return block;
    }),
  }));
}

/** String content, or an array of text parts (system, developer, tool and assistant messages). */
function textBlocks(content: unknown, path: string): ConverseSystemBlock[] {
  return contentTexts(content, path).flatMap(({ text, part }) => [{ text }, ...cachePointAfter(part)]);
}

function userBlocks(content: unknown, path: string): ConverseContentBlock[] {
  if (!Array.isArray(content)) return textBlocks(content, path);
  return content.flatMap((part: unknown, index): ConverseContentBlock[] => {
    const partPath = `${path}[${index}]`;
    const type = isObject(part) ? part['type'] : undefined;
    if (type === 'text' || type === 'refusal') return textBlocks([part], path);
    if (type === 'image_url' && isObject(part)) return [imageBlock(part, partPath), ...cachePointAfter(part)];
    if (type === 'file' && isObject(part)) return [documentBlock(part, partPath, index), ...cachePointAfter(part)];
    throw new InvalidRequestError(
      `Unsupported content part at '${partPath}': this model accepts text, image_url and PDF file parts.`,
      partPath,
    );
  });
}

function cachePointAfter(part: JsonObject): ConverseCachePointBlock[] {
  return cachePointFor(part['cache_control']);
}

/** A `cache_control` mark as the `cachePoint` block that follows what it marks; its `ttl` (`5m`, `1h`) is kept for Bedrock to judge. */
export function cachePointFor(cacheControl: unknown): ConverseCachePointBlock[] {
  if (!isObject(cacheControl)) return [];
  const ttl = cacheControl['ttl'];
  return [{ cachePoint: { type: 'default', ...(typeof ttl === 'string' && ttl !== '' ? { ttl } : {}) } }];
}

const IMAGE_FORMATS: Readonly<Record<string, ConverseImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Converse takes images only inline (or from S3): a `data:` URL's bytes travel base64; Bedrock fetches no http(s) URL. */
function imageBlock(part: JsonObject, path: string): ConverseContentBlock {
  const imageUrl = part['image_url'];
  const url = isObject(imageUrl) ? imageUrl['url'] : imageUrl;
  const urlPath = `${path}.image_url.url`;
  const data = parseBase64DataUrl(url);
  if (!data) {
    throw new InvalidRequestError(
      `Invalid image at '${urlPath}': this model takes images only as base64 data: URLs (Bedrock does not fetch http(s) URLs).`,
      urlPath,
    );
  }
  const format = IMAGE_FORMATS[data.mediaType.toLowerCase()];
  if (!format) throw new InvalidRequestError(`Unsupported image type '${data.mediaType}' at '${urlPath}': this model accepts PNG, JPEG, GIF and WebP.`, urlPath);
  return { image: { format, source: { bytes: data.data } } };
}

/** OpenAI's inline file parts (`file.file_data` as a base64 data: URL) as a Converse PDF document. */
function documentBlock(part: JsonObject, path: string, index: number): ConverseContentBlock {
  const { data, filename } = inlinePdf(part, path);
  return { document: { format: 'pdf', name: documentName(filename, index), source: { bytes: data } } };
}

/**
 * Converse requires a document name of letters, digits, single spaces, hyphens, parentheses and
 * square brackets; anything else in the client's file name becomes a hyphen.
 */
function documentName(filename: unknown, index: number): string {
  const base = typeof filename === 'string' ? filename.replace(/\.pdf$/i, '') : '';
  const cleaned = base
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? `document-${index + 1}` : cleaned;
}

/** Reasoning blocks first, as Bedrock answered them (signatures unchanged), then text and tool calls. */
function assistantBlocks(message: ChatMessage, path: string): ConverseContentBlock[] {
  return [
    ...assistantThinkingBlocks(message, path).map(
      (block): ConverseContentBlock => ({
        reasoningContent:
          block.type === 'redacted_thinking'
            ? { redactedContent: block.data }
            : { reasoningText: { text: block.thinking, ...(block.signature !== undefined ? { signature: block.signature } : {}) } },
      }),
    ),
    ...textBlocks(message.content, `${path}.content`),
    ...assistantToolCalls(message, path).map(({ id, name, input }): ConverseContentBlock => ({ toolUse: { toolUseId: id, name, input } })),
  ];
}

function toolResultBlock(message: ChatMessage, path: string): ConverseToolResultBlock {
  const toolCallId = message['tool_call_id'];
  if (typeof toolCallId !== 'string' || toolCallId === '') {
    throw new InvalidRequestError(`Missing '${path}.tool_call_id': a tool message must name the tool call it answers.`, `${path}.tool_call_id`);
  }
  const text = textBlocks(message.content, `${path}.content`)
    .flatMap((block) => ('text' in block ? [block.text] : []))
    .join('\n');
  return { toolResult: { toolUseId: toolCallId, content: [{ text: text.trim() === '' ? EMPTY_TOOL_RESULT_TEXT : text }] } };
}
