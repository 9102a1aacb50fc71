/**
 * Claude Code through the gateway: `/v1/messages` to deployments that speak Anthropic Messages
 * themselves (`anthropic/…`, Claude on Bedrock) is a passthrough. The official Anthropic SDK against
 * the real gateway, and a capturing fake of Anthropic and Bedrock on 127.0.0.1: the upstream gets the
 * client's body unchanged except the documented rewrites, and the client gets what the upstream sent.
 * Recorded traffic: test/fixtures/providers/anthropic/anthropic-clear-thinking.1.* and
 * anthropic-code-execution-20260120-prompt-cache.1.chunks.txt (Apache-2.0, see LICENSE-vercel-ai.txt).
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { fixtureChunks, fixtureText } from '../support/recorded-fixtures.js';
import { COUNTED_BY_ANTHROPIC, COUNTED_BY_BEDROCK, startNativeUpstream, type NativeUpstream } from '../support/anthropic-native-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

const UPSTREAM_CLAUDE = 'claude-sonnet-4-5-20250929';
const BEDROCK_CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const BETAS = ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'];
const CONFIG_BETA = 'fine-grained-tool-streaming-2025-05-14';
const PROVIDER_KEY = 'sk-ant-passthrough-provider-key-0000';

let upstream: NativeUpstream;
let gateway: RunningGateway;
let anthropic: Anthropic;
const records: UsageRecord[] = [];

beforeAll(async () => {
  upstream = await startNativeUpstream();
  const anthropicDeployment = (name: string, model: string, extra = '') => `
  - model_name: ${name}
    litellm_params:
      model: anthropic/${model}
      api_base: ${upstream.origin}
      api_key: ${PROVIDER_KEY}${extra}`;
  gateway = await startGateway(
    `
model_list:${anthropicDeployment('claude', UPSTREAM_CLAUDE, `\n      extra_headers:\n        anthropic-beta: ${CONFIG_BETA}`)}${anthropicDeployment('claude-flaky', 'claude-flaky')}${anthropicDeployment('claude-down', 'claude-down')}${anthropicDeployment('claude-breaks', 'claude-breaks')}
  - model_name: bedrock-claude
    litellm_params:
      model: bedrock/${BEDROCK_CLAUDE}
      api_base: ${upstream.origin}
      aws_region_name: eu-west-1
  - model_name: demo
    litellm_params:
      model: demo/echo
router_settings:
  num_retries: 0
  fallbacks:
    - claude-flaky: [bedrock-claude]
    - claude-down: [demo]
    - claude-breaks: [bedrock-claude]
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`,
    { usageSink: { record: async (record) => void records.push(record) } },
  );
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

const recordedMessage = JSON.parse(fixtureText('anthropic-clear-thinking.1.json', 'anthropic')) as Record<string, unknown> & { content: Array<Record<string, unknown>> };
const recordedSignature = String(recordedMessage.content[0]!['signature']);
const REDACTED = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj' };

/** A Claude Code turn: thinking + signature and a redacted block from the last turn, a failed tool with an image, cache_control (with ttl) on system, tools and messages. */
function claudeCodeTurn(model: string, stream: boolean): Record<string, unknown> {
  return {
    model,
    max_tokens: 32_000,
    stream,
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Working directory: /repo', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    tools: [
      {
        name: 'Bash',
        description: 'Runs a shell command.',
        input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
        cache_control: { type: 'ephemeral', ttl: '1h' },
      },
    ],
    thinking: { type: 'enabled', budget_tokens: 31_999 },
    metadata: { user_id: 'user_0123_account_4567_session_89ab' },
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'What is 925 divided by 5? Then list the files.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: '925 divided by 5 = 185', signature: recordedSignature },
          REDACTED,
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'Bash', input: { command: 'ls' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
            is_error: true,
            content: [
              { type: 'text', text: 'ls: permission denied' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' } },
            ],
          },
          { type: 'text', text: 'Try again, then divide by 5.', cache_control: { type: 'ephemeral', ttl: '5m' } },
        ],
      },
    ],
  };
}

/** The recorded answer, with a redacted block and the cache usage of issue 12's worked example (12 input, 2,048 writes, 98,304 reads, 187 output). */
const cachedMessage = {
  ...recordedMessage,
  content: [recordedMessage.content[0], REDACTED, recordedMessage.content[1]],
  usage: {
    input_tokens: 12,
    cache_creation_input_tokens: 2048,
    cache_read_input_tokens: 98_304,
    cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
    output_tokens: 187,
    service_tier: 'standard',
  },
};

