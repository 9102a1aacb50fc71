import { InvalidRequestError } from '../errors.js';
import type { ChatMessage } from '../openai/openai-types.js';

/** How one provider writes each OpenAI message role. */
export interface ConversationTranslators<System, Block, Role extends string> {
  /** `system` and `developer` messages, lifted out of the turns (no native provider has system turns). */
  system(message: ChatMessage, path: string): System[];
  user(message: ChatMessage, path: string): Block[];
  assistant(message: ChatMessage, path: string): Block[];
  /** A `tool` message: its blocks go into a user turn. */
  tool(message: ChatMessage, path: string): Block[];
  /** The legacy `function` role, where the provider takes it (else it is refused like any unknown role). */
  function?(message: ChatMessage, path: string): Block[];
  /** The provider's names for the user and assistant turns (Gemini calls the assistant `model`). */
  roles: { user: Role; assistant: Role };
  /** Drop turns left with no blocks (providers that refuse empty content). */
  skipEmptyTurns: boolean;
  /** The message for a role the provider does not take. */
  unknownRole: string;
}

/**
 * OpenAI's flat message list as a native provider's conversation: system messages
 * collected apart, and consecutive turns of one role merged into one (Anthropic, Gemini
 * and Bedrock all want user and assistant turns to alternate, with parallel tool results
 * in a single user turn). Written once; each provider supplies only its block writers.
 */
export function foldConversation<System, Block, Role extends string>(
  messages: readonly ChatMessage[],
  translators: ConversationTranslators<System, Block, Role>,
): { system: System[]; turns: Array<{ role: Role; blocks: Block[] }> } {
  const system: System[] = [];
  const turns: Array<{ role: Role; blocks: Block[] }> = [];
  const append = (role: Role, blocks: Block[]): void => {
    if (translators.skipEmptyTurns && blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...translators.system(message, path));
        return;
      case 'user':
        append(translators.roles.user, translators.user(message, path));
        return;
      case 'assistant':
        append(translators.roles.assistant, translators.assistant(message, path));
        return;
      case 'tool':
        append(translators.roles.user, translators.tool(message, path));
        return;
      case 'function':
        if (translators.function) {
          append(translators.roles.user, translators.function(message, path));
          return;
        }
        break;
    }
    throw new InvalidRequestError(`Invalid value for '${path}.role': ${translators.unknownRole}`, `${path}.role`);
  });
  return { system, turns };
}
