import { vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { ensureTables, type TableNames } from '../../functions/platform/dynamodb/table-definitions.js';

export interface TestTables {
  /** A client for the endpoint; call `client.destroy()` in afterAll. */
  readonly client: DynamoDBClient;
  readonly names: TableNames;
}

/**
 * Creates a fresh tenancy and counters table pair (TTL enabled) under names no other call
 * gets, so test files and tests never share state on the one DynamoDB Local of the run.
 */
export async function createTestTables(endpoint: string): Promise<TestTables> {
  const suffix = randomUUID().slice(0, 8);
  const names: TableNames = { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}` };
  const client = localDynamoDbClient(endpoint);
  await ensureTables(client, names);
  return { client, names };
}

export interface TestUsageTable {
  /** A client for the endpoint; call `client.destroy()` in afterAll. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * Creates a fresh usage table (pk + sk, TTL on expires_at) through `ensureTables`, together
 * with the tenancy and counters tables it always creates, under names no other call gets.
 */
export async function createTestUsageTable(endpoint: string): Promise<TestUsageTable> {
  const suffix = randomUUID().slice(0, 8);
  const names = { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}`, usage: `usage-${suffix}` };
  const client = localDynamoDbClient(endpoint);
  await ensureTables(client, names);
  return { client, tableName: names.usage };
}

/**
 * Makes `new DynamoDBClient({})` inside a Lambda handler reach DynamoDB Local, the way it
 * reads the Lambda environment on AWS. Undo with `vi.unstubAllEnvs()`.
 */
export function pointAwsSdkAtDynamoDbLocal(endpoint: string): void {
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
}