/** The recorded thinking stream with a redacted_thinking block inserted as block 1 (the text block becomes 2). */
function thinkingEvents(): Record<string, unknown>[] {
  const events = fixtureChunks('anthropic-clear-thinking.1', 'anthropic').map((event) =>
    typeof event['index'] === 'number' && event['index'] >= 1 ? { ...event, index: event['index'] + 1 } : event,
  );
  const afterThinking = events.findIndex((event) => event['type'] === 'content_block_stop') + 1;
  events.splice(afterThinking, 0, { type: 'content_block_start', index: 1, content_block: REDACTED }, { type: 'content_block_stop', index: 1 });
  return events;
}

/** Bedrock adds its metrics to message_stop. */
function bedrockEvents(events: Record<string, unknown>[]): Record<string, unknown>[] {
  return events.map((event) =>
    event['type'] === 'message_stop'
      ? { ...event, 'amazon-bedrock-invocationMetrics': { inputTokenCount: 69, outputTokenCount: 53, invocationLatency: 1200, firstByteLatency: 400 } }
      : event,
  );
}

/** A raw streamed request, and its SSE events as the client received them (keep-alive comments dropped). */
async function rawStream(body: Record<string, unknown>, query = '?beta=true'): Promise<{ response: Response; events: Array<{ event: string; data: unknown }> }> {
  const response = await fetch(`${gateway.url}/v1/messages${query}`, {
    method: 'POST',
    headers: { 'x-api-key': MASTER_KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': BETAS.join(',') },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, ...dataLines] = block.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLines.map((line) => line.slice('data: '.length)).join('\n')) as unknown };
    });
  return { response, events };
}

/** The SDK refuses a whole (non-streamed) answer of 32,000 tokens without a timeout of its own. */
const WHOLE = { timeout: 60_000 };

const asSent = (events: Record<string, unknown>[]) => events.map((event) => ({ event: String(event['type']), data: event }));

async function recordOf(response: { headers: { get(name: string): string | null } }): Promise<UsageRecord> {
  await gateway.drained();
  const requestId = response.headers.get('x-gateway-request-id');
  const matching = records.filter((record) => record.request_id === requestId);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

describe('POST /v1/messages to an anthropic/ deployment', () => {
  it('sends the client body unchanged except model when not streaming', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message: cachedMessage });
    const turn = claudeCodeTurn('claude', false);

    await anthropic.beta.messages.create({ ...(turn as object), betas: BETAS } as never, WHOLE);

    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.body).toEqual({ ...turn, model: UPSTREAM_CLAUDE });
  });

  it('forwards the client anthropic-version, its betas with the configured one, ?beta=true and the provider key', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events: thinkingEvents() });

    await rawStream(claudeCodeTurn('claude', true), '?beta=true');

    const sent = upstream.requests[0]!;
    expect(sent.url).toBe('/v1/messages?beta=true');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['anthropic-beta']).toBe([...BETAS, CONFIG_BETA].join(','));
    expect(sent.headers['x-api-key']).toBe(PROVIDER_KEY);
  });

  it('forwards no query parameter but beta', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events: thinkingEvents() });

    await rawStream(claudeCodeTurn('claude', true), '?beta=true&tenant=acme');

    expect(upstream.requests[0]!.url).toBe('/v1/messages?beta=true');
  });

  it('takes the gateway routing fields out of the body', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events: thinkingEvents() });
    const turn = claudeCodeTurn('claude', true);

    await rawStream({ ...turn, fallbacks: ['bedrock-claude'], num_retries: 1, timeout: 30 });

    expect(upstream.requests[0]!.body).toEqual({ ...turn, model: UPSTREAM_CLAUDE });
  });

  it('hands the SDK the message exactly as Anthropic sent it: id, signature, redacted block, cache usage', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message: cachedMessage });

    const message = await anthropic.beta.messages.create({ ...(claudeCodeTurn('claude', false) as object), betas: BETAS } as never, WHOLE);

    expect(message).toEqual(cachedMessage);
  });

  it('records the cache reads and writes of a whole answer', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'message', message: cachedMessage });

    const { response } = await anthropic.beta.messages.create({ ...(claudeCodeTurn('claude', false) as object), betas: BETAS } as never, WHOLE).withResponse();

    expect(await recordOf(response)).toMatchObject({ prompt_tokens: 12 + 2048 + 98_304, completion_tokens: 187, cache_read_tokens: 98_304, cache_write_tokens: 2048, estimated: false });
  });

  it('sends a streamed turn unchanged except model', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events: thinkingEvents() });
    const turn = claudeCodeTurn('claude', true);

    await rawStream(turn);

    expect(upstream.requests[0]!.body).toEqual({ ...turn, model: UPSTREAM_CLAUDE });
    expect(upstream.requests[0]!.headers['accept']).toBe('text/event-stream');
  });

  it('relays every stream event as Anthropic sent it, ping and signature_delta included, in order', async () => {
    const events = thinkingEvents();
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events });

    const { response, events: received } = await rawStream(claudeCodeTurn('claude', true));

    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(received).toEqual(asSent(events));
  });

  it('lets the SDK assemble the signature, the redacted block, the upstream id and block indexes from the stream', async () => {
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events: thinkingEvents() });

    const message = await anthropic.beta.messages.stream({ ...(claudeCodeTurn('claude', true) as object), betas: BETAS } as never).finalMessage();

    const recordedStart = fixtureChunks('anthropic-clear-thinking.1', 'anthropic')[0]!['message'] as { id: string };
    const signature = fixtureChunks('anthropic-clear-thinking.1', 'anthropic').find((event) => (event['delta'] as { type?: string } | undefined)?.type === 'signature_delta')!;
    expect(message.id).toBe(recordedStart.id);
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'redacted_thinking', 'text']);
    expect(message.content[0]).toMatchObject({ signature: (signature['delta'] as { signature: string }).signature });
    expect(message.content[1]).toEqual(REDACTED);
  });

  it('reports and records the cache usage of a stream as Anthropic sent it', async () => {
    const events = fixtureChunks('anthropic-code-execution-20260120-prompt-cache.1', 'anthropic');
    upstream.answerWith(UPSTREAM_CLAUDE, { kind: 'events', events });

    const { data: stream, response } = await anthropic.beta.messages.stream({ ...(claudeCodeTurn('claude', true) as object), betas: BETAS } as never).withResponse();
    const message = await stream.finalMessage();

    expect(message.usage).toMatchObject({ input_tokens: 6, cache_creation_input_tokens: 3337, cache_read_input_tokens: 6289, output_tokens: 198 });
    expect(await recordOf(response)).toMatchObject({ prompt_tokens: 6 + 6289 + 3337, completion_tokens: 198, cache_read_tokens: 6289, cache_write_tokens: 3337, estimated: false });
  });
});

