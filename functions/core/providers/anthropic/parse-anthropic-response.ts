import type { ChatCompletion, JsonObject, ThinkingBlock, ToolCall } from '../../openai/openai-types.js';
import type { ProviderContext } from '../provider.js';
import { JSON_RESPONSE_TOOL_NAME } from './json-response-tool.js';
import { badUpstreamResponse, isObject, stringOr } from '../json-values.js';
import { finishReasonFor } from './map-anthropic-finish-reason.js';
import { mapAnthropicStreamError } from './map-anthropic-error.js';
import { mapAnthropicUsage } from './map-anthropic-usage.js';

/**
 * A whole Anthropic message as an OpenAI chat completion: text blocks joined into `content`,
 * `tool_use` blocks as `tool_calls` (the JSON-response tool's input as `content` instead),
 * thinking as `reasoning_content` (the field DeepSeek and others use) and, with redacted thinking,
 * as LiteLLM's `thinking_blocks` (signatures and data unchanged, so that the client can send them
 * back). Blocks the gateway does not translate (server tools' blocks) are left out. Only the
 * fields read are checked.
 */
export function parseAnthropicChatResponse(body: unknown, context: ProviderContext): ChatCompletion {
  if (!isObject(body)) throw badUpstreamResponse('a message');
  if (body['type'] === 'error') throw mapAnthropicStreamError(body);
  const blocks = Array.isArray(body['content']) ? body['content'].filter(isObject) : [];
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of blocks) {
    if (block['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
    else if (block['type'] === 'thinking' && typeof block['thinking'] === 'string') {
      reasoning += block['thinking'];
      const signature = block['signature'];
      thinkingBlocks.push({ type: 'thinking', thinking: block['thinking'], ...(typeof signature === 'string' ? { signature } : {}) });
    } else if (block['type'] === 'redacted_thinking' && typeof block['data'] === 'string') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block['data'] });
    } else if (block['type'] === 'tool_use' && block['name'] === JSON_RESPONSE_TOOL_NAME) text += JSON.stringify(block['input'] ?? {});
    else if (block['type'] === 'tool_use') toolCalls.push(toolCallOf(block, toolCalls.length, context));
  }
  const hasText = blocks.some((block) => block['type'] === 'text' || (block['type'] === 'tool_use' && block['name'] === JSON_RESPONSE_TOOL_NAME));
  return {
    id: stringOr(body['id'], `chatcmpl-${context.requestId}`),
    object: 'chat.completion',
    created: context.nowSeconds,
    model: stringOr(body['model'], context.deployment.upstreamModel),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasText ? text : null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
          ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonFor(body['stop_reason'], toolCalls.length),
      },
    ],
    usage: mapAnthropicUsage(body['usage']),
  };
}

function toolCallOf(block: JsonObject, position: number, context: ProviderContext): ToolCall {
  return {
    id: stringOr(block['id'], `call_${context.requestId}_${position}`),
    type: 'function',
    function: { name: stringOr(block['name'], ''), arguments: JSON.stringify(isObject(block['input']) ? block['input'] : {}) },
  };
}
