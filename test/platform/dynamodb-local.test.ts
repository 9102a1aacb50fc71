// Runs against the run's DynamoDB Local (test/support/dynamodb-local-global-setup.ts). Besides our
// own helpers, it pins down the DynamoDB semantics the tenancy and counter stores rely on, as
// DynamoDB Local (1.25.1, from amplify-dynamodb-simulator) implements them.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import {
  DynamoDbLocalStartError,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../functions/platform/dynamodb/dynamodb-local.js';
import {
  COUNTERS_TABLE_TTL_ATTRIBUTE,
  createTableInputs,
  ensureTables,
  TENANCY_TABLE_KEY,
} from '../../functions/platform/dynamodb/table-definitions.js';
import { createTestTables, useTestTables } from '../support/dynamodb-test-tables.js';

const endpoint = inject('dynamoDbEndpoint');

/** Expects `action` to reject with an instance of `errorClass`, and returns that error. */
async function rejection<T extends Error>(action: Promise<unknown>, errorClass: new (...args: never[]) => T): Promise<T> {
  const error: unknown = await action.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(errorClass);
  return error as T;
}

/** A shell script standing in for `java`, to exercise start-up failures without a JVM. */
function fakeJava(script: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fake-java-')), 'java');
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('createTableInputs', () => {
  it('describes both tables with a string pk, no sort key and on-demand billing', () => {
    const inputs = createTableInputs({ tenancy: 'tenancy-a', counters: 'counters-a' });

    expect(inputs).toEqual(['tenancy-a', 'counters-a'].map((name) => ({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: TENANCY_TABLE_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: TENANCY_TABLE_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    })));
  });
});

describe('ensureTables', () => {
  const tables = useTestTables();

  it('creates both tables ACTIVE with pk as their only key when they are missing', async () => {
    const described = await Promise.all([tables.names.tenancy, tables.names.counters].map(async (name) =>
      (await tables.client.send(new DescribeTableCommand({ TableName: name }))).Table));

    for (const table of described) {
      expect(table?.TableStatus).toBe('ACTIVE');
      expect(table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
      expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    }
  });

  it('enables TTL on expires_at on the counters table', async () => {
    const { TimeToLiveDescription: ttl } = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: tables.names.counters }));

    expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: COUNTERS_TABLE_TTL_ATTRIBUTE });
  });

  it('leaves TTL off on the tenancy table', async () => {
    const { TimeToLiveDescription: ttl } = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: tables.names.tenancy }));

    expect(ttl?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('keeps the tables and their items when called again', async () => {
    await tables.client.send(new PutItemCommand({ TableName: tables.names.tenancy, Item: { pk: { S: 'TENANT#kept' } } }));

    await ensureTables(tables.client, tables.names);
    await ensureTables(tables.client, tables.names);

    const { Item: item } = await tables.client.send(new GetItemCommand({ TableName: tables.names.tenancy, Key: { pk: { S: 'TENANT#kept' } } }));
    expect(item).toEqual({ pk: { S: 'TENANT#kept' } });
  });

  it('succeeds when two calls race to create the same tables', async () => {
    const racing = { tenancy: `${tables.names.tenancy}-race`, counters: `${tables.names.counters}-race` };

    await Promise.all([ensureTables(tables.client, racing), ensureTables(tables.client, racing)]);

    const { TimeToLiveDescription: ttl } = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: racing.counters }));
    expect(ttl?.TimeToLiveStatus).toBe('ENABLED');
  });
});

describe('createTestTables', () => {
  it('gives every call its own table names', async () => {
    const first = await createTestTables(endpoint);
    const second = await createTestTables(endpoint);

    expect(new Set([first.names.tenancy, first.names.counters, second.names.tenancy, second.names.counters]).size).toBe(4);
    first.client.destroy();
    second.client.destroy();
  });
});

