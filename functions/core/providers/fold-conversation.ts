import { InvalidRequestError } from '../errors.js';
import type { ChatMessage, JsonObject } from '../openai/openai-types.js';
import { isObject, parseJson } from './json-values.js';

/** How one provider writes each OpenAI message role. */
export interface ConversationTranslators<System, Block, Role extends string> {
  /** `system` and `developer` messages, lifted out of the turns (no native provider has system turns). */
  system(message: ChatMessage, path: string): System[];
  user(message: ChatMessage, path: string): Block[];
  assistant(message: ChatMessage, path: string): Block[];
  /** A `tool` message: its blocks go into a user turn. */
  tool(message: ChatMessage, path: string): Block[];
  /** The legacy `function` role, where the provider takes it (else it is refused like any unknown role). */
  function?(message: ChatMessage, path: string): Block[];
  /** The provider's names for the user and assistant turns (Gemini calls the assistant `model`). */
  roles: { user: Role; assistant: Role };
  /** Drop turns left with no blocks (providers that refuse empty content). */
  skipEmptyTurns: boolean;
  /** The message for a role the provider does not take. */
  unknownRole: string;
}

/**
 * OpenAI's flat message list as a native provider's conversation: system messages
 * collected apart, and consecutive turns of one role merged into one (Anthropic, Gemini
 * and Bedrock all want user and assistant turns to alternate, with parallel tool results
 * in a single user turn). Written once; each provider supplies only its block writers.
 */
export function foldConversation<System, Block, Role extends string>(
  messages: readonly ChatMessage[],
  translators: ConversationTranslators<System, Block, Role>,
): { system: System[]; turns: Array<{ role: Role; blocks: Block[] }> } {
  const system: System[] = [];
  const turns: Array<{ role: Role; blocks: Block[] }> = [];
  const append = (role: Role, blocks: Block[]): void => {
    if (translators.skipEmptyTurns && blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...translators.system(message, path));
        return;
      case 'user':
        append(translators.roles.user, translators.user(message, path));
        return;
      case 'assistant':
        append(translators.roles.assistant, translators.assistant(message, path));
        return;
      case 'tool':
        append(translators.roles.user, translators.tool(message, path));
        return;
      case 'function':
        if (translators.function) {
          append(translators.roles.user, translators.function(message, path));
          return;
        }
        break;
    }
    throw new InvalidRequestError(`Invalid value for '${path}.role': ${translators.unknownRole}`, `${path}.role`);
  });
  return { system, turns };
}

/** One of an assistant message's `tool_calls`, as Anthropic and Bedrock replay it. */
export interface AssistantToolCall {
  id: string;
  name: string;
  /** The arguments as a JSON object; arguments that are not a JSON object become `{}`. */
  input: JsonObject;
}

/**
 * An assistant message's `tool_calls`, checked: each needs an id and a function name.
 * Anthropic and Bedrock both want the input as an object, so the arguments text is parsed
 * and anything that is not a JSON object becomes `{}`.
 */
export function assistantToolCalls(message: ChatMessage, path: string): AssistantToolCall[] {
  const toolCalls = message['tool_calls'];
  if (toolCalls === undefined || toolCalls === null) return [];
  if (!Array.isArray(toolCalls)) throw new InvalidRequestError(`Invalid type for '${path}.tool_calls': expected an array.`, `${path}.tool_calls`);
  return toolCalls.map((call: unknown, index) => {
    const callPath = `${path}.tool_calls[${index}]`;
    const fn = isObject(call) && isObject(call['function']) ? call['function'] : undefined;
    if (!isObject(call) || typeof call['id'] !== 'string' || typeof fn?.['name'] !== 'string') {
      throw new InvalidRequestError(`Invalid tool call at '${callPath}': expected an id and a function name.`, callPath);
    }
    return { id: call['id'], name: fn['name'], input: argumentsObject(fn['arguments']) };
  });
}

function argumentsObject(argumentsText: unknown): JsonObject {
  if (typeof argumentsText !== 'string') return isObject(argumentsText) ? argumentsText : {};
  const parsed = parseJson(argumentsText);
  return isObject(parsed) ? parsed : {};
}

/** A text of string content or of a `text`/`refusal` part, with the part it came from (`{}` for string content). */
export interface ContentText {
  text: string;
  part: JsonObject;
}

/**
 * The texts of string content or of an array of `text`/`refusal` parts (system, developer, tool
 * and assistant messages), empty text left out (Anthropic and Bedrock refuse empty text blocks);
 * any other part is refused.
 */
export function contentTexts(content: unknown, path: string): ContentText[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content, part: {} }];
  if (!Array.isArray(content)) throw new InvalidRequestError(`Invalid type for '${path}': expected a string or an array of content parts.`, path);
  return content.flatMap((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    const text = isObject(part) && part['type'] === 'text' ? part['text'] : isObject(part) && part['type'] === 'refusal' ? part['refusal'] : undefined;
    if (typeof text !== 'string') throw new InvalidRequestError(`Invalid content part at '${partPath}': expected a text part.`, partPath);
    return text === '' ? [] : [{ text, part: part as JsonObject }];
  });
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/**
 * A base64 `data:` URL's media type and data, else undefined; exactly `data:<type>;base64,<data>`, as
 * Anthropic and Bedrock take it. (Gemini's reader in gemini/guess-mime-type.ts also accepts parameters
 * such as `;charset=…` and lower-cases the type, which Gemini's inlineData wants.)
 */
export function parseBase64DataUrl(url: unknown): { mediaType: string; data: string } | undefined {
  const match = typeof url === 'string' ? DATA_URL.exec(url) : null;
  return match ? { mediaType: match[1]!, data: match[2]! } : undefined;
}

/** OpenAI's inline file part (`file.file_data` as a base64 data: URL) when it is a PDF: its base64 data and file name. */
export function inlinePdf(part: JsonObject, path: string): { data: string; filename: unknown } {
  const file = isObject(part['file']) ? part['file'] : {};
  const data = parseBase64DataUrl(file['file_data']);
  if (!data || data.mediaType !== 'application/pdf') {
    throw new InvalidRequestError(`Unsupported file at '${path}.file': this model accepts PDF files sent inline as file_data.`, `${path}.file`);
  }
  return { data: data.data, filename: file['filename'] };
}
