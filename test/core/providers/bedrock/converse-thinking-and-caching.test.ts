import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../functions/core/errors.js';
import type { ChatCompletionChunk, ChatCompletionRequest, ChatMessage, JsonObject, ThinkingBlock } from '../../../../functions/core/openai/openai-types.js';
import { DEFAULT_ANSWER_TOKENS_WITH_THINKING, toConverseRequest } from '../../../../functions/core/providers/bedrock/build-converse-request.js';
import { parseConverseResponse } from '../../../../functions/core/providers/bedrock/parse-converse-response.js';
import { captureError } from '../../../support/capture-error.js';
import { bedrockContext, event, replayEvents } from './bedrock-test-support.js';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const SIGNATURE = 'EqoBCkgIARABGAIiQL2UoU0b1OHYi+signature';
const REDACTED = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP';

function converse(fields: JsonObject = {}, messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }], model = CLAUDE): JsonObject {
  const request: ChatCompletionRequest = { model: 'public-name', messages, ...fields };
  return toConverseRequest(request, model) as unknown as JsonObject;
}

function tool(name: string, extra: JsonObject = {}, functionExtra: JsonObject = {}): JsonObject {
  return { type: 'function', function: { name, parameters: { type: 'object', properties: {} }, ...functionExtra }, ...extra };
}

function toolSpec(name: string): JsonObject {
  return { toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } };
}

/** A thinking + tool loop's history: the assistant turn that called the tool, and the tool's answer. */
function toolLoop(assistantExtra: JsonObject): ChatMessage[] {
  return [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }], ...assistantExtra },
    { role: 'tool', tool_call_id: 'tooluse_1', content: '18°C' },
  ];
}

function thinkingPieces(chunks: readonly ChatCompletionChunk[]): ThinkingBlock[] {
  return chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.thinking_blocks ?? []));
}

describe('toConverseRequest cachePoint', () => {
  it.each([
    ['after the marked tool', [tool('weather', { cache_control: { type: 'ephemeral' } }), tool('time')], [toolSpec('weather'), { cachePoint: { type: 'default' } }, toolSpec('time')]],
    ['after the last tool, with the ttl', [tool('weather'), tool('time', { cache_control: { type: 'ephemeral', ttl: '1h' } })], [toolSpec('weather'), toolSpec('time'), { cachePoint: { type: 'default', ttl: '1h' } }]],
    ['after a tool marked inside its function', [tool('weather', {}, { cache_control: { type: 'ephemeral' } })], [toolSpec('weather'), { cachePoint: { type: 'default' } }]],
    ['nowhere when no tool is marked', [tool('weather')], [toolSpec('weather')]],
  ])('places a tool cachePoint %s', (_, tools, expected) => {
    const request = converse({ tools });

    expect((request['toolConfig'] as JsonObject)['tools']).toEqual(expected);
  });

  it('places a cachePoint with the ttl after the marked system block', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Today' }] },
      { role: 'user', content: 'Hi' },
    ];

    const request = converse({}, messages);

    expect(request['system']).toEqual([{ text: 'Long instructions' }, { cachePoint: { type: 'default', ttl: '1h' } }, { text: 'Today' }]);
  });

  it('places a cachePoint after the marked message content', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'A long document', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Summarise it.' }] }];

    const request = converse({}, messages);

    expect((request['messages'] as JsonObject[])[0]!['content']).toEqual([{ text: 'A long document' }, { cachePoint: { type: 'default' } }, { text: 'Summarise it.' }]);
  });
});