describe('POST /v1/messages to Claude on Bedrock', () => {
  const bedrockBody = (turn: Record<string, unknown>) => {
    const { model: _model, stream: _stream, ...rest } = turn;
    return { ...rest, anthropic_version: 'bedrock-2023-05-31', anthropic_beta: BETAS };
  };

  it('sends InvokeModel the client body without model and stream, with Bedrock version and the betas in the body, signed', async () => {
    upstream.answerWith(BEDROCK_CLAUDE, { kind: 'message', message: cachedMessage });
    const turn = claudeCodeTurn('bedrock-claude', false);

    await anthropic.beta.messages.create({ ...(turn as object), betas: BETAS } as never, WHOLE);

    const sent = upstream.requests[0]!;
    expect(decodeURIComponent(sent.url)).toBe(`/model/${BEDROCK_CLAUDE}/invoke`);
    expect(sent.body).toEqual(bedrockBody(turn));
    expect(String(sent.headers['authorization'])).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
  });

  it('hands the SDK the message exactly as Bedrock sent it', async () => {
    upstream.answerWith(BEDROCK_CLAUDE, { kind: 'message', message: cachedMessage });

    const message = await anthropic.beta.messages.create({ ...(claudeCodeTurn('bedrock-claude', false) as object), betas: BETAS } as never, WHOLE);

    expect(message).toEqual(cachedMessage);
  });

  it('streams through InvokeModelWithResponseStream, each frame relayed as the Anthropic event it carries', async () => {
    const events = bedrockEvents(thinkingEvents());
    upstream.answerWith(BEDROCK_CLAUDE, { kind: 'events', events });
    const turn = claudeCodeTurn('bedrock-claude', true);

    const { events: received } = await rawStream(turn);

    expect(decodeURIComponent(upstream.requests[0]!.url)).toBe(`/model/${BEDROCK_CLAUDE}/invoke-with-response-stream`);
    expect(upstream.requests[0]!.body).toEqual(bedrockBody(turn));
    expect(received).toEqual(asSent(events));
  });

  it('records the cache usage read from the Bedrock stream', async () => {
    upstream.answerWith(BEDROCK_CLAUDE, { kind: 'events', events: bedrockEvents(fixtureChunks('anthropic-code-execution-20260120-prompt-cache.1', 'anthropic')) });

    const { data: stream, response } = await anthropic.beta.messages.stream({ ...(claudeCodeTurn('bedrock-claude', true) as object), betas: BETAS } as never).withResponse();
    await stream.finalMessage();

    expect(await recordOf(response)).toMatchObject({ model: 'bedrock-claude', prompt_tokens: 6 + 6289 + 3337, completion_tokens: 198, cache_read_tokens: 6289, cache_write_tokens: 3337 });
  });
});

