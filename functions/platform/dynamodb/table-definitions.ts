/**
 * The gateway's DynamoDB tables (tenancy, counters and, optionally, usage), described once as
 * data: the CDK construct builds its `Table`s from these definitions, and `ensureTables`
 * creates the same tables through the API (DynamoDB Local for tests and `npm start`).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

/** The partition key of every table: a string such as `TENANT#<id>`; only the usage table has a sort key. */
export const TENANCY_TABLE_KEY = 'pk';

/** The usage table's sort key (see `functions/core/usage/usage-table-layout.ts`). */
const USAGE_TABLE_SORT_KEY = 'sk';

/** Epoch seconds after which DynamoDB may delete a raw usage record (roll-ups carry no TTL). */
export const USAGE_TABLE_TTL_ATTRIBUTE = 'expires_at';

/** Epoch seconds after which DynamoDB may delete a counters item (rate-limit windows, reservations). */
export const COUNTERS_TABLE_TTL_ATTRIBUTE = 'expires_at';

/** What a table is, independent of CDK and of the SDK. */
export interface TableDefinition {
  /** The partition key; a string attribute. */
  readonly partitionKey: { readonly name: string; readonly type: 'S' };
  /** The sort key, a string attribute; absent = partition key only. */
  readonly sortKey?: { readonly name: string; readonly type: 'S' };
  /** On-demand capacity. */
  readonly billingMode: 'PAY_PER_REQUEST';
  /** Attribute holding an expiry time in epoch seconds; absent = no TTL. */
  readonly timeToLiveAttribute?: string;
}

/** Tenants, virtual keys and key-hash lookups. */
export const TENANCY_TABLE: TableDefinition = {
  partitionKey: { name: TENANCY_TABLE_KEY, type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
};

/** Rate-limit windows, budgets and reservations. */
export const COUNTERS_TABLE: TableDefinition = {
  partitionKey: { name: TENANCY_TABLE_KEY, type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: COUNTERS_TABLE_TTL_ATTRIBUTE,
};

/** Raw usage records and their roll-ups: `pk` + `sk`, TTL on `expires_at` (raw records only). */
export const USAGE_TABLE: TableDefinition = {
  partitionKey: { name: TENANCY_TABLE_KEY, type: 'S' },
  sortKey: { name: USAGE_TABLE_SORT_KEY, type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: USAGE_TABLE_TTL_ATTRIBUTE,
};

/** Physical table names, chosen by the deployment (CloudFormation) or by the caller (local, tests). */
export interface TableNames {
  readonly tenancy: string;
  readonly counters: string;
  /** The usage table; absent = not created (callers that do not record usage). */
  readonly usage?: string;
}

/** How long `ensureTables` waits for one table to become ACTIVE. */
const TABLE_ACTIVE_WAIT_SECONDS = 60;

/**
 * CreateTable requests for the named tables: tenancy, counters, then usage when named.
 * TTL is not part of CreateTable: see `ensureTables`.
 */
export function createTableInputs(names: TableNames): CreateTableCommandInput[] {
  return namedDefinitions(names).map(({ name, definition }) => toCreateTableInput(name, definition));
}

/**
 * Creates whichever of the named tables is missing, waits until all are ACTIVE and enables TTL
 * on the counters (and usage) table. Safe to call again and concurrently: existing tables are
 * kept (their key schema is checked) and an already enabled TTL is left alone.
 */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  const definitions = namedDefinitions(names);
  await Promise.all(definitions.map(async ({ name, definition }) => {
    await createTableIfMissing(client, toCreateTableInput(name, definition));
    await waitUntilActive(client, name);
    await checkKeySchema(client, name, definition);
    if (definition.timeToLiveAttribute !== undefined) {
      await enableTimeToLive(client, name, definition.timeToLiveAttribute);
    }
  }));
}

function namedDefinitions(names: TableNames): { name: string; definition: TableDefinition }[] {
  return [
    { name: names.tenancy, definition: TENANCY_TABLE },
    { name: names.counters, definition: COUNTERS_TABLE },
    ...(names.usage === undefined ? [] : [{ name: names.usage, definition: USAGE_TABLE }]),
  ];
}

function toCreateTableInput(tableName: string, definition: TableDefinition): CreateTableCommandInput {
  const { partitionKey, sortKey } = definition;
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      ...(sortKey === undefined ? [] : [{ AttributeName: sortKey.name, AttributeType: sortKey.type }]),
    ],
    KeySchema: keySchema(definition),
    BillingMode: definition.billingMode,
  };
}

function keySchema(definition: TableDefinition): KeySchemaElement[] {
  return [
    { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
    ...(definition.sortKey === undefined ? [] : [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }]),
  ];
}

async function createTableIfMissing(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  await waitUntilTableExists(
    { client, maxWaitTime: TABLE_ACTIVE_WAIT_SECONDS, minDelay: 1, maxDelay: 5 },
    { TableName: tableName },
  );
}

/** An existing table with another key would fail every request later and obscurely: fail here instead. */
async function checkKeySchema(client: DynamoDBClient, tableName: string, definition: TableDefinition): Promise<void> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const expected = keySchema(definition);
  const actual = (table?.KeySchema ?? []).map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType }));
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `Table ${tableName} exists with key schema ${JSON.stringify(actual)}; expected ${JSON.stringify(expected)}.`,
    );
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const { TimeToLiveDescription: current } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current?.TimeToLiveStatus;
  if ((status === 'ENABLED' || status === 'ENABLING') && current?.AttributeName === attributeName) return;
  if (status === 'ENABLED' || status === 'ENABLING') {
    throw new Error(
      `Table ${tableName} has TTL on "${current?.AttributeName ?? ''}"; expected "${attributeName}".`,
    );
  }

  try {
    await client.send(new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
    }));
  } catch (error) {
    // A concurrent ensureTables may have enabled it between our describe and update.
    if (isTimeToLiveAlreadyEnabled(error)) return;
    throw error;
  }
}

function isTimeToLiveAlreadyEnabled(error: unknown): boolean {
  return error instanceof Error
    && error.name === 'ValidationException'
    && /already enabled/i.test(error.message);
}
