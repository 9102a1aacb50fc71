import { GetItemCommand, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { usageRecord } from '../support/usage-records.js';
import type { UsageStore } from '../../functions/core/usage/usage-store.js';
import { usageKeys } from '../../functions/core/usage/usage-table-layout.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';

const usage = useTestUsageTable();
let store: UsageStore;
beforeAll(() => {
  store = createDynamoDbUsageStore(usage);
});

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;


/** The real client, except that the first `failures` sends are cancelled with the given reason codes. */
function clientFailingFirst(failures: number, codes: string[]): DynamoDBClient & { sends: number } {
  const stub = {
    sends: 0,
    async send(command: Parameters<DynamoDBClient['send']>[0]) {
      stub.sends++;
      if (stub.sends <= failures) {
        throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
      }
      return usage.client.send(command);
    },
  };
  return stub as unknown as DynamoDBClient & { sends: number };
}

async function item(pk: string, sk: string) {
  const response = await usage.client.send(new GetItemCommand({ TableName: usage.tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return response.Item ?? {};
}

describe('DynamoDB usage store', () => {
  it('counts a record once and answers duplicate when the same record is ingested again', async () => {
    const tenant = unique('tenant-twice');
    const record = usageRecord({ tenant_id: tenant });

    const outcomes = [await store.ingest(record), await store.ingest(record)];

    expect(outcomes).toEqual(['counted', 'duplicate']);
    const rollup = await item(usageKeys.rollupPartition('tenant-day', tenant), '2026-11-23');
    expect(rollup['requests']?.N).toBe('1');
    expect(rollup['prompt_tokens']?.N).toBe('10');
  });

  it('holds the sums of the records in a roll-up when several records are ingested', async () => {
    const tenant = unique('tenant-sums');
    const records = [
      usageRecord({ tenant_id: tenant, prompt_tokens: 5, completion_tokens: 7, cache_read_tokens: 2, reasoning_tokens: 1, cost_picos: 11_000_001 }),
      usageRecord({ tenant_id: tenant, prompt_tokens: 50, completion_tokens: 70, cache_read_tokens: 20, cache_write_tokens: 9, cache_write_1h_tokens: 4, reasoning_tokens: 10, cost_picos: 110_000_000, status: 429 }),
      usageRecord({ tenant_id: tenant, prompt_tokens: 500, completion_tokens: 700, cache_read_tokens: 0, reasoning_tokens: 100, cost_picos: 200_000_000, unpriced: true }),
    ];

    for (const record of records) await store.ingest(record);

    const rollup = await item(usageKeys.rollupPartition('tenant-key-day', tenant), '2026-11-23#key-1');
    expect(rollup).toEqual({
      pk: { S: `ROLLUP#tenant-key-day#${tenant}` },
      sk: { S: '2026-11-23#key-1' },
      tenant_id: { S: tenant },
      key_id: { S: 'key-1' },
      requests: { N: '3' },
      errors: { N: '1' },
      unpriced_requests: { N: '1' },
      prompt_tokens: { N: '555' },
      completion_tokens: { N: '777' },
      cache_read_tokens: { N: '22' },
      cache_write_tokens: { N: '9' },
      cache_write_1h_tokens: { N: '4' },
      reasoning_tokens: { N: '111' },
      cost_picos: { N: '321000001' },
    });
  });

  it('stores the raw record with expires_at 90 days after its timestamp in epoch seconds when no retention is given', async () => {
    const record = usageRecord({ tenant_id: unique('tenant-raw'), timestamp: '2026-11-23T12:00:05.250Z' });

    await store.ingest(record);

    const { pk, sk } = usageKeys.raw(record);
    const raw = await item(pk, sk);
    expect(raw['expires_at']?.N).toBe(String(Date.UTC(2026, 10, 23, 12, 0, 5) / 1000 + 90 * 86_400));
    expect(raw['request_id']?.S).toBe(record.request_id);
  });

  it('tries the transaction again and counts the record once when it was cancelled by transaction conflicts', async () => {
    const tenant = unique('tenant-conflict');
    const conflicted = clientFailingFirst(2, ['None', 'TransactionConflict']);
    const conflictedStore = createDynamoDbUsageStore({ client: conflicted, tableName: usage.tableName });

    const outcome = await conflictedStore.ingest(usageRecord({ tenant_id: tenant }));

    expect(outcome).toBe('counted');
    expect(conflicted.sends).toBe(3);
    expect((await item(usageKeys.rollupPartition('tenant-day', tenant), '2026-11-23'))['requests']?.N).toBe('1');
  });

  it('rejects with the cancellation when conflicts outlast the attempts', async () => {
    const conflicted = clientFailingFirst(3, ['None', 'TransactionConflict']);
    const conflictedStore = createDynamoDbUsageStore({ client: conflicted, tableName: usage.tableName, conflictAttempts: 3 });

    const ingesting = conflictedStore.ingest(usageRecord({ tenant_id: unique('tenant-conflicts') }));

    await expect(ingesting).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(conflicted.sends).toBe(3);
  });

  it('rejects without trying again when the transaction is cancelled for another reason', async () => {
    const throttled = clientFailingFirst(1, ['None', 'ThrottlingError']);
    const throttledStore = createDynamoDbUsageStore({ client: throttled, tableName: usage.tableName });

    const ingesting = throttledStore.ingest(usageRecord({ tenant_id: unique('tenant-throttled') }));

    await expect(ingesting).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(throttled.sends).toBe(1);
  });

  it('stores the raw record with expires_at the given number of days after its timestamp', async () => {
    const shortStore = createDynamoDbUsageStore({ ...usage, retentionDays: 7 });
    const record = usageRecord({ tenant_id: unique('tenant-retention'), timestamp: '2026-11-23T00:00:00Z' });

    await shortStore.ingest(record);

    const { pk, sk } = usageKeys.raw(record);
    expect((await item(pk, sk))['expires_at']?.N).toBe(String(Date.UTC(2026, 10, 23) / 1000 + 7 * 86_400));
  });
});