describe('toConverseRequest thinking', () => {
  it.each([
    ['an enabled budget as it came', { thinking: { type: 'enabled', budget_tokens: 3000 } }, { type: 'enabled', budget_tokens: 3000 }],
    ['adaptive thinking as it came', { thinking: { type: 'adaptive' } }, { type: 'adaptive' }],
    ['the explicit thinking over reasoning_effort', { thinking: { type: 'enabled', budget_tokens: 2500 }, reasoning_effort: 'low' }, { type: 'enabled', budget_tokens: 2500 }],
    ['the budget of reasoning_effort when thinking is absent', { reasoning_effort: 'high' }, { type: 'enabled', budget_tokens: 16_384 }],
  ])('sends Claude %s in additionalModelRequestFields', (_, fields, expected) => {
    const request = converse(fields);

    expect(request['additionalModelRequestFields']).toEqual({ thinking: expected });
  });

  it('sends no thinking to a model that is not Claude', () => {
    const request = converse({ thinking: { type: 'enabled', budget_tokens: 3000 } }, undefined, NOVA);

    expect(request['additionalModelRequestFields']).toBeUndefined();
  });

  it.each([
    ['a budget above maxTokens', { thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 1000 }, 4000],
    ['a budget and no max_tokens', { thinking: { type: 'enabled', budget_tokens: 3000 } }, 3000 + DEFAULT_ANSWER_TOKENS_WITH_THINKING],
    ['adaptive thinking', { thinking: { type: 'adaptive' }, max_tokens: 1000 }, 1000],
  ])('sets maxTokens for %s', (_, fields, expected) => {
    const request = converse(fields);

    expect((request['inferenceConfig'] as JsonObject | undefined)?.['maxTokens']).toBe(expected);
  });

  it('leaves out temperature when Claude thinks adaptively', () => {
    const request = converse({ thinking: { type: 'adaptive' }, temperature: 0.3 });

    expect(request['inferenceConfig']).toBeUndefined();
  });

  it('refuses an enabled thinking without a budget with a 400 naming thinking.budget_tokens', () => {
    const error = captureError(() => converse({ thinking: { type: 'enabled' } }));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe('thinking.budget_tokens');
  });
});

describe('toConverseRequest thinking_blocks on assistant messages', () => {
  it('sends reasoningContent blocks before the toolUse, signature and redacted data unchanged', () => {
    const thinkingBlocks = [
      { type: 'thinking', thinking: 'I should check the weather.', signature: SIGNATURE },
      { type: 'redacted_thinking', data: REDACTED },
    ];

    const request = converse({ tools: [tool('weather')] }, toolLoop({ thinking_blocks: thinkingBlocks }));

    expect((request['messages'] as JsonObject[])[1]).toEqual({
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'I should check the weather.', signature: SIGNATURE } } },
        { reasoningContent: { redactedContent: REDACTED } },
        { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Paris' } } },
      ],
    });
  });
});

describe('parseConverseResponse reasoningContent', () => {
  it('returns reasoningText with its signature and redactedContent as thinking_blocks, in order', () => {
    const body = {
      output: {
        message: {
          role: 'assistant',
          content: [{ reasoningContent: { reasoningText: { text: 'Let me think.', signature: SIGNATURE } } }, { reasoningContent: { redactedContent: REDACTED } }, { text: 'Four.' }],
        },
      },
      stopReason: 'end_turn',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    };

    const completion = parseConverseResponse(body, bedrockContext());

    expect(completion.choices[0]?.message).toMatchObject({
      content: 'Four.',
      reasoning_content: 'Let me think.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'Let me think.', signature: SIGNATURE },
        { type: 'redacted_thinking', data: REDACTED },
      ],
    });
  });
});

describe('createConverseStreamTranslator reasoningContent', () => {
  it('streams reasoning text, then its signature, as thinking_blocks pieces', () => {
    const { chunks } = replayEvents([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Let me ' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'think.' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: SIGNATURE } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'end_turn' }),
      event('metadata', { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } }),
    ]);

    expect(thinkingPieces(chunks)).toEqual([
      { type: 'thinking', thinking: 'Let me ' },
      { type: 'thinking', thinking: 'think.' },
      { type: 'thinking', thinking: '', signature: SIGNATURE },
    ]);
  });

  it('streams redacted reasoning whole as a redacted_thinking piece', () => {
    const { chunks } = replayEvents([
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: REDACTED } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'end_turn' }),
      event('metadata', { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } }),
    ]);

    expect(thinkingPieces(chunks)).toEqual([{ type: 'redacted_thinking', data: REDACTED }]);
  });
});
