// Property: whatever a tenant puts in the values it chooses (ids, end user, run id, tags,
// metadata), its record goes through the aggregator (JSON, as SQS carries it) into the DynamoDB
// usage store on DynamoDB Local, is never refused, and is counted exactly once in every roll-up
// of its tenant, even when delivered twice.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateUsageBatch } from '../../functions/core/usage/aggregate-usage-batch.js';
import { parseUsageRecord } from '../../functions/core/usage/parse-usage-record.js';
import type { Logger } from '../../functions/core/ports.js';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import type { UsageStore } from '../../functions/core/usage/usage-store.js';
import { rollupTargets, usageKeys } from '../../functions/core/usage/usage-table-layout.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';

const usage = useTestUsageTable();
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let store: UsageStore;
beforeAll(() => {
  store = createDynamoDbUsageStore(usage);
});

let sequence = 0;

/** Short and long text over all of Unicode, and text with lone surrogates (which JSON carries as escapes). */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 200, maxLength: 1_200 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '#', '\uD800', '\uDC00', '\u0000', '~'), maxLength: 600 }) },
);

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { [`l${level}`]: value };
  return value;
}

const metadata = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(text, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map(nested) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"x":1},"y":2}', '{"":1}', '{"n":1e300,"m":-5e-324}').map((json) => JSON.parse(json) as Record<string, unknown>) },
  { weight: 1, arbitrary: fc.integer({ min: 300_000, max: 500_000 }).map((size) => ({ blob: 'b'.repeat(size) })) },
);

const record = fc.record(
  {
    request_id: text,
    tenant_id: text,
    key_id: text,
    model: text,
    end_user: fc.option(text, { nil: undefined }),
    run_id: fc.option(text, { nil: undefined }),
    tags: fc.array(text, { maxLength: 80 }),
    metadata: fc.option(metadata, { nil: undefined }),
    trace_id: fc.option(text, { nil: undefined }),
    timestamp: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => date.toISOString()),
    prompt_tokens: fc.nat(1_000_000),
    cost_picos: fc.nat(1_000_000_000_000),
    status: fc.constantFrom(200, 400, 429, 502),
  },
  { requiredKeys: ['request_id', 'tenant_id', 'key_id', 'model', 'tags', 'timestamp', 'prompt_tokens', 'cost_picos', 'status'] },
);

type GeneratedValues = typeof record extends fc.Arbitrary<infer T> ? T : never;

/** Tenant, key, request and model are the gateway's and never empty; a prefix keeps each case in partitions of its own. */
function completeRecord(values: GeneratedValues): UsageRecord {
  const id = `${++sequence}-`;
  return {
    v: 2,
    ...values,
    request_id: `${id}${values.request_id}`,
    tenant_id: `${id}${values.tenant_id}`,
    key_id: `${id}${values.key_id}`,
    model: `m${values.model}`,
    provider: 'openai',
    upstream_model: 'upstream',
    deployment: 'model_list[0]',
    operation: 'chat',
    stream: false,
    completion_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: values.cost_picos / 1e12,
    estimated: false,
    latency_ms: 12,
    attempts: 1,
    fallback: false,
  } as UsageRecord;
}

async function requestsIn(pk: string, sk: string): Promise<{ requests: number; cost: number }> {
  const response = await usage.client.send(new GetItemCommand({ TableName: usage.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return { requests: Number(response.Item?.['requests']?.N ?? 0), cost: Number(response.Item?.['cost_picos']?.N ?? 0) };
}

describe('usage roll-ups of arbitrary client-chosen values', () => {
  it('stores every record and counts it once in each of its tenant\'s roll-ups when it is delivered twice', async () => {
    await fc.assert(
      fc.asyncProperty(record, async (values) => {
        const sent = completeRecord(values);
        const message = { messageId: `m-${sequence}`, body: JSON.stringify(sent) };

        const first = await aggregateUsageBatch([message], store, silent);
        const again = await aggregateUsageBatch([message], store, silent);

        expect([first.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
        const parsed = parseUsageRecord(JSON.parse(message.body));
        if (!parsed.ok) throw new Error(parsed.problem);
        const raw = usageKeys.raw(parsed.record);
        const stored = await usage.client.send(new GetItemCommand({ TableName: usage.tableName, Key: { pk: { S: raw.pk }, sk: { S: raw.sk } }, ConsistentRead: true }));
        expect(stored.Item?.['cost_picos']?.N).toBe(String(sent.cost_picos));
        // Every roll-up but the global ones (shared by all cases) holds this record alone.
        for (const target of rollupTargets(parsed.record).filter((candidate) => !candidate.pk.startsWith('ROLLUP#global'))) {
          expect(await requestsIn(target.pk, target.sk)).toEqual({ requests: 1, cost: sent.cost_picos });
        }
      }),
      { numRuns: 50 },
    );
  }, 180_000);
});
