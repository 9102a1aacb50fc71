// SQS is mocked with aws-sdk-client-mock: no local SQS engine exists. The fallback and the
// usage table it writes are real (DynamoDB Local).
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aggregateUsageBatch } from '../../functions/core/usage/aggregate-usage-batch.js';
import type { UsageStore } from '../../functions/core/usage/usage-store.js';
import { createDynamoDbUsageStore } from '../../functions/platform/dynamodb/dynamodb-usage-store.js';
import { createSqsUsageSink } from '../../functions/platform/sqs-usage-sink.js';
import { replayUsageLines } from '../../functions/cli/replay-usage.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';
import { usageRecord } from '../core/usage/in-memory-usage-query-store.js';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/usage';
const table = useTestUsageTable();
let store: UsageStore;
beforeAll(() => {
  store = createDynamoDbUsageStore(table);
});
afterEach(() => {
  sqs.reset();
});

function logger() {
  const lines: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const push = (event: string, fields?: Record<string, unknown>) => lines.push({ event, fields });
  return { lines, info: push, warn: push, error: push };
}

async function tenantDayRequests(tenant: string): Promise<number> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `ROLLUP#tenant-day#${tenant}` } },
    }),
  );
  return Number(result.Items?.[0]?.['requests']?.N ?? 0);
}

describe('SQS usage sink', () => {
  it('sends the record to the queue when SQS accepts it', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const record = usageRecord({ tenant_id: 'sqs-ok' });

    await createSqsUsageSink({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE_URL, fallback: (each) => store.ingest(each), logger: logger() }).record(record);

    expect(JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!)).toEqual(record);
  });

  it('writes the record straight into the usage table when SQS fails, and a late SQS delivery does not count it twice', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
    const record = usageRecord({ tenant_id: 'sqs-down' });
    const sink = createSqsUsageSink({ client: new SQSClient({ region: 'eu-west-1', maxAttempts: 1 }), queueUrl: QUEUE_URL, fallback: (each) => store.ingest(each), logger: logger() });

    await sink.record(record);
    await aggregateUsageBatch([{ messageId: 'late', body: JSON.stringify(record) }], store, logger());

    expect(await tenantDayRequests('sqs-down')).toBe(1);
  });

  it('logs the whole record when both SQS and the usage table fail, and replaying the log line counts it once', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
    const record = usageRecord({ tenant_id: 'sqs-and-table-down' });
    const log = logger();
    const sink = createSqsUsageSink({
      client: new SQSClient({ region: 'eu-west-1', maxAttempts: 1 }),
      queueUrl: QUEUE_URL,
      fallback: () => Promise.reject(new Error('throttled')),
      logger: log,
    });

    await sink.record(record);
    const logLine = JSON.stringify(log.lines.find((line) => line.event === 'usage.record_unsaved')?.fields);
    const first = await replayUsageLines(logLine, store);
    const second = await replayUsageLines(logLine, store);

    expect(first).toEqual({ counted: 1, duplicate: 0, skipped: 0 });
    expect(second).toEqual({ counted: 0, duplicate: 1, skipped: 0 });
    expect(await tenantDayRequests('sqs-and-table-down')).toBe(1);
  });
});
