import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { createTableInputs, ensureTables } from '../../functions/platform/dynamodb/table-definitions.js';
import { useTestUsageTable } from '../support/dynamodb-test-tables.js';

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
  const usage = useTestUsageTable();

  it('creates the usage table ACTIVE with pk and sk as its key', async () => {
    const { Table: table } = await usage.client.send(new DescribeTableCommand({ TableName: usage.tableName }));

    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
  });

  it('enables TTL on expires_at on the usage table', async () => {
    const { TimeToLiveDescription: ttl } = await usage.client.send(new DescribeTimeToLiveCommand({ TableName: usage.tableName }));

    expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires_at' });
  });

  it('accepts the existing usage table when called again', async () => {
    const suffix = usage.tableName.slice('usage-'.length);
    const again = localDynamoDbClient(inject('dynamoDbEndpoint'));

    const ensuring = ensureTables(again, { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}`, usage: usage.tableName });

    await expect(ensuring).resolves.toBeUndefined();
    again.destroy();
  });
});
