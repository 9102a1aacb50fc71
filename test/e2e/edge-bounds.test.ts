import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, chat, quiescent, startTenancyEnvironment, tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

/**
 * What a client (or a provider) controls, and could use to bend another tenant's limits or lose
 * a record: request ids, end users, run ids, metadata, numbers, nesting, usage counts. Each is
 * bounded at the edge, before admission. (Issue 11 items 1, 2, 3, 11, 12, 14, 16.)
 */

/** An OpenAI-compatible upstream whose usage the test chooses by model name: `usage:<prompt>:<completion>` (JSON numbers). */
function startUsageUpstream(): Promise<{ baseUrl: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server = http.createServer((incoming, outgoing) => {
    let text = '';
    incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
    incoming.on('end', () => {
      state.requests++;
      const body = JSON.parse(text) as { model: string; stream?: boolean };
      const [, prompt = '1', completion = '1'] = body.model.split(':');
      const usage = `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":1}`;
      if (body.stream) {
        outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
        outgoing.write(`data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"abcdefgh"},"finish_reason":null}]}\n\n`);
        outgoing.write(`data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`);
        outgoing.write(`data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":${usage}}\n\n`);
        outgoing.end('data: [DONE]\n\n');
        return;
      }
      outgoing.writeHead(200, { 'content-type': 'application/json' });
      outgoing.end(
        `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"abcdefgh"},"finish_reason":"stop"}],"usage":${usage}}`,
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get requests() {
          return state.requests;
        },
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

let upstream: Awaited<ReturnType<typeof startUsageUpstream>>;
let environment: TenancyEnvironment;

beforeAll(async () => {
  upstream = await startUsageUpstream();
  // $1 / $2 per million tokens; limits_fail_open on, so that a validation failure mistaken for an outage would skip limits.
  environment = await startTenancyEnvironment(`
model_list:
  - model_name: metered
    litellm_params:
      model: demo/echo
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
  - model_name: negative
    litellm_params:
      model: openai/usage:-100000000:5
      api_base: ${upstream.baseUrl}
      api_key: sk-fake-provider-key-000
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
  - model_name: huge
    litellm_params:
      model: openai/usage:1e300:5
      api_base: ${upstream.baseUrl}
      api_key: sk-fake-provider-key-000
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  limits_fail_open: true
`);
});
afterAll(async () => {
  await environment?.gateway.close();
  await upstream?.close();
});

interface UsageRow {
  request_id: string;
  client_request_id?: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_picos: number;
  estimated: boolean;
  upstream_usage_rejected?: boolean;
}

async function recordsOf(tenant: string): Promise<UsageRow[]> {
  await quiescent(environment);
  await environment.usageQueue.drain();
  const page = await admin<{ data: UsageRow[] }>(environment, 'GET', `/admin/usage/requests?tenant_id=${tenant}&from=2026-11-22&to=2026-11-24&limit=100`);
  return page.data;
}

async function counterItem(scope: string): Promise<Record<string, { N?: string; M?: unknown }>> {
  const response = await environment.client.send(new GetItemCommand({ TableName: environment.tables.counters, Key: { pk: { S: `SCOPE#${scope}` } }, ConsistentRead: true }));
  return (response.Item ?? {}) as Record<string, { N?: string }>;
}

function admissionCalls(): number {
  return environment.calls.filter((call) => call === 'UpdateItemCommand' || call === 'TransactWriteItemsCommand').length;
}

describe('request ids', () => {
  it('counts and records every request separately when a client repeats one x-request-id', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'same-request-id' }, { tpm_limit: 1_000_000, max_budget: 10 });

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => chat(environment, secret, { model: 'metered' }, { 'x-request-id': 'client-chosen-id' })),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((response) => response.headers.get('x-request-id')))).toEqual(new Set(['client-chosen-id']));
    expect(new Set(responses.map((response) => response.headers.get('x-gateway-request-id'))).size).toBe(20);
    const records = await recordsOf('same-request-id');
    expect(records).toHaveLength(20);
    expect(new Set(records.map((record) => record.request_id)).size).toBe(20);
    expect(records.every((record) => record.client_request_id === 'client-chosen-id')).toBe(true);
    const item = await counterItem(`key:${keyId}`);
    const spent = Object.entries(item).find(([name]) => name.startsWith('spent_'))?.[1].N;
    expect(Number(spent)).toBe(records.reduce((sum, record) => sum + Math.ceil(record.cost_picos / 1e6), 0));
    const tokensThisMinute = Object.entries(item).find(([name]) => name.startsWith('tpm_'))?.[1].N;
    expect(Number(tokensThisMinute)).toBe(records.reduce((sum, record) => sum + record.prompt_tokens + record.completion_tokens, 0));
    expect(Object.keys(item).filter((name) => name.startsWith('res_'))).toEqual([]);
  });
});

