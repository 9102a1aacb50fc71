/**
 * Claude's extended thinking over the OpenAI format, as LiteLLM carries it, shared by the Anthropic
 * and Bedrock Converse translations:
 * - the request's `thinking` parameter (Anthropic's own shape) is taken as is; `reasoning_effort`
 *   maps to a fixed budget only when `thinking` is absent;
 * - an assistant message's `thinking_blocks` (`{type: "thinking", thinking, signature}`,
 *   `{type: "redacted_thinking", data}`) are read back so that a thinking + tool loop can be
 *   replayed: Anthropic refuses one whose assistant turn lost its thinking blocks.
 */
import { InvalidRequestError } from '../errors.js';
import type { ChatCompletionRequest, ChatMessage, ThinkingBlock, ThinkingConfig } from '../openai/openai-types.js';
import { MAX_OUTPUT_TOKENS } from '../openai/validate-request.js';
import { isObject } from './json-values.js';

/** Extended-thinking budgets for OpenAI's `reasoning_effort` (Claude's minimum budget is 1024). */
export const THINKING_BUDGET_TOKENS: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16_384 };

/**
 * The thinking to ask Claude for: the client's `thinking` unchanged (an explicit budget is never
 * bucketed), else the budget of its `reasoning_effort` unless a tool is forced (Claude refuses
 * thinking with a forced tool; an explicit `thinking` is left for Claude to judge), else none.
 */
export function claudeThinking(request: ChatCompletionRequest, toolForced: boolean): ThinkingConfig | undefined {
  const explicit = requestedThinking(request['thinking']);
  if (explicit !== undefined) return explicit;
  const effort = request['reasoning_effort'];
  if (typeof effort !== 'string' || toolForced) return undefined;
  const budget = THINKING_BUDGET_TOKENS[effort];
  return budget === undefined ? undefined : { type: 'enabled', budget_tokens: budget };
}

/** The budget of enabled thinking; undefined for adaptive, disabled or no thinking. */
export function thinkingBudgetOf(thinking: ThinkingConfig | undefined): number | undefined {
  return thinking?.type === 'enabled' ? thinking.budget_tokens : undefined;
}

/** Thinking that is on (enabled, adaptive, or a kind Anthropic adds later): Claude then refuses a changed temperature/top_p. */
export function thinkingIsOn(thinking: ThinkingConfig | undefined): boolean {
  return thinking !== undefined && thinking.type !== 'disabled';
}

/**
 * `max_tokens` when thinking has a budget: Claude counts thinking inside max_tokens and wants room
 * beyond the budget, so the client's allowance is kept for the answer when it would not cover it.
 */
export function maxTokensWithBudget(maxTokens: number, budget: number | undefined): number {
  return budget !== undefined && maxTokens <= budget ? budget + maxTokens : maxTokens;
}

function requestedThinking(thinking: unknown): ThinkingConfig | undefined {
  if (thinking === undefined || thinking === null) return undefined;
  if (!isObject(thinking)) throw new InvalidRequestError("Invalid type for 'thinking': expected an object such as {\"type\": \"enabled\", \"budget_tokens\": 2048}.", 'thinking');
  if (typeof thinking['type'] !== 'string' || thinking['type'] === '') {
    throw new InvalidRequestError("Invalid value for 'thinking.type': expected 'enabled', 'adaptive' or 'disabled'.", 'thinking.type');
  }
  if (thinking['type'] === 'enabled') {
    const budget = thinking['budget_tokens'];
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1 || budget > MAX_OUTPUT_TOKENS) {
      throw new InvalidRequestError("Invalid 'thinking.budget_tokens': expected a positive integer when thinking is enabled.", 'thinking.budget_tokens');
    }
  }
  return thinking as ThinkingConfig;
}

/**
 * An assistant message's `thinking_blocks`, in order, checked: a thinking block needs its text (its
 * signature is kept when present), a redacted one its data. Anything else is refused, so a block is
 * never lost without the client knowing.
 */
export function assistantThinkingBlocks(message: ChatMessage, path: string): ThinkingBlock[] {
  const blocks = message['thinking_blocks'];
  if (blocks === undefined || blocks === null) return [];
  const blocksPath = `${path}.thinking_blocks`;
  if (!Array.isArray(blocks)) throw new InvalidRequestError(`Invalid type for '${blocksPath}': expected an array.`, blocksPath);
  return blocks.map((block: unknown, index): ThinkingBlock => {
    if (isObject(block) && block['type'] === 'thinking' && typeof block['thinking'] === 'string') {
      const signature = block['signature'];
      return { type: 'thinking', thinking: block['thinking'], ...(typeof signature === 'string' && signature !== '' ? { signature } : {}) };
    }
    if (isObject(block) && block['type'] === 'redacted_thinking' && typeof block['data'] === 'string') return { type: 'redacted_thinking', data: block['data'] };
    const blockPath = `${blocksPath}[${index}]`;
    throw new InvalidRequestError(
      `Invalid thinking block at '${blockPath}': expected {"type": "thinking", "thinking", "signature"} or {"type": "redacted_thinking", "data"}.`,
      blockPath,
    );
  });
}
