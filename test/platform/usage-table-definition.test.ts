import { DescribeTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { createTableInputs, ensureTables } from '../../functions/platform/dynamodb/table-definitions.js';
import { createTestUsageTable } from '../support/dynamodb-test-tables.js';

describe('createTableInputs', () => {
  it('describes the usage table last, keyed by the strings pk and sk, when a usage table is named', () => {
    const inputs = createTableInputs({ tenancy: 'tenancy-a', counters: 'counters-a', usage: 'usage-a' });

    expect(inputs.map((input) => input.TableName)).toEqual(['tenancy-a', 'counters-a', 'usage-a']);
    expect(inputs[2]).toEqual({
      TableName: 'usage-a',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });
});

describe('ensureTables with a usage table', () => {
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    ({ client, tableName } = await createTestUsageTable(inject('dynamoDbEndpoint')));
  });

  afterAll(() => {
    client.destroy();
  });

  it('creates the usage table ACTIVE with pk and sk as its key', async () => {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));

    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
  });

  it('enables TTL on expires_at on the usage table', async () => {
    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));

    expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires_at' });
  });

  it('accepts the existing usage table when called again', async () => {
    const suffix = tableName.slice('usage-'.length);
    const again = localDynamoDbClient(inject('dynamoDbEndpoint'));

    const ensuring = ensureTables(again, { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}`, usage: tableName });

    await expect(ensuring).resolves.toBeUndefined();
    again.destroy();
  });
});
