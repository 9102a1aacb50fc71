import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../../../functions/core/openai/openai-types.js';
import {
  buildConverseChatRequest,
  DEFAULT_ANSWER_TOKENS_WITH_THINKING,
  isAnthropicModel,
  THINKING_BUDGET_TOKENS,
  toConverseRequest,
} from '../../../../functions/core/providers/bedrock/build-converse-request.js';
import type { ResolvedDeployment } from '../../../../functions/core/providers/provider.js';
import { captureError } from '../../../support/capture-error.js';
import { bedrockContext } from './bedrock-test-support.js';

const CLAUDE = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const WEATHER = { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } };

function chat(fields: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'public-name', messages: [{ role: 'user', content: 'Hi' }], ...fields };
}

describe('buildConverseChatRequest', () => {
  it.each<[string, Partial<ResolvedDeployment>, boolean, string]>([
    ['the region of the deployment', { awsRegion: 'eu-west-1' }, false, 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse'],
    ['us-east-1 when the deployment names no region', { awsRegion: undefined }, false, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse'],
    ['converse-stream for a stream', {}, true, 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream'],
    ['api_base without its trailing slash', { apiBase: 'http://127.0.0.1:9000/' }, false, 'http://127.0.0.1:9000/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse'],
    [
      'an inference profile ARN as one encoded segment',
      { upstreamModel: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0' },
      false,
      'https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
    ],
    ["LiteLLM's converse/ route prefix left out", { upstreamModel: `converse/${NOVA}` }, false, 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse'],
  ])('addresses %s', (_case, overrides, stream, url) => {
    const built = buildConverseChatRequest(chat({ stream }), bedrockContext(overrides));

    expect(built.url).toBe(url);
  });

  it('asks to be signed for bedrock in the deployment region and carries no credentials', () => {
    const built = buildConverseChatRequest(chat(), bedrockContext({ awsRegion: 'ap-northeast-1', apiKey: 'ignored' }));

    expect(built.signing).toEqual({ service: 'bedrock', region: 'ap-northeast-1' });
    expect(Object.keys(built.headers).sort()).toEqual(['accept', 'content-type']);
  });

  it.each([
    [false, 'application/json'],
    [true, 'application/vnd.amazon.eventstream'],
  ])('accepts %s → %s', (stream, accept) => {
    const built = buildConverseChatRequest(chat({ stream }), bedrockContext());

    expect(built.headers['accept']).toBe(accept);
  });

  it('sends the deployment extra headers', () => {
    const built = buildConverseChatRequest(chat(), bedrockContext({ extraHeaders: { 'x-amzn-bedrock-trace': 'ENABLED' } }));

    expect(built.headers['x-amzn-bedrock-trace']).toBe('ENABLED');
  });

  it('sends the same body for a stream and for a whole answer', () => {
    const whole = buildConverseChatRequest(chat({ stream: false, max_tokens: 10 }), bedrockContext());
    const streamed = buildConverseChatRequest(chat({ stream: true, stream_options: { include_usage: true }, max_tokens: 10 }), bedrockContext());

    expect(streamed.body).toBe(whole.body);
  });
});

describe('toConverseRequest inferenceConfig', () => {
  it.each<[string, Partial<ChatCompletionRequest>, unknown]>([
    ['max_tokens as maxTokens', { max_tokens: 100 }, { maxTokens: 100 }],
    ['max_completion_tokens before max_tokens', { max_completion_tokens: 50, max_tokens: 100 }, { maxTokens: 50 }],
    ['temperature and top_p', { temperature: 0.3, top_p: 0.9 }, { temperature: 0.3, topP: 0.9 }],
    ['a temperature above 1 clamped to 1', { temperature: 1.7 }, { temperature: 1 }],
    ['a stop string as one stop sequence', { stop: 'END' }, { stopSequences: ['END'] }],
    ['stop sequences without empty ones', { stop: ['END', '', 'STOP'] }, { stopSequences: ['END', 'STOP'] }],
    ['nothing set as no inferenceConfig', {}, undefined],
  ])('maps %s', (_case, fields, expected) => {
    const body = toConverseRequest(chat(fields), NOVA);

    expect(body.inferenceConfig).toEqual(expected);
  });
});

describe('toConverseRequest dropped and refused parameters', () => {
  it('drops parameters Converse has no place for', () => {
    const body = toConverseRequest(
      chat({
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: 0.5,
        logit_bias: { 1: 2 },
        logprobs: true,
        top_logprobs: 2,
        user: 'u-1',
        metadata: { a: 'b' },
        store: true,
        service_tier: 'auto',
        parallel_tool_calls: false,
        n: 1,
        response_format: { type: 'text' },
        stream_options: { include_usage: true },
        some_future_field: true,
      }),
      NOVA,
    );

    expect(body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  it.each<[string, Partial<ChatCompletionRequest>, string]>([
    ['n above 1', { n: 2 }, 'n'],
    ['response_format json_object', { response_format: { type: 'json_object' } }, 'response_format'],
    ['response_format json_schema', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'response_format'],
  ])('refuses %s with a 400 naming the parameter', (_case, fields, param) => {
    const error = captureError(() => toConverseRequest(chat(fields), NOVA));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});

describe('toConverseRequest tools', () => {
  it('sends toolConfig with the tools and choice', () => {
    const body = toConverseRequest(chat({ tools: [WEATHER], tool_choice: 'required' }), NOVA);

    expect(body.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'weather', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { any: {} } });
  });

  it('sends tool history as text when tool_choice none leaves toolConfig out (Bedrock refuses tool blocks without it)', () => {
    const body = toConverseRequest(
      chat({
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        ],
        tools: [WEATHER],
        tool_choice: 'none',
      }),
      NOVA,
    );

    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.messages)).not.toMatch(/toolUse|toolResult/);
  });

  it('keeps tool blocks when toolConfig is sent', () => {
    const body = toConverseRequest(
      chat({
        messages: [
          { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        ],
        tools: [WEATHER],
      }),
      NOVA,
    );

    expect(body.messages.map((message) => Object.keys(message.content[0]!)[0])).toEqual(['toolUse', 'toolResult']);
  });
});

describe('toConverseRequest reasoning_effort', () => {
  it.each(['low', 'medium', 'high'] as const)('turns on thinking with the %s budget for an Anthropic model', (effort) => {
    const body = toConverseRequest(chat({ reasoning_effort: effort, max_tokens: 100_000 }), CLAUDE);

    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: THINKING_BUDGET_TOKENS[effort] } });
  });

  it.each<[string, Partial<ChatCompletionRequest>, string]>([
    ['a non-Anthropic model', { reasoning_effort: 'high' }, NOVA],
    ['effort minimal', { reasoning_effort: 'minimal' }, CLAUDE],
    ['a forced tool', { reasoning_effort: 'high', tools: [WEATHER], tool_choice: 'required' }, CLAUDE],
  ])('leaves thinking off for %s', (_case, fields, model) => {
    const body = toConverseRequest(chat(fields), model);

    expect(body.additionalModelRequestFields).toBeUndefined();
  });

  it('leaves temperature and top_p out when thinking is on', () => {
    const body = toConverseRequest(chat({ reasoning_effort: 'low', temperature: 0.2, top_p: 0.5, max_tokens: 5000 }), CLAUDE);

    expect(body.inferenceConfig).toEqual({ maxTokens: 5000 });
  });

  it.each<[string, number | undefined, number]>([
    ['the budget plus room for the answer when no max tokens are set', undefined, THINKING_BUDGET_TOKENS['medium']! + DEFAULT_ANSWER_TOKENS_WITH_THINKING],
    ['the budget plus the allowance when the allowance does not cover the budget', 1000, THINKING_BUDGET_TOKENS['medium']! + 1000],
    ['the allowance when it covers the budget', 20_000, 20_000],
  ])('sends maxTokens as %s', (_case, maxTokens, expected) => {
    const body = toConverseRequest(chat({ reasoning_effort: 'medium', ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}) }), CLAUDE);

    expect(body.inferenceConfig?.maxTokens).toBe(expected);
  });
});

describe('isAnthropicModel', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', true],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', true],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0', true],
    ['amazon.nova-lite-v1:0', false],
    ['meta.llama3-70b-instruct-v1:0', false],
  ])('tells whether %s is Claude', (model, expected) => {
    const anthropic = isAnthropicModel(model);

    expect(anthropic).toBe(expected);
  });
});
