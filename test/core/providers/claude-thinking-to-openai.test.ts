import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../../functions/core/openai/openai-types.js';
import { providerFor } from '../../../functions/core/providers/provider-registry.js';
import { providerContext, resolvedDeployment } from './provider-test-support.js';

/** A thinking + tool loop's next turn, as a client built it against Claude (LiteLLM's fields). */
const claudeTurn = {
  model: 'm',
  thinking: { type: 'enabled', budget_tokens: 2048 },
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: null, thinking_blocks: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }], tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'ok' },
  ],
} as unknown as ChatCompletionRequest;

function sentBody(provider: string): Record<string, unknown> {
  const built = providerFor('openai-compatible').buildChatRequest(claudeTurn, providerContext(resolvedDeployment({ provider })));
  return JSON.parse(built.body!) as Record<string, unknown>;
}

describe('Claude thinking fields on an OpenAI deployment', () => {
  it('drops thinking and the assistant thinking_blocks for OpenAI, which refuses unknown fields', () => {
    const body = sentBody('openai');

    const assistant = (body['messages'] as Array<Record<string, unknown>>)[1];
    expect(body).not.toHaveProperty('thinking');
    expect(assistant).not.toHaveProperty('thinking_blocks');
    expect(assistant).toHaveProperty('tool_calls');
  });

  it('forwards them unchanged to other OpenAI-compatible servers', () => {
    const body = sentBody('hosted_vllm');

    expect(body).toHaveProperty('thinking');
    expect((body['messages'] as Array<Record<string, unknown>>)[1]).toHaveProperty('thinking_blocks');
  });
});
