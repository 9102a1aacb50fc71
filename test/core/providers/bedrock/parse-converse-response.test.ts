import { describe, expect, it } from 'vitest';
import { parseConverseResponse } from '../../../../functions/core/providers/bedrock/parse-converse-response.js';
import { assertChatCompletion } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { bedrockContext, bedrockFixtureNames, readBedrockJson } from './bedrock-test-support.js';

const COMPLETION_FIXTURES = ['amazon-bedrock-text.json', 'amazon-bedrock-tool-call.1.json', 'amazon-bedrock-tool-no-args.json'];

describe('recorded Converse response fixtures', () => {
  it('include every recorded response when the fixture folder is listed', () => {
    const names = bedrockFixtureNames('.json');

    expect(names).toEqual(COMPLETION_FIXTURES);
  });
});

describe.each(COMPLETION_FIXTURES)('parseConverseResponse with %s', (name) => {
  it('matches the OpenAI chat completion schema', () => {
    const completion = parseConverseResponse(readBedrockJson(name), bedrockContext());

    expect(() => assertChatCompletion(completion)).not.toThrow();
  });

  it('takes id, created and model from the context', () => {
    const context = bedrockContext();

    const completion = parseConverseResponse(readBedrockJson(name), context);

    expect(completion).toMatchObject({ id: 'chatcmpl-req-test-1', object: 'chat.completion', created: context.nowSeconds, model: context.deployment.upstreamModel });
  });
});

describe('parseConverseResponse', () => {
  it('joins the text blocks into content and finishes with stop (amazon-bedrock-text)', () => {
    const completion = parseConverseResponse(readBedrockJson('amazon-bedrock-text.json'), bedrockContext());

    expect(completion.choices[0]).toMatchObject({
      message: { role: 'assistant', content: expect.stringContaining('There are **3**') as unknown, refusal: null },
      finish_reason: 'stop',
    });
  });

  it('turns toolUse into a tool call with its input as the arguments string (amazon-bedrock-tool-call.1)', () => {
    const completion = parseConverseResponse(readBedrockJson('amazon-bedrock-tool-call.1.json'), bedrockContext());

    expect(completion.choices[0]?.message).toMatchObject({
      content: null,
      tool_calls: [{ id: 'tool-use-id', type: 'function', function: { name: 'bash', arguments: '{"command":"ls -l"}' } }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('keeps the text beside a tool call with no arguments (amazon-bedrock-tool-no-args)', () => {
    const completion = parseConverseResponse(readBedrockJson('amazon-bedrock-tool-no-args.json'), bedrockContext());

    expect(completion.choices[0]?.message).toMatchObject({
      content: "I'll update the issue list for you.",
      tool_calls: [{ function: { name: 'updateIssueList', arguments: '{}' } }],
    });
  });

  it('maps the recorded usage (amazon-bedrock-text)', () => {
    const completion = parseConverseResponse(readBedrockJson('amazon-bedrock-text.json'), bedrockContext());

    expect(completion.usage).toEqual({ prompt_tokens: 22, completion_tokens: 57, total_tokens: 79, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } });
  });

  it('counts cache reads and writes into prompt_tokens', () => {
    const body = { output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 4, outputTokens: 2, cacheReadInputTokens: 50, cacheWriteInputTokens: 6 } };

    const completion = parseConverseResponse(body, bedrockContext());

    expect(completion.usage).toEqual({ prompt_tokens: 60, completion_tokens: 2, total_tokens: 62, prompt_tokens_details: { cached_tokens: 50, cache_write_tokens: 6 } });
  });

  it('puts reasoning text in reasoning_content', () => {
    const body = {
      output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'Let me think.', signature: 'sig' } } }, { text: 'Four.' }] } },
      stopReason: 'end_turn',
    };

    const completion = parseConverseResponse(body, bedrockContext());

    expect(completion.choices[0]?.message).toMatchObject({ content: 'Four.', reasoning_content: 'Let me think.' });
  });

  it('answers content null and finish_reason content_filter when a guardrail intervened without text', () => {
    const body = { output: { message: { role: 'assistant', content: [] } }, stopReason: 'guardrail_intervened', usage: {} };

    const completion = parseConverseResponse(body, bedrockContext());

    expect(completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: 'content_filter' });
  });

  it.each([null, 'text', [1]])('throws a bad_upstream_response GatewayError when the body is %j', (body) => {
    const error = captureError(() => parseConverseResponse(body, bedrockContext()));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
