import type { ChatCompletion, JsonObject } from '../openai/openai-types.js';
import { encodeThinkingBlocks, thinkingBlocksOf } from './thinking-blocks-carrier.js';
import { outputTextPart, responseShell, responseUsage, statusForFinishReason, type ResponseContext } from './response-object.js';

export type { ResponseContext } from './response-object.js';

/**
 * A whole chat completion → a Response object (`object: "response"`, `status: "completed"` or
 * `"incomplete"`, `output` items: reasoning, message with output_text, function_call; `usage`
 * with input/output/total tokens and details). Only the first choice is read: the Responses API
 * has no `n`.
 */
export function chatCompletionToResponse(completion: ChatCompletion, context: ResponseContext): JsonObject {
  const choice = completion.choices[0];
  const { status, incompleteDetails } = statusForFinishReason(choice?.finish_reason);
  const message = choice?.message;
  const output: JsonObject[] = [];

  const reasoning = message === undefined ? '' : reasoningText(message);
  const encrypted = message === undefined ? undefined : encodeThinkingBlocks(thinkingBlocksOf(message));
  if (reasoning !== '' || encrypted !== undefined) {
    const item: JsonObject = { id: context.newItemId(), type: 'reasoning', summary: reasoning === '' ? [] : [{ type: 'summary_text', text: reasoning }] };
    if (encrypted !== undefined) item['encrypted_content'] = encrypted;
    output.push(item);
  }

  const parts: JsonObject[] = [];
  if (typeof message?.content === 'string' && message.content !== '') parts.push(outputTextPart(message.content));
  if (typeof message?.['refusal'] === 'string' && message['refusal'] !== '') parts.push({ type: 'refusal', refusal: message['refusal'] });
  if (parts.length > 0) {
    output.push({ id: context.newItemId(), type: 'message', status: status === 'completed' ? 'completed' : 'incomplete', role: 'assistant', content: parts });
  }

  for (const call of message?.tool_calls ?? []) {
    output.push({
      id: context.newItemId(),
      type: 'function_call',
      status: 'completed',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }

  const response: JsonObject = { ...responseShell(context, status), incomplete_details: incompleteDetails, output };
  const usage = responseUsage(completion.usage);
  if (usage !== undefined) response['usage'] = usage;
  return response;
}

/** `reasoning_content`, or else the text of Claude's thinking blocks (LiteLLM's `thinking_blocks`). */
export function reasoningText(message: JsonObject): string {
  if (typeof message['reasoning_content'] === 'string') return message['reasoning_content'];
  return thinkingBlocksOf(message)
    .map((block) => (block.type === 'thinking' ? block.thinking : ''))
    .join('');
}
