import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../functions/core/errors.js';
import type { ChatCompletionRequest, ChatMessage, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { DEFAULT_MAX_TOKENS, toAnthropicMessagesRequest } from '../../../../functions/core/providers/anthropic/build-anthropic-request.js';
import { captureError } from '../../../support/capture-error.js';

const MODEL = 'claude-sonnet-4-5';
const SIGNATURE = 'Er4BCkYICxgCKkCoxqLHLrx4mFL9Ox7/aHKht87WDzXfvZ7qbZKSnHV8imA5b3LXxuVqcXQ9z5sXwDx20JIW/+6DJehOSNK72L83Egx0T9s7VzB6QUK9g5kaDO9lGaWN5CPEDJU0lyIw4+Ed3q4N9w+16h3cfQ+9stJXHCl+1nYDxjIOLcyJT8Ug/LTmtlp4bbxWmmfNicayKiasdReHiOnqz1sKEF0pR4kcnF5mQGdLxk8q3A3NY+wGsH8MtUIqxRgB';

function body(extra: JsonObject = {}, messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }]): JsonObject {
  const request: ChatCompletionRequest = { model: 'public-name', messages, ...extra };
  return toAnthropicMessagesRequest(request, MODEL) as unknown as JsonObject;
}

function weatherTool(extra: JsonObject = {}, functionExtra: JsonObject = {}): JsonObject {
  return { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} }, ...functionExtra }, ...extra };
}

/** A thinking + tool loop's history: the assistant turn that called the tool, and the tool's answer. */
function toolLoop(assistantExtra: JsonObject): ChatMessage[] {
  return [
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      ...assistantExtra,
    },
    { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
  ];
}

describe('toAnthropicMessagesRequest thinking', () => {
  it.each([
    ['an enabled budget as it came', { thinking: { type: 'enabled', budget_tokens: 3000 } }, { type: 'enabled', budget_tokens: 3000 }],
    ['adaptive thinking as it came', { thinking: { type: 'adaptive' } }, { type: 'adaptive' }],
    ['disabled thinking as it came', { thinking: { type: 'disabled' } }, { type: 'disabled' }],
    ['the explicit thinking over reasoning_effort', { thinking: { type: 'enabled', budget_tokens: 2500 }, reasoning_effort: 'high' }, { type: 'enabled', budget_tokens: 2500 }],
    ['the budget of reasoning_effort when thinking is absent', { reasoning_effort: 'medium' }, { type: 'enabled', budget_tokens: 4096 }],
    ['an explicit budget with a forced tool, for Anthropic to judge', { thinking: { type: 'enabled', budget_tokens: 2048 }, tools: [weatherTool()], tool_choice: 'required' }, { type: 'enabled', budget_tokens: 2048 }],
  ])('sends %s', (_, extra, expected) => {
    const request = body(extra);

    expect(request['thinking']).toEqual(expected);
  });

  it.each([
    ['an enabled budget above max_tokens', { thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 1000 }, 4000],
    ['an enabled budget below max_tokens', { thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 8000 }, 8000],
    ['adaptive thinking', { thinking: { type: 'adaptive' }, max_tokens: 1000 }, 1000],
    ['adaptive thinking and no max_tokens', { thinking: { type: 'adaptive' } }, DEFAULT_MAX_TOKENS],
  ])('sets max_tokens for %s', (_, extra, expected) => {
    const request = body(extra);

    expect(request['max_tokens']).toBe(expected);
  });

  it.each([
    ['enabled', { type: 'enabled', budget_tokens: 2048 }, {}],
    ['adaptive', { type: 'adaptive' }, {}],
    ['disabled', { type: 'disabled' }, { temperature: 0.5, top_p: 0.9 }],
  ])('keeps temperature and top_p only when thinking is off (%s)', (_, thinking, expected) => {
    const request = body({ thinking, temperature: 0.5, top_p: 0.9 });

    expect({ temperature: request['temperature'], top_p: request['top_p'] }).toEqual({ temperature: undefined, top_p: undefined, ...expected });
  });

  it.each([
    ['a string', 'enabled', 'thinking'],
    ['no type', { budget_tokens: 2048 }, 'thinking.type'],
    ['enabled without a budget', { type: 'enabled' }, 'thinking.budget_tokens'],
    ['enabled with a fractional budget', { type: 'enabled', budget_tokens: 1024.5 }, 'thinking.budget_tokens'],
    ['enabled with a budget of zero', { type: 'enabled', budget_tokens: 0 }, 'thinking.budget_tokens'],
  ])('refuses thinking that is %s with a 400 naming %s', (_, thinking, param) => {
    const error = captureError(() => body({ thinking }));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe(param);
  });
});

