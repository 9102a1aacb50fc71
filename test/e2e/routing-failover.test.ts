/**
 * Failover end to end: the real gateway and the official OpenAI SDK against fake upstreams on
 * 127.0.0.1 that fail in every way the issue lists. For each fault the client gets the
 * fallback's answer (or one clean OpenAI error), and the usage record is written exactly once,
 * naming every attempt.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import { fixtureText, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';
import { eventually } from './tenancy-setup.js';

const FAULTS = {
  'rate-limited': 'status:429:retry-after=30',
  'server-error': 'status:500',
  overloaded: 'overloaded',
  hangs: 'hang',
  'hangs-before-first-token': 'hang-before-first-token',
  'closes-before-headers': 'close-before-headers',
  'malformed-json': 'malformed-json',
  'malformed-sse': 'malformed-sse',
  'empty-stream': 'empty-stream',
  'closes-mid-stream': 'close-mid-stream',
} as const;

let upstream: FakeUpstream;
let gateway: RunningGateway;
let client: OpenAI;
const records: UsageRecord[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const origin = upstream.baseUrl.replace(/\/v1$/, '');
  const deployment = (name: string, model: string, extra = '', apiBase = upstream.baseUrl) => `
  - model_name: ${name}
    litellm_params:
      model: ${model}
      api_base: ${apiBase}
      api_key: sk-routing-provider-key-0000${extra}`;
  gateway = await startGateway(
    `
model_list:${Object.entries(FAULTS)
      .map(([name, fault]) => deployment(name, `openai/${fault}`, '\n      timeout: 0.4\n      stream_timeout: 0.4'))
      .join('')}${deployment('claude-overloaded', 'anthropic/overloaded', '', origin)}${deployment('claude-busy', 'anthropic/overloaded-in-stream', '', origin)}${deployment(
      'bedrock-claude',
      'bedrock/fixture:amazon-bedrock-text',
      '\n      aws_region_name: eu-west-1',
      origin,
    )}${deployment('backup', 'openai/ok:backup')}${deployment('also-broken', 'openai/status:502')}${deployment('stalls', 'openai/hang-before-first-token', '\n      timeout: 60\n      stream_timeout: 0.3')}${deployment(
      'all-broken',
      'openai/status:503',
    )}${deployment('pair', 'openai/status:500:pair-bad', '\n      weight: 1')}${deployment('pair', 'openai/ok:pair-good', '\n      weight: 0')}${deployment('solo-broken', 'openai/status:503')}
router_settings:
  num_retries: 0
  fallbacks:${Object.keys(FAULTS)
      .map((name) => `\n    - ${name}: [backup]`)
      .join('')}
    - claude-overloaded: [bedrock-claude]
    - claude-busy: [bedrock-claude]
    - all-broken: [also-broken]
    - pair: [backup]
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  stream_keep_alive_seconds: 5
`,
    { usageSink: { record: async (record) => void records.push(record) } },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const hello = [{ role: 'user' as const, content: 'hi' }];

/** The text of the recorded Bedrock answer the fallback replays. */
function bedrockText(): string {
  const recorded = JSON.parse(fixtureText('amazon-bedrock-text.json', 'bedrock')) as { output: { message: { content: Array<{ text?: string }> } } };
  return recorded.output.message.content.map((block) => block.text ?? '').join('');
}

