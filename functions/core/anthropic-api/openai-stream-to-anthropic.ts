import type { GatewayError } from '../errors.js';
import type { ChatCompletionChunk, JsonObject, ToolCallDelta, Usage } from '../openai/openai-types.js';
import { toAnthropicErrorBody } from './anthropic-error.js';
import type { AnthropicContentBlock, AnthropicDeltaUsage, AnthropicStreamEvent } from './anthropic-types.js';
import { anthropicStopOf, matchedStopSequenceOf } from './map-finish-reason.js';
import { anthropicUsageOf } from './map-usage.js';
import { reasoningTextOf } from './openai-response-to-anthropic.js';

/** Turns one OpenAI chat stream into Anthropic's Messages stream, as SSE text. */
export interface AnthropicStreamWriter {
  /** The SSE text for one OpenAI chunk (possibly empty). The first call also writes `message_start`. */
  push(chunk: ChatCompletionChunk): string;
  /** Closes the open block, writes what was held, then `message_delta` (stop reason, usage) and `message_stop`. Call once the upstream finished. */
  end(): string;
  /** An `error` event for a failure after the stream started; nothing is written after it. */
  errorEvent(error: GatewayError): string;
}

interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool';
  index: number;
}

interface ToolCallState {
  id: string | undefined;
  name: string;
  arguments: string;
  /** The order the call appeared in, for a generated id. */
  ordinal: number;
}

/** Output held back while a tool block is open: see {@link createAnthropicStreamWriter}. */
type HeldBlock = { kind: 'text' | 'thinking'; text: string } | { kind: 'tool'; call: ToolCallState };

/**
 * Anthropic's order (see test/fixtures/providers/anthropic/*.chunks.txt): `message_start`,
 * `ping`, then one block at a time — `content_block_start`, its deltas,
 * `content_block_stop` — with indexes counted from 0 across text, thinking and tool
 * blocks in the order they open, then `message_delta` and `message_stop`.
 *
 * Text and thinking stream as they come, and so does the first tool call. OpenAI
 * servers may interleave the argument pieces of parallel tool calls (one chunk can even
 * start two), while an Anthropic block can take no delta after its stop; so once a tool
 * block is open it stays open until the stream ends, and what arrives meanwhile (other
 * tool calls, text after the call) is held and written, whole, block by block, at the
 * end. Clients act on tool calls only once the message ends, so holding delays nothing
 * they do; only the live display of later calls' inputs is lost.
 *
 * OpenAI reports usage in a last chunk after the finish reason, so `message_start`
 * carries input tokens only if the first chunk had them (else 0) and the real counts go
 * in `message_delta.usage`, as recent Anthropic streams do
 * (anthropic-message-delta-input-tokens.chunks.txt); clients overwrite with them.
 *
 * Only choice 0 is translated: Anthropic has no `n`.
 */