describe('toAnthropicMessagesRequest thinking_blocks on assistant messages', () => {
  it('sends the thinking and redacted blocks before the tool_use, signatures unchanged, when an assistant message carries them', () => {
    const thinkingBlocks = [
      { type: 'thinking', thinking: 'I should check the weather.', signature: SIGNATURE },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' },
    ];

    const request = body({}, toolLoop({ thinking_blocks: thinkingBlocks }));

    expect((request['messages'] as JsonObject[])[1]).toEqual({
      role: 'assistant',
      content: [...thinkingBlocks, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }],
    });
  });

  it('puts the thinking blocks before the text when an assistant message has text', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.', thinking_blocks: [{ type: 'thinking', thinking: 'Greet back.', signature: 'sig-1' }] },
      { role: 'user', content: 'Bye' },
    ];

    const request = body({}, messages);

    expect((request['messages'] as JsonObject[])[1]!['content']).toEqual([
      { type: 'thinking', thinking: 'Greet back.', signature: 'sig-1' },
      { type: 'text', text: 'Hello.' },
    ]);
  });

  it('leaves out a thinking block that has no signature', () => {
    const request = body({}, toolLoop({ thinking_blocks: [{ type: 'thinking', thinking: 'unsigned' }] }));

    expect((request['messages'] as JsonObject[])[1]!['content']).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }]);
  });

  it.each([
    ['not an array', { type: 'thinking', thinking: 'x', signature: 's' }, 'messages[1].thinking_blocks'],
    ['a block of unknown type', [{ type: 'text', text: 'x' }], 'messages[1].thinking_blocks[0]'],
    ['a redacted block without data', [{ type: 'redacted_thinking' }], 'messages[1].thinking_blocks[0]'],
    ['a thinking block without text', [{ type: 'thinking', signature: 's' }], 'messages[1].thinking_blocks[0]'],
  ])('refuses thinking_blocks that are %s with a 400 naming %s', (_, thinkingBlocks, param) => {
    const error = captureError(() => body({}, toolLoop({ thinking_blocks: thinkingBlocks })));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe(param);
  });

  it('sends a tool result without is_error when the tool message is a plain answer', () => {
    const request = body({}, toolLoop({}));

    expect((request['messages'] as JsonObject[])[2]!['content']).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }]);
  });
});

describe('toAnthropicMessagesRequest cache_control', () => {
  it.each([
    ['on the tool object', weatherTool({ cache_control: { type: 'ephemeral' } }), { type: 'ephemeral' }],
    ['on the tool object with a ttl', weatherTool({ cache_control: { type: 'ephemeral', ttl: '1h' } }), { type: 'ephemeral', ttl: '1h' }],
    ['inside the function', weatherTool({}, { cache_control: { type: 'ephemeral', ttl: '5m' } }), { type: 'ephemeral', ttl: '5m' }],
    ['absent', weatherTool(), undefined],
  ])('carries a tool cache_control %s', (_, tool, expected) => {
    const request = body({ tools: [tool] });

    expect((request['tools'] as JsonObject[])[0]!['cache_control']).toEqual(expected);
  });

  it('marks only the tool that carried cache_control when several tools are sent', () => {
    const request = body({ tools: [weatherTool(), { ...weatherTool({ cache_control: { type: 'ephemeral' } }), function: { name: 'time' } }] });

    expect((request['tools'] as JsonObject[]).map((tool) => tool['cache_control'])).toEqual([undefined, { type: 'ephemeral' }]);
  });

  it('keeps a system part cache_control with its ttl', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'user', content: 'Hi' },
    ];

    const request = body({}, messages);

    expect(request['system']).toEqual([{ type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
  });

  it('keeps a user content part cache_control with its ttl', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'A long document', cache_control: { type: 'ephemeral', ttl: '5m' } }] }];

    const request = body({}, messages);

    expect((request['messages'] as JsonObject[])[0]!['content']).toEqual([{ type: 'text', text: 'A long document', cache_control: { type: 'ephemeral', ttl: '5m' } }]);
  });
});
