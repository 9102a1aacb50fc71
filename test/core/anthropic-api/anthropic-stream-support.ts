/**
 * Reading Anthropic streams back for tests: the recorded fixtures (one event's JSON per
 * line), the writer's SSE text, Anthropic's ordering rules, and what a client
 * accumulates from the events.
 */
import type { ChatCompletionChunk, JsonObject, ToolCallDelta } from '../../../functions/core/openai/openai-types.js';
import { fixtureJson, fixtureLines, fixtureNames } from '../../support/recorded-fixtures.js';

export type AnthropicEvent = JsonObject & { type: string };

export function anthropicStreamFixtureNames(): string[] {
  return fixtureNames('anthropic', '.chunks.txt');
}

export function readAnthropicStreamFixture(name: string): AnthropicEvent[] {
  return fixtureLines(name, 'anthropic').map((line) => JSON.parse(line) as AnthropicEvent);
}

export function readAnthropicJsonFixture(name: string): JsonObject {
  return fixtureJson(name, 'anthropic');
}

/** The events in the writer's SSE text. Throws when an event is not framed as `event: <type>\ndata: <json>\n\n`. */
export function parseAnthropicSse(text: string): AnthropicEvent[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n')) throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const match = /^event: ([a-z_]+)\ndata: (.+)$/.exec(block);
      if (!match) throw new Error(`Not an Anthropic SSE event: ${JSON.stringify(block)}`);
      const event = JSON.parse(match[2]!) as AnthropicEvent;
      if (event.type !== match[1]) throw new Error(`event: ${match[1]} carries data of type ${event.type}`);
      return event;
    });
}

/**
 * Anthropic's sequence rules, as the recorded streams follow them: `message_start`
 * first and `message_stop` last; blocks open one at a time with indexes 0, 1, 2…; each
 * delta belongs to the open block and matches its type; every started block stops;
 * a tool's `input_json_delta` pieces concatenate to a JSON object (or nothing);
 * exactly one `message_delta`, with a stop reason, after the last block.
 */
export function anthropicStreamViolations(events: readonly AnthropicEvent[]): string[] {
  const violations: string[] = [];
  const meaningful = events.filter((event) => event.type !== 'ping');
  if (meaningful[0]?.type !== 'message_start') violations.push('the first event is not message_start');
  if (meaningful.at(-1)?.type !== 'message_stop') violations.push('the last event is not message_stop');
  if (meaningful.filter((event) => event.type === 'message_start').length !== 1) violations.push('message_start is not sent exactly once');
  const deltas = meaningful.filter((event) => event.type === 'message_delta');
  if (deltas.length !== 1) violations.push(`${deltas.length} message_delta events instead of one`);
  else if (typeof (deltas[0]!['delta'] as JsonObject)['stop_reason'] !== 'string') violations.push('message_delta has no stop_reason');
  if (meaningful.at(-2)?.type !== 'message_delta') violations.push('message_delta does not come right before message_stop');

  let open: { index: number; type: string; json: string } | undefined;
  let nextIndex = 0;
  meaningful.forEach((event, position) => {
    const at = `event ${position} (${event.type})`;
    const index = event['index'];
    switch (event.type) {
      case 'content_block_start': {
        if (open) violations.push(`${at}: block ${String(index)} starts while block ${open.index} is open`);
        if (index !== nextIndex) violations.push(`${at}: index ${String(index)}, expected ${nextIndex}`);
        nextIndex = (index as number) + 1;
        const block = event['content_block'] as JsonObject;
        if (block['type'] === 'tool_use' && (typeof block['id'] !== 'string' || typeof block['name'] !== 'string' || JSON.stringify(block['input']) !== '{}')) {
          violations.push(`${at}: tool_use block without id, name and input {}`);
        }
        open = { index: index as number, type: block['type'] as string, json: '' };
        break;
      }
      case 'content_block_delta': {
        const delta = event['delta'] as JsonObject;
        if (!open || open.index !== index) {
          violations.push(`${at}: delta for block ${String(index)}, which is not open`);
          break;
        }
        const expected = { text: 'text_delta', tool_use: 'input_json_delta', thinking: 'thinking_delta' }[open.type];
        if (delta['type'] !== expected && !(open.type === 'thinking' && delta['type'] === 'signature_delta')) {
          violations.push(`${at}: ${String(delta['type'])} in a ${open.type} block`);
        }
        if (delta['type'] === 'input_json_delta') open.json += delta['partial_json'] as string;
        break;
      }
      case 'content_block_stop':
        if (!open || open.index !== index) violations.push(`${at}: stop for block ${String(index)}, which is not open`);
        else if (open.type === 'tool_use' && open.json !== '' && !isJsonObject(open.json)) violations.push(`${at}: tool input ${open.json} is not a JSON object`);
        open = undefined;
        break;
      case 'message_delta':
        if (open) violations.push(`${at}: block ${open.index} is still open`);
        break;
      default:
        break;
    }
  });
  if (open) violations.push(`block ${open.index} never stops`);
  return violations;
}

