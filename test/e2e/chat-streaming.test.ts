import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChatCompletionChunk, assertErrorResponse } from '../support/openai-schema.js';
import { fixtureChunks } from '../support/fake-upstream.js';
import { MASTER_KEY } from '../support/start-gateway.js';
import { ssePayloads, startE2eEnvironment, stopE2eEnvironment, type E2eEnvironment } from './e2e-setup.js';

let environment: E2eEnvironment;
beforeAll(async () => {
  environment = await startE2eEnvironment();
});
afterAll(() => stopE2eEnvironment(environment));

const hello = [{ role: 'user' as const, content: 'Invent a holiday.' }];

function postRaw(body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${environment.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

/** Concatenated tool-call arguments per tool-call index. */
function toolArguments(chunks: Array<{ choices: Array<{ delta: { tool_calls?: Array<{ index: number; function?: { arguments?: string } }> } }> }>): Map<number, string> {
  const byIndex = new Map<number, string>();
  for (const chunk of chunks) {
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      byIndex.set(call.index, (byIndex.get(call.index) ?? '') + (call.function?.arguments ?? ''));
    }
  }
  return byIndex;
}

describe('POST /v1/chat/completions (streaming)', () => {
  it('streams the recorded text chunk by chunk, each valid against the OpenAI chunk schema', async () => {
    const stream = await environment.client.chat.completions.create({ model: 'gpt-text', messages: hello, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    chunks.forEach((chunk) => assertChatCompletionChunk(chunk));
    const recorded = fixtureChunks('openai-text') as Array<{ choices: Array<{ delta: { content?: string } }> }>;
    const expectedText = recorded.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(expectedText);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('frames the stream as OpenAI does: data lines, then data: [DONE]', async () => {
    const response = await postRaw({ model: 'gpt-text', messages: hello, stream: true });
    const text = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(text.startsWith('data: {')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends with a usage chunk with empty choices when stream_options.include_usage is set', async () => {
    const stream = await environment.client.chat.completions.create({
      model: 'gpt-text',
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    expect(environment.upstream.requests.at(-1)?.body['stream_options']).toEqual({ include_usage: true });
  });

  it.each(['deepseek-tools', 'mistral-tools'])('streams tool calls whose arguments arrive in pieces and join to valid JSON (%s)', async (model) => {
    const stream = await environment.client.chat.completions.create({ model, messages: hello, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    chunks.forEach((chunk) => assertChatCompletionChunk(chunk));
    const argumentsByIndex = toolArguments(chunks);
    expect(argumentsByIndex.size).toBeGreaterThan(0);
    for (const json of argumentsByIndex.values()) expect(() => JSON.parse(json)).not.toThrow();
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['tool_calls']);
  });

  it('assembles a streamed tool call with the OpenAI SDK stream helper', async () => {
    const runner = environment.client.chat.completions.stream({ model: 'deepseek-tools', messages: hello });
    const completion = await runner.finalChatCompletion();

    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(() => JSON.parse(call?.type === 'function' ? call.function.arguments : '')).not.toThrow();
  });

  it('streams the demo model word by word', async () => {
    const stream = await environment.client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    chunks.forEach((chunk) => assertChatCompletionChunk(chunk));
    const words = chunks.map((chunk) => chunk.choices[0]?.delta.content).filter((content) => content);
    expect(words.length).toBeGreaterThan(5);
    expect(words.every((word) => word!.trim().split(' ').length === 1)).toBe(true);
  });

  it('sends keep-alive comments while the upstream is silent', async () => {
    const response = await postRaw({ model: 'pause-stream', messages: hello, stream: true });
    const text = await response.text();

    expect(text).toContain(': keep-alive\n\n');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends a stream that fails after it started with one error event and no [DONE]', async () => {
    const response = await postRaw({ model: 'break-stream', messages: hello, stream: true });
    const text = await response.text();

    const payloads = ssePayloads(text);
    const last = payloads.at(-1);
    assertErrorResponse(last);
    expect(payloads.filter((payload) => (payload as { error?: unknown }).error !== undefined)).toHaveLength(1);
    expect(text).not.toContain('[DONE]');
    expect(response.status).toBe(200);
  });

  it('surfaces a mid-stream failure to the OpenAI SDK as an error', async () => {
    const stream = await environment.client.chat.completions.create({ model: 'break-stream', messages: hello, stream: true });

    await expect(async () => {
      for await (const chunk of stream) void chunk;
    }).rejects.toThrow(/upstream provider/);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    const abort = new AbortController();
    const response = await postRaw({ model: 'endless-stream', messages: hello, stream: true }, { signal: abort.signal });
    const reader = response.body!.getReader();
    await reader.read();

    abort.abort();

    await expect(environment.upstream.streamAbandoned).resolves.toBeUndefined();
  });
});

describe('usage in streams the client did not ask usage for', () => {
  it('asks the upstream for usage but shows the client no usage chunk and no usage fields', async () => {
    const response = await postRaw({ model: 'gpt-text', messages: hello, stream: true });
    const payloads = ssePayloads(await response.text()) as Array<{ choices: unknown[]; usage?: unknown }>;

    expect(environment.upstream.requests.at(-1)?.body['stream_options']).toEqual({ include_usage: true });
    expect(payloads.every((payload) => payload.choices.length > 0)).toBe(true);
    expect(payloads.some((payload) => 'usage' in payload)).toBe(false);
  });
});
