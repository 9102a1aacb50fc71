import { afterAll, beforeAll, inject, vi } from 'vitest';
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
 * Gives the enclosing file or describe block its own tables: created in a `beforeAll` on the
 * run's DynamoDB Local, their client destroyed in an `afterAll`. The fields are set once the
 * `beforeAll` has run, so read them in hooks and tests, not while tests are being collected.
 */
export function useTestTables(): TestTables {
  return useCreated(createTestTables);
}

/** `useTestTables` for a usage table. */
export function useTestUsageTable(): TestUsageTable {
  return useCreated(createTestUsageTable);
}

function useCreated<T extends { readonly client: DynamoDBClient }>(create: (endpoint: string) => Promise<T>): T {
  const created = {} as T;
  beforeAll(async () => {
    Object.assign(created, await create(inject('dynamoDbEndpoint')));
  });
  afterAll(() => {
    created.client?.destroy();
  });
  return created;
}

/**
 * For tests of a Lambda handler module that builds its own `DynamoDBClient`: points the AWS SDK
 * at the run's DynamoDB Local and silences the handler's JSON logs for the enclosing block,
 * undoing both (every env stub and mock) in an `afterAll`.
 */
export function useAwsSdkOnDynamoDbLocal(): void {
  beforeAll(() => {
    pointAwsSdkAtDynamoDbLocal(inject('dynamoDbEndpoint'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
}

/**
 * Makes `new DynamoDBClient({})` inside a Lambda handler reach DynamoDB Local, the way it
 * reads the Lambda environment on AWS. Undo with `vi.unstubAllEnvs()`.
 */
function pointAwsSdkAtDynamoDbLocal(endpoint: string): void {
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
}
