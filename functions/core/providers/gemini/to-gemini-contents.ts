import { InvalidRequestError } from '../../errors.js';
import { foldConversation } from '../fold-conversation.js';
import type { ChatMessage, JsonObject } from '../../openai/openai-types.js';
import type { GeminiContent, GeminiPart, GeminiRole } from './gemini-wire-types.js';
import { guessMimeType, parseBase64DataUrl } from './guess-mime-type.js';
import { isObject, nonEmptyString, parseJson } from '../json-values.js';

export interface GeminiConversation {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
}

/**
 * Gemini 3 refuses a history whose function calls lack the thought signature it sent with them.
 * OpenAI clients carry it back in `tool_calls[].extra_content.google.thought_signature` (the field
 * Google's own OpenAI-compatible endpoint uses, and this module's responses fill). When a client
 * dropped it, or the calls came from another model, Google documents this placeholder to skip the
 * check (https://ai.google.dev/gemini-api/docs/thought-signatures, FAQ).
 */
export const THOUGHT_SIGNATURE_PLACEHOLDER = 'skip_thought_signature_validator';

/** Used for an `image_url` whose extension names no known type (Gemini sniffs the bytes it fetches). */
const DEFAULT_IMAGE_MIME_TYPE = 'image/jpeg';

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`:
 * - `system`/`developer` → `systemInstruction` (in order; Gemini has one);
 * - `user` → role `user`: text, images (data URL → `inlineData`; http(s) URL → `fileData`, MIME type
 *   from the extension), `input_audio` and `file` (`file_data` data URL) → `inlineData`;
 * - `assistant` → role `model`: text (and refusal text), `tool_calls` → `functionCall` parts;
 * - `tool` (and the legacy `function`) → a `functionResponse` part in a `user` turn, named after
 *   the earlier tool call with that id, `response` = the content when it is a JSON object, else
 *   `{ content: <text> }`;
 * - consecutive turns of one role are merged (Gemini wants the responses to parallel calls in
 *   one turn); messages with nothing to send (content null, no tool calls) are left out.
 * Fails with a 400 naming the message field Gemini cannot take.
 */
export function toGeminiConversation(messages: readonly ChatMessage[]): GeminiConversation {
  const toolNamesById = new Map<string, string>();
  const { system: systemParts, turns } = foldConversation<GeminiPart, GeminiPart, GeminiRole>(messages, {
    system: (message, path) => textParts(message.content, `${path}.content`),
    user: (message, path) => userParts(message.content, `${path}.content`),
    assistant: (message, path) => assistantParts(message, path, toolNamesById),
    tool: (message, path) => [toolResponsePart(message, path, toolNamesById)],
    function: (message, path) => [functionResponsePart(requireName(message, path), message.content, `${path}.content`)],
    roles: { user: 'user', assistant: 'model' },
    skipEmptyTurns: true,
    unknownRole: 'Gemini takes system, developer, user, assistant and tool messages.',
  });
  const contents: GeminiContent[] = turns.map(({ role, blocks }) => ({ role, parts: blocks }));
  return {
    ...(systemParts.length > 0 ? { systemInstruction: { parts: systemParts } } : {}),
    contents,
  };
}

/** Text of a string or of an array of `text` (and `refusal`) parts; other parts are refused. */
function textOf(content: unknown, path: string): string | undefined {
  if (content === undefined || content === null) return undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new InvalidRequestError(`Invalid type for '${path}': expected a string or an array of content parts.`, path);
  return content
    .map((part: unknown, index) => {
      if (isObject(part) && part['type'] === 'text' && typeof part['text'] === 'string') return part['text'];
      if (isObject(part) && part['type'] === 'refusal' && typeof part['refusal'] === 'string') return part['refusal'];
      throw new InvalidRequestError(`Invalid content part '${path}[${index}]': only text parts are accepted here.`, `${path}[${index}]`);
    })
    .join('');
}

function textParts(content: unknown, path: string): GeminiPart[] {
  const text = textOf(content, path);
  return text === undefined || text === '' ? [] : [{ text }];
}

function userParts(content: unknown, path: string): GeminiPart[] {
  if (!Array.isArray(content)) return textParts(content, path);
  return content.flatMap((part: unknown, index) => userPart(part, `${path}[${index}]`));
}

function userPart(part: unknown, path: string): GeminiPart[] {
  const fields = isObject(part) ? part : {};
  switch (fields['type']) {
    case 'text':
      if (typeof fields['text'] !== 'string') break;
      return fields['text'] === '' ? [] : [{ text: fields['text'] }];
    case 'image_url': {
      const image = fields['image_url'];
      const url = typeof image === 'string' ? image : isObject(image) ? image['url'] : undefined;
      if (typeof url !== 'string' || url === '') break;
      return [urlPart(url, `${path}.image_url.url`)];
    }
    case 'input_audio': {
      const audio = isObject(fields['input_audio']) ? fields['input_audio'] : {};
      const data = nonEmptyString(audio['data']);
      const format = nonEmptyString(audio['format']);
      if (data === undefined || format === undefined) break;
      return [{ inlineData: { mimeType: `audio/${format}`, data } }];
    }
    case 'file':
      return [filePart(isObject(fields['file']) ? fields['file'] : {}, `${path}.file`)];
  }
  throw new InvalidRequestError(
    `Invalid content part '${path}': Gemini takes text, image_url, input_audio and file parts (with file_data).`,
    path,
  );
}

function urlPart(url: string, path: string): GeminiPart {
  const dataUrl = url.startsWith('data:') ? parseBase64DataUrl(url) : undefined;
  if (dataUrl) return { inlineData: { mimeType: dataUrl.mimeType, data: dataUrl.base64 } };
  if (/^(https?|gs):\/\//i.test(url)) return { fileData: { mimeType: guessMimeType(url) ?? DEFAULT_IMAGE_MIME_TYPE, fileUri: url } };
  throw new InvalidRequestError(`Invalid value for '${path}': expected an http(s) URL or a base64 data URL.`, path);
}

function filePart(file: JsonObject, path: string): GeminiPart {
  const data = nonEmptyString(file['file_data']);
  if (data === undefined) {
    // An OpenAI file id names a file in OpenAI's storage, which Gemini cannot read.
    throw new InvalidRequestError(`Invalid value for '${path}': Gemini needs the file inline as file_data; file_id is not supported.`, path);
  }
  const dataUrl = parseBase64DataUrl(data);
  if (dataUrl) return { inlineData: { mimeType: dataUrl.mimeType, data: dataUrl.base64 } };
  const mimeType = typeof file['filename'] === 'string' ? guessMimeType(file['filename']) : undefined;
  if (mimeType === undefined) {
    throw new InvalidRequestError(`Invalid value for '${path}.file_data': expected a base64 data URL (data:<type>;base64,…).`, `${path}.file_data`);
  }
  return { inlineData: { mimeType, data } };
}

function assistantParts(message: ChatMessage, path: string, toolNamesById: Map<string, string>): GeminiPart[] {
  const parts = textParts(message.content, `${path}.content`);
  const toolCalls = message['tool_calls'];
  if (toolCalls === undefined || toolCalls === null) return parts;
  if (!Array.isArray(toolCalls)) throw new InvalidRequestError(`Invalid type for '${path}.tool_calls': expected an array.`, `${path}.tool_calls`);
  toolCalls.forEach((toolCall: unknown, index) => {
    const callPath = `${path}.tool_calls[${index}]`;
    const fields = isObject(toolCall) ? toolCall : {};
    const fn = isObject(fields['function']) ? fields['function'] : {};
    const name = nonEmptyString(fn['name']);
    if (name === undefined) throw new InvalidRequestError(`Missing required parameter: '${callPath}.function.name'.`, `${callPath}.function.name`);
    const id = nonEmptyString(fields['id']);
    if (id !== undefined) toolNamesById.set(id, name);
    const signature = thoughtSignatureOf(fields) ?? (index === 0 ? THOUGHT_SIGNATURE_PLACEHOLDER : undefined);
    parts.push({
      functionCall: { name, args: toolArguments(fn['arguments'], `${callPath}.function.arguments`) },
      ...(signature !== undefined ? { thoughtSignature: signature } : {}),
    });
  });
  return parts;
}

function thoughtSignatureOf(toolCall: JsonObject): string | undefined {
  const extra = isObject(toolCall['extra_content']) ? toolCall['extra_content'] : {};
  const google = isObject(extra['google']) ? extra['google'] : {};
  return nonEmptyString(google['thought_signature']);
}

/** Gemini's `args` is a JSON object (a protobuf Struct): OpenAI's arguments string must parse to one. */
function toolArguments(argumentsText: unknown, path: string): JsonObject {
  if (argumentsText === undefined || argumentsText === null || argumentsText === '') return {};
  if (isObject(argumentsText)) return argumentsText;
  const parsed = typeof argumentsText === 'string' ? parseJson(argumentsText) : undefined;
  if (!isObject(parsed)) throw new InvalidRequestError(`Invalid value for '${path}': expected a JSON object in a string.`, path);
  return parsed;
}

function toolResponsePart(message: ChatMessage, path: string, toolNamesById: Map<string, string>): GeminiPart {
  const id = nonEmptyString(message['tool_call_id']);
  if (id === undefined) throw new InvalidRequestError(`Missing required parameter: '${path}.tool_call_id'.`, `${path}.tool_call_id`);
  const name = toolNamesById.get(id) ?? nonEmptyString(message['name']);
  if (name === undefined) {
    throw new InvalidRequestError(
      `Invalid value for '${path}.tool_call_id': no earlier assistant message has a tool call with id '${id}', and Gemini needs the function's name.`,
      `${path}.tool_call_id`,
    );
  }
  return functionResponsePart(name, message.content, `${path}.content`);
}

function functionResponsePart(name: string, content: unknown, path: string): GeminiPart {
  const text = textOf(content, path) ?? '';
  const parsed = parseJson(text);
  return { functionResponse: { name, response: isObject(parsed) ? parsed : { content: text } } };
}

function requireName(message: ChatMessage, path: string): string {
  const name = nonEmptyString(message['name']);
  if (name === undefined) throw new InvalidRequestError(`Missing required parameter: '${path}.name'.`, `${path}.name`);
  return name;
}