describe('upstream usage', () => {
  it('never credits a budget when the provider reports negative tokens: estimates, flags and logs instead', async () => {
    const { secret, keyId } = await tenantWithKey(environment, { id: 'negative-usage' }, { max_budget: 10 });

    const response = await chat(environment, secret, { model: 'negative' });

    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-gateway-cost-usd'))).toBeGreaterThan(0);
    expect(response.body['usage']).toMatchObject({ completion_tokens: 2, estimated: true });
    const [record] = await recordsOf('negative-usage');
    expect(record).toMatchObject({ estimated: true, upstream_usage_rejected: true, completion_tokens: 2 });
    expect(record!.cost_picos).toBeGreaterThan(0);
    const item = await counterItem(`key:${keyId}`);
    const spent = Object.entries(item).find(([name]) => name.startsWith('spent_'))?.[1].N;
    expect(Number(spent)).toBe(Math.ceil(record!.cost_picos / 1e6));
    expect(environment.gateway.logLines.some((line) => line.event === 'usage.upstream_usage_rejected' && line.fields?.['field'] === 'prompt_tokens')).toBe(true);
  });

  it('records a stream whose provider reports 1e300 prompt tokens, at the estimate, instead of dead-lettering it', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'huge-usage' }, { max_budget: 10 });

    const response = await fetch(`${environment.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ model: 'huge', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await response.text();

    expect(text).not.toContain('1e+300');
    const [record] = await recordsOf('huge-usage');
    expect(record).toMatchObject({ estimated: true, upstream_usage_rejected: true, completion_tokens: 2 });
  });
});

describe('values that become keys or numbers', () => {
  it.each([
    ['an end user header over the key size limit', { 'x-gateway-end-user': 'u'.repeat(3000) }, {}, 'x-gateway-end-user'],
    ['a body user over the key size limit', {}, { user: 'u'.repeat(3000) }, 'user'],
    ['a body user with control characters', {}, { user: 'alice\u0001' }, 'user'],
    ['a run id over 2 KB', { 'x-run-id': 'r'.repeat(2100) }, {}, 'x-run-id'],
    ['max_tokens of 1e300', {}, { max_tokens: 1e300 }, 'max_tokens'],
    ['max_completion_tokens of 2^64', {}, { max_completion_tokens: 2 ** 64 }, 'max_completion_tokens'],
    ['n of 2^64', {}, { n: 2 ** 64 }, 'n'],
    ['seed of 1e300', {}, { seed: 1e300 }, 'seed'],
    ['metadata with __proto__', {}, { metadata: JSON.parse('{"__proto__":{"x":1}}') }, 'metadata'],
    ['metadata deeper than 16 levels', {}, { metadata: JSON.parse(`${'{"a":'.repeat(17)}1${'}'.repeat(17)}`) }, 'metadata'],
    ['metadata with a number DynamoDB cannot hold', {}, { metadata: { n: 1e200 } }, 'metadata'],
    ['metadata over 16 KB', {}, { metadata: { blob: 'x'.repeat(20_000) } }, 'metadata'],
  ])('refuses %s with a 400 naming it, before admission counts anything', async (_case, headers, body, param) => {
    const { secret } = await tenantWithKey(environment, { id: `bounds-${param}-${Math.random().toString(36).slice(2, 8)}` }, { rpm_limit: 100, max_budget: 10 });
    await quiescent(environment);
    const before = admissionCalls();

    const response = await chat(environment, secret, { model: 'metered', ...body }, headers as Record<string, string>);

    expect(response.status).toBe(400);
    expect(response.body['error']).toMatchObject({ type: 'invalid_request_error', param });
    expect(admissionCalls()).toBe(before);
  });

  it('refuses a 100,000-level nested field with a 400 naming it, and the deployment keeps serving', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'deep-nesting' });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const before = upstream.requests;

    const response = await fetch(`${environment.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: `{"model":"negative","messages":[{"role":"user","content":"hi"}],"unknown_field":${deep}}`,
    });
    const error = (await response.json()) as { error: { param: string } };
    const next = await chat(environment, secret, { model: 'negative' });

    expect(response.status).toBe(400);
    expect(error.error.param).toBe('unknown_field');
    expect(next.status).toBe(200);
    expect(upstream.requests).toBe(before + 1);
  });

  it('refuses nesting on /v1/messages in Anthropic’s error shape', async () => {
    const { secret } = await tenantWithKey(environment, { id: 'deep-anthropic' });

    const response = await fetch(`${environment.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': secret, 'anthropic-version': '2023-06-01' },
      body: `{"model":"metered","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"metadata":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`,
    });
    const body = (await response.json()) as { type: string; error: { type: string } };

    expect(response.status).toBe(400);
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('request log line', () => {
  it('logs an unmatched 15 KB path as its length only', async () => {
    const path = `/v1/${'sk-pasted-key-'.repeat(1100)}`;

    const response = await fetch(`${environment.gateway.url}${path}`);
    await response.text();

    const line = environment.gateway.logLines.findLast((entry) => entry.event === 'request.completed');
    expect(response.status).toBe(404);
    expect(String(line?.fields?.['path'])).toBe(`(unmatched path, ${path.length} characters)`);
  });

  it('logs a model route by its template, not the id a client typed', async () => {
    const response = await fetch(`${environment.gateway.url}/v1/models/sk-this-is-not-a-model`);
    await response.text();

    const line = environment.gateway.logLines.findLast((entry) => entry.event === 'request.completed');
    expect(line?.fields?.['path']).toBe('/v1/models/{id}');
  });
});
