import type { JsonObject, ThinkingBlock } from '../openai/openai-types.js';
import { isObject } from '../providers/json-values.js';

/**
 * Claude's signed thinking blocks ride in a reasoning item's `encrypted_content`, so a client that
 * sends its reasoning items back (Codex with `store: false`), or a stored conversation, replays a
 * thinking + tool loop that Claude accepts: Anthropic refuses an assistant turn that lost its
 * thinking blocks. The prefix tells them from OpenAI's own encrypted reasoning, which no other
 * provider can read and which is dropped. The blocks are Claude's, signed by Anthropic: a forged
 * one is refused by Claude, not trusted by the gateway.
 */
const PREFIX = 'llm-gateway.thinking-blocks.v1:';

/** The blocks worth carrying (any signed thinking or redacted thinking), encoded; undefined otherwise. */
export function encodeThinkingBlocks(blocks: readonly ThinkingBlock[]): string | undefined {
  const signed = blocks.some((block) => block.type === 'redacted_thinking' || (typeof block.signature === 'string' && block.signature !== ''));
  return signed ? PREFIX + JSON.stringify(blocks) : undefined;
}

/** The thinking blocks a reasoning item's `encrypted_content` carries, if the gateway wrote it. */
export function decodeThinkingBlocks(encrypted: unknown): ThinkingBlock[] | undefined {
  if (typeof encrypted !== 'string' || !encrypted.startsWith(PREFIX)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(encrypted.slice(PREFIX.length));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every(isThinkingBlock)) return undefined;
  return parsed;
}

function isThinkingBlock(value: unknown): value is ThinkingBlock {
  if (!isObject(value)) return false;
  if (value['type'] === 'redacted_thinking') return typeof value['data'] === 'string';
  return value['type'] === 'thinking' && typeof value['thinking'] === 'string' && (value['signature'] === undefined || typeof value['signature'] === 'string');
}

/** The well-formed thinking blocks of a chat message or delta (LiteLLM's `thinking_blocks`). */
export function thinkingBlocksOf(message: JsonObject): ThinkingBlock[] {
  const blocks = message['thinking_blocks'];
  return Array.isArray(blocks) ? blocks.filter(isThinkingBlock) : [];
}

/**
 * Streamed thinking-block pieces → whole blocks: thinking text is appended to the open thinking
 * block until a signature closes it; a redacted block comes whole.
 */
export function createThinkingBlockAccumulator(): { push(pieces: readonly ThinkingBlock[]): void; blocks(): ThinkingBlock[] } {
  const blocks: ThinkingBlock[] = [];
  return {
    push(pieces) {
      for (const piece of pieces) {
        const last = blocks.at(-1);
        if (piece.type === 'redacted_thinking') blocks.push({ ...piece });
        else if (last?.type === 'thinking' && last.signature === undefined) {
          last.thinking += piece.thinking;
          if (piece.signature !== undefined) last.signature = piece.signature;
        } else blocks.push({ ...piece });
      }
    },
    blocks: () => blocks.map((block) => ({ ...block })),
  };
}
