import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ENCODINGS, startLeakyUpstream, type KeyEncoding, type LeakyUpstream } from '../support/leaky-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

// A '/' and a '+' so that URL-encoding and base64url differ from the plain text.
const PROVIDER_KEY = 'sk-leaky/Provider+Key-0123456789abcdef';
const ENCODINGS = Object.keys(KEY_ENCODINGS) as KeyEncoding[];

function config(upstreamBaseUrl: string): string {
  const model = (name: string, upstreamModel: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${upstreamModel}
      api_base: ${upstreamBaseUrl}
      api_key: os.environ/LEAKY_PROVIDER_KEY`;
  return `
model_list:${ENCODINGS.map((encoding) => [
    model(`leak-400-${encoding}`, `leak:400:${encoding}`),
    model(`leak-401-${encoding}`, `leak:401:${encoding}`),
    model(`leak-in-stream-${encoding}`, `leak-in-stream:${encoding}`),
  ].join('')).join('')}
router_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`;
}

/** Fragments of every encoding of the key: none may appear in what a client or a log sees. */
function keyFragments(): string[] {
  const bytes = Buffer.from(PROVIDER_KEY);
  const fragments = [PROVIDER_KEY.toLowerCase(), encodeURIComponent(PROVIDER_KEY).toLowerCase()];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    const middle = core.slice(4, 20);
    fragments.push(middle.toLowerCase(), middle.replaceAll('+', '-').replaceAll('/', '_').toLowerCase());
  }
  return fragments;
}

let upstream: LeakyUpstream;
let gateway: RunningGateway;
let openai: OpenAI;
let anthropic: Anthropic;
beforeAll(async () => {
  upstream = await startLeakyUpstream();
  gateway = await startGateway(config(upstream.baseUrl), { environment: { LEAKY_PROVIDER_KEY: PROVIDER_KEY } });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** What the client saw and what the gateway logged during the call, lower-cased (the key is matched in any case). */
async function seenDuring(call: () => Promise<string>): Promise<{ client: string; logs: string }> {
  const logsBefore = gateway.logLines.length;
  const client = await call();
  // The request's own log line is written after the response: wait for it, so "not in the logs" reads them all.
  await gateway.drained();
  return { client: client.toLowerCase(), logs: JSON.stringify(gateway.logLines.slice(logsBefore)).toLowerCase() };
}

function expectNoKey(seen: { client: string; logs: string }): void {
  expect(seen.logs).not.toBe('[]');
  for (const fragment of keyFragments()) {
    expect(seen.client).not.toContain(fragment);
    expect(seen.logs).not.toContain(fragment);
  }
}

async function openAIError(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return JSON.stringify({ status: error.status, message: error.message, body: error.error });
    throw error;
  }
  throw new Error('the request succeeded');
}

async function anthropicError(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
  } catch (error) {
    if (error instanceof Anthropic.APIError) return JSON.stringify({ status: error.status, message: error.message, body: error.error });
    throw error;
  }
  throw new Error('the request succeeded');
}

const hello = [{ role: 'user' as const, content: 'hi' }];

describe('secret scrubbing on /v1/chat/completions (OpenAI SDK)', () => {
  it.each(ENCODINGS)('keeps the provider key from client and logs when an upstream 400 quotes it %s', async (encoding) => {
    const seen = await seenDuring(() => openAIError(() => openai.chat.completions.create({ model: `leak-400-${encoding}`, messages: hello })));

    expectNoKey(seen);
    expect(seen.client).toContain('"status":400');
    expect(seen.client).toContain('[redacted]');
  });

  it.each(ENCODINGS)("answers with the gateway's own message when an upstream 401 quotes the key %s", async (encoding) => {
    const seen = await seenDuring(() => openAIError(() => openai.chat.completions.create({ model: `leak-401-${encoding}`, messages: hello })));

    expectNoKey(seen);
    expect(seen.client).toContain(`the upstream provider rejected the gateway's credentials for deployment`);
    expect(seen.client).toContain('(http 401)');
  });

  it.each(ENCODINGS)('keeps the provider key from client and logs when an error event inside a stream quotes it %s', async (encoding) => {
    let content = '';
    const seen = await seenDuring(() =>
      openAIError(async () => {
        const stream = await openai.chat.completions.create({ model: `leak-in-stream-${encoding}`, messages: hello, stream: true });
        for await (const chunk of stream) {
          content += chunk.choices[0]?.delta.content ?? '';
          // The client has content, so the gateway has committed: the error can only come as an event now.
          if (content !== '') upstream.releaseStreamErrors();
        }
      }),
    );

    expect(content).toBe('Hello');
    expectNoKey(seen);
    expect(seen.client).toContain('[redacted]');
  });
});

describe('secret scrubbing on /v1/messages (Anthropic SDK)', () => {
  it.each(ENCODINGS)('keeps the provider key from client and logs when an upstream 400 quotes it %s', async (encoding) => {
    const seen = await seenDuring(() =>
      anthropicError(() => anthropic.messages.create({ model: `leak-400-${encoding}`, max_tokens: 100, messages: hello })),
    );

    expectNoKey(seen);
    expect(seen.client).toContain('"status":400');
    expect(seen.client).toContain('[redacted]');
  });

  it.each(ENCODINGS)("answers with the gateway's own message when an upstream 401 quotes the key %s", async (encoding) => {
    const seen = await seenDuring(() =>
      anthropicError(() => anthropic.messages.create({ model: `leak-401-${encoding}`, max_tokens: 100, messages: hello })),
    );

    expectNoKey(seen);
    expect(seen.client).toContain(`the upstream provider rejected the gateway's credentials for deployment`);
  });

  it.each(ENCODINGS)('keeps the provider key from client and logs when an error event inside a stream quotes it %s', async (encoding) => {
    let content = '';
    const seen = await seenDuring(() =>
      anthropicError(async () => {
        const stream = await anthropic.messages.create({ model: `leak-in-stream-${encoding}`, max_tokens: 100, messages: hello, stream: true });
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') content += event.delta.text;
          if (content !== '') upstream.releaseStreamErrors();
        }
      }),
    );

    expect(content).toBe('Hello');
    expectNoKey(seen);
    expect(seen.client).toContain('[redacted]');
  });
});
