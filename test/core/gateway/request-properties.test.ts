import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGateway } from '../../../functions/core/build-gateway.js';
import type { GatewayHandler, GatewayHttpResponse } from '../../../functions/core/http/gateway-http.js';
import { parseUsageRecord } from '../../../functions/core/usage/parse-usage-record.js';
import type { UsageRecord } from '../../../functions/core/usage/usage-record.js';

/**
 * Properties of the whole request pipeline, in process (the demo model answers in-process,
 * so no network): whatever JSON a client puts in any field, and whatever it puts in the
 * attribution headers, the answer is a well-formed response or a 4xx error — never a 500, an
 * exception or a hang — and the usage record it leaves is one the aggregator accepts and
 * DynamoDB can hold.
 */

const MASTER_KEY = 'sk-property-master-key-000';
const CONFIG = `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
  - model_name: demo-embed
    litellm_params:
      model: demo/embed
general_settings:
  master_key: ${MASTER_KEY}
`;

async function gatewayWithRecords(): Promise<{ handle: GatewayHandler; records: UsageRecord[] }> {
  const records: UsageRecord[] = [];
  let id = 0;
  const gateway = await buildGateway({
    configText: CONFIG,
    secrets: { get: async () => undefined },
    upstream: { send: () => Promise.reject(new Error('no network in this test')) },
    clock: { now: () => Date.UTC(2026, 11, 5, 12, 0, 0) },
    ids: { next: () => `id-${++id}` },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    random: () => 0.5,
    usageSink: { record: async (record) => void records.push(record) },
  });
  return { handle: gateway.handle, records };
}

/** Reads the whole response (streams included) and runs what follows it, as an edge does. */
async function complete(response: GatewayHttpResponse): Promise<string> {
  let text = '';
  if (typeof response.body === 'string') text = response.body;
  else for await (const piece of response.body) text += piece;
  await response.afterResponse?.();
  return text;
}

const CHAT_FIELDS = [
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'n', 'seed', 'temperature',
  'top_p', 'user', 'metadata', 'tools', 'tool_choice', 'response_format', 'stop', 'logprobs', 'parallel_tool_calls',
  'fallbacks', 'num_retries', 'timeout', 'store',
] as const;
const ANTHROPIC_FIELDS = ['model', 'messages', 'max_tokens', 'system', 'stream', 'tools', 'tool_choice', 'metadata', 'thinking', 'stop_sequences', 'temperature'] as const;
const EMBEDDING_FIELDS = ['model', 'input', 'encoding_format', 'dimensions', 'user', 'metadata'] as const;

const anyJson = fc.jsonValue({ maxDepth: 4 });
const headerText = fc.option(fc.string({ maxLength: 600 }), { nil: undefined });

/** A valid request with some of its fields replaced by arbitrary JSON, and an arbitrary extra field. */
function mutatedBody(base: Record<string, unknown>, fields: readonly string[]) {
  return fc
    .tuple(fc.dictionary(fc.constantFrom(...fields), anyJson, { maxKeys: 3 }), fc.option(fc.tuple(fc.string({ maxLength: 20 }), anyJson), { nil: undefined }))
    .map(([replaced, extra]) => ({ ...base, ...replaced, ...(extra === undefined ? {} : { [extra[0]]: extra[1] }) }));
}

const attributionHeaders = fc.record({
  'x-gateway-end-user': headerText,
  'x-run-id': headerText,
  'x-trace-id': headerText,
  traceparent: headerText,
  'x-gateway-tags': headerText,
  'x-request-id': headerText,
});

/** Statuses seen, so that each property can show it exercised successes as well as refusals. */
const statuses: number[] = [];

/** The property would prove little if every generated request were refused at validation. */
function expectSomeServed(): void {
  const served = statuses.filter((status) => status < 400).length;
  expect(served).toBeGreaterThan(statuses.length / 10);
  statuses.length = 0;
}

async function expectWellBehaved(handle: GatewayHandler, records: UsageRecord[], path: string, body: unknown, headers: Record<string, string | undefined>) {
  records.length = 0;
  const response = await handle({
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${MASTER_KEY}`, ...headers },
    body: new TextEncoder().encode(JSON.stringify(body)),
    signal: new AbortController().signal,
  });
  const text = await complete(response);
  statuses.push(response.status);

  expect(response.status).not.toBe(500);
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) expect(() => JSON.parse(text)).not.toThrow();
  for (const record of records) {
    const parsed = parseUsageRecord(JSON.parse(JSON.stringify(record)));
    expect(parsed.ok).toBe(true);
    // DynamoDB: 400 KB an item; 2,048 bytes a partition key, 1,024 a sort key (roll-ups join a few values).
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(64 * 1024);
    for (const value of [record.end_user, record.run_id, record.trace_id, record.client_request_id, ...record.tags]) {
      if (value !== undefined) expect(Buffer.byteLength(value)).toBeLessThanOrEqual(256);
    }
  }
}

describe('the request pipeline, over arbitrary JSON', () => {
  it('answers chat completions with a response or a 4xx, and leaves storable usage records', async () => {
    const { handle, records } = await gatewayWithRecords();
    const body = mutatedBody({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }, CHAT_FIELDS);

    await fc.assert(fc.asyncProperty(body, attributionHeaders, (chat, headers) => expectWellBehaved(handle, records, '/v1/chat/completions', chat, headers)), {
      numRuns: 300,
    });
    expectSomeServed();
  });

  it('answers Anthropic messages with a response or a 4xx, and leaves storable usage records', async () => {
    const { handle, records } = await gatewayWithRecords();
    const body = mutatedBody({ model: 'demo', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, ANTHROPIC_FIELDS);

    await fc.assert(fc.asyncProperty(body, attributionHeaders, (message, headers) => expectWellBehaved(handle, records, '/v1/messages', message, headers)), {
      numRuns: 300,
    });
    expectSomeServed();
  });

  it('answers embeddings with a response or a 4xx, and leaves storable usage records', async () => {
    const { handle, records } = await gatewayWithRecords();
    const body = mutatedBody({ model: 'demo-embed', input: 'hello' }, EMBEDDING_FIELDS);

    await fc.assert(fc.asyncProperty(body, attributionHeaders, (embedding, headers) => expectWellBehaved(handle, records, '/v1/embeddings', embedding, headers)), {
      numRuns: 200,
    });
    expectSomeServed();
  });

  it('answers any JSON body at all on every JSON route with a response or a 4xx', async () => {
    const { handle, records } = await gatewayWithRecords();
    const routes = fc.constantFrom('/v1/chat/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/embeddings');

    await fc.assert(fc.asyncProperty(routes, anyJson, (path, body) => expectWellBehaved(handle, records, path, body, {})), { numRuns: 300 });
    statuses.length = 0;
  });
});
