import type { ChatCompletionChunk, JsonObject } from '../../openai/openai-types.js';
import type { SseEvent } from '../../streaming/sse-decoder.js';
import type { ChatStreamTranslator, ProviderContext } from '../provider.js';
import { chatChunk, toolCallStart, upstreamStreamTruncated, withAssistantRole, type ChunkDelta, type OpenAIFinishReason } from '../stream-chunks.js';
import { JSON_RESPONSE_TOOL_NAME } from './json-response-tool.js';
import { isObject, objectOr, parseJsonObject, stringOr } from '../json-values.js';
import { finishReasonFor } from './map-anthropic-finish-reason.js';
import { mapAnthropicStreamError } from './map-anthropic-error.js';
import { mapAnthropicUsage, mergeAnthropicStreamUsage } from './map-anthropic-usage.js';

/** What one of Anthropic's content blocks becomes, by the block's own `index`. */
type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking' }
  /** A client tool call; `toolIndex` counts tool_use blocks only (Anthropic's index counts text blocks too). */
  | { kind: 'tool'; toolIndex: number; argumentsSent: boolean }
  /** The JSON-response tool (json-response-tool.ts): its input streams as `content`. */
  | { kind: 'json'; contentSent: boolean }
  /** Server tools' blocks, blocks Anthropic adds later. */
  | { kind: 'ignored' };

/**
 * Anthropic's stream events (message_start, content_block_start/delta/stop, message_delta,
 * message_stop, ping, error) as OpenAI chunks. Every chunk has the message id and the model from
 * message_start; the first carries `role: "assistant"`; the finish_reason comes once, from
 * message_delta; message_stop adds the usage chunk (`choices: []`).
 * Thinking streams as LiteLLM streams it: each thinking_delta as `reasoning_content` and as a
 * `thinking_blocks` piece `{type: "thinking", thinking}`; the signature_delta, which closes a
 * thinking block, as `{type: "thinking", thinking: "", signature}`; a redacted_thinking block whole
 * as `{type: "redacted_thinking", data}`. Concatenating the pieces up to each signature gives the
 * blocks to send back.
 */
