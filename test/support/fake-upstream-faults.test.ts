/**
 * The fake upstream's fault-injection behaviours, exercised directly (no gateway): one test per
 * behaviour, named for its model-name syntax. Each test gets its own fake, closed afterwards.
 * Requests go over node:http without an agent (one connection each) so socket counts are exact.
 */
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { fixtureText } from './recorded-fixtures.js';
import { assertChatCompletion, assertChatCompletionChunk, assertEmbeddingResponse, assertErrorResponse } from './openai-schema.js';

let fake: FakeUpstream;
beforeEach(async () => {
  fake = await startFakeUpstream();
});
afterEach(() => fake.close());

const hello = [{ role: 'user', content: 'hi' }];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** How long after sending the request the status line arrived. */
  headersAfterMs: number;
}

/** A request whose response is first read to its end; rejects on a connection error. */
function send(path: string, body: Record<string, unknown>): { answer: Promise<Answer>; request: http.ClientRequest; headers: Promise<http.IncomingMessage> } {
  const started = Date.now();
  let headersAfterMs = 0;
  const request = http.request(`${fake.baseUrl}${path}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
  const headers = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', (response) => {
      headersAfterMs = Date.now() - started;
      resolve(response);
    });
    request.once('error', reject);
  });
  const answer = headers.then(
    (response) =>
      new Promise<Answer>((resolve, reject) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text, headersAfterMs }));
        response.once('error', reject);
        response.once('aborted', () => reject(new Error(`aborted after ${JSON.stringify(text)}`)));
      }),
  );
  headers.catch(() => undefined);
  answer.catch(() => undefined);
  request.end(JSON.stringify(body));
  return { answer, request, headers };
}

const chat = (model: string, extra: Record<string, unknown> = {}) => send('/v1/chat/completions', { model, messages: hello, ...extra }).answer;
const embed = (model: string, extra: Record<string, unknown> = {}) => send('/v1/embeddings', { model, input: ['a', 'b'], encoding_format: 'float', ...extra }).answer;

function ssePayloads(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 1000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('fake upstream fault injection', () => {
  it('status:<code> keeps its old answer (429 with Retry-After: 7)', async () => {
    const { status, headers, text } = await chat('status:429');

    expect(status).toBe(429);
    expect(headers['retry-after']).toBe('7');
    expect(JSON.parse(text)).toEqual({ error: { message: 'Upstream refused with 429.', type: 'invalid_request_error', param: null, code: 'upstream_429' } });
  });

  it('status:429:retry-after=<s> answers a rate_limit_error with that Retry-After, on chat and embeddings', async () => {
    for (const answer of [await chat('status:429:retry-after=3'), await embed('status:429:retry-after=3')]) {
      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('3');
      const body = JSON.parse(answer.text) as { error: { type: string } };
      assertErrorResponse(body);
      expect(body.error.type).toBe('rate_limit_error');
    }
    const unavailable = await chat('status:503:retry-after=1');
    expect([unavailable.status, unavailable.headers['retry-after']]).toEqual([503, '1']);
  });

  it('overloaded answers 503 on the OpenAI route and 529 overloaded_error on the Anthropic route', async () => {
    const openai = await chat('overloaded');
    const anthropic = await send('/v1/messages', { model: 'overloaded', max_tokens: 10, messages: hello }).answer;

    expect(openai.status).toBe(503);
    expect(JSON.parse(openai.text)).toEqual({ error: { message: 'The engine is currently overloaded, please try again later', type: 'server_error', param: null, code: null } });
    expect((await embed('overloaded')).status).toBe(503);
    expect(anthropic.status).toBe(529);
    expect(JSON.parse(anthropic.text)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('hang-before-first-token sends SSE headers at once, then nothing, and lets go when the client aborts', async () => {
    const { request, headers } = send('/v1/chat/completions', { model: 'hang-before-first-token', messages: hello, stream: true });
    const response = await headers;
    let received = '';
    response.on('data', (chunk: Buffer) => (received += chunk.toString()));
    response.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(received).toBe('');
    expect(fake.openSockets()).toBe(1);

    request.destroy();
    await until(() => fake.openSockets() === 0, 'the fake to let go of the socket');
  });

  it('hang-before-first-token on a non-stream request never answers (like hang)', async () => {
    const { request, headers } = send('/v1/chat/completions', { model: 'hang-before-first-token', messages: hello });
    const outcome = await Promise.race([headers.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('silent'), 50))]);

    expect(outcome).toBe('silent');
    request.destroy();
    await until(() => fake.openSockets() === 0, 'the fake to let go of the socket');
  });

  it('close-mid-stream sends the role chunk and one content chunk, then drops the connection without [DONE]', async () => {
    const error = await chat('close-mid-stream', { stream: true }).then(
      () => undefined,
      (reason: Error) => reason,
    );

    expect(error?.message).toMatch(/^aborted after/);
    const received = JSON.parse(error!.message.slice('aborted after '.length)) as string;
    const payloads = ssePayloads(received).map((payload) => JSON.parse(payload) as { choices: Array<{ delta: { role?: string; content?: string } }> });
    expect(payloads).toHaveLength(2);
    expect(payloads[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(payloads[1]?.choices[0]?.delta.content).toBeTruthy();
    expect(received).not.toContain('[DONE]');
  });

  it('close-before-headers drops the connection before any byte of response', async () => {
    await expect(chat('close-before-headers')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(embed('close-before-headers')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(fake.requestsFor('close-before-headers')).toHaveLength(2);
  });

  it('malformed-json answers 200 application/json with a truncated body (and malformed SSE when streaming)', async () => {
    const { status, headers, text } = await chat('malformed-json');

    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
    const embedded = (await embed('malformed-json')).text;
    expect(() => JSON.parse(embedded)).toThrow();
    expect((await chat('malformed-json', { stream: true })).text).toBe('data: {not json\n\ndata: [DONE]\n\n');
  });

  it('malformed-sse streams a first event whose data is not JSON, then [DONE]', async () => {
    const { status, headers, text } = await chat('malformed-sse', { stream: true });

    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream');
    expect(ssePayloads(text)).toEqual(['{not json', '[DONE]']);
  });

  it('empty-stream ends after the SSE headers with no event (an empty JSON body when not streaming)', async () => {
    const streamed = await chat('empty-stream', { stream: true });
    const whole = await chat('empty-stream');

    expect([streamed.status, streamed.headers['content-type'], streamed.text]).toEqual([200, 'text/event-stream', '']);
    expect([whole.status, whole.headers['content-type'], whole.text]).toEqual([200, 'application/json', '']);
  });

  it('slow:<ms> answers the recorded replay only after <ms>', async () => {
    const { status, text, headersAfterMs } = await chat('slow:80');
    const embedded = await embed('slow:10');

    expect(status).toBe(200);
    expect(headersAfterMs).toBeGreaterThanOrEqual(75);
    expect(text).toBe(fixtureText('openai-text.json'));
    expect(embedded.text).toBe(fixtureText('openai-embedding.json'));
    expect(JSON.parse((await chat('slow:10:eu')).text)).toMatchObject({ choices: [{ message: { content: 'served by eu' } }] });
  });

  it('slow-first-token:<ms> sends the headers at once and the first chunk after <ms>', async () => {
    // "At once" as an event, not a duration: the headers arrive while the first chunk is an hour away.
    const waiting = send('/v1/chat/completions', { model: 'slow-first-token:3600000', messages: hello, stream: true });
    const early = await waiting.headers;
    waiting.request.destroy();
    const { headers } = send('/v1/chat/completions', { model: 'slow-first-token:80', messages: hello, stream: true });
    const started = Date.now();
    const response = await headers;
    const firstChunkAfterMs = await new Promise<number>((resolve) => response.once('data', () => resolve(Date.now() - started)));
    let rest = '';
    response.on('data', (chunk: Buffer) => (rest += chunk.toString()));
    await new Promise((resolve) => response.once('end', resolve));

    expect([early.statusCode, early.headers['content-type']]).toEqual([200, 'text/event-stream']);
    // A lower bound only: a loaded machine makes timers late, never early.
    expect(firstChunkAfterMs).toBeGreaterThanOrEqual(75);
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ok / ok:<label> answers a schema-valid completion saying which label served it, with fixed usage', async () => {
    const labelled = JSON.parse((await chat('ok:eu-west')).text) as { choices: Array<{ message: { content: string } }>; usage: unknown };
    const bare = JSON.parse((await chat('ok')).text) as { choices: Array<{ message: { content: string } }> };

    assertChatCompletion(labelled);
    expect(labelled.choices[0]?.message.content).toBe('served by eu-west');
    expect(labelled.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(bare.choices[0]?.message.content).toBe('served by ok');
  });

  it('ok:<label> streams role, content and finish chunks, a usage chunk when include_usage is set, then [DONE]', async () => {
    const { headers, text } = await chat('ok:b', { stream: true, stream_options: { include_usage: true } });
    const payloads = ssePayloads(text);
    const chunks = payloads.slice(0, -1).map((payload) => JSON.parse(payload) as { choices: Array<{ delta: { content?: string } }>; usage: unknown });

    expect(headers['content-type']).toBe('text/event-stream');
    expect(payloads.at(-1)).toBe('[DONE]');
    chunks.forEach((chunk) => assertChatCompletionChunk(chunk));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('served by b');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
    expect(ssePayloads((await chat('ok:b', { stream: true })).text)).toHaveLength(4);
  });

  it('ok answers embeddings: one vector per input, float or base64', async () => {
    const floats = JSON.parse((await embed('ok')).text) as { data: Array<{ embedding: number[] }>; usage: unknown };
    const base64 = JSON.parse((await embed('ok', { input: 'one', encoding_format: 'base64' })).text) as { data: Array<{ embedding: string }> };

    assertEmbeddingResponse(floats);
    expect(floats.data.map((item) => item.embedding)).toEqual([
      [0.25, -0.5, 0.75],
      [0.25, -0.5, 0.75],
    ]);
    expect(floats.usage).toEqual({ prompt_tokens: 10, total_tokens: 10 });
    expect(base64.data).toHaveLength(1);
    const bytes = Uint8Array.from(Buffer.from(base64.data[0]!.embedding, 'base64'));
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual([0.25, -0.5, 0.75]);
  });

  it('flaky:<n> answers 503 to its first n requests, then like ok, counted per model name and resettable', async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await chat('flaky:2:a')).status);
    const other = await chat('flaky:1');
    const served = JSON.parse((await chat('flaky:2:a')).text) as { choices: Array<{ message: { content: string } }> };

    expect(statuses).toEqual([503, 503, 200]);
    expect(other.status).toBe(503);
    expect(served.choices[0]?.message.content).toBe('served by a');
    expect(fake.requestsFor('flaky:2:a')).toHaveLength(4);

    fake.resetFlaky('flaky:2:a');
    expect((await chat('flaky:2:a')).status).toBe(503);
    expect((await chat('flaky:1')).status).toBe(200);
    fake.resetFlaky();
    expect((await chat('flaky:1')).status).toBe(503);
  });

  it('close() ends promptly while requests still hang, destroying their sockets', async () => {
    const hung = send('/v1/chat/completions', { model: 'hang', messages: hello });
    const streaming = send('/v1/chat/completions', { model: 'slow-first-token:5000', messages: hello, stream: true });
    await streaming.headers;
    await until(() => fake.openSockets() === 2, 'both connections');

    await fake.close();

    expect(fake.openSockets()).toBe(0);
    await expect(hung.answer).rejects.toThrow();
    await expect(streaming.answer).rejects.toThrow();
    await fake.close(); // idempotent
  });
});