export function createAnthropicStreamWriter(requestedModel: string, messageId: string): AnthropicStreamWriter {
  let started = false;
  let finished = false;
  let nextBlockIndex = 0;
  let open: OpenBlock | undefined;
  let liveToolCall: ToolCallState | undefined;
  const held: HeldBlock[] = [];
  const toolCallsByIndex = new Map<number, ToolCallState>();
  let toolCallCount = 0;
  let finishReason: string | null = null;
  let matchedStopSequence: string | undefined;
  let refused = false;
  let usage: Usage | undefined;

  const start = (firstUsage: Usage | null | undefined): string => {
    started = true;
    const message = {
      id: messageId,
      type: 'message' as const,
      role: 'assistant' as const,
      model: requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsageOf(firstUsage),
    };
    return encodeAnthropicEvent({ type: 'message_start', message }) + encodeAnthropicEvent({ type: 'ping' });
  };

  const closeOpenBlock = (): string => {
    if (!open) return '';
    const index = open.index;
    open = undefined;
    liveToolCall = undefined;
    return encodeAnthropicEvent({ type: 'content_block_stop', index });
  };

  const openBlock = (kind: OpenBlock['kind'], contentBlock: AnthropicContentBlock): string => {
    const text = closeOpenBlock();
    open = { kind, index: nextBlockIndex++ };
    return text + encodeAnthropicEvent({ type: 'content_block_start', index: open.index, content_block: contentBlock });
  };

  const emptyBlock = (kind: 'text' | 'thinking'): AnthropicContentBlock =>
    kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };

  const textDelta = (kind: 'text' | 'thinking', piece: string): string => {
    if (liveToolCall) {
      const last = held.at(-1);
      if (last?.kind === kind) last.text += piece;
      else held.push({ kind, text: piece });
      return '';
    }
    const text = open?.kind === kind ? '' : openBlock(kind, emptyBlock(kind));
    const index = open!.index;
    const delta = kind === 'text' ? { type: 'text_delta' as const, text: piece } : { type: 'thinking_delta' as const, thinking: piece };
    return text + encodeAnthropicEvent({ type: 'content_block_delta', index, delta });
  };

  const toolIdOf = (call: ToolCallState): string => call.id ?? `toolu_${messageId.replace(/^msg_/, '')}_${call.ordinal}`;

  const toolCallDelta = (delta: ToolCallDelta): string => {
    const piece = delta.function?.arguments ?? '';
    let call = toolCallsByIndex.get(delta.index);
    // Some servers send every parallel call at index 0; a new id there is a new call.
    const isNew = !call || (delta.id !== undefined && call.id !== undefined && delta.id !== call.id);
    if (!call || isNew) {
      call = { id: delta.id, name: delta.function?.name ?? '', arguments: '', ordinal: toolCallCount++ };
      toolCallsByIndex.set(delta.index, call);
      if (!liveToolCall && call.name !== '') {
        const text = openBlock('tool', { type: 'tool_use', id: toolIdOf(call), name: call.name, input: {} });
        liveToolCall = call;
        call.arguments += piece;
        return text + argumentsEvent(piece);
      }
      held.push({ kind: 'tool', call });
    } else {
      call.id ??= delta.id;
      if (call.name === '' && delta.function?.name) call.name = delta.function.name;
    }
    call.arguments += piece;
    return call === liveToolCall ? argumentsEvent(piece) : '';
  };

  const argumentsEvent = (piece: string): string =>
    piece === '' ? '' : encodeAnthropicEvent({ type: 'content_block_delta', index: open!.index, delta: { type: 'input_json_delta', partial_json: piece } });

  /** Each held block, whole: start, one delta (when it has content), stop. */
  const writeHeld = (): string => {
    let text = closeOpenBlock();
    for (const block of held.splice(0)) {
      if (block.kind === 'tool') {
        text += openBlock('tool', { type: 'tool_use', id: toolIdOf(block.call), name: block.call.name, input: {} });
        text += argumentsEvent(block.call.arguments);
      } else {
        text += textDelta(block.kind, block.text);
      }
      text += closeOpenBlock();
    }
    return text;
  };

  return {
    push(chunk) {
      if (finished) return '';
      let text = started ? '' : start(chunk.usage);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices.find((candidate) => candidate.index === 0);
      if (!choice) return text;
      const delta: JsonObject = choice.delta ?? {};

      const reasoning = reasoningTextOf(delta);
      if (reasoning !== '') text += textDelta('thinking', reasoning);
      for (const field of ['content', 'refusal']) {
        const piece = delta[field];
        if (typeof piece !== 'string' || piece === '') continue;
        if (field === 'refusal') refused = true;
        text += textDelta('text', piece);
      }
      for (const toolCall of choice.delta.tool_calls ?? []) text += toolCallDelta(toolCall);

      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        finishReason = choice.finish_reason;
        matchedStopSequence = matchedStopSequenceOf(choice);
      }
      return text;
    },

    end() {
      if (finished) return '';
      finished = true;
      let text = started ? '' : start(undefined);
      text += writeHeld();
      const stop = anthropicStopOf(refused ? 'content_filter' : finishReason, { hasToolCalls: toolCallCount > 0, matchedStopSequence });
      text += encodeAnthropicEvent({ type: 'message_delta', delta: stop, usage: deltaUsageOf(usage) });
      return text + encodeAnthropicEvent({ type: 'message_stop' });
    },

    errorEvent(error) {
      finished = true;
      return encodeAnthropicEvent(toAnthropicErrorBody(error));
    },
  };
}

/** One Anthropic SSE event: the `event:` line names the type, the `data:` line is the JSON. */
export function encodeAnthropicEvent(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Without an upstream usage report there are no input counts to give: only `output_tokens`, which Anthropic requires. */
function deltaUsageOf(usage: Usage | undefined): AnthropicDeltaUsage {
  if (!usage) return { output_tokens: 0 };
  const mapped = anthropicUsageOf(usage);
  return {
    input_tokens: mapped.input_tokens,
    cache_creation_input_tokens: mapped.cache_creation_input_tokens,
    cache_read_input_tokens: mapped.cache_read_input_tokens,
    output_tokens: mapped.output_tokens,
  };
}