describe('DynamoDB Local semantics the stores rely on', () => {
  const tables = useTestTables();

  function putIfAbsent(pk: string): Promise<unknown> {
    return tables.client.send(new PutItemCommand({
      TableName: tables.names.tenancy,
      Item: { pk: { S: pk } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  async function givenCounter(pk: string, value: number): Promise<void> {
    await tables.client.send(new PutItemCommand({ TableName: tables.names.counters, Item: { pk: { S: pk }, used: { N: String(value) } } }));
  }

  async function counterValue(pk: string): Promise<string | undefined> {
    const { Item: item } = await tables.client.send(new GetItemCommand({ TableName: tables.names.counters, Key: { pk: { S: pk } }, ConsistentRead: true }));
    return item?.used?.N;
  }

  /** Adds 1 to `used` only while it is below `limit`. */
  function incrementBelow(pk: string, limit: number): Update {
    return {
      TableName: tables.names.counters,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET used = used + :one',
      ConditionExpression: 'used < :limit',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':limit': { N: String(limit) } },
    };
  }

  it('rejects a second attribute_not_exists(pk) put with ConditionalCheckFailedException', async () => {
    await putIfAbsent('KEYHASH#once');

    await rejection(putIfAbsent('KEYHASH#once'), ConditionalCheckFailedException);
  });

  it('cancels every action of a transaction, with reasons in order, when one condition fails', async () => {
    await givenCounter('tx-untouched', 1);
    await givenCounter('tx-full', 5);

    const error = await rejection(tables.client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Update: incrementBelow('tx-untouched', 100) },
        { Update: incrementBelow('tx-full', 5) },
      ],
    })), TransactionCanceledException);

    expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(await counterValue('tx-untouched')).toBe('1');
    expect(await counterValue('tx-full')).toBe('5');
  });

  it('returns the stored item on a failed UpdateItem when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
    await givenCounter('update-all-old', 5);

    const error = await rejection(tables.client.send(new UpdateItemCommand({
      ...incrementBelow('update-all-old', 5),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })), ConditionalCheckFailedException);

    expect(error.Item).toEqual({ pk: { S: 'update-all-old' }, used: { N: '5' } });
  });

  it('returns no item on a failed UpdateItem when ReturnValuesOnConditionCheckFailure is not set', async () => {
    await givenCounter('update-none', 5);

    const error = await rejection(tables.client.send(new UpdateItemCommand(incrementBelow('update-none', 5))), ConditionalCheckFailedException);

    expect(error.Item).toBeUndefined();
  });

  it('returns no item on a failed UpdateItem with ALL_OLD when the item does not exist', async () => {
    const error = await rejection(tables.client.send(new UpdateItemCommand({
      TableName: tables.names.counters,
      Key: { pk: { S: 'update-missing' } },
      UpdateExpression: 'SET used = :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })), ConditionalCheckFailedException);

    expect(error.Item).toBeUndefined();
  });

  it('returns the stored item in the cancellation reason of a failed transactional Update with ALL_OLD', async () => {
    await givenCounter('tx-update-all-old-ok', 1);
    await givenCounter('tx-update-all-old', 5);

    const error = await rejection(tables.client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Update: incrementBelow('tx-update-all-old-ok', 100) },
        { Update: { ...incrementBelow('tx-update-all-old', 5), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      ],
    })), TransactionCanceledException);

    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: expect.any(String) as unknown,
        Item: { pk: { S: 'tx-update-all-old' }, used: { N: '5' } },
      },
    ]);
  });

  it('returns the stored item in the cancellation reason of a failed ConditionCheck with ALL_OLD', async () => {
    await givenCounter('tx-check-all-old', 5);

    const error = await rejection(tables.client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Update: incrementBelow('tx-check-other', 100) },
        {
          ConditionCheck: {
            TableName: tables.names.counters,
            Key: { pk: { S: 'tx-check-all-old' } },
            ConditionExpression: 'used < :limit',
            ExpressionAttributeValues: { ':limit': { N: '5' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    })), TransactionCanceledException);

    expect(error.CancellationReasons?.[1]?.Item).toEqual({ pk: { S: 'tx-check-all-old' }, used: { N: '5' } });
  });

  it('returns no item in the cancellation reason of a failed transactional Update without ALL_OLD', async () => {
    await givenCounter('tx-update-plain', 5);

    const error = await rejection(tables.client.send(new TransactWriteItemsCommand({
      TransactItems: [{ Update: incrementBelow('tx-update-plain', 5) }],
    })), TransactionCanceledException);

    expect(error.CancellationReasons).toEqual([{ Code: 'ConditionalCheckFailed', Message: expect.any(String) as unknown }]);
  });
});

describe('startDynamoDbLocal', () => {
  it('keeps tables across restarts when given a data directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
    const dataDirectory = join(root, 'data');
    const names = { tenancy: 'tenancy-persisted', counters: 'counters-persisted' };
    const first = await startDynamoDbLocal({ dataDirectory });
    const firstClient = localDynamoDbClient(first.endpoint);
    await ensureTables(firstClient, names);
    firstClient.destroy();
    await first.stop();

    const second = await startDynamoDbLocal({ dataDirectory });
    const secondClient = localDynamoDbClient(second.endpoint);
    const { TableNames: tables } = await secondClient.send(new ListTablesCommand({}));
    secondClient.destroy();
    await second.stop();
    rmSync(root, { recursive: true, force: true });

    expect(tables).toEqual(expect.arrayContaining([names.tenancy, names.counters]));
  }, 60_000);

  it('stops answering once stopped', async () => {
    const local = await startDynamoDbLocal({ inMemory: true });
    const client = localDynamoDbClient(local.endpoint);

    await local.stop();

    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();
  }, 60_000);

  it('fails naming the port when the port is in use', async () => {
    const busyPort = new URL(endpoint).port;

    const start = startDynamoDbLocal({ port: Number(busyPort) });

    await expect(start).rejects.toThrow(`port ${busyPort}: it is in use`);
  });

  it('fails saying java was not found when the Java executable is missing', async () => {
    const start = startDynamoDbLocal({ javaExecutable: '/nonexistent/bin/java' });

    await expect(start).rejects.toThrow(/"\/nonexistent\/bin\/java" was not found\. Install a Java runtime/);
  });

  it('fails with the last stderr lines when the process exits before answering', async () => {
    const java = fakeJava('echo "first line" >&2; echo "Invalid directory for database creation." >&2; exit 3');

    const error = await rejection(startDynamoDbLocal({ javaExecutable: java }), DynamoDbLocalStartError);

    expect(error.message).toMatch(/exited before answering .*\(exit code 3\)/);
    expect(error.message).toContain('  first line\n  Invalid directory for database creation.');
  });

  it('fails and kills the process when its main thread dies but the JVM stays up', async () => {
    const java = fakeJava('echo \'Exception in thread "main" java.lang.IllegalStateException: broken\' >&2; exec sleep 30');

    const error = await rejection(startDynamoDbLocal({ javaExecutable: java, startTimeoutMs: 10_000 }), DynamoDbLocalStartError);

    expect(error.message).toMatch(/failed to start on port \d+\.\nLast stderr lines:\n {2}Exception in thread "main"/);
  });

  it('fails after the start timeout when nothing answers', async () => {
    const java = fakeJava('exec sleep 30');

    const start = startDynamoDbLocal({ javaExecutable: java, startTimeoutMs: 500 });

    await expect(start).rejects.toThrow(/did not answer on http:\/\/127\.0\.0\.1:\d+: no answer within 500 ms/);
  });
});