/** The one usage record of a request, counted once the gateway's after-response work has drained. */
async function onlyRecordOf(requestId: string | null): Promise<UsageRecord> {
  await gateway.drained();
  const mine = records.filter((record) => record.request_id === requestId);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

async function completeWith(model: string, extra: Record<string, unknown> = {}) {
  const { data, response } = await client.chat.completions.create({ model, messages: hello, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
  return { completion: data, headers: response.headers, record: await onlyRecordOf(response.headers.get('x-request-id')) };
}

async function streamWith(model: string) {
  const { data: stream, response } = await client.chat.completions.create({ model, messages: hello, stream: true }).withResponse();
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return { text, headers: response.headers, record: await onlyRecordOf(response.headers.get('x-request-id')) };
}

describe('a failing deployment hands over to its fallback before the client sees anything', () => {
  it.each([
    ['an upstream 429 whose Retry-After is longer than the gateway waits', 'rate-limited', 429, 'upstream_429'],
    ['an upstream 500', 'server-error', 500, 'upstream_500'],
    ['an overloaded upstream (503)', 'overloaded', 503, undefined],
    ['an upstream that hangs past its timeout', 'hangs', 504, 'upstream_timeout'],
    ['an upstream that closes the connection before answering', 'closes-before-headers', 502, 'upstream_unreachable'],
    ['an upstream that answers 200 with malformed JSON', 'malformed-json', 502, undefined],
  ])('serves %s from the fallback (non-streaming)', async (_case, model, failedStatus, failedCode) => {
    const { completion, headers, record } = await completeWith(model);

    expect(completion.choices[0]?.message.content).toBe('served by backup');
    expect(headers.get('x-gateway-model')).toBe('backup');
    expect(headers.get('x-gateway-attempts')).toBe('2');
    expect(record).toMatchObject({ status: 200, model: 'backup', requested_model: model, fallback: true, attempts: 2, prompt_tokens: 10, completion_tokens: 5 });
    expect(record.attempt_log).toHaveLength(2);
    expect(record.attempt_log?.[0]).toMatchObject({ model, status: failedStatus });
    if (failedCode !== undefined) expect(record.attempt_log?.[0]?.error_code).toBe(failedCode);
    expect(record.attempt_log?.[1]).toMatchObject({ model: 'backup', status: 200 });
  });

  it.each([
    ['an upstream that sends headers and then no first token', 'hangs-before-first-token'],
    ['an upstream whose stream is malformed', 'malformed-sse'],
    ['an upstream that answers 200 with an empty stream', 'empty-stream'],
    ['an upstream that closes the connection before answering', 'closes-before-headers'],
    ['an upstream 429', 'rate-limited'],
  ])('serves %s from the fallback (streaming)', async (_case, model) => {
    const { text, headers, record } = await streamWith(model);

    expect(text).toBe('served by backup');
    expect(headers.get('x-gateway-model')).toBe('backup');
    expect(headers.get('x-gateway-attempts')).toBe('2');
    expect(record).toMatchObject({ status: 200, stream: true, model: 'backup', requested_model: model, fallback: true, attempts: 2 });
  });

  it('serves an Anthropic deployment answering 529 overloaded (recorded as 503) from Bedrock, and the app sees a 200', async () => {
    const { completion, headers, record } = await completeWith('claude-overloaded');

    expect(completion.choices[0]?.message.content).toBe(bedrockText());
    expect(headers.get('x-gateway-provider')).toBe('bedrock');
    expect(record.attempt_log?.[0]).toMatchObject({ model: 'claude-overloaded', provider: 'anthropic', status: 503 });
    expect(record.attempt_log?.[1]).toMatchObject({ model: 'bedrock-claude', provider: 'bedrock', status: 200 });
  });

  it('fails over a stream whose provider started it and then sent an overloaded error before any token', async () => {
    const { text, headers, record } = await streamWith('claude-busy');

    expect(text).toMatch(/strawberry/); // Bedrock's recorded stream
    expect(headers.get('x-gateway-model')).toBe('bedrock-claude');
    expect(record).toMatchObject({ status: 200, model: 'bedrock-claude', requested_model: 'claude-busy', attempts: 2 });
  });

  it('tries the next deployment of the same model before any fallback', async () => {
    const { completion, headers, record } = await completeWith('pair', { num_retries: 1 });

    expect(completion.choices[0]?.message.content).toBe('served by pair-good');
    expect(headers.get('x-gateway-model')).toBe('pair');
    expect(headers.get('x-gateway-deployment')).toBe(record.deployment);
    expect(record).toMatchObject({ model: 'pair', fallback: false, attempts: 2 });
    expect(record.attempt_log?.map((attempt) => attempt.deployment)).toEqual([record.attempt_log?.[0]?.deployment, record.deployment]);
  });
});

describe('when failover is no longer possible or runs out', () => {
  it('ends a stream that breaks after its first token with one error event, without failing over', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: 'closes-mid-stream', messages: hello, stream: true }).withResponse();
    let text = '';
    const iterate = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };

    await expect(iterate()).rejects.toThrow();
    expect(text).not.toContain('served by backup');
    const record = await onlyRecordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ status: 200, model: 'closes-mid-stream', attempts: 1, fallback: false });
    expect(record.error_code).toBe('upstream_unreachable'); // the connection dropped mid-response
  });

  it('answers one clean OpenAI error, the last attempt\'s, when every model fails', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'all-broken', messages: hello }),
    });

    expect(response.status).toBe(502);
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: 'upstream_502' } });
    const record = await onlyRecordOf(response.headers.get('x-request-id'));
    expect(record).toMatchObject({ status: 502, model: 'also-broken', requested_model: 'all-broken', fallback: true, attempts: 2, cost_picos: 0 });
  });

  it('releases the connection of an attempt it gave up on', async () => {
    // No first token within stream_timeout (0.3 s), long before the connection's own idle timeout (60 s);
    // no fallback: the only upstream connection this request uses is the one that stalls.
    const stalledBefore = upstream.requestsFor('hang-before-first-token').length;
    const answered = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stalls', messages: hello, stream: true, fallbacks: [] }),
    });
    await eventually(async () => expect(upstream.requestsFor('hang-before-first-token')).toHaveLength(stalledBefore + 1));
    const whileHanging = upstream.openSockets();

    expect((await answered).status).toBe(504);

    await eventually(async () => expect(upstream.openSockets()).toBe(whileHanging - 1));
  });
});

