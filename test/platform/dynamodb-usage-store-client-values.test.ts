// Issue 11 item 12: each of these values once made DynamoDB refuse the ingest transaction, so
// the record was retried, dead-lettered and missing from every report. Each must now be counted.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../functions/core/ports.js';
import type { UsageRecord } from '../../functions/core/usage/usage-record.js';
import type { UsageStore } from '../../functions/core/usage/usage-store.js';
import { usageKeys } from '../../functions/core/usage/usage-table-layout.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';
import { usageRecord } from '../support/usage-records.js';

const usage = useTestUsageTable();
const warnings: Array<{ event: string; fields?: Record<string, unknown> }> = [];
const logger: Logger = { info: () => undefined, warn: (event, fields) => warnings.push({ event, fields }), error: () => undefined };
let store: UsageStore;
beforeAll(() => {
  store = createDynamoDbUsageStore({ ...usage, logger });
});

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < levels; level++) value = { next: value };
  return value;
}

async function item(pk: string, sk: string) {
  const response = await usage.client.send(new GetItemCommand({ TableName: usage.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return response.Item ?? {};
}

const CASES: Array<[string, Partial<UsageRecord>, string]> = [
  ['an x-run-id over 2 KB', { run_id: 'r'.repeat(2_100) }, 'run_id'],
  ['an end user of 1.5 KB', { end_user: 'u'.repeat(1_500) }, 'end_user'],
  ['a request id of 1 KB from an older gateway', { request_id: 'q'.repeat(1_024) }, 'request_id'],
  ['metadata with __proto__', { metadata: JSON.parse('{"__proto__": {"admin": true}, "feature": "search"}') }, 'metadata'],
  ['metadata deeper than 32 levels', { metadata: nested(40) }, 'metadata'],
  ['metadata over 400 KB', { metadata: { blob: 'm'.repeat(410_000) } }, 'metadata'],
  ['metadata with a number beyond DynamoDB range', { metadata: { big: 1e300, tiny: 5e-324 } }, 'metadata'],
  ['metadata with an empty key', { metadata: { '': 'x' } }, 'metadata'],
  ['a tag of 1 KB', { tags: ['t'.repeat(1_024)] }, 'tags'],
];

describe('DynamoDB usage store: client-chosen values', () => {
  it.each(CASES)('counts the record and flags the field when it has %s', async (_case, overrides, field) => {
    const tenant = unique('tenant');
    const record = usageRecord({ tenant_id: tenant, ...overrides });

    const outcome = await store.ingest(record);

    expect(outcome).toBe('counted');
    expect((await item(usageKeys.rollupPartition('tenant-day', tenant), '2026-11-23'))['requests']?.N).toBe('1');
    const raw = await item(usageKeys.raw(record).pk, usageKeys.raw(record).sk);
    expect(raw['sanitized_fields']?.L).toEqual([{ S: field }]);
  });

  it('answers duplicate when a record with an over-long run id and end user is delivered again', async () => {
    const record = usageRecord({ tenant_id: unique('tenant'), run_id: 'r'.repeat(3_000), end_user: 'u'.repeat(3_000) });

    const outcomes = [await store.ingest(record), await store.ingest(record)];

    expect(outcomes).toEqual(['counted', 'duplicate']);
  });

  it('keeps the rest of the metadata when only a __proto__ key is removed', async () => {
    const record = usageRecord({ tenant_id: unique('tenant'), metadata: JSON.parse('{"__proto__": 1, "feature": "search"}') });

    await store.ingest(record);

    expect((await item(usageKeys.raw(record).pk, usageKeys.raw(record).sk))['metadata']).toEqual({ M: { feature: { S: 'search' } } });
  });

  it('logs the field and the reason but never the value when it sanitises a record', async () => {
    const secretLooking = `sk-live-${'z'.repeat(2_000)}`;
    const record = usageRecord({ tenant_id: unique('tenant'), end_user: secretLooking });

    await store.ingest(record);

    const warning = warnings.find((entry) => entry.fields?.['requestId'] === record.request_id);
    expect(warning).toMatchObject({ event: 'usage_record_sanitized', fields: { sanitized: [expect.stringMatching(/^end_user: /)] } });
    expect(JSON.stringify(warning)).not.toContain('sk-live');
  });
});