export interface AccumulatedBlock {
  type: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface AccumulatedMessage {
  id: string;
  model: string;
  content: AccumulatedBlock[];
  stopReason: string | null;
  stopSequence: string | null;
  /** message_start's usage, overwritten field by field by message_delta's, as the Anthropic SDK does. */
  usage: JsonObject;
}

/** What a client builds from the events: text and thinking concatenated, tool inputs parsed from their pieces. */
export function accumulateAnthropicStream(events: readonly AnthropicEvent[]): AccumulatedMessage {
  const message: AccumulatedMessage = { id: '', model: '', content: [], stopReason: null, stopSequence: null, usage: {} };
  const json = new Map<number, string>();
  for (const event of events) {
    if (event.type === 'message_start') {
      const start = event['message'] as JsonObject;
      Object.assign(message, { id: start['id'], model: start['model'], usage: { ...(start['usage'] as JsonObject) } });
    } else if (event.type === 'content_block_start') {
      message.content[event['index'] as number] = { ...(event['content_block'] as AccumulatedBlock) };
    } else if (event.type === 'content_block_delta') {
      const index = event['index'] as number;
      const block = message.content[index]!;
      const delta = event['delta'] as JsonObject;
      if (delta['type'] === 'text_delta') block.text = (block.text ?? '') + (delta['text'] as string);
      if (delta['type'] === 'thinking_delta') block.thinking = (block.thinking ?? '') + (delta['thinking'] as string);
      if (delta['type'] === 'input_json_delta') json.set(index, (json.get(index) ?? '') + (delta['partial_json'] as string));
    } else if (event.type === 'content_block_stop') {
      const index = event['index'] as number;
      const block = message.content[index]!;
      if (block.type === 'tool_use') block.input = JSON.parse(json.get(index) || '{}');
    } else if (event.type === 'message_delta') {
      const delta = event['delta'] as JsonObject;
      message.stopReason = delta['stop_reason'] as string;
      message.stopSequence = (delta['stop_sequence'] as string | null | undefined) ?? null;
      for (const [field, value] of Object.entries(event['usage'] as JsonObject)) if (value !== null && value !== undefined) message.usage[field] = value;
    }
  }
  return message;
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** One streamed OpenAI chunk for choice 0. */
export function openAIChunk(delta: JsonObject & { tool_calls?: ToolCallDelta[] }, finishReason: string | null = null, extra: JsonObject = {}): ChatCompletionChunk {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'upstream-model',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null, ...extra }],
  };
}

/** OpenAI's last chunk with `stream_options.include_usage`: no choices, only usage. */
export function openAIUsageChunk(promptTokens: number, completionTokens: number, cachedTokens?: number): ChatCompletionChunk {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'upstream-model',
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: cachedTokens } }),
    },
  };
}