describe('per-request overrides', () => {
  it('honours fallbacks sent in the body by the master key', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo-broken', messages: hello, fallbacks: ['backup'] }),
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('backup');
    const sent = upstream.requestsFor('ok:backup').at(-1);
    expect(sent?.body).not.toHaveProperty('fallbacks');
  });

  it('honours a per-request timeout shorter than the configured one', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hangs', messages: hello, timeout: 0.1, fallbacks: [] }),
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(504);
    // The timeout that fired names its length: the request's 100 ms, not the deployment's 400 ms.
    expect(body.error).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining(' 100 ms') });
  });
});

describe('timeouts around an early commit and per-request overrides', () => {
  let slowUpstream: FakeUpstream;
  let slowGateway: RunningGateway;
  beforeAll(async () => {
    slowUpstream = await startFakeUpstream();
    const deployment = (name: string, model: string, extra: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${slowUpstream.baseUrl}
      api_key: sk-routing-provider-key-0000${extra}`;
    slowGateway = await startGateway(`
model_list:${deployment('thinker', 'pause-stream:3000', '\n      stream_timeout: 0.5')}${deployment('slowpoke', 'slow:600:slowpoke', '\n      timeout: 0.2')}
router_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  stream_keep_alive_seconds: 0.1
`);
  });
  afterAll(async () => {
    await slowGateway?.close();
    await slowUpstream?.close();
  });

  it('ends a stream committed early by the keep-alive rule with a timeout error once stream_timeout passes without a token', async () => {
    const response = await fetch(`${slowGateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'thinker', messages: hello, stream: true }),
    });
    const text = await response.text();

    // Ended by stream_timeout (0.5 s), not by the upstream resuming at 3 s: an error event naming
    // the 500 ms, and no [DONE] (the upstream would have finished with one).
    expect(response.status).toBe(200);
    expect(text).toContain('"code":"upstream_timeout"');
    expect(text).toContain(' 500 ms');
    expect(text).not.toContain('[DONE]');
  });

  it('waits as long as a per-request timeout asks, even beyond the deployment\'s own', async () => {
    const response = await fetch(`${slowGateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slowpoke', messages: hello, timeout: 3 }),
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('served by slowpoke');
  });
});
