import type { ChatCompletionChunk, JsonObject, ToolCallDelta, Usage } from '../../openai/openai-types.js';
import type { SseEvent } from '../../streaming/sse-decoder.js';
import type { ChatStreamTranslator, ProviderContext } from '../provider.js';
import { isObject, objectOr, parseJsonObject } from '../json-values.js';
import { BEDROCK_ERRORS, mapBedrockStreamException } from './map-bedrock-error.js';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.js';
import { chatChunk, toolCallStart, upstreamStreamTruncated, withAssistantRole, type ChunkDelta, type OpenAIFinishReason } from '../stream-chunks.js';
import { mapBedrockUsage } from './map-bedrock-usage.js';

/** What a content block turned out to be, by its `contentBlockIndex`. */
type BlockState = { kind: 'tool'; toolIndex: number; sentArguments: boolean } | { kind: 'content' };

/**
 * ConverseStream events (API_runtime_ConverseStream.html) → OpenAI chunks. `event` is the
 * frame's event type, `data` its JSON. Ids, `created` and `model` come from the context
 * (Bedrock sends none), so every chunk of a stream shares them.
 * - The first chunk carries `role: "assistant"`, whether or not `messageStart` came (the recorded
 *   tool-call streams have none).
 * - Tool calls are indexed 0, 1, … in the order they start, not by `contentBlockIndex` (a text
 *   block before a call would otherwise make the first call index 1). A call whose input stayed
 *   empty (amazon-bedrock-tool-no-args.chunks.txt streams `"input":""`) gets `{}` as its arguments
 *   when its block stops, so the arguments always parse.
 * - `messageStop` gives the one finish chunk. Usage comes in `metadata`, which real Bedrock sends
 *   after `messageStop` but the recorded tool-call streams send before it: either way the usage goes
 *   out as its own chunk (`choices: []`) right after the finish chunk, never lost, never first.
 * - `finished` once both `messageStop` and `metadata` came; `end()` without a `messageStop` is a
 *   truncated stream (502).
 * - An exception frame (`throttlingException`, `validationException`, …) becomes a GatewayError
 *   with Bedrock's message and the status of the same error answered before the stream.
 */
export function createConverseStreamTranslator(context: ProviderContext): ChatStreamTranslator {
  const blocks = new Map<number, BlockState>();
  let sentRole = false;
  let toolCount = 0;
  let finishReason: OpenAIFinishReason | undefined;
  let usage: Usage | undefined;
  let sawMetadata = false;
  let sentUsage = false;

  const envelope = { id: `chatcmpl-${context.requestId}`, created: context.nowSeconds, model: context.deployment.upstreamModel };
  const chunk = (delta: ChunkDelta, finish: OpenAIFinishReason | null = null): ChatCompletionChunk => {
    const withRole = withAssistantRole(delta, sentRole);
    sentRole = true;
    return chatChunk(envelope, [{ index: 0, delta: withRole, finish_reason: finish }]);
  };
  const usageChunk = (reported: Usage): ChatCompletionChunk => {
    sentUsage = true;
    return chatChunk(envelope, [], { usage: reported });
  };
  const startToolCall = (blockIndex: number, toolUse: JsonObject): ToolCallDelta => {
    const toolIndex = toolCount++;
    blocks.set(blockIndex, { kind: 'tool', toolIndex, sentArguments: false });
    return toolCallStart(toolIndex, toolUse['toolUseId'], toolUse['name'], context.requestId);
  };

  /**
   * Extended thinking, as LiteLLM streams it: the text as `reasoning_content` and as a
   * `thinking_blocks` piece, the signature (which closes a reasoning block) as a piece of its own,
   * redacted reasoning whole.
   */
  const reasoningChunks = (reasoning: JsonObject): ChatCompletionChunk[] => {
    const { text, signature, redactedContent } = reasoning;
    if (typeof text === 'string' && text !== '') return [chunk({ reasoning_content: text, thinking_blocks: [{ type: 'thinking', thinking: text }] })];
    if (typeof signature === 'string' && signature !== '') return [chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature }] })];
    if (typeof redactedContent === 'string') return [chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: redactedContent }] })];
    return [];
  };

  const handlers: Record<string, (data: JsonObject) => ChatCompletionChunk[]> = {
    messageStart: () => (sentRole ? [] : [chunk({ content: '' })]),

    contentBlockStart: (data) => {
      const blockIndex = blockIndexOf(data);
      const toolUse = objectOr(data['start'])['toolUse'];
      if (!isObject(toolUse)) {
        blocks.set(blockIndex, { kind: 'content' });
        return [];
      }
      return [chunk({ tool_calls: [startToolCall(blockIndex, toolUse)] })];
    },

    contentBlockDelta: (data) => {
      const blockIndex = blockIndexOf(data);
      const delta = objectOr(data['delta']);
      const text = delta['text'];
      if (typeof text === 'string') return text === '' ? [] : [chunk({ content: text })];
      const toolUse = delta['toolUse'];
      if (isObject(toolUse)) {
        const input = typeof toolUse['input'] === 'string' ? toolUse['input'] : '';
        const block = blocks.get(blockIndex);
        if (block?.kind === 'tool') {
          if (input === '') return [];
          block.sentArguments = true;
          return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: input } }] })];
        }
        // A call Bedrock never announced with contentBlockStart still gets an index and an id.
        const started = startToolCall(blockIndex, {});
        if (input !== '') {
          started.function = { ...started.function, arguments: input };
          (blocks.get(blockIndex) as Extract<BlockState, { kind: 'tool' }>).sentArguments = true;
        }
        return [chunk({ tool_calls: [started] })];
      }
      return reasoningChunks(objectOr(delta['reasoningContent']));
    },

    contentBlockStop: (data) => {
      const block = blocks.get(blockIndexOf(data));
      if (block?.kind !== 'tool' || block.sentArguments) return [];
      block.sentArguments = true;
      return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] })];
    },

    messageStop: (data) => {
      if (finishReason !== undefined) return [];
      finishReason = mapBedrockStopReason(data['stopReason']);
      const finish = chunk({}, finishReason);
      return usage !== undefined && !sentUsage ? [finish, usageChunk(usage)] : [finish];
    },

    metadata: (data) => {
      if (sawMetadata) return [];
      sawMetadata = true;
      // No usage is better than zeros: the gateway then estimates instead of recording a free answer.
      if (!isObject(data['usage'])) return [];
      usage = mapBedrockUsage(data['usage']);
      return finishReason !== undefined ? [usageChunk(usage)] : [];
    },
  };

  return {
    get finished() {
      return finishReason !== undefined && sawMetadata;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      const name = event.event ?? '';
      if (name in BEDROCK_ERRORS || /Exception$/i.test(name)) throw mapBedrockStreamException(exceptionNameOf(name), event.data);
      const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
      if (!handler) return [];
      return handler(parseJsonObject(event.data, `a ConverseStream ${name} event`));
    },
    end(): ChatCompletionChunk[] {
      if (finishReason === undefined) throw upstreamStreamTruncated();
      return [];
    },
  };
}

function blockIndexOf(data: JsonObject): number {
  const index = data['contentBlockIndex'];
  return typeof index === 'number' ? index : 0;
}

/** Frames name exceptions in camelCase (`throttlingException`); the error table uses the API's names. */
function exceptionNameOf(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