export function createAnthropicStreamTranslator(context: ProviderContext): ChatStreamTranslator {
  let id = `chatcmpl-${context.requestId}`;
  let model = context.deployment.upstreamModel;
  let roleSent = false;
  let finishSent = false;
  let finished = false;
  let toolCount = 0;
  let usageAtStart: unknown;
  let usageAtDelta: JsonObject = {};
  const blocks = new Map<number, BlockState>();

  const chunk = (choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk =>
    chatChunk({ id, created: context.nowSeconds, model }, choices, extra);
  const deltaChunk = (delta: ChunkDelta, finishReason: OpenAIFinishReason | null = null): ChatCompletionChunk => {
    const withRole = withAssistantRole(delta, roleSent);
    roleSent = true;
    return chunk([{ index: 0, delta: withRole, finish_reason: finishReason }]);
  };
  const finishChunk = (stopReason: unknown): ChatCompletionChunk => {
    finishSent = true;
    return deltaChunk({}, finishReasonFor(stopReason, toolCount));
  };

  const startBlock = (index: number, block: JsonObject): ChatCompletionChunk[] => {
    const type = block['type'];
    if (type === 'text') {
      blocks.set(index, { kind: 'text' });
      return typeof block['text'] === 'string' && block['text'] !== '' ? [deltaChunk({ content: block['text'] })] : [];
    }
    if (type === 'thinking') {
      blocks.set(index, { kind: 'thinking' });
      return [...thinkingChunks(block['thinking']), ...signatureChunks(block['signature'])];
    }
    if (type === 'redacted_thinking') {
      blocks.set(index, { kind: 'ignored' });
      return typeof block['data'] === 'string' ? [deltaChunk({ thinking_blocks: [{ type: 'redacted_thinking', data: block['data'] }] })] : [];
    }
    if (type === 'tool_use' && block['name'] === JSON_RESPONSE_TOOL_NAME) {
      blocks.set(index, { kind: 'json', contentSent: false });
      return [];
    }
    if (type === 'tool_use') {
      const toolIndex = toolCount++;
      blocks.set(index, { kind: 'tool', toolIndex, argumentsSent: false });
      return [deltaChunk({ content: null, tool_calls: [toolCallStart(toolIndex, block['id'], block['name'], context.requestId)] })];
    }
    blocks.set(index, { kind: 'ignored' });
    return [];
  };

  const continueBlock = (index: number, delta: JsonObject): ChatCompletionChunk[] => {
    const state = blocks.get(index);
    const type = delta['type'];
    if (state?.kind === 'text' && type === 'text_delta') return textChunks(delta['text'], (text) => ({ content: text }));
    if (state?.kind === 'thinking' && type === 'thinking_delta') return thinkingChunks(delta['thinking']);
    if (state?.kind === 'thinking' && type === 'signature_delta') return signatureChunks(delta['signature']);
    if (state?.kind === 'tool' && type === 'input_json_delta') {
      // The first delta of a tool is often `partial_json: ""` (anthropic-tool-no-args.chunks.txt): nothing to send.
      return textChunks(delta['partial_json'], (text) => {
        state.argumentsSent = true;
        return { tool_calls: [{ index: state.toolIndex, function: { arguments: text } }] };
      });
    }
    if (state?.kind === 'json' && type === 'input_json_delta') {
      return textChunks(delta['partial_json'], (text) => {
        state.contentSent = true;
        return { content: text };
      });
    }
    // citations_delta, deltas of ignored blocks.
    return [];
  };

  /** A tool called without arguments streams none (anthropic-tool-no-args.chunks.txt); clients need the JSON `{}`. */
  const stopBlock = (index: number): ChatCompletionChunk[] => {
    const state = blocks.get(index);
    if (state?.kind === 'tool' && !state.argumentsSent) {
      state.argumentsSent = true;
      return [deltaChunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: '{}' } }] })];
    }
    if (state?.kind === 'json' && !state.contentSent) {
      state.contentSent = true;
      return [deltaChunk({ content: '{}' })];
    }
    return [];
  };

  const textChunks = (text: unknown, toDelta: (text: string) => ChunkDelta): ChatCompletionChunk[] =>
    typeof text === 'string' && text !== '' ? [deltaChunk(toDelta(text))] : [];
  const thinkingChunks = (thinking: unknown): ChatCompletionChunk[] =>
    textChunks(thinking, (text) => ({ reasoning_content: text, thinking_blocks: [{ type: 'thinking', thinking: text }] }));
  const signatureChunks = (signature: unknown): ChatCompletionChunk[] =>
    textChunks(signature, (text) => ({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: text }] }));

  return {
    get finished() {
      return finished;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      if (finished) return [];
      const payload = parseJsonObject(event.data, 'a stream event');
      const type = typeof payload['type'] === 'string' ? payload['type'] : event.event;
      const index = typeof payload['index'] === 'number' ? payload['index'] : -1;
      switch (type) {
        case 'message_start': {
          const message = objectOr(payload['message']);
          id = stringOr(message['id'], id);
          model = stringOr(message['model'], model);
          usageAtStart = message['usage'];
          return roleSent ? [] : [deltaChunk({ content: '' })];
        }
        case 'content_block_start':
          return startBlock(index, objectOr(payload['content_block']));
        case 'content_block_delta':
          return continueBlock(index, objectOr(payload['delta']));
        case 'content_block_stop':
          return stopBlock(index);
        case 'message_delta': {
          if (isObject(payload['usage'])) usageAtDelta = { ...usageAtDelta, ...payload['usage'] };
          const stopReason = objectOr(payload['delta'])['stop_reason'];
          return typeof stopReason === 'string' && !finishSent ? [finishChunk(stopReason)] : [];
        }
        case 'message_stop': {
          finished = true;
          const usage = mapAnthropicUsage(mergeAnthropicStreamUsage(usageAtStart, usageAtDelta));
          return [...(finishSent ? [] : [finishChunk('end_turn')]), chunk([], { usage })];
        }
        case 'error':
          throw mapAnthropicStreamError(payload);
        default:
          // ping, and event types Anthropic adds later.
          return [];
      }
    },
    end(): ChatCompletionChunk[] {
      if (!finished) throw upstreamStreamTruncated();
      return [];
    },
  };
}
