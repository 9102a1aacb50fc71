import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { buildGeminiChatRequest, toGeminiGenerateContentRequest } from '../../../../functions/core/providers/gemini/build-gemini-request.js';
import { captureError } from '../../../support/capture-error.js';
import { geminiContext } from './gemini-test-support.js';

function chatRequest(extra: JsonObject = {}): ChatCompletionRequest {
  return { model: 'my-gemini', messages: [{ role: 'user', content: 'Hi' }], ...extra };
}

function bodyOf(extra: JsonObject = {}): JsonObject {
  return toGeminiGenerateContentRequest(chatRequest(extra)) as unknown as JsonObject;
}

describe('buildGeminiChatRequest url', () => {
  it.each([
    [undefined, false, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent'],
    [undefined, true, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
    ['https://proxy.example/', false, 'https://proxy.example/v1beta/models/gemini-2.5-flash:generateContent'],
    ['https://proxy.example/v1beta', false, 'https://proxy.example/v1beta/models/gemini-2.5-flash:generateContent'],
    ['https://proxy.example/v1beta/', true, 'https://proxy.example/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
  ])('posts to the right URL when api_base is %s and stream is %s', (apiBase, stream, expected) => {
    const request = buildGeminiChatRequest(chatRequest({ stream }), geminiContext({ apiBase }));

    expect(request).toMatchObject({ method: 'POST', url: expected });
  });

  it('strips a models/ prefix from the upstream model when the config wrote one', () => {
    const request = buildGeminiChatRequest(chatRequest(), geminiContext({ upstreamModel: 'models/gemini-2.5-pro' }));

    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('never puts the key in the URL', () => {
    const request = buildGeminiChatRequest(chatRequest({ stream: true }), geminiContext());

    expect(request.url).not.toContain('gemini-test-key');
  });
});

describe('buildGeminiChatRequest headers', () => {
  it('sends the key as x-goog-api-key with JSON content', () => {
    const request = buildGeminiChatRequest(chatRequest(), geminiContext());

    expect(request.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json', 'x-goog-api-key': 'gemini-test-key' });
  });

  it('asks for an event stream when stream is true', () => {
    const request = buildGeminiChatRequest(chatRequest({ stream: true }), geminiContext());

    expect(request.headers['accept']).toBe('text/event-stream');
  });

  it('adds the deployment extra headers but never lets them replace the key', () => {
    const context = geminiContext({ extraHeaders: { 'x-team': 'search', 'x-goog-api-key': 'spoofed' } });

    const request = buildGeminiChatRequest(chatRequest(), context);

    expect(request.headers).toMatchObject({ 'x-team': 'search', 'x-goog-api-key': 'gemini-test-key' });
  });

  it('sends no key header when the deployment has no key', () => {
    const request = buildGeminiChatRequest(chatRequest(), geminiContext({ apiKey: undefined }));

    expect(request.headers).not.toHaveProperty('x-goog-api-key');
  });

  it('sends the Gemini body as JSON', () => {
    const request = buildGeminiChatRequest(chatRequest(), geminiContext());

    expect(JSON.parse(request.body ?? '')).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });
});

describe('toGeminiGenerateContentRequest generationConfig', () => {
  it.each<[string, JsonObject, JsonObject]>([
    ['temperature', { temperature: 0.3 }, { temperature: 0.3 }],
    ['top_p', { top_p: 0.9 }, { topP: 0.9 }],
    ['max_tokens', { max_tokens: 100 }, { maxOutputTokens: 100 }],
    ['max_completion_tokens over max_tokens', { max_tokens: 100, max_completion_tokens: 200 }, { maxOutputTokens: 200 }],
    ['a stop string', { stop: 'END' }, { stopSequences: ['END'] }],
    ['a stop list', { stop: ['a', 'b'] }, { stopSequences: ['a', 'b'] }],
    ['n', { n: 3 }, { candidateCount: 3 }],
    ['seed', { seed: 42 }, { seed: 42 }],
    ['presence and frequency penalties', { presence_penalty: 0.5, frequency_penalty: -0.5 }, { presencePenalty: 0.5, frequencyPenalty: -0.5 }],
    ['json_object', { response_format: { type: 'json_object' } }, { responseMimeType: 'application/json' }],
    [
      'json_schema',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
        },
      },
      { responseMimeType: 'application/json', responseSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    ],
    ['json_schema without properties', { response_format: { type: 'json_schema', json_schema: { name: 'any', schema: { type: 'object' } } } }, { responseMimeType: 'application/json' }],
    ['reasoning_effort low', { reasoning_effort: 'low' }, { thinkingConfig: { thinkingBudget: 1024, includeThoughts: false } }],
    ['reasoning_effort medium', { reasoning_effort: 'medium' }, { thinkingConfig: { thinkingBudget: 8192, includeThoughts: false } }],
    ['reasoning_effort high', { reasoning_effort: 'high' }, { thinkingConfig: { thinkingBudget: 24_576, includeThoughts: false } }],
    ['reasoning_effort minimal', { reasoning_effort: 'minimal' }, { thinkingConfig: { thinkingBudget: 512, includeThoughts: false } }],
    ['reasoning_effort none', { reasoning_effort: 'none' }, { thinkingConfig: { thinkingBudget: 0, includeThoughts: false } }],
  ])('maps %s', (_, extra, expected) => {
    const body = bodyOf(extra);

    expect(body['generationConfig']).toEqual(expected);
  });

  it.each<[string, JsonObject]>([
    ['nothing is set', {}],
    ['response_format is text', { response_format: { type: 'text' } }],
    ['penalties are zero', { presence_penalty: 0, frequency_penalty: 0 }],
    ['reasoning_effort is unknown', { reasoning_effort: 'constructor' }],
    ['stop is empty', { stop: [] }],
  ])('sends no generationConfig when %s', (_, extra) => {
    const body = bodyOf(extra);

    expect(body).not.toHaveProperty('generationConfig');
  });

  it('refuses a response_format type Gemini has no counterpart for', () => {
    const error = captureError(() => bodyOf({ response_format: { type: 'grammar' } }));

    expect(error).toMatchObject({ status: 400, param: 'response_format.type' });
  });
});

describe('toGeminiGenerateContentRequest dropped parameters', () => {
  it.each<[string, JsonObject]>([
    ['logprobs', { logprobs: true, top_logprobs: 3 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
    ['user and metadata', { user: 'u-1', metadata: { team: 'a' }, store: true }],
    ['service_tier', { service_tier: 'flex' }],
    ['stream_options', { stream: true, stream_options: { include_usage: true } }],
    ['an unknown field', { frobnicate: 1 }],
  ])('drops %s, which Gemini cannot honour', (_, extra) => {
    const body = bodyOf(extra);

    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });
});

describe('toGeminiGenerateContentRequest tools', () => {
  const weatherTool = {
    type: 'function',
    function: {
      name: 'weather',
      description: 'Weather for a city',
      strict: true,
      parameters: { type: 'object', properties: { city: { type: 'string', title: 'City' } }, required: ['city'], additionalProperties: false },
    },
  };

  it('declares function tools with reduced parameters', () => {
    const body = bodyOf({ tools: [weatherTool] });

    expect(body['tools']).toEqual([
      {
        functionDeclarations: [
          { name: 'weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        ],
      },
    ]);
  });

  it.each([
    ['an empty object schema', { type: 'object', properties: {} }],
    ['an object schema without properties', { type: 'object', additionalProperties: false }],
    ['an empty schema', {}],
  ])('sends no parameters when a function takes %s', (_, parameters) => {
    const body = bodyOf({ tools: [{ type: 'function', function: { name: 'now', parameters } }] });

    expect(body['tools']).toEqual([{ functionDeclarations: [{ name: 'now' }] }]);
  });

  it.each<[unknown, JsonObject]>([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'function', function: { name: 'weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } }],
  ])('maps tool_choice %j to toolConfig', (toolChoice, expected) => {
    const body = bodyOf({ tools: [weatherTool], tool_choice: toolChoice });

    expect(body['toolConfig']).toEqual(expected);
  });

  it('sends no toolConfig when tool_choice is absent', () => {
    const body = bodyOf({ tools: [weatherTool] });

    expect(body).not.toHaveProperty('toolConfig');
  });

  it('sends neither tools nor toolConfig when tools is empty', () => {
    const body = bodyOf({ tools: [], tool_choice: 'auto' });

    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('refuses a tool that is not a function', () => {
    const error = captureError(() => bodyOf({ tools: [weatherTool, { type: 'custom', custom: { name: 'grep' } }] }));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'tools[1].type' });
  });

  it('refuses a tool_choice shape Gemini cannot express', () => {
    const error = captureError(() => bodyOf({ tools: [weatherTool], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }));

    expect(error).toMatchObject({ status: 400, param: 'tool_choice' });
  });
});
