import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamTimeoutError, UpstreamUnreachableError } from '../../../functions/core/errors.js';
import { classifyFailure, retryAfterMs, type FailureKind } from '../../../functions/core/routing/classify-failure.js';

function upstreamError(status: number, message = `HTTP ${status}`, code: string | null = null, headers: Record<string, string> = {}): GatewayError {
  return new GatewayError({ status, message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code, headers });
}

describe('classifyFailure', () => {
  it.each<[string, GatewayError, FailureKind]>([
    ['429 rate limited', upstreamError(429, 'Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM).', 'rate_limit_exceeded'), 'retryable'],
    ['429 without a code', upstreamError(429, 'Too Many Requests'), 'retryable'],
    ['Bedrock ThrottlingException (429)', upstreamError(429, 'Too many requests, please wait before trying again.', 'ThrottlingException'), 'retryable'],
    ['Gemini RESOURCE_EXHAUSTED (429)', upstreamError(429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED'), 'retryable'],
    ['500', upstreamError(500, 'The server had an error while processing your request.'), 'retryable'],
    ['502', upstreamError(502, 'Bad gateway.'), 'retryable'],
    ['503', upstreamError(503, 'The engine is currently overloaded, please try again later.'), 'retryable'],
    ['504', upstreamError(504, 'Gateway timeout.'), 'retryable'],
    ['529 (Anthropic overloaded)', upstreamError(529, 'Overloaded', 'overloaded_error'), 'retryable'],
    ['408 request timeout', upstreamError(408, 'Request timeout.'), 'retryable'],
    ['the upstream did not answer in time (UpstreamTimeoutError)', new UpstreamTimeoutError(), 'retryable'],
    ['the upstream could not be reached (UpstreamUnreachableError)', new UpstreamUnreachableError(), 'retryable'],
  ])('a passing failure, %s, is retryable', (_case, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });

  it.each<[string, GatewayError]>([
    ['429 insufficient_quota', upstreamError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota')],
    ['401 invalid key', upstreamError(401, 'Incorrect API key provided: sk-proj-****.', 'invalid_api_key')],
    ['403 forbidden', upstreamError(403, 'Project does not have access to model gpt-4o.', 'model_not_found')],
    ['404 unknown model', upstreamError(404, 'The model `gpt-5-turbo` does not exist or you do not have access to it.', 'model_not_found')],
  ])('a failure of this deployment, %s, is deployment', (_case, error) => {
    expect(classifyFailure(error)).toBe('deployment');
  });

  it.each(['unsupported_parameter', 'unsupported_operation'])("the gateway's own refusal of a deployment (400 %s) is deployment, so another deployment may serve it", (code) => {
    expect(classifyFailure(upstreamError(400, `The provider of this deployment cannot do this (${code}).`, code))).toBe('deployment');
  });

  it("ranks the gateway's own refusal as deployment even when its message names the context window", () => {
    expect(classifyFailure(upstreamError(400, "The provider does not support 'max_tokens' beyond its context window.", 'unsupported_parameter'))).toBe('deployment');
  });

  it('a 402 (the provider account is out of credit) is deployment', () => {
    expect(classifyFailure(upstreamError(402, 'Insufficient Balance', 'billing_error'))).toBe('deployment');
  });

  it.each<[string, GatewayError]>([
    ['the context_length_exceeded code', upstreamError(400, 'Too long.', 'context_length_exceeded')],
    ['the string_above_max_length code', upstreamError(400, "Invalid 'messages[0].content': string too long.", 'string_above_max_length')],
    [
      "OpenAI's message",
      upstreamError(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130542 tokens. Please reduce the length of the messages."),
    ],
    ["Anthropic's message", upstreamError(400, 'prompt is too long: 208000 tokens > 200000 maximum', 'invalid_request_error')],
    [
      "Gemini's message",
      upstreamError(400, 'The input token count (1200345) exceeds the maximum number of tokens allowed (1048576).', 'INVALID_ARGUMENT'),
    ],
    ["Bedrock's message", upstreamError(400, 'Input is too long for requested model.', 'ValidationException')],
    ["Mistral's message", upstreamError(400, 'Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length')],
    ['a 413 naming the context window', upstreamError(413, 'Request exceeds the context window of this model.')],
  ])('a prompt too long for the model, by %s, is context_window', (_case, error) => {
    expect(classifyFailure(error)).toBe('context_window');
  });

  it('classifies by the context_length_exceeded code whatever the status', () => {
    expect(classifyFailure(upstreamError(422, 'Unprocessable.', 'context_length_exceeded'))).toBe('context_window');
  });

  it.each<[string, GatewayError]>([
    ['the content_policy_violation code', upstreamError(400, 'Your request was rejected as a result of our safety system.', 'content_policy_violation')],
    ['the content_filter code (Azure)', upstreamError(400, 'The response was filtered.', 'content_filter')],
    [
      "Azure's message",
      upstreamError(
        400,
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      ),
    ],
    ["OpenAI's safety system message", upstreamError(400, 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed.')],
    ['a flagged prompt', upstreamError(400, 'Your prompt was flagged as potentially violating our usage policy.')],
  ])('a refusal on content grounds, by %s, is content_policy', (_case, error) => {
    expect(classifyFailure(error)).toBe('content_policy');
  });

  it.each<[string, GatewayError]>([
    ['a plain 400', upstreamError(400, "Invalid value for 'temperature': expected a number from 0 to 2.", 'invalid_value')],
    ['a 400 about max_tokens', upstreamError(400, 'max_tokens is too large: 200000. This model supports at most 16384 completion tokens.')],
    ['a 422', upstreamError(422, 'Unprocessable entity: messages must not be empty.')],
    ['a 413 body too large', upstreamError(413, 'Request exceeds the maximum allowed number of bytes.', 'request_too_large')],
  ])('a request every model would refuse, %s, is fatal', (_case, error) => {
    expect(classifyFailure(error)).toBe('fatal');
  });
});

describe('retryAfterMs', () => {
  const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

  it('reads Retry-After in seconds', () => {
    expect(retryAfterMs(upstreamError(429, 'slow down', null, { 'retry-after': '7' }), NOW)).toBe(7_000);
  });

  it('reads fractional seconds', () => {
    expect(retryAfterMs(upstreamError(429, 'slow down', null, { 'retry-after': '0.5' }), NOW)).toBe(500);
  });

  it('reads an HTTP date as the time left until it', () => {
    const error = upstreamError(503, 'maintenance', null, { 'retry-after': new Date(NOW + 30_000).toUTCString() });

    expect(retryAfterMs(error, NOW)).toBe(30_000);
  });

  it('reads an HTTP date in the past as 0', () => {
    const error = upstreamError(503, 'maintenance', null, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' });

    expect(retryAfterMs(error, NOW)).toBe(0);
  });

  it('reads negative seconds as 0', () => {
    expect(retryAfterMs(upstreamError(429, 'slow down', null, { 'retry-after': '-3' }), NOW)).toBe(0);
  });

  it('is undefined when the upstream sent no Retry-After', () => {
    expect(retryAfterMs(upstreamError(429), NOW)).toBeUndefined();
  });

  it('is undefined for an empty Retry-After', () => {
    expect(retryAfterMs(upstreamError(429, 'slow down', null, { 'retry-after': ' ' }), NOW)).toBeUndefined();
  });

  it('is undefined for a Retry-After that is neither seconds nor a date', () => {
    expect(retryAfterMs(upstreamError(429, 'slow down', null, { 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});
