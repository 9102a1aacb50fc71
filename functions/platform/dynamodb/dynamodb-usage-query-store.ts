/**
 * UsageQueryStore on the usage table (pk S + sk S, layout in core/usage/usage-table-layout.ts).
 * Each call is a Query on one partition, `pk = :p AND sk BETWEEN :a AND :b`: roll-ups follow
 * LastEvaluatedKey to the end; raw records come a page at a time, newest first, with an
 * opaque base64url cursor (the last sort key read; the partition is the caller's).
 */
import { QueryCommand, type DynamoDBClient, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { UsageRecord } from '../../core/usage/usage-record.js';
import { upgradeUsageRecord } from '../../core/usage/parse-usage-record.js';
import { picosToUsd } from '../../core/pricing/cost.js';
import {
  InvalidUsageCursorError,
  rollupAmountsOf,
  STORED_ROLLUP_NUMBER_NAMES,
  type RollupRow,
  type UsageQueryStore,
} from '../../core/usage/usage-query-store.js';
import { fromItem, type Item } from './attribute-value-codec.js';

export interface DynamoDbUsageQueryStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** DynamoDB's own cap on one Query page is 1 MB; this caps the item count of a raw page. */
const MAX_RAW_PAGE = 1000;

const DIMENSION_NAMES = ['tenant_id', 'key_id', 'model', 'end_user', 'run_id'] as const;
/** Table attributes that are not part of the record. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'expires_at']);

export function createDynamoDbUsageQueryStore(options: DynamoDbUsageQueryStoreOptions): UsageQueryStore {
  const { client, tableName } = options;

  function query(
    partition: string,
    fromSk: string,
    toSk: string,
    extra: { forward: boolean; limit?: number; startSk?: string },
  ): Promise<QueryCommandOutput> {
    return client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':p': { S: partition }, ':a': { S: fromSk }, ':b': { S: toSk } },
        ScanIndexForward: extra.forward,
        ...(extra.limit === undefined ? {} : { Limit: extra.limit }),
        ...(extra.startSk === undefined ? {} : { ExclusiveStartKey: { pk: { S: partition }, sk: { S: extra.startSk } } }),
      }),
    );
  }

  return {
    async queryRollups(partition, fromSk, toSk) {
      if (fromSk > toSk) return [];
      const rows: RollupRow[] = [];
      let startSk: string | undefined;
      do {
        const output = await query(partition, fromSk, toSk, { forward: true, startSk });
        for (const item of output.Items ?? []) rows.push(toRollupRow(item));
        startSk = output.LastEvaluatedKey?.sk?.S;
      } while (startSk !== undefined);
      return rows;
    },

    async queryRaw(partition, fromSk, toSk, page) {
      const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_RAW_PAGE);
      const startSk = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      if (fromSk > toSk) return { items: [] };
      if (startSk !== undefined && (startSk < fromSk || startSk > toSk)) {
        throw new InvalidUsageCursorError('The cursor lies outside the requested range.');
      }
      const output = await query(partition, fromSk, toSk, { forward: false, limit, startSk });
      const items = (output.Items ?? []).map(toUsageRecord);
      const lastSk = output.LastEvaluatedKey?.sk?.S;
      return lastSk === undefined ? { items } : { items, cursor: encodeCursor(lastSk) };
    },
  };
}

function toRollupRow(item: Item): RollupRow {
  const row: Record<string, unknown> = { sk: item.sk?.S ?? '' };
  for (const name of DIMENSION_NAMES) {
    const value = item[name]?.S;
    if (value !== undefined) row[name] = value;
  }
  // Sums are read as DynamoDB's decimal text, so the cost (past 2^53 pico-dollars) stays exact.
  const numbers = Object.fromEntries(STORED_ROLLUP_NUMBER_NAMES.map((name) => [name, item[name]?.N]));
  return { ...row, ...rollupAmountsOf(numbers) } as unknown as RollupRow;
}

/** A stored record as the API shows it; one stored before issue 12 (version 1) in version 2's fields. */
function toUsageRecord(item: Item): UsageRecord {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fromItem(item))) {
    if (!KEY_ATTRIBUTES.has(name)) record[name] = value;
  }
  const upgraded = upgradeUsageRecord(record);
  if (upgraded !== record && typeof upgraded['cost_picos'] === 'number') upgraded['cost_usd'] = picosToUsd(BigInt(upgraded['cost_picos']));
  return upgraded as unknown as UsageRecord;
}

function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && typeof (value as { sk?: unknown }).sk === 'string') {
      return (value as { sk: string }).sk;
    }
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidUsageCursorError();
}