describe('routing on the passthrough', () => {
  const startThenOverloaded = [
    fixtureChunks('anthropic-clear-thinking.1', 'anthropic')[0]!,
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  ];

  it('fails over to Bedrock when the Anthropic stream fails before its first content event', async () => {
    upstream.answerWith('claude-flaky', { kind: 'events', events: startThenOverloaded });
    const events = bedrockEvents(thinkingEvents());
    upstream.answerWith(BEDROCK_CLAUDE, { kind: 'events', events });

    const { response, events: received } = await rawStream(claudeCodeTurn('claude-flaky', true));

    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(received).toEqual(asSent(events));
  });

  it('relays the provider error event and does not fail over once content has been sent', async () => {
    const [start, blockStart, , delta] = fixtureChunks('anthropic-text', 'anthropic');
    // A pause after the first content event: the gateway has committed (and sent it) before the error comes.
    upstream.answerWith('claude-breaks', { kind: 'events', events: [start!, blockStart!, delta!, startThenOverloaded[1]!], pauseAfter: 2, pauseMs: 100 });

    const { response, events: received } = await rawStream(claudeCodeTurn('claude-breaks', true));

    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(received.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    expect(upstream.requests).toHaveLength(1);
  });

  it('translates the answer when the fallback is not an Anthropic model', async () => {
    upstream.answerWith('claude-down', { kind: 'status', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });

    const { data: message, response } = await anthropic.messages
      .create({ model: 'claude-down', max_tokens: 100, messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();

    expect(response.headers.get('x-gateway-model')).toBe('demo');
    expect(message.type).toBe('message');
    expect(message.content[0]?.type).toBe('text');
  });
});

describe('POST /v1/messages/count_tokens', () => {
  const countBody = () => {
    const { max_tokens: _max, stream: _stream, metadata: _metadata, ...rest } = claudeCodeTurn('claude', false);
    return rest;
  };

  it("asks Anthropic's own endpoint with the client's body, headers and query", async () => {
    const body = countBody();

    const response = await fetch(`${gateway.url}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': MASTER_KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': BETAS.join(',') },
      body: JSON.stringify(body),
    });

    expect(await response.json()).toEqual({ input_tokens: COUNTED_BY_ANTHROPIC });
    const sent = upstream.requests[0]!;
    expect(sent.url).toBe('/v1/messages/count_tokens?beta=true');
    expect(sent.body).toEqual({ ...body, model: UPSTREAM_CLAUDE });
    expect(sent.headers['anthropic-beta']).toBe([...BETAS, CONFIG_BETA].join(','));
    expect(sent.headers['x-api-key']).toBe(PROVIDER_KEY);
  });

  it('counts through the SDK with its token-counting beta', async () => {
    const count = await anthropic.beta.messages.countTokens({ ...(countBody() as object), betas: BETAS } as never);

    expect(count.input_tokens).toBe(COUNTED_BY_ANTHROPIC);
    expect(String(upstream.requests[0]!.headers['anthropic-beta']).split(',')).toEqual(expect.arrayContaining([...BETAS, CONFIG_BETA]));
  });

  it("asks Bedrock's CountTokens for the foundation model, with the InvokeModel body in base64", async () => {
    const body = { ...countBody(), model: 'bedrock-claude' };

    const count = await anthropic.messages.countTokens(body as never);

    expect(count.input_tokens).toBe(COUNTED_BY_BEDROCK);
    const sent = upstream.requests[0]!;
    expect(decodeURIComponent(sent.url)).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1:0/count-tokens');
    const { model: _model, ...rest } = body;
    const invokeBody = JSON.parse(Buffer.from((sent.body as { input: { invokeModel: { body: string } } }).input.invokeModel.body, 'base64').toString('utf8')) as unknown;
    expect(invokeBody).toEqual({ ...rest, max_tokens: 32_000, anthropic_version: 'bedrock-2023-05-31' });
  });

  it('says when the count was made by the provider', async () => {
    const response = await anthropic.messages.countTokens(countBody() as never).withResponse();

    expect(response.response.headers.get('x-gateway-token-count')).toBe('provider');
  });

  it('estimates, and says so, for a model whose provider cannot count', async () => {
    const { data, response } = await anthropic.messages.countTokens({ model: 'demo', messages: [{ role: 'user', content: 'hello there' }] }).withResponse();

    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gateway-token-count')).toBe('estimated');
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 404 not_found_error for an unknown model', async () => {
    const error = await anthropic.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('refuses a request without a key', async () => {
    const keyless = new Anthropic({ baseURL: gateway.url, apiKey: 'sk-not-a-key', maxRetries: 0 });

    const error = await keyless.messages.countTokens(countBody() as never).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(upstream.requests).toHaveLength(0);
  });
});
