import type { ChatCompletion, ThinkingBlock, ToolCall } from '../../openai/openai-types.js';
import type { ProviderContext } from '../provider.js';
import { isObject, objectOr, requireObject } from '../json-values.js';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.js';
import { mapBedrockUsage } from './map-bedrock-usage.js';

/**
 * A Converse answer → an OpenAI chat completion: `text` blocks joined into `content`, `toolUse`
 * blocks into `tool_calls` (input serialised as the arguments string), `reasoningContent` text into
 * `reasoning_content` (as DeepSeek and LiteLLM name it) and, with its signature, into LiteLLM's
 * `thinking_blocks` (`reasoningText` → `{type: "thinking", thinking, signature}`, `redactedContent` →
 * `{type: "redacted_thinking", data}`), so that the client can send them back. Converse sends no id
 * or timestamp: they come from the context.
 */
export function parseConverseResponse(body: unknown, context: ProviderContext): ChatCompletion {
  const response = requireObject(body, 'a Converse response');
  const content = objectOr(objectOr(response['output'])['message'])['content'];
  const blocks = Array.isArray(content) ? content.filter(isObject) : [];
  const text: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of blocks) {
    if (typeof block['text'] === 'string') text.push(block['text']);
    const toolUse = block['toolUse'];
    if (isObject(toolUse)) {
      toolCalls.push({
        id: typeof toolUse['toolUseId'] === 'string' ? toolUse['toolUseId'] : `call_${context.requestId}_${toolCalls.length}`,
        type: 'function',
        function: { name: typeof toolUse['name'] === 'string' ? toolUse['name'] : '', arguments: JSON.stringify(toolUse['input'] ?? {}) },
      });
    }
    const reasoningContent = objectOr(block['reasoningContent']);
    const reasoningText = objectOr(reasoningContent['reasoningText']);
    if (typeof reasoningText['text'] === 'string') {
      reasoning.push(reasoningText['text']);
      const signature = reasoningText['signature'];
      thinkingBlocks.push({ type: 'thinking', thinking: reasoningText['text'], ...(typeof signature === 'string' ? { signature } : {}) });
    }
    // Over JSON a blob travels base64: sent back as it came.
    if (typeof reasoningContent['redactedContent'] === 'string') thinkingBlocks.push({ type: 'redacted_thinking', data: reasoningContent['redactedContent'] });
  }
  return {
    id: `chatcmpl-${context.requestId}`,
    object: 'chat.completion',
    created: context.nowSeconds,
    model: context.deployment.upstreamModel,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text.length > 0 ? text.join('') : null,
          refusal: null,
          ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
          ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: mapBedrockStopReason(response['stopReason']),
      },
    ],
    usage: mapBedrockUsage(response['usage']),
  };
}
