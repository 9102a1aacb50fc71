import type { ChatCompletion, ToolCall } from '../../openai/openai-types.js';
import type { ProviderContext } from '../provider.js';
import { isObject, objectOr, requireObject } from '../json-values.js';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.js';
import { mapBedrockUsage } from './map-bedrock-usage.js';

/**
 * A Converse answer → an OpenAI chat completion: `text` blocks joined into `content`, `toolUse`
 * blocks into `tool_calls` (input serialised as the arguments string), `reasoningContent` text into
 * `reasoning_content` (as DeepSeek and LiteLLM name it; the signature and redacted reasoning have
 * no OpenAI field and are dropped). Converse sends no id or timestamp: they come from the context.
 */
export function parseConverseResponse(body: unknown, context: ProviderContext): ChatCompletion {
  const response = requireObject(body, 'a Converse response');
  const content = objectOr(objectOr(response['output'])['message'])['content'];
  const blocks = Array.isArray(content) ? content.filter(isObject) : [];
  const text: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
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
    const reasoningText = objectOr(objectOr(block['reasoningContent'])['reasoningText'])['text'];
    if (typeof reasoningText === 'string') reasoning.push(reasoningText);
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
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: mapBedrockStopReason(response['stopReason']),
      },
    ],
    usage: mapBedrockUsage(response['usage']),
  };
}
